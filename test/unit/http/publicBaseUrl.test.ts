import { publicBaseUrl } from '../../../lambda/http/publicBaseUrl';
import { apiGatewayEvent } from '../fixtures';

describe('publicBaseUrl', () => {
  test('uses PUBLIC_BASE_URL when configured', () => {
    expect(publicBaseUrl(apiGatewayEvent(), { publicBaseUrl: 'https://torrents.example.com' })).toBe('https://torrents.example.com');
  });

  test('uses the execute-api host and stage of the request', () => {
    expect(publicBaseUrl(apiGatewayEvent(), {})).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/prod');
  });

  test('leaves the stage out on a custom domain', () => {
    const event = apiGatewayEvent();
    event.requestContext.domainName = 'torrents.example.com';

    expect(publicBaseUrl(event, {})).toBe('https://torrents.example.com');
  });

  test('fails when neither is known', () => {
    const event = apiGatewayEvent();
    event.requestContext.domainName = undefined;

    expect(() => publicBaseUrl(event, {})).toThrow(new Error('PUBLIC_BASE_URL is unset and the request has no domain name'));
  });
});
