/**
 * The stack's own data: the share-link key ring in Secrets Manager, the cache
 * bucket for generated torrents and the bucket its access logs go to.
 */
import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULTS } from '../../../lambda/config';
import { acknowledge } from '../conventions';

/** Where cached torrents and build progress markers live; the functions are given it explicitly so grants and runtime agree. */
export const CACHE_PREFIX = DEFAULTS.cachePrefix;

export interface StorageProps {
  /** Lifecycle expiry of cached torrents. */
  cacheExpirationDays: number;
}

/** Creates its resources in the stack's own scope, so their logical IDs are those of the stack before it was split. */
export class Storage {
  readonly linkKeys: secretsmanager.Secret;
  readonly cacheBucket: s3.Bucket;

  constructor(
    private readonly stack: Stack,
    props: StorageProps,
  ) {
    this.linkKeys = new secretsmanager.Secret(stack, 'LinkKeys', {
      description: 'Share-link signing key ring for s3-torrent-proxy: {"active":"<key id>","<key id>":"<secret>",...}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ active: 'k1' }),
        generateStringKey: 'k1',
        excludePunctuation: true,
        passwordLength: 64,
      },
    });
    acknowledge(
      this.linkKeys,
      'AwsSolutions-SMG4',
      'The key ring is rotated by hand without breaking live links: add a new key id, point "active" at it, and delete the old id once its links have expired (docs/DEPLOY.md). A rotation Lambda would have to replace keys outright and invalidate every link.',
    );

    const accessLogsBucket = new s3.Bucket(stack, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.cacheBucket = new s3.Bucket(stack, 'CacheBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-cached-torrents',
          prefix: CACHE_PREFIX,
          expiration: Duration.days(props.cacheExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // A cache: every object can be rebuilt, but RETAIN keeps `cdk destroy` from failing on a non-empty bucket.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logToBucket(this.cacheBucket, accessLogsBucket, 'cache-bucket/');
  }

  /**
   * Server access logs delivered under the logging service principal (bucket policy, not ACLs),
   * written out here so the result does not depend on the serverAccessLogsUseBucketPolicy feature flag.
   */
  private logToBucket(source: s3.Bucket, target: s3.Bucket, prefix: string): void {
    (source.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: target.bucketName, logFilePrefix: prefix };
    target.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogs',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [target.arnForObjects(`${prefix}*`)],
        conditions: { ArnLike: { 'aws:SourceArn': source.bucketArn }, StringEquals: { 'aws:SourceAccount': this.stack.account } },
      }),
    );
  }
}
