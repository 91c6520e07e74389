import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config';

/**
 * The one S3 client of a function, built at cold start. Timeouts are
 * explicit so a stalled store becomes a 504, not a hung Lambda.
 */
export const createS3Client = (s3: Config['s3']): S3Client =>
  new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    maxAttempts: s3.maxAttempts,
    requestHandler: {
      connectionTimeout: Math.min(s3.requestTimeoutMs, 5000),
      // Until the response headers; without throwOnRequestTimeout the SDK only logs a warning.
      requestTimeout: s3.requestTimeoutMs,
      throwOnRequestTimeout: true,
      // A body that stops flowing for this long errors, so a ranged read resumes instead of hanging.
      socketTimeout: s3.requestTimeoutMs,
    },
    // Checksums on responses would buffer/validate whole-object CRC of ranged
    // reads; integrity here comes from our own SHA-1 pieces.
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
