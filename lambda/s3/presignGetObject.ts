import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { objectParams, type ObjectRef } from './objectParams';

/**
 * A short-lived presigned GetObject URL carrying ExpectedBucketOwner and
 * RequestPayer (as signed headers hoisted to the query), so a downloader's
 * ranged GETs go straight to S3.
 */
export const presignGetObject = (client: S3Client, ref: ObjectRef, expiresIn: number, versionId?: string): Promise<string> =>
  getSignedUrl(client, new GetObjectCommand({ ...objectParams(ref), ...(versionId ? { VersionId: versionId } : {}) }), {
    expiresIn,
    // Hoist these into the query so a plain client (no custom headers) can use the URL.
    unhoistableHeaders: new Set(),
  });
