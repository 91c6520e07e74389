import type { TorrentBuilds } from '../torrents/torrentBuilds';
import type { BackgroundJobs } from './backgroundJobs';

/**
 * Background builds in this process (the local runtime, or a deployment
 * without a generate function): the build runs after the 202, joined by
 * every later request for the same version until it finishes.
 */
export const localJobs = (builds: TorrentBuilds): BackgroundJobs => ({
  async ensure({ target, head, id, log }) {
    const build = builds.join(target, head, id, log);
    if (build.progress.state === 'done') return { state: 'ready', info: await build.promise };
    build.promise.catch(() => undefined); // failures are logged by the build; the next request starts again
    return { state: 'building', progress: { ...build.progress } };
  },
});
