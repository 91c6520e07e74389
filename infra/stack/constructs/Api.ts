/**
 * The REST API (Regional): public torrent and seed routes (response streaming)
 * authorized by signed links in Lambda, the public tracker routes authorized
 * by the token in their path, IAM-authorized POST /links and GET /swarm, JSON
 * gateway responses, a throttled prod stage and its access logs.
 */
import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { OBJECT_ROUTE_PREFLIGHT, preflightHeaders } from '../../../lambda/http/cors';
import { acknowledge, LOG_RETENTION } from '../conventions';

export const STAGE_NAME = 'prod';

/** API Gateway access log line. `$context.path` is left out on purpose: seed and tracker paths carry tokens. */
const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigw.AccessLogField.contextRequestId(),
    requestTime: apigw.AccessLogField.contextRequestTime(),
    ip: apigw.AccessLogField.contextIdentitySourceIp(),
    userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
    caller: apigw.AccessLogField.contextIdentityCaller(),
    user: apigw.AccessLogField.contextIdentityUser(),
    httpMethod: apigw.AccessLogField.contextHttpMethod(),
    resourcePath: apigw.AccessLogField.contextResourcePath(),
    protocol: apigw.AccessLogField.contextProtocol(),
    status: apigw.AccessLogField.contextStatus(),
    responseLength: apigw.AccessLogField.contextResponseLength(),
    responseLatency: apigw.AccessLogField.contextResponseLatency(),
    integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
    integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
    errorMessage: apigw.AccessLogField.contextErrorMessage(),
    xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
  }),
);

export interface ApiProps {
  torrent: lambda.IFunction;
  seed: lambda.IFunction;
  mint: lambda.IFunction;
  tracker: lambda.IFunction;
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
  /** Create the account-wide API Gateway CloudWatch Logs role. */
  cloudWatchRole: boolean;
}

/**
 * `OPTIONS` answered by a MOCK integration with the object routes' preflight
 * headers (lambda/http/cors.ts, which the local runtime answers the same way).
 * CONVERT_TO_TEXT on the integration and its response: with
 * `binaryMediaTypes: ['*\/*']` API Gateway otherwise treats the empty
 * preflight as binary and fails it with 500 ("Unable to transform request").
 */
const addPreflight = (resource: apigw.Resource, options: Pick<apigw.MethodOptions, 'requestValidator' | 'requestParameters'>): apigw.Method => {
  const p = OBJECT_ROUTE_PREFLIGHT;
  const headers = Object.entries(preflightHeaders(p)).map(([name, value]) => [`method.response.header.${name}`, value] as const);
  const statusCode = String(p.statusCode);
  return resource.addMethod(
    'OPTIONS',
    new apigw.MockIntegration({
      contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT,
      passthroughBehavior: apigw.PassthroughBehavior.WHEN_NO_MATCH,
      requestTemplates: { 'application/json': `{"statusCode": ${p.statusCode}}` },
      integrationResponses: [
        {
          statusCode,
          contentHandling: apigw.ContentHandling.CONVERT_TO_TEXT,
          responseParameters: Object.fromEntries(headers.map(([k, v]) => [k, `'${v}'`])),
        },
      ],
    }),
    {
      ...options,
      authorizationType: apigw.AuthorizationType.NONE,
      methodResponses: [{ statusCode, responseParameters: Object.fromEntries(headers.map(([k]) => [k, true])) }],
    },
  );
};

/** Creates its resources in the stack's own scope, so their logical IDs are those of the stack before it was split. */
export class Api {
  readonly restApi: apigw.RestApi;

  constructor(stack: Stack, props: ApiProps) {
    const accessLogs = new logs.LogGroup(stack, 'ApiAccessLogs', { retention: LOG_RETENTION });
    const api = new apigw.RestApi(stack, 'Api', {
      restApiName: stack.stackName,
      description: 'Serves .torrent files and web seeds for S3 objects',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: props.cloudWatchRole,
      // The role is an account-wide setting other APIs rely on: leave it behind on stack deletion.
      cloudWatchRoleRemovalPolicy: props.cloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      // Buffered Lambda proxy responses with isBase64Encoded (the tracker's bencoded bodies) reach clients
      // as bytes whatever their Accept header. Request bodies then arrive base64-encoded (isBase64Encoded);
      // the streaming routes are not affected.
      binaryMediaTypes: ['*/*'],
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Full request/response logging would write share-link signatures to CloudWatch.
        dataTraceEnabled: false,
      },
    });
    this.restApi = api;
    if (props.cloudWatchRole) {
      acknowledge(
        api.node.findChild('CloudWatchRole'),
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        "AmazonAPIGatewayPushToCloudWatchLogs is AWS's documented policy for the account-level API Gateway logging role; it needs log-group wildcards an inline policy could not narrow.",
      );
    }
    acknowledge(
      api,
      'AwsSolutions-APIG3',
      'No WAF by default: every public request is authorized by a signed link checked in Lambda and the stage is throttled. Associate a WAFv2 web ACL with the prod stage where a deployment needs IP or rate rules.',
    );

