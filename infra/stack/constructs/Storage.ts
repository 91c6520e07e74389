/**
 * The stack's own data: the share-link key ring in Secrets Manager, the cache
 * bucket for generated torrents, the bucket its access logs go to, and the
 * tracker's peer table in DynamoDB.
 */
import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULTS } from '../../../lambda/config';
import { PEER_TABLE_SCHEMA } from '../../../lambda/swarm/dynamoPeerStore';
import { acknowledge } from '../conventions';

/** Where cached torrents and build progress markers live; the functions are given it explicitly so grants and runtime agree. */
export const CACHE_PREFIX = DEFAULTS.cachePrefix;

/** CDK's name for each DynamoDB attribute type the peer store's schema uses. */
const ATTRIBUTE_TYPES = { S: dynamodb.AttributeType.STRING, N: dynamodb.AttributeType.NUMBER, B: dynamodb.AttributeType.BINARY } as const;

export interface StorageProps {
  /** Lifecycle expiry of cached torrents. */
  cacheExpirationDays: number;
}

/** Creates its resources in the stack's own scope, so their logical IDs are those of the stack before it was split. */
export class Storage {
  readonly linkKeys: secretsmanager.Secret;
  readonly cacheBucket: s3.Bucket;
  readonly peerTable: dynamodb.Table;

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

    // The key schema and TTL attribute are the peer store's own (one partition per swarm, one item per peer,
    // counter or deferral marker), so the table and the code that reads it cannot disagree.
    const { partitionKey, sortKey, timeToLiveAttribute } = PEER_TABLE_SCHEMA;
    this.peerTable = new dynamodb.Table(stack, 'PeerTable', {
      partitionKey: { name: partitionKey.name, type: ATTRIBUTE_TYPES[partitionKey.type] },
      sortKey: { name: sortKey.name, type: ATTRIBUTE_TYPES[sortKey.type] },
      timeToLiveAttribute,
      // Announces come in bursts when a link is shared; on-demand needs no capacity planning and costs nothing idle.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Peer addresses and ports, swarm counters, deferral markers: the AWS-owned key suffices; a customer
      // managed key would add KMS cost and key permissions for data that needs no key policy of its own.
      encryption: dynamodb.TableEncryption.DEFAULT,
      // Peers re-announce every interval and expire after two, so nothing in the table outlives the stack's use of it.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.peerTable,
      'AwsSolutions-DDB3',
      'The peer table holds only ephemeral state: peers re-announce every interval and expire after two, and deferral markers expire too. A point-in-time restore would bring back peers that have left; the download and web-seed counters are statistics, not records.',
    );
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
