import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { objectParams, type ObjectRef } from './objectParams';

/** S3 answers at most this many keys per ListObjectsV2 page. */
const PAGE_KEYS = 1000;

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified?: Date;
}

/** More keys under a prefix than the caller is willing to take; the listing stopped at the first one too many. */
export class TooManyObjectsError extends Error {
  constructor(
    readonly prefix: string,
    readonly limit: number,
  ) {
    super(`more than ${limit} keys under ${JSON.stringify(prefix)}`);
    this.name = 'TooManyObjectsError';
  }
}

/** Keys come back as sent with EncodingType=url only when the store says so (s3rver and some others ignore it); S3 writes spaces as `+`. */
const decodeKey = (key: string, encoded: boolean): string => (encoded ? decodeURIComponent(key.replace(/\+/g, ' ')) : key);

/**
 * Every object under `prefix` (no delimiter: the whole subtree), in the
 * order the store lists them (S3: binary UTF-8 key order), page after page
 * with the bucket's owner and payer settings. Each page asks for no more
 * keys than would make `maxKeys + 1`, and the listing throws
 * TooManyObjectsError as soon as that one key too many arrives: a prefix
 * with a million keys costs one page, not a thousand. Every key counts,
 * folder markers included.
 *
 * Keys are asked for URL-encoded: XML 1.0 cannot carry some characters S3
 * keys may hold.
 */
export const listObjects = async (
  client: S3Client,
  ref: Omit<ObjectRef, 'key'>,
  prefix: string,
  opts: { maxKeys: number; signal?: AbortSignal },
): Promise<ListedObject[]> => {
  if (!Number.isSafeInteger(opts.maxKeys) || opts.maxKeys < 0) throw new RangeError(`invalid maxKeys ${opts.maxKeys}`);
  const { Key: _key, ...bucketParams } = objectParams({ ...ref, key: '' });
  const out: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        ...bucketParams,
        Prefix: prefix,
        EncodingType: 'url',
        MaxKeys: Math.min(PAGE_KEYS, opts.maxKeys + 1 - out.length),
        ContinuationToken: token,
      }),
      { abortSignal: opts.signal },
    );
    const encoded = page.EncodingType === 'url';
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue;
      if (out.length === opts.maxKeys) throw new TooManyObjectsError(prefix, opts.maxKeys);
      out.push({ key: decodeKey(item.Key, encoded), size: item.Size ?? 0, etag: item.ETag ?? '', lastModified: item.LastModified });
    }
    if (page.IsTruncated && (!page.NextContinuationToken || page.NextContinuationToken === token)) {
      throw new Error('ListObjectsV2 answered a truncated page without a new continuation token');
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
};
