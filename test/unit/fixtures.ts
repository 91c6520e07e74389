/** Shared fixtures for the unit suite: a real-shaped API Gateway REST event and a link key ring. */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { KeyRing } from '../../lambda/links/keyRing';

/** A REST API (v1) proxy event as API Gateway sends it, with the parts a test cares about overridden. */
export const apiGatewayEvent = (overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent => ({
  resource: '/torrent/{proxy+}',
  path: '/torrent/demo/a.bin',
  httpMethod: 'GET',
  headers: { Host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'User-Agent': 'curl/8.5.0' },
  multiValueHeaders: { Host: ['abc123.execute-api.eu-west-1.amazonaws.com'], 'User-Agent': ['curl/8.5.0'] },
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: { proxy: 'demo/a.bin' },
  stageVariables: null,
  body: null,
  isBase64Encoded: false,
  requestContext: {
    accountId: '123456789012',
    apiId: 'abc123',
    authorizer: null,
    domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
    httpMethod: overrides.httpMethod ?? 'GET',
    path: `/prod${overrides.path ?? '/torrent/demo/a.bin'}`,
    protocol: 'HTTP/1.1',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    requestTimeEpoch: 1_700_000_000_000,
    resourceId: 'r35xyz',
    resourcePath: '/torrent/{proxy+}',
    stage: 'prod',
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: '203.0.113.7',
      user: null,
      userAgent: 'curl/8.5.0',
      userArn: null,
    },
  },
  ...overrides,
});

/** A Lambda context with the fields middy reads. */
export const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'torrent',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:torrent',
  memoryLimitInMB: '512',
  awsRequestId: '0d3f4c8e-1111-2222-3333-444455556666',
  logGroupName: '/aws/lambda/torrent',
  logStreamName: '2026/01/01/[$LATEST]abc',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export const SECRET_1 = 'k1-secret-0123456789abcdef0123456789';
export const SECRET_2 = 'k2-secret-fedcba9876543210fedcba9876';

/** A ring holding `ids` (from k1/k2), signing with `active`. */
export const ring = (active: 'k1' | 'k2', ids: Array<'k1' | 'k2'> = [active]): KeyRing => ({
  active,
  keys: new Map(ids.map((id) => [id, Buffer.from(id === 'k1' ? SECRET_1 : SECRET_2, 'utf8')])),
});

/** Strings that contain no lone UTF-16 surrogate (every key that reaches us came from decoded UTF-8). */
export const isWellFormed = (s: string): boolean => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
