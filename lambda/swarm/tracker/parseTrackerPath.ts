export type TrackerAction = 'announce' | 'scrape';

export interface TrackerPath {
  token: string;
  action: TrackerAction;
}

/**
 * The verb and token of a tracker URL, from the raw request path: its last
 * two segments, `announce|scrape` then the token (any stage or base path
 * before them is ignored). The path starts with `/announce` because
 * libtorrent's SSRF mitigation drops loopback trackers whose path does not.
 * Undefined for any other shape.
 *
 * @example
 * parseTrackerPath('/prod/announce/k1.1900000000.sig.c12f') // { token: 'k1.1900000000.sig.c12f', action: 'announce' }
 * parseTrackerPath('/announce/x/') // undefined
 */
export const parseTrackerPath = (path: string): TrackerPath | undefined => {
  const m = /(?:^|\/)(announce|scrape)\/([^/]+)$/.exec(path);
  return m ? { token: m[2], action: m[1] as TrackerAction } : undefined;
};
