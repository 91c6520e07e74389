import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Config } from '../config';

/**
 * The URL downloaders use to reach this API, for the links we write into
 * torrents: PUBLIC_BASE_URL when set (custom domains), else the execute-api
 * host and stage from the request context.
 */
export const publicBaseUrl = (event: APIGatewayProxyEvent, config: Pick<Config, 'publicBaseUrl'>): string => {
  if (config.publicBaseUrl) return config.publicBaseUrl;
  const domain = event.requestContext?.domainName;
  const stage = event.requestContext?.stage;
  if (!domain) throw new Error('PUBLIC_BASE_URL is unset and the request has no domain name');
  const onExecuteApi = domain.includes('.execute-api.');
  return onExecuteApi && stage ? `https://${domain}/${stage}` : `https://${domain}`;
};
