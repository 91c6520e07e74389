/**
 * CORS preflights in the synthesized template: API Gateway answers OPTIONS on
 * the object routes itself (MOCK), with the headers the local runtime sends
 * (lambda/http/cors.ts), and survives `binaryMediaTypes: ['*' + '/*']`.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OBJECT_ROUTE_PREFLIGHT, PREFLIGHT_RESOURCES, preflightHeaders } from '../../lambda/http/cors';
import { TorrentProxyStack } from '../../infra/stack/TorrentProxyStack';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template fragments of any shape
type Cfn = Record<string, any>;

const synth = () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new TorrentProxyStack(app, 'Proxy', {
    env: { account: '123456789012', region: 'us-east-1' },
    settings: { servedBuckets: [{ name: 'media', expectedOwner: '111122223333' }] },
  });
  return Template.fromStack(stack);
};

const methodsOf = (template: Template) => {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const pathOf = (ref: Cfn): string => (ref.Ref ? `${pathOf(resources[ref.Ref].Properties.ParentId)}/${resources[ref.Ref].Properties.PathPart}` : '');
  return Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => ({
    verb: m.Properties.HttpMethod as string,
    path: pathOf(m.Properties.ResourceId),
    props: m.Properties,
  }));
};

describe('CORS preflight in API Gateway', () => {
  const template = synth();
  const options = methodsOf(template).filter((m) => m.verb === 'OPTIONS');

  it('answers OPTIONS on exactly the torrent and seed routes, which the local runtime answers too', () => {
    expect(options.map((m) => m.path).sort()).toEqual([...PREFLIGHT_RESOURCES].sort());
  });

  it.each(PREFLIGHT_RESOURCES)('answers OPTIONS %s with a MOCK integration whose headers are the local runtime’s, text content handling both ways', (path) => {
    const [method] = options.filter((m) => m.path === path);
    const status = String(OBJECT_ROUTE_PREFLIGHT.statusCode);
    const quoted = Object.fromEntries(Object.entries(preflightHeaders()).map(([k, v]) => [`method.response.header.${k}`, `'${v}'`]));
    expect({ auth: method.props.AuthorizationType, integration: method.props.Integration, responses: method.props.MethodResponses }).toEqual({
      auth: 'NONE',
      integration: {
        Type: 'MOCK',
        // Without these two, `binaryMediaTypes: ['*/*']` makes API Gateway fail the preflight with 500.
        ContentHandling: 'CONVERT_TO_TEXT',
        PassthroughBehavior: 'WHEN_NO_MATCH',
        RequestTemplates: { 'application/json': `{"statusCode": ${status}}` },
        IntegrationResponses: [{ StatusCode: status, ContentHandling: 'CONVERT_TO_TEXT', ResponseParameters: quoted }],
      },
      responses: [{ StatusCode: status, ResponseParameters: Object.fromEntries(Object.keys(quoted).map((k) => [k, true])) }],
    });
  });

  it('grants GET and HEAD with the request headers WebTorrent sends, to any origin', () => {
    expect(preflightHeaders()).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET,HEAD',
      'Access-Control-Allow-Headers': 'Cache-Control,Range,User-Agent',
      'Access-Control-Max-Age': '7200',
    });
  });

  it('keeps every medium binary (the reason for CONVERT_TO_TEXT) and leaves the object routes’ other methods to the Lambda', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
    const objectRoutes = methodsOf(template).filter((m) => PREFLIGHT_RESOURCES.includes(m.path));
    expect(objectRoutes.map((m) => `${m.verb} ${m.path} ${m.props.Integration.Type}`).sort()).toEqual([
      'ANY /seed/{token}/{bucket}/{key+} AWS_PROXY',
      'ANY /torrent/{bucket}/{key+} AWS_PROXY',
      'OPTIONS /seed/{token}/{bucket}/{key+} MOCK',
      'OPTIONS /torrent/{bucket}/{key+} MOCK',
    ]);
  });
});
