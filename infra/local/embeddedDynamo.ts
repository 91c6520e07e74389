/**
 * The embedded DynamoDB-compatible server of the local runtime: dynalite
 * (in memory, in this process) on 127.0.0.1, with the peer table created
 * from the same schema as the stack's. It does not check signatures: any
 * credentials do.
 *
 * dynalite 4 lacks two things the peer store sends, so a small front server
 * adds them and passes everything else through byte for byte:
 * - `TransactWriteItems` (the `completed` announce): its Put, Update and
 *   Delete items run one after another. Not atomic, and items with a
 *   condition are refused (the peer store sends none), so no test can pass
 *   on behaviour DynamoDB would not have.
 * - `ReturnValuesOnConditionCheckFailure: ALL_OLD` (`markDeferred`): on a
 *   failed condition the stored item is read and put in the error, as
 *   DynamoDB does.
 * TTL deletion is not emulated (dynalite has no UpdateTimeToLive); the peer
 * store filters on freshness itself, as it must in AWS too.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import dynalite from 'dynalite';
import { PEER_TABLE_SCHEMA } from '../../lambda/swarm/dynamoPeerStore';

export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Json = Record<string, unknown>;

const API = 'DynamoDB_20120810';

/** Starts dynalite behind its front server on 127.0.0.1:`port` (0, the default, picks a free port) and creates `table`. */
export const startEmbeddedDynamo = async (opts: { port?: number; table: string }): Promise<EmbeddedDynamo> => {
  const inner = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const innerPort = await listen(inner, 0);
  const call = (operation: string, body: Json) => forward(innerPort, 'POST', '/', internalHeaders(operation), Buffer.from(JSON.stringify(body)));
  const front = createServer((req, res) => {
    handle(req, call, innerPort)
      .then((reply) => {
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      })
      .catch((err: Error) => {
        res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: err.message }));
      });
  });
  const close = async () => {
    await Promise.all([closeServer(front), closeServer(inner)]);
  };
  try {
    const port = await listen(front, opts.port ?? 0);
    const created = await call('CreateTable', {
      TableName: opts.table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: PEER_TABLE_SCHEMA.partitionKey.name, AttributeType: PEER_TABLE_SCHEMA.partitionKey.type },
        { AttributeName: PEER_TABLE_SCHEMA.sortKey.name, AttributeType: PEER_TABLE_SCHEMA.sortKey.type },
      ],
      KeySchema: [
        { AttributeName: PEER_TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: PEER_TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' },
      ],
    });
    if (created.status !== 200) throw new Error(`embedded DynamoDB: CreateTable failed: ${created.body.toString('utf8')}`);
    return { endpoint: `http://127.0.0.1:${port}`, close };
  } catch (err) {
    await close();
    throw err;
  }
};

type Call = (operation: string, body: Json) => Promise<Reply>;

const handle = async (req: IncomingMessage, call: Call, innerPort: number): Promise<Reply> => {
  const body = await readBody(req);
  const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  const json = operation === 'TransactWriteItems' || isConditionalWrite(operation) ? parse(body) : undefined;
  if (json && operation === 'TransactWriteItems') return transactWrite(json, call);
  const reply = await forward(innerPort, req.method ?? 'POST', req.url ?? '/', req.headers, body);
  if (json?.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD' || !isError(reply, 'ConditionalCheckFailedException')) return reply;
  return withOldItem(reply, operation, json, call);
};

const isConditionalWrite = (operation: string) => operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem';

/** TransactWriteItems as a sequence of single writes (see the file's comment). */
const transactWrite = async (body: Json, call: Call): Promise<Reply> => {
  const items = Array.isArray(body.TransactItems) ? (body.TransactItems as Json[]) : [];
  const steps: Array<[string, Json]> = [];
  for (const item of items) {
    const [kind, params] = Object.entries(item)[0] ?? [];
    const operation = kind === 'Put' ? 'PutItem' : kind === 'Update' ? 'UpdateItem' : kind === 'Delete' ? 'DeleteItem' : undefined;
    const p = params as Json | undefined;
    if (!operation || !p || p.ConditionExpression !== undefined) {
      return jsonReply(400, {
        __type: 'com.amazon.coral.validate#ValidationException',
        message: 'embedded DynamoDB emulates only unconditional Put, Update and Delete in a transaction',
      });
    }
    steps.push([operation, p]);
  }
  if (steps.length === 0) return jsonReply(400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'TransactItems must not be empty' });
  for (const [operation, params] of steps) {
    const reply = await call(operation, params);
    if (reply.status !== 200) return reply;
  }
  return jsonReply(200, {});
};

/** Adds the stored item to a ConditionalCheckFailedException, as DynamoDB does for ReturnValuesOnConditionCheckFailure ALL_OLD. */
const withOldItem = async (reply: Reply, operation: string, body: Json, call: Call): Promise<Reply> => {
  const table = String(body.TableName);
  const key = operation === 'PutItem' ? await keyOf(call, table, body.Item as Json) : (body.Key as Json);
  const got = await call('GetItem', { TableName: table, Key: key, ConsistentRead: true });
  const item = parse(got.body)?.Item;
  const error = parse(reply.body) ?? {};
  return jsonReply(reply.status, item === undefined ? error : { ...error, Item: item });
};

const keyOf = async (call: Call, table: string, item: Json): Promise<Json> => {
  const described = parse((await call('DescribeTable', { TableName: table })).body);
  const schema = ((described?.Table as Json | undefined)?.KeySchema ?? []) as Array<{ AttributeName: string }>;
  return Object.fromEntries(schema.map(({ AttributeName }) => [AttributeName, item[AttributeName]]));
};

const isError = (reply: Reply, name: string) => reply.status === 400 && String(parse(reply.body)?.__type ?? '').endsWith(`#${name}`);

const parse = (body: Buffer): Json | undefined => {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
};

/** A JSON reply with the CRC32 header DynamoDB (and dynalite) send. */
const jsonReply = (status: number, value: Json): Reply => {
  const body = Buffer.from(JSON.stringify(value));
  return { status, body, headers: { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(body.length), 'x-amz-crc32': String(crc32(body)) } };
};

/** Headers dynalite accepts for a call of our own (it checks that a signature is present, not that it is right). */
const internalHeaders = (operation: string): IncomingHttpHeaders => ({
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-target': `${API}.${operation}`,
  'x-amz-date': '20260101T000000Z',
  authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
});

const forward = (port: number, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Reply> =>
  new Promise((ok, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      readBody(res).then((b) => ok({ status: res.statusCode ?? 500, headers: res.headers, body: b }), fail);
    });
    req.once('error', fail);
    req.end(body);
  });

const readBody = async (stream: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const listen = (server: Server, port: number) =>
  new Promise<number>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      ok((server.address() as AddressInfo).port);
    });
  });

const closeServer = (server: Server) =>
  new Promise<void>((ok) => {
    if (!server.listening) return ok();
    server.closeAllConnections();
    server.close(() => ok());
  });
