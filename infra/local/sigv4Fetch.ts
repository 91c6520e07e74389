/**
 * A SigV4-signed (service `execute-api`) JSON POST, for calling the deployed
 * IAM-authorized `/links` route with the caller's AWS credentials (the
 * default chain: environment, profile, SSO, instance role).
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { jsonAnswer } from './jsonAnswer';

/** SHA-256 / HMAC-SHA256 in the shape @smithy/signature-v4 expects. */
const Sha256 = Hash.bind(null, 'sha256');

/** The region of an execute-api URL (`https://id.execute-api.<region>.amazonaws.com/...`), if it is one. */
export const regionOfApiUrl = (url: string): string | undefined => /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url)?.[1];

export const sigv4PostJson = (url: string, body: unknown, region: string) => sigv4Json('POST', url, region, body);

/** A SigV4-signed JSON request (GET without a body, POST with one); the answer parsed as JSON where it is. */
export const sigv4Json = async (method: 'GET' | 'POST', url: string, region: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
  const u = new URL(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: defaultProvider(), sha256: Sha256 });
  const signed = await signer.sign({
    method,
    protocol: u.protocol,
    hostname: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    path: u.pathname,
    query: Object.fromEntries(u.searchParams),
    headers: payload === undefined ? { host: u.host } : { host: u.host, 'content-type': 'application/json' },
    body: payload,
  });
  return jsonAnswer(await fetch(url, { method, headers: signed.headers as Record<string, string>, body: payload }));
};
