import { s3ErrorToHttp } from '../http/s3ErrorToHttp';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ServedObject } from '../policy/servedObject';
import { headObject, type ObjectHead } from '../s3/headObject';
import { pinParams, type ObjectPin } from '../links/objectPin';

/** HeadObject of a served object (of the pinned version, when given); S3 errors become the HTTP errors a caller may see. */
export const headServedObject = async (s3: S3Client, target: ServedObject, signal?: AbortSignal, pin?: ObjectPin): Promise<ObjectHead> => {
  try {
    return await headObject(s3, target.ref, signal, pin ? pinParams(pin) : undefined);
  } catch (err) {
    throw s3ErrorToHttp(err);
  }
};
