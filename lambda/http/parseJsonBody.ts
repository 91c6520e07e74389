import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError } from './HttpError';

const MAX_BODY_BYTES = 16 * 1024;

/** The request body as a JSON object, or a 400/413 saying why not. */
export const parseJsonBody = <T extends object>(event: APIGatewayProxyEvent): T => {
  const type = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  // Requiring JSON's media type forces a CORS preflight on browsers, which this API never grants.
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpError(415, 'UnsupportedMediaType', 'Send the body as Content-Type: application/json.');
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw new HttpError(413, 'BodyTooLarge', `The request body may be at most ${MAX_BODY_BYTES} bytes.`);
  if (raw.trim() === '') throw new HttpError(400, 'InvalidJson', 'The request body must be a JSON object.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'InvalidJson', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'InvalidJson', 'The request body must be a JSON object.');
  }
  return parsed as T;
};
