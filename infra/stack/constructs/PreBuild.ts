/**
 * Pre-build on upload: one EventBridge rule per bucket that opted in
 * (`prebuild` in its served-bucket settings), matching S3's "Object Created"
 * events for its prebuild prefixes, targeting the function that builds
 * torrents from them (the generate function; lambda/routes/objectCreated.ts).
 *
 * S3 sends these events only for buckets with EventBridge notifications
 * turned on, a setting of the bucket itself: this stack serves buckets it
 * does not own (imported by name), so it cannot set `eventBridgeEnabled` on
 * them. The bucket's owner runs, once per bucket:
 *
 *   aws s3api put-bucket-notification-configuration --bucket <bucket> \
 *     --notification-configuration '{"EventBridgeConfiguration": {}}'
 *
 * That call replaces the bucket's whole notification configuration: on a
 * bucket that already sends notifications elsewhere, add
 * `"EventBridgeConfiguration": {}` to what `aws s3api
 * get-bucket-notification-configuration --bucket <bucket>` prints and put
 * that instead. Until then the rules match nothing and downloads build on
 * first request as before.
 */
import { Annotations, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { BucketPolicy } from '../../../lambda/config';
import { acknowledge } from '../conventions';

/** One bucket whose created objects are built at once, and the key prefixes that count ('' = every key). */
export interface PreBuildBucket {
  name: string;
  prefixes: string[];
}

export interface PreBuildProps {
  /** The function the rules invoke with each event (asynchronously). */
  target: lambda.IFunction;
  buckets: PreBuildBucket[];
}

/** The buckets of a served-bucket list that opted in to pre-building, with their prefixes. */
export const prebuildBuckets = (served: readonly BucketPolicy[]): PreBuildBucket[] =>
  served.flatMap((b) => (b.prebuild ? [{ name: b.name, prefixes: b.prebuild.prefixes }] : []));

/**
 * A prefix as the event may carry it: as written, and form-encoded segment
 * by segment the way S3 encodes keys in its classic notifications (space as
 * "+", "/" kept), in case its EventBridge events do too: the sources differ
 * (lambda/prebuild/objectCreatedEvent.ts), and the handler reads both forms.
 *
 * @example
 * prefixForms('drop box/été/') // ['drop box/été/', 'drop+box/%C3%A9t%C3%A9/']
 */
export const prefixForms = (prefix: string): string[] => {
  const encoded = prefix
    .split('/')
    .map((segment) => new URLSearchParams({ s: segment }).toString().slice(2))
    .join('/');
  return encoded === prefix ? [prefix] : [prefix, encoded];
};

/**
 * The event pattern of one bucket's rule: S3's Object Created events for
 * the bucket, and for keys under its prefixes (in both forms) unless one of them is ''.
 *
 * @example
 * objectCreatedPattern({ name: 'media', prefixes: ['uploads/'] })
 * // { source: ['aws.s3'], detailType: ['Object Created'], detail: { bucket: { name: ['media'] }, object: { key: [{ prefix: 'uploads/' }] } } }
 */
export const objectCreatedPattern = (b: PreBuildBucket): events.EventPattern => ({
  source: ['aws.s3'],
  detailType: ['Object Created'],
  detail: {
    bucket: { name: [b.name] },
    ...(b.prefixes.includes('') ? {} : { object: { key: [...new Set(b.prefixes.flatMap(prefixForms))].map((prefix) => ({ prefix })) } }),
  },
});

export class PreBuild extends Construct {
  readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, { target, buckets }: PreBuildProps) {
    super(scope, id);
    this.rules = buckets.map(
      (b, i) =>
        new events.Rule(this, `ObjectCreated${i}`, {
          description: `Pre-build on upload: torrents of objects created in "${b.name}"${b.prefixes.includes('') ? '' : ` under ${b.prefixes.map((p) => `"${p}"`).join(', ')}`}`,
          eventPattern: objectCreatedPattern(b),
          // A build that could not start soon is better left to the first request than run hours late.
          targets: [new targets.LambdaFunction(target, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
        }),
    );
    for (const rule of this.rules) {
      acknowledge(
        rule,
        'Serverless-EventBusDLQ',
        'A pre-build whose event could not be delivered needs no dead-letter queue: the first request for that object builds its torrent, as without pre-building.',
      );
    }
    for (const b of buckets) {
      Annotations.of(this).addInfo(
        `Pre-build on upload for "${b.name}" needs EventBridge notifications on that bucket: aws s3api put-bucket-notification-configuration --bucket ${b.name} --notification-configuration '{"EventBridgeConfiguration": {}}' (this replaces the bucket's notification configuration: merge it with any existing one).`,
      );
    }
  }
}
