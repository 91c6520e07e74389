import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { pinParams, type FolderPin, type ObjectPin } from '../links/objectPin';
import { Readable } from 'node:stream';
import type { AuthorizedObject } from '../routes/middleware/authorizeObjectRequest';
import type { Config } from '../config';
import type { AppLogger } from '../observability/logger';
import { counted, countSeedBytes, DEFERRED_BYTES_PER_SECOND, deferralError, paced, swarmDecision, type SwarmGateDeps } from './swarmGate';
import { HttpError } from '../http/HttpError';
import { CORS_HEADERS, SECURITY_HEADERS, type LambdaResponse } from '../http/jsonResponse';
import { s3ErrorToHttp } from '../http/s3ErrorToHttp';
import { classifyS3Error } from '../s3/classifyS3Error';
import { objectParams } from '../s3/objectParams';
import { presignGetObject } from '../s3/presignGetObject';

/** Finds the listed file behind a key of a folder snapshot (the folder torrents service). */
export type FolderFileLookup = (target: AuthorizedObject, folder: FolderPin, log: AppLogger) => Promise<{ key: string; etag: string } | undefined>;

export interface WebSeedDeps extends SwarmGateDeps {
  folderFile?: FolderFileLookup;
  s3: S3Client;
  /** Presigning may use a client with the public endpoint (the local runtime's S3 port). */
  presignS3?: S3Client;
  config: Config;
}

const changed = (cause?: unknown) =>
  new HttpError(412, 'ObjectChanged', 'The object has changed since this torrent was made; get a new torrent from the share link.', { cause });

/**
 * Whether S3's answer is the pinned version. Stores that ignore If-Match
 * (s3rver, some S3-compatible servers) would otherwise hand out new bytes.
 */
const matchesPin = (pin: ObjectPin, out: { ETag?: string; VersionId?: string }): boolean =>
  'versionId' in pin ? out.VersionId === undefined || out.VersionId === pin.versionId : out.ETag === pin.etag;

/** What a failed seed read tells the client: a changed object is 412, never other bytes. */
const seedError = (err: unknown) => {
  const { kind } = classifyS3Error(err);
  if (kind === 'invalidRange') return new HttpError(416, 'InvalidRange', 'The requested range is not satisfiable.');
  if (kind === 'preconditionFailed') return changed(err);
  return s3ErrorToHttp(err);
};

const readOrThrow = async <T>(read: () => Promise<T>): Promise<T> => {
  try {
    return await read();
  } catch (err) {
    throw seedError(err);
  }
};

/**
 * For a folder's token, the listed file behind the requested key (its real key
 * and ETag in that snapshot); a key the snapshot does not list is not served.
 */
const folderFile = async (deps: WebSeedDeps, target: AuthorizedObject, log: AppLogger): Promise<{ key: string; etag: string } | undefined> => {
  const { folder } = target.link;
  if (!folder) return undefined;
  const file = deps.folderFile ? await deps.folderFile(target, folder, log) : undefined;
  if (!file) throw new HttpError(404, 'NoSuchKey', 'The folder torrent lists no such file.');
  return file;
};

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/** Bytes a single `bytes=a-b` range asks for (what a redirect hands to S3), if that is what it is. */
const rangeLength = (header?: string): number | undefined => {
  const m = header ? SINGLE_RANGE.exec(header.trim()) : null;
  return m && m[1] !== '' && m[2] !== '' ? Number(m[2]) - Number(m[1]) + 1 : undefined;
};

/**
 * The web seed behind a generated torrent. `redirect` answers 302 to a
 * short-lived presigned GetObject URL (bytes go straight from S3);
 * `proxy` streams the bytes itself, passing a single Range through to S3
 * and answering 206 (for clients that refuse redirects to signed URLs on
 * private addresses, e.g. libtorrent's SSRF mitigation).
 */
export const serveWebSeed = async (
  deps: WebSeedDeps,
  target: AuthorizedObject,
  req: { range?: string; requester: string; log: AppLogger },
): Promise<LambdaResponse> => {
  const rangeHeader = req.range;
  const decision = await swarmDecision(deps, target, req.requester, req.log);
  const file = await folderFile(deps, target, req.log);
  // A folder's file is read under its own key (the request may name it by the folder's name).
  const ref = file ? { ...target.ref, key: file.key } : target.ref;
  const pin = file ? { etag: file.etag } : target.link.pin;
  const pinned = pin ? pinParams(pin) : {};
  if (deps.config.seedMode === 'redirect') {
    if (!decision.serve) throw deferralError(decision);
    // A presigned URL cannot make the client send If-Match: check the pinned version here, then
    // redirect to exactly that version (VersionId) or, unversioned, to the key whose ETag just matched.
    if (pin) {
      const head = await readOrThrow(() => deps.s3.send(new HeadObjectCommand({ ...objectParams(ref), ...pinned })));
      if (!matchesPin(pin, head)) throw changed();
    }
    const ttl = Math.max(60, Math.min(deps.config.presignTtlSeconds, target.link.exp - Math.floor(Date.now() / 1000)));
    const location = await presignGetObject(deps.presignS3 ?? deps.s3, ref, ttl, pinned.VersionId);
    countSeedBytes(deps, target, rangeLength(rangeHeader) ?? 0, req.log);
    return { statusCode: 302, headers: { ...SECURITY_HEADERS, ...CORS_HEADERS, Location: location, 'Cache-Control': 'no-store' }, body: '' };
  }
  let range: string | undefined;
  if (rangeHeader) {
    const m = SINGLE_RANGE.exec(rangeHeader.trim());
    // Only one well-formed range is passed on; anything else gets the whole object (RFC 9110 allows ignoring Range).
    if (m && (m[1] !== '' || m[2] !== '')) range = rangeHeader.trim();
  }
  try {
    const out = await deps.s3.send(new GetObjectCommand({ ...objectParams(ref), ...pinned, Range: range }));
    if (pin && !matchesPin(pin, out)) {
      (out.Body as Readable | undefined)?.destroy();
      throw changed();
    }
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      ...CORS_HEADERS,
      'Content-Type': 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, no-transform',
    };
    if (out.ContentLength !== undefined) headers['Content-Length'] = String(out.ContentLength);
    if (out.ContentRange) headers['Content-Range'] = out.ContentRange;
    if (out.ETag) headers.ETag = out.ETag;
    if (out.LastModified) headers['Last-Modified'] = out.LastModified.toUTCString();
    if (out.RequestCharged) headers['x-amz-request-charged'] = out.RequestCharged;
    const body = out.Body as Readable;
    // Deferred: the same answer, paced, so peers carry the download while the seed stays reachable.
    const source = decision.serve ? body : paced(body, DEFERRED_BYTES_PER_SECOND);
    return { statusCode: out.ContentRange ? 206 : 200, headers, body: Readable.from(counted(source, (n) => countSeedBytes(deps, target, n, req.log))) };
  } catch (err) {
    throw seedError(err);
  }
};
