/**
 * The torrent's `name` for an object key: its last non-empty path segment,
 * or "download" for a key made only of slashes.
 *
 * @example
 * displayName('videos/2026/talk.mp4') // 'talk.mp4'
 */
export const displayName = (key: string): string => {
  const segments = key.split('/').filter((s) => s.length > 0);
  return segments[segments.length - 1] ?? 'download';
};