    const validator = api.addRequestValidator('RequestValidator', {
      requestValidatorName: 'params-and-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const path = (...names: string[]) => Object.fromEntries(names.map((n) => [`method.request.path.${n}`, true])) as Record<string, boolean>;
    const streaming = (fn: lambda.IFunction) =>
      new apigw.LambdaIntegration(fn, {
        responseTransferMode: apigw.ResponseTransferMode.STREAM,
        // Streaming integrations may run up to 15 minutes (a cache miss hashes before the first byte).
        timeout: Duration.minutes(15),
        allowTestInvoke: false,
      });

    const torrentResource = api.root.addResource('torrent').addResource('{bucket}').addResource('{key+}');
    const torrentIntegration = streaming(props.torrent);
    const seedResource = api.root.addResource('seed').addResource('{token}').addResource('{bucket}').addResource('{key+}');
    const seedIntegration = streaming(props.seed);
    // ANY, not GET and HEAD: other methods reach the Lambda, which answers 405 with an Allow
    // header and a JSON body, instead of API Gateway's 403 "Missing Authentication Token".
    const torrentMethod = torrentResource.addMethod('ANY', torrentIntegration, {
      authorizationType: apigw.AuthorizationType.NONE,
      requestValidator: validator,
      requestParameters: path('bucket', 'key'),
    });
    const seedMethod = seedResource.addMethod('ANY', seedIntegration, {
      authorizationType: apigw.AuthorizationType.NONE,
      requestValidator: validator,
      requestParameters: path('token', 'bucket', 'key'),
    });
    // CORS preflights answered by API Gateway itself: the browser repeats one before every web-seed piece
    // (WebTorrent's fetches are not "simple"), which must cost no Lambda invocation.
    for (const [resource, params] of [
      [torrentResource, path('bucket', 'key')],
      [seedResource, path('token', 'bucket', 'key')],
    ] as const) {
      // cdk-nag exempts OPTIONS from APIG4/COG4: no acknowledgement needed.
      addPreflight(resource, { requestValidator: validator, requestParameters: params });
    }
    for (const method of [torrentMethod, seedMethod]) {
      const why =
        'Public by design: downloaders have no AWS identity. The Lambda verifies the signed share link (HMAC, expiry, bucket/key scope) before touching S3.';
      acknowledge(method, 'AwsSolutions-APIG4', why);
      acknowledge(method, 'AwsSolutions-COG4', why);
    }
    // API Gateway's own refusals (unknown route, throttling, oversized request) in the same
    // { code, message } JSON shape as the Lambda's errors.
    const gatewayJson = { 'application/json': '{"code":"$context.error.responseType","message":$context.error.messageString}' };
    api.addGatewayResponse('Default4xx', { type: apigw.ResponseType.DEFAULT_4XX, templates: gatewayJson });
    api.addGatewayResponse('Default5xx', { type: apigw.ResponseType.DEFAULT_5XX, templates: gatewayJson });
    api.addGatewayResponse('UnknownRoute', {
      type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      templates: {
        'application/json': '{"code":"NotFound","message":"No such route. Use GET /torrent/<bucket>/<key> with a share link."}',
      },
    });
    const mintMethod = api.root.addResource('links').addMethod('POST', new apigw.LambdaIntegration(props.mint, { allowTestInvoke: false }), {
      authorizationType: apigw.AuthorizationType.IAM,
      requestValidator: validator,
    });
    acknowledge(
      mintMethod,
      'AwsSolutions-COG4',
      'Link minting is for AWS principals of the deploying account and uses IAM (SigV4) authorization instead of a Cognito user pool.',
    );

    // The tracker (BEP 3 announce, BEP 48 scrape): buffered, its bencoded answers are small. ANY, like the
    // object routes, so the Lambda answers methods other than GET itself. The path starts with /announce:
    // libtorrent (and so qBittorrent) drops loopback trackers whose path does not (SSRF mitigation).
    const trackerIntegration = new apigw.LambdaIntegration(props.tracker, { allowTestInvoke: false });
    for (const action of ['announce', 'scrape']) {
      const method = api.root
        .addResource(action)
        .addResource('{token}')
        .addMethod('ANY', trackerIntegration, {
          authorizationType: apigw.AuthorizationType.NONE,
          requestValidator: validator,
          requestParameters: path('token'),
        });
      const why =
        'Public by design: BitTorrent clients have no AWS identity. The token in the path is the authorization: signed with the share-link key ring, bound to one swarm and expiring with its link; the Lambda verifies it before any peer-table call.';
      acknowledge(method, 'AwsSolutions-APIG4', why);
      acknowledge(method, 'AwsSolutions-COG4', why);
    }
    // Swarm statistics for the owner (by info-hash: the tracker function reads no objects): the same AWS
    // principals that may mint links.
    const swarmMethod = api.root
      .addResource('swarm')
      .addResource('{infoHash}')
      .addMethod('GET', trackerIntegration, {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: validator,
        requestParameters: path('infoHash'),
      });
    acknowledge(
      swarmMethod,
      'AwsSolutions-COG4',
      'Swarm statistics are for AWS principals of the deploying account and use IAM (SigV4) authorization instead of a Cognito user pool.',
    );
  }
}
