import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { Sha256 } from './Sha256';

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
  const res = await fetch(new URL(path, endpoint), { method: 'POST', headers: signed.headers as Record<string, string>, body, signal: o.signal });
  const text = await res.text();
  const functionError = res.headers.get('x-amz-function-error') ?? undefined;
  if (res.status >= 300 || functionError) {
    throw new InvokeError(`Lambda invoke of ${o.functionName} failed (${res.status}${functionError ? `, ${functionError}` : ''})`, res.status, functionError);
  }
  return o.type === 'RequestResponse' && text ? JSON.parse(text) : undefined;
};
