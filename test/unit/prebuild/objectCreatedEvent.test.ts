import fc from 'fast-check';
import { HttpError } from '../../../lambda/http/HttpError';
import { formDecoded, isObjectCreatedEvent, keyReadings, parseObjectCreated } from '../../../lambda/prebuild/objectCreatedEvent';

/** The "Object created" example of the S3 User Guide's "EventBridge event message structure" page, verbatim. */
const DOCUMENTED = {
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '111122223333',
  time: '2021-11-12T00:00:00Z',
  region: 'ca-central-1',
  resources: ['arn:aws:s3:::amzn-s3-demo-bucket1'],
  detail: {
    version: '0',
    bucket: { name: 'amzn-s3-demo-bucket1' },
    object: {
      key: 'example-key',
      size: 5,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
      sequencer: '617f08299329d189',
    },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '123456789012',
    'source-ip-address': '1.2.3.4',
    reason: 'PutObject',
  },
};

/** The documented event with another object (and, unless given, the same other fields). */
const withObject = (object: Record<string, unknown>, detail: Record<string, unknown> = {}) => ({
  ...DOCUMENTED,
  detail: { ...DOCUMENTED.detail, ...detail, object: { ...DOCUMENTED.detail.object, ...object } },
});

const failure = (event: unknown) => {
  try {
    parseObjectCreated(event);
    return undefined;
  } catch (err) {
    return err instanceof HttpError ? { status: err.statusCode, code: err.code, message: err.message } : err;
  }
};

describe('parseObjectCreated', () => {
  test('reads the documented event: bucket, key, size, quoted ETag, version, sequencer and reason', () => {
    expect(parseObjectCreated(DOCUMENTED)).toEqual({
      bucket: 'amzn-s3-demo-bucket1',
      keys: ['example-key'],
      size: 5,
      etag: '"b1946ac92492d2347c6235b4d2611184"',
      versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
      sequencer: '617f08299329d189',
      reason: 'PutObject',
    });
  });

  test('a multipart upload (CompleteMultipartUpload, ETag with a part count) in an unversioned bucket has no version', () => {
    const { 'version-id': _, ...object } = DOCUMENTED.detail.object;
    const event = {
      ...DOCUMENTED,
      detail: { ...DOCUMENTED.detail, reason: 'CompleteMultipartUpload', object: { ...object, size: 198524144, etag: '4af981f98d22a0b9979da24b259e5e42-12' } },
    };
    expect(parseObjectCreated(event)).toEqual({
      bucket: 'amzn-s3-demo-bucket1',
      keys: ['example-key'],
      size: 198524144,
      etag: '"4af981f98d22a0b9979da24b259e5e42-12"',
      sequencer: '617f08299329d189',
      reason: 'CompleteMultipartUpload',
    });
  });

  test('the version S3 calls "null" (written while versioning was off or suspended) is no version', () => {
    expect(parseObjectCreated(withObject({ 'version-id': 'null' })).versionId).toBeUndefined();
  });

  test.each([
    ['a key with spaces, as sent', 'holiday photos/day 1.mkv', ['holiday photos/day 1.mkv']],
    ['a key with unicode, as sent', 'été/日本語 ファイル.bin', ['été/日本語 ファイル.bin']],
    ['a key with a literal "+", as sent first', 'c++/a+b.tar', ['c++/a+b.tar', 'c  /a b.tar']],
    ['a key with a literal "%" that is no escape', '100%/done.bin', ['100%/done.bin']],
    ['a key with a literal "%20", as sent first', 'a%20b.bin', ['a%20b.bin', 'a b.bin']],
    [
      'a form-encoded key (as classic notifications send it): its decoded reading second',
      'holiday+photos/%C3%A9t%C3%A9.bin',
      ['holiday+photos/%C3%A9t%C3%A9.bin', 'holiday photos/été.bin'],
    ],
  ])('%s', (_, key, readings) => {
    expect(parseObjectCreated(withObject({ key })).keys).toEqual(readings);
  });

  test.each([
    ['another detail-type', { ...DOCUMENTED, 'detail-type': 'Object Deleted' }, 'not an S3 "Object Created" event from EventBridge'],
    ['another source', { ...DOCUMENTED, source: 'aws.ec2' }, 'not an S3 "Object Created" event from EventBridge'],
    ['a classic S3 notification', { Records: [{ eventSource: 'aws:s3', s3: {} }] }, 'not an S3 "Object Created" event from EventBridge'],
    ['no bucket name', withObject({}, { bucket: {} }), 'detail.bucket.name is required'],
    ['an empty key', withObject({ key: '' }), 'detail.object.key is required'],
    ['no size', withObject({ size: undefined }), 'detail.object.size must be a whole number of bytes'],
    ['a fractional size', withObject({ size: 1.5 }), 'detail.object.size must be a whole number of bytes'],
    ['no ETag', withObject({ etag: undefined }), 'detail.object.etag must be an S3 ETag'],
    ['a numeric version', withObject({ 'version-id': 7 }), 'detail.object.version-id must be a string'],
  ])('answers 400 InvalidEvent for %s', (_, event, message) => {
    expect(failure(event)).toEqual({ status: 400, code: 'InvalidEvent', message });
  });

  test('isObjectCreatedEvent tells the generate function’s own events from EventBridge ones', () => {
    expect([DOCUMENTED, { action: 'generate', bucket: 'b', key: 'k' }, null, 'x'].map(isObjectCreatedEvent)).toEqual([true, false, false, false]);
  });
});

describe('key readings', () => {
  test('the key as sent always comes first, unchanged', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (key) => keyReadings(key)[0] === key));
  });

  test('a key form-encoded the way classic notifications encode it is found among the readings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (key) => {
        const encoded = new URLSearchParams({ k: key }).toString().slice(2);
        expect(keyReadings(encoded)).toContain(key);
      }),
    );
  });

  test('formDecoded reads "+" as a space and refuses malformed escapes', () => {
    expect([formDecoded('red+flower.jpg'), formDecoded('a%2Bb'), formDecoded('100%.bin'), formDecoded('%E0%A4%A')]).toEqual([
      'red flower.jpg',
      'a+b',
      undefined,
      undefined,
    ]);
  });
});
