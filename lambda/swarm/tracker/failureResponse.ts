import { bencode } from '../../metainfo/bencode';

/**
 * A tracker's refusal (BEP 3): a dictionary with `failure reason` and no
 * peers. `permanent` adds BEP 31's `retry in: never`, so a client stops
 * announcing a URL that will never work (a forged or expired token).
 *
 * @example
 * failureResponse('"port" is required.').toString() // 'd14:failure reason19:"port" is required.e'
 */
export const failureResponse = (reason: string, opts: { permanent?: boolean } = {}): Buffer =>
  bencode({ 'failure reason': reason, 'retry in': opts.permanent ? 'never' : undefined });
