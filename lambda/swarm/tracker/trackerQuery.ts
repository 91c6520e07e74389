/**
 * Reading a tracker request's query. API Gateway hands the query over
 * decoded into strings (`queryStringParameters`, and every value of a
 * repeated parameter in `multiValueQueryStringParameters`).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { TrackerFailure } from './TrackerFailure';

/**
 * Each query parameter once; a parameter given twice is refused (which of
 * the two would count is a guess).
 */
export const singleQuery = (event: APIGatewayProxyEvent): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if ((values?.length ?? 0) > 1) throw new TrackerFailure(`${/^[a-z_]{1,32}$/.test(name) ? `"${name}"` : 'A parameter'} is given more than once.`);
    if (values?.[0] !== undefined) out.set(name, values[0]);
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined && !out.has(name)) out.set(name, value);
  return out;
};

/**
 * The info-hash a client put in its query, when it survived decoding: a
 * binary `info_hash` is readable only as 20 code units each at most 0xFF
 * (decoded as latin1, or bytes that were all ASCII), or as 40 hex digits.
 * Anything else (UTF-8 replacement characters, other lengths) is
 * unreadable and says nothing: the token names the swarm either way.
 *
 * @example
 * queryInfoHash('C12FE1C06BBA254A9DC9F519B335AA7C1367A88A') // 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a'
 * queryInfoHash(Buffer.from('c12fe1c06bba254a9dc9f519b335aa7c1367a88a', 'hex').toString('latin1')) // the same
 * queryInfoHash('\ufffd\ufffd') // undefined
 */
export const queryInfoHash = (value: string): string | undefined => {
  if (/^[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
  if (/^[\x00-\xff]{20}$/.test(value)) return Buffer.from(value, 'latin1').toString('hex');
  return undefined;
};

/** Throws unless the `info_hash` given, where readable, names the token's swarm. */
export const checkQueryInfoHash = (given: string | undefined, infoHash: string): void => {
  if (given === undefined) return;
  const readable = queryInfoHash(given);
  if (readable !== undefined && readable !== infoHash) throw new TrackerFailure('info_hash does not match this tracker URL.');
};
