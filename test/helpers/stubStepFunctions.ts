/**
 * A stand-in for the Step Functions API on 127.0.0.1: it answers only
 * StartExecution (AWS JSON 1.0, `X-Amz-Target: AWSStepFunctions.StartExecution`),
 * checks that the call is SigV4-signed for `states`, records it and answers an
 * execution ARN. It runs nothing: no local server can run a state machine, so a
 * test that uses it runs the steps itself (`runMap` below, as the Map would).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StartExecutionCall {
  stateMachineArn: string;
  name: string;
  input: Record<string, unknown>;
  signed: boolean;
}

export interface StubStepFunctions {
  endpoint: string;
  calls: StartExecutionCall[];
  close(): Promise<void>;
}

export const startStubStepFunctions = async (): Promise<StubStepFunctions> => {
  const calls: StartExecutionCall[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { stateMachineArn: string; name: string; input: string };
    const signed = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/states\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/.test(
      String(req.headers.authorization ?? ''),
    );
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target !== 'AWSStepFunctions.StartExecution' || !signed) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      return res.end(JSON.stringify({ __type: 'InvalidAction', message: `not handled by the stub: ${target}` }));
    }
    calls.push({ stateMachineArn: body.stateMachineArn, name: body.name, input: JSON.parse(body.input), signed });
    const executionArn = `${body.stateMachineArn.replace(':stateMachine:', ':execution:')}:${body.name}`;
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ executionArn, startDate: Date.now() / 1000 }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
};

/**
 * The state machine's steps for one started execution, as BuildStateMachine
 * defines them: one `fanoutSegment` event per segment (the Map's ItemSelector:
 * the build, source and piece length, and the item as `segment`), then the
 * `fanoutJoin` event with every segment. `invoke` is the generate function's handler.
 */
export const runMap = async (input: Record<string, unknown>, invoke: (event: unknown) => Promise<unknown>) => {
  const { build, source, pieceLength, segments } = input as { build: string; source: unknown; pieceLength: number; segments: unknown[] };
  const answers = await Promise.all(segments.map((segment) => invoke({ action: 'fanoutSegment', build, source, pieceLength, segment })));
  const joined = await invoke({ action: 'fanoutJoin', build, source, pieceLength, segments });
  return { answers, joined };
};
