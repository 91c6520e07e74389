import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { LoggedContext } from '../../observability/requestLogger';
import { servedObject, type ServedObject } from '../../policy/servedObject';
import type { Config } from '../../config';
import { HttpError } from '../../http/HttpError';
import { parseObjectPath } from '../../http/parseObjectPath';
import type { KeyRingProvider } from '../../links/loadKeyRing';
import { parseSeedToken } from '../../links/shareLinks';
import type { LinkRoute } from '../../links/signLink';
import { verifyLink, type PresentedLink, type VerifiedLink } from '../../links/verifyLink';

/** A request that passed every check: typed once here, never re-parsed downstream. */
export interface AuthorizedObject extends ServedObject {
  link: VerifiedLink;
}

export type AuthorizedContext = LoggedContext & { target: AuthorizedObject };

export interface AuthorizeOptions {
  route: LinkRoute;
  config: Pick<Config, 'buckets'>;
  keyRing: KeyRingProvider;
  /** Seconds since the epoch (tests pin time). */
  now?: () => number;
}

const single = (v: string | undefined | null) => (v === null ? undefined : v);

const presentedLink = (route: LinkRoute, event: APIGatewayProxyEvent, leading: string[]): PresentedLink => {
  if (route === 'seed') return parseSeedToken(leading[0] ?? '');
  const q = event.queryStringParameters ?? {};
  const multi = event.multiValueQueryStringParameters ?? {};
  // A repeated parameter is ambiguous: refuse rather than guess which one counts.
  for (const name of ['exp', 'kid', 'sig', 'prefix', 'version', 'folder']) {
    if ((multi[name]?.length ?? 0) > 1) throw new HttpError(403, 'InvalidLink', 'The share link is not valid for this object.');
  }
  const version = single(q.version);
  return {
    exp: single(q.exp),
    kid: single(q.kid),
    sig: single(q.sig),
    prefix: single(q.prefix),
    folder: single(q.folder),
    pin: version === undefined ? undefined : `v:${version}`,
  };
};

/**
 * Validates the path, verifies the share link for exactly this bucket and
 * key, and applies the bucket policy (allowlist, prefix), all before any S3
 * call. Sets `context.target`.
 */
export const authorizeObjectRequest = (opts: AuthorizeOptions): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, AuthorizedContext> => {
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    before: async (request) => {
      const { event } = request;
      const { bucket, key, leading } = parseObjectPath(event.path ?? '', opts.route, opts.route === 'seed' ? 1 : 0);
      const ring = await opts.keyRing();
      const link = verifyLink(presentedLink(opts.route, event, leading), { route: opts.route, bucket, key }, ring, now());
      request.context.target = { ...servedObject(opts.config.buckets, bucket, key), link };
    },
  };
};
