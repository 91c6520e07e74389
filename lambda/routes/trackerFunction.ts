import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

// biome-ignore lint/suspicious/noExplicitAny: middy handlers of any context type
type Handler = (event: APIGatewayProxyEvent, context: any) => Promise<unknown>;

/** One function behind two kinds of route: `/swarm/{infoHash}` (owner statistics, JSON) and the tracker's announce and scrape. */
export const trackerFunction =
  (tracker: Handler, stats: Handler) =>
  (event: APIGatewayProxyEvent, context: Context): Promise<unknown> =>
    (/(?:^|\/)swarm\/[^/]*$/.test(event.path ?? '') ? stats : tracker)(event, context);
