/**
 * The EventBridge "Object Created" event S3 sends (source `aws.s3`), parsed
 * once into what a pre-build needs: the bucket, the key, and the created
 * version's size, ETag and VersionId.
 *
 * The shape, as the S3 User Guide documents it ("EventBridge event message
 * structure", docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html):
 * `detail.bucket.name`; `detail.object.key`, `size` (bytes), `etag` (hex, no
 * quotes; `-<parts>` after a multipart upload), `version-id` (versioned
 * buckets only), `sequencer`; `detail.reason` PutObject, POST Object,
 * CopyObject or CompleteMultipartUpload.
 *
 * The key's encoding is the one thing the sources disagree on, so it is not
 * assumed. Classic S3 event notifications URL-encode it form-style ("red
 * flower.jpg" arrives as "red+flower.jpg", a literal "+" as "%2B": the
 * Guide's "Event message structure", notification-content-structure.html).
 * The EventBridge page says nothing about encoding and its examples show
 * plain keys; moto's EventBridge events carry the raw key and Powertools for
 * TypeScript's parser schema takes it as is, while Powertools for Python's
 * `S3EventBridgeNotificationObject.key` applies `unquote_plus` to it. So the
 * event yields its readings in order: the key exactly as sent, then (if it
 * differs and is well-formed) its form-decoded reading; the caller keeps the
 * first one that names an object with the event's ETag and size. A key with
 * a literal "+" or "%" is therefore read as sent first and never mangled.
 */
import { HttpError } from '../http/HttpError';

/** One created object version, as the event describes it. */
export interface ObjectCreated {
  bucket: string;
  /** The key exactly as the event carries it, then its form-decoded reading if that differs. */
  keys: string[];
  size: number;
  /** Quoted, as HeadObject and GetObject return it (the cache identity's form). */
  etag: string;
  /** Absent for unversioned buckets. */
  versionId?: string;
  sequencer?: string;
  /** The S3 API that created it (PutObject, CopyObject, CompleteMultipartUpload, POST Object). */
  reason?: string;
}

const invalid = (why: string) => new HttpError(400, 'InvalidEvent', why);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `event` is an EventBridge event from S3 of detail-type "Object Created" (what the generate function dispatches on). */
export const isObjectCreatedEvent = (event: unknown): boolean =>
  isObject(event) && event.source === 'aws.s3' && event['detail-type'] === 'Object Created' && isObject(event.detail);

/**
 * The key as application/x-www-form-urlencoded decodes it ('+' is a space,
 * %XX UTF-8 bytes), or undefined when it is not well-formed.
 *
 * @example
 * formDecoded('red+flower%2B.jpg') // 'red flower+.jpg'
 * formDecoded('100%.bin') // undefined
 */
export const formDecoded = (key: string): string | undefined => {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};

/** The readings of an event's key, most literal first (see the file's comment). */
export const keyReadings = (key: string): string[] => {
  const decoded = formDecoded(key);
  return decoded === undefined || decoded === key || decoded === '' ? [key] : [key, decoded];
};

/**
 * Parses an "Object Created" event; 400 InvalidEvent for anything else or a
 * detail without bucket, key, size or ETag.
 *
 * @example
 * parseObjectCreated({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {
 *   bucket: { name: 'media' }, object: { key: 'a b.mkv', size: 5, etag: 'b1946ac92492d2347c6235b4d2611184' } } })
 * // { bucket: 'media', keys: ['a b.mkv'], size: 5, etag: '"b1946ac92492d2347c6235b4d2611184"' }
 */
export const parseObjectCreated = (event: unknown): ObjectCreated => {
  if (!isObjectCreatedEvent(event)) throw invalid('not an S3 "Object Created" event from EventBridge');
  const detail = (event as { detail: Json }).detail;
  const bucket = isObject(detail.bucket) ? detail.bucket.name : undefined;
  const object = isObject(detail.object) ? detail.object : undefined;
  if (typeof bucket !== 'string' || bucket === '') throw invalid('detail.bucket.name is required');
  if (!object || typeof object.key !== 'string' || object.key === '') throw invalid('detail.object.key is required');
  const { size, etag } = object;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid('detail.object.size must be a whole number of bytes');
  if (typeof etag !== 'string' || !/^[^\s"]+$/.test(etag.replace(/^"|"$/g, ''))) throw invalid('detail.object.etag must be an S3 ETag');
  const versionId = object['version-id'];
  if (versionId !== undefined && typeof versionId !== 'string') throw invalid('detail.object.version-id must be a string');
  return {
    bucket,
    keys: keyReadings(object.key),
    size,
    etag: `"${etag.replace(/^"|"$/g, '')}"`,
    // S3 names the version of an object written while versioning was off or suspended "null".
    ...(versionId && versionId !== 'null' ? { versionId } : {}),
    ...(typeof object.sequencer === 'string' ? { sequencer: object.sequencer } : {}),
    ...(typeof detail.reason === 'string' ? { reason: detail.reason } : {}),
  };
};
