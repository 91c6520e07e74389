import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { Sha256 } from './Sha256';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Lambda Invoke over HTTPS with SigV4 (service `lambda`), using the
 * function's own role credentials from the environment. A direct call keeps
 * the bundle free of @aws-sdk/client-lambda for two requests.
 */
export type InvocationType = 'Event' | 'RequestResponse';

export interface InvokeOptions {
  region: string;
  functionName: string;
  payload: unknown;
  type: InvocationType;
  /** Override for tests (a local stub); default https://lambda.<region>.amazonaws.com */
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
  signal?: AbortSignal;
  /** Socket inactivity limit (default 15 min, the longest a function can run). */
  timeoutMs?: number;
}

export class InvokeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly functionError?: string,
  ) {
    super(message);
    this.name = 'InvokeError';
  }
}


/** Invokes a function; for RequestResponse returns the parsed JSON result, for Event undefined. */
export const invokeLambda = async (o: InvokeOptions): Promise<unknown> => {
  const endpoint = new URL(o.endpoint ?? `https://lambda.${o.region}.amazonaws.com`);
  const path = `/2015-03-31/functions/${encodeURIComponent(o.functionName)}/invocations`;
  const body = JSON.stringify(o.payload);
  const signer = new SignatureV4({ service: 'lambda', region: o.region, credentials: o.credentials ?? fromEnv(), sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path,
    headers: { host: endpoint.host, 'content-type': 'application/json', 'x-amz-invocation-type': o.type },
    body,
  });
  const res = await post(new URL(path, endpoint), signed.headers as Record<string, string>, body, o.timeoutMs ?? 15 * 60 * 1000, o.signal);
  const functionError = res.headers['x-amz-function-error'] as string | undefined;
  if (res.status >= 300 || functionError) {
    throw new InvokeError(`Lambda invoke of ${o.functionName} failed (${res.status}${functionError ? `, ${functionError}` : ''})`, res.status, functionError);
  }
  return o.type === 'RequestResponse' && res.text ? JSON.parse(res.text) : undefined;
};

/**
 * node:http(s) rather than fetch: a RequestResponse segment answers only when
 * its segment is hashed (minutes), and fetch gives up on response headers
 * after 300 s. Here the only limit is `timeoutMs` of socket inactivity.
 */
const post = (url: URL, headers: Record<string, string>, body: string, timeoutMs: number, signal?: AbortSignal) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'POST', headers, timeout: timeoutMs, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`Lambda invoke: no answer for ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
