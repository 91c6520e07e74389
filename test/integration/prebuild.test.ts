/**
 * Pre-build on upload against the real embedded s3rver: an EventBridge
 * "Object Created" event, shaped as the S3 User Guide documents it, handed
 * to the generate function's handler for it (routes/objectCreated.ts); then
 * the first downloader's GET /torrent through the local runtime finds the
 * torrent cached and reads no byte of the object.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { LOCAL_CACHE_BUCKET } from '../../infra/local/startLocal';
import { objectCreated } from '../../lambda/routes/objectCreated';
import { headObject } from '../../lambda/s3/headObject';
import { cacheObjectKey } from '../../lambda/torrents/cache/torrentCache';
import { torrentIdentity } from '../../lambda/torrents/torrentIdentity';
import { bucketsEnv, startTestRuntime, type TestRuntime } from '../helpers/testRuntime';

const BUCKET = 'uploads';
let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({
    env: { SERVED_BUCKETS: bucketsEnv([{ name: BUCKET, source: 'generate', prebuild: { prefixes: ['incoming/'] } }, { name: 'archive' }]) },
  });
}, 60_000);

afterAll(async () => {
  await rt?.stop();
});

/** An "Object Created" event as S3 sends it to EventBridge (User Guide, "EventBridge event message structure"), for an unversioned bucket. */
const objectCreatedEvent = (bucket: string, key: string, size: number, etag: string) => ({
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '123456789000',
  time: '2026-12-01T00:00:00Z',
  region: 'us-east-1',
  resources: [`arn:aws:s3:::${bucket}`],
  detail: {
    version: '0',
    bucket: { name: bucket },
    object: { key, size, etag: etag.replace(/"/g, ''), sequencer: '617f08299329d189' },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '123456789000',
    'source-ip-address': '127.0.0.1',
    reason: 'PutObject',
  },
});

/** Puts `bytes` at `key` and returns its ETag as S3 reports it. */
const upload = async (bucket: string, key: string, bytes: Buffer) => {
  await rt.put(bucket, key, bytes);
  return (await rt.admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag!;
};

const handle = (event: unknown) => objectCreated(rt.app.services, event, rt.app.services.logger);

/** Whether the torrent cache bucket holds the entry a request computes from scratch for the object's current head (any process, no memory). */
const cachedInBucket = async (key: string) => {
  const ref = { bucket: BUCKET, key, expectedOwner: '123456789000', requesterPays: false };
  const id = torrentIdentity(BUCKET, key, await headObject(rt.admin, ref), true);
  return rt.admin.send(new HeadObjectCommand({ Bucket: LOCAL_CACHE_BUCKET, Key: cacheObjectKey(rt.config.cache.prefix, id) })).then(
    () => true,
    () => false,
  );
};

describe('an Object Created event for a bucket that opted in', () => {
  test.each([
    ['spaces and unicode, sent as is', 'incoming/holiday photos/été 2026 日本.bin', (k: string) => k],
    ['a literal "+", sent as is', 'incoming/c++/a+b.tar', (k: string) => k],
    ['a literal "%", sent as is', 'incoming/100% done.bin', (k: string) => k],
    [
      'spaces and unicode, form-encoded as classic notifications send keys',
      'incoming/film night/ça va.mkv',
      (k: string) => new URLSearchParams({ k }).toString().slice(2),
    ],
  ])('builds the torrent of a key with %s, and the first GET /torrent finds it cached: 0 builds, no byte of the object read', async (_, key, asSent) => {
    const bytes = randomBytes(300_000 + Math.floor(Math.random() * 1000));
    const etag = await upload(BUCKET, key, bytes);
    const outcome = await handle(objectCreatedEvent(BUCKET, asSent(key), bytes.length, etag));
    const inBucket = await cachedInBucket(key);
    rt.s3Calls.count = 0;
    rt.s3Calls.commands.length = 0;
    const res = await fetch(rt.link(BUCKET, key).url);
    await res.arrayBuffer();
    expect({
      outcome: { ...outcome, infoHash: typeof (outcome as { infoHash?: unknown }).infoHash },
      inBucket,
      get: [res.status, res.headers.get('x-torrent-source'), res.headers.get('x-torrent-info-hash')],
      objectReads: rt.s3Calls.commands.filter((c) => c === `GetObjectCommand ${BUCKET}`).length,
    }).toEqual({
      outcome: { outcome: 'built', bucket: BUCKET, key, size: bytes.length, infoHash: 'string' },
      inBucket: true,
      get: [200, 'cache', (outcome as { infoHash: string }).infoHash],
      objectReads: 0,
    });
  });

  test('a second event for the same version finds it cached and builds nothing', async () => {
    const key = 'incoming/twice.bin';
    const bytes = randomBytes(50_000);
    const event = objectCreatedEvent(BUCKET, key, bytes.length, await upload(BUCKET, key, bytes));
    const first = await handle(event);
    const second = await handle(event);
    expect([first.outcome, second]).toEqual(['built', { outcome: 'cached', bucket: BUCKET, key, size: bytes.length }]);
  });
});

describe('events that build nothing', () => {
  test.each([
    ['a key outside the prebuild prefixes', BUCKET, 'elsewhere/a.bin', 10, 'NotOptedIn'],
    ['a bucket the proxy does not serve', 'not-served', 'incoming/a.bin', 10, 'BucketNotServed'],
    ['a served bucket that did not opt in', 'archive', 'incoming/a.bin', 10, 'NotOptedIn'],
    ['a zero-byte object', BUCKET, 'incoming/empty.bin', 0, 'EmptyObject'],
    ['a key the proxy never serves', BUCKET, 'incoming/../a.bin', 10, 'KeyNotServed'],
  ])('skip %s with no S3 call', async (_, bucket, key, size, reason) => {
    rt.s3Calls.count = 0;
    const outcome = await handle(objectCreatedEvent(bucket, key, size, '"b1946ac92492d2347c6235b4d2611184"'));
    expect({ outcome, s3Calls: rt.s3Calls.count }).toEqual({ outcome: { outcome: 'skipped', bucket, key, reason }, s3Calls: 0 });
  });

  test('an event for a version that was overwritten since (its ETag no longer matches) is skipped after one HeadObject', async () => {
    const key = 'incoming/overwritten.bin';
    const oldEtag = await upload(BUCKET, key, randomBytes(1000));
    await upload(BUCKET, key, randomBytes(1000));
    rt.s3Calls.commands.length = 0;
    const outcome = await handle(objectCreatedEvent(BUCKET, key, 1000, oldEtag));
    expect({ outcome, calls: rt.s3Calls.commands }).toEqual({
      outcome: { outcome: 'skipped', bucket: BUCKET, key, reason: 'ObjectGone' },
      calls: [`HeadObjectCommand ${BUCKET}`],
    });
  });

  test('a malformed event is refused with 400 InvalidEvent', async () => {
    await expect(handle({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: BUCKET } } })).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidEvent',
    });
  });
});
