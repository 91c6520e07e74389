import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** The longest a function runs: a segment invocation answers only once its segment is hashed. */
export const INVOKE_TIMEOUT_MS = 15 * 60 * 1000;

/**
 * A Lambda client whose requests may wait as long as a function can run.
 * The SDK sends over node:https, so its request timeout is the only limit
 * (fetch's 300 s header timeout does not apply); it retries throttling.
 */
export const createLambdaClient = (region: string, endpoint?: string): LambdaClient =>
  new LambdaClient({
    region,
    endpoint,
    requestHandler: { requestTimeout: INVOKE_TIMEOUT_MS, throwOnRequestTimeout: true },
  });

export class InvokeError extends Error {
  constructor(
    message: string,
    readonly functionError?: string,
  ) {
    super(message);
    this.name = 'InvokeError';
  }
}

/** Invokes a function with a JSON payload; RequestResponse returns the parsed JSON result, Event undefined. */
export const invokeJson = async (client: LambdaClient, functionName: string, type: 'Event' | 'RequestResponse', payload: unknown): Promise<unknown> => {
  const out = await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: type, Payload: JSON.stringify(payload) }));
  if (out.FunctionError) throw new InvokeError(`Lambda invoke of ${functionName} failed (${out.FunctionError})`, out.FunctionError);
  if (type === 'Event' || !out.Payload || out.Payload.length === 0) return undefined;
  return JSON.parse(Buffer.from(out.Payload).toString('utf8'));
};
