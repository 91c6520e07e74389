import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { objectParams, type ObjectRef } from './objectParams';

export interface ObjectHead {
  size: number;
  etag: string;
  versionId?: string;
  lastModified?: Date;
  requestCharged?: string;
}

/** HeadObject with the bucket's owner and payer settings. */
export const headObject = async (
  client: S3Client,
  ref: ObjectRef,
  abortSignal?: AbortSignal,
  version?: { VersionId?: string; IfMatch?: string },
): Promise<ObjectHead> => {
  const out = await client.send(new HeadObjectCommand({ ...objectParams(ref), ...version }), { abortSignal });
  return {
    size: out.ContentLength ?? 0,
    etag: out.ETag ?? '',
    versionId: out.VersionId && out.VersionId !== 'null' ? out.VersionId : undefined,
    lastModified: out.LastModified,
    requestCharged: out.RequestCharged,
  };
};
