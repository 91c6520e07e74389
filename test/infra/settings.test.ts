import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  describeOneOf,
  SEED_MODES,
  SEEDING_MODES,
  SWARM_MODES,
  TORRENT_SOURCES,
  type SeedingMode,
  type SeedMode,
  type SwarmMode,
  type TorrentSource,
} from '../../lambda/config';
import { parseSettings, readSettings, SettingsError, type ProxySettings, type ServedBucketInput } from '../../infra/settings';
import { TorrentProxyStack } from '../../infra/stack/TorrentProxyStack';

const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

/** true only when A and B are the same type (checked by `npm run typecheck`). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

describe('deployment settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'proxy-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads -c strings: JSON bucket list, numbers, comma-separated trackers, booleans', () => {
    const settings = readSettings(
      context({
        servedBuckets: '[{"name":"my-bucket","prefix":"pub/"}]',
        linkMaxTtlSeconds: '86400',
        trackers: 'udp://a.example:1/announce, https://b.example/announce',
        apiGatewayCloudWatchRole: 'false',
        throttlingRateLimit: '12.5',
      }),
      join(dir, 'absent.json'),
    );
    expect(settings).toEqual({
      servedBuckets: [{ name: 'my-bucket', prefix: 'pub/' }],
      linkMaxTtlSeconds: 86400,
      trackers: ['udp://a.example:1/announce', 'https://b.example/announce'],
      apiGatewayCloudWatchRole: false,
      throttlingRateLimit: 12.5,
    });
  });

  it('reads the build-size settings from -c strings, with segmentBytes 0 turning fan-out off', () => {
    expect(readSettings(context({ syncGenerateMaxBytes: '2147483648', segmentBytes: '0' }), join(dir, 'absent.json'))).toEqual({
      syncGenerateMaxBytes: 2147483648,
      segmentBytes: 0,
    });
    expect(parseSettings({ segmentBytes: 68719476736 })).toEqual({ segmentBytes: 68719476736 });
  });

  it('reads the fan-out model settings from -c strings', () => {
    expect(readSettings(context({ fanoutBytesPerSecond: '50000000', fanoutMaxConcurrency: '40' }), join(dir, 'absent.json'))).toEqual({
      fanoutBytesPerSecond: 50_000_000,
      fanoutMaxConcurrency: 40,
    });
  });

  it('reads the swarm settings from -c strings, with seedDeferSeconds 0 turning deferral off', () => {
    expect(
      readSettings(
        context({ trackerIntervalSeconds: '120', trackerMaxPeers: '80', seedDeferSeconds: '0', seedDeferMinSeeders: '2' }),
        join(dir, 'absent.json'),
      ),
    ).toEqual({ trackerIntervalSeconds: 120, trackerMaxPeers: 80, seedDeferSeconds: 0, seedDeferMinSeeders: 2 });
    expect(parseSettings({ seedDeferSeconds: 45 })).toEqual({ seedDeferSeconds: 45 });
  });

  it('reads the settings file and lets context override it key by key', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ region: 'eu-west-1', alarmEmail: 'a@example.com', servedBuckets: [{ name: 'from-file' }] }));
    expect(readSettings(context({ alarmEmail: 'b@example.com' }), file)).toEqual({
      region: 'eu-west-1',
      alarmEmail: 'b@example.com',
      servedBuckets: [{ name: 'from-file' }],
    });
  });

  it("layers cdk.json context < the settings file < -c: a context value equal to cdk.json's is its default and gives way to the file", () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ throttlingRateLimit: 7, alarmEmail: 'file@example.com', servedBuckets: [{ name: 'from-file' }] }));
    const cdkJson = { throttlingRateLimit: 50, throttlingBurstLimit: 100, alarmEmail: '', servedBuckets: [] };
    // What CDK hands the app: cdk.json's context with `-c alarmEmail=cli@example.com` merged in.
    const merged = context({ ...cdkJson, alarmEmail: 'cli@example.com' });
    expect(readSettings(merged, file, cdkJson)).toEqual({
      throttlingRateLimit: 7,
      throttlingBurstLimit: 100,
      alarmEmail: 'cli@example.com',
      servedBuckets: [{ name: 'from-file' }],
    });
    expect(readSettings(context(cdkJson), join(dir, 'absent.json'), cdkJson)).toEqual({
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
      servedBuckets: [],
    });
  });

  it('reads the settings file that -c settingsFile names, and refuses a named file that does not exist', () => {
    const file = join(dir, 'prod.json');
    writeFileSync(file, JSON.stringify({ region: 'eu-central-1' }));
    expect(readSettings(context({ settingsFile: file }), undefined, {})).toEqual({ region: 'eu-central-1' });
    expect(() => readSettings(context({ settingsFile: join(dir, 'nope.json') }), undefined, {})).toThrow(
      /"settingsFile": names .*nope\.json, which does not exist/,
    );
  });

  it('returns no settings when neither file nor context has any', () => {
    expect(readSettings(context({}), join(dir, 'absent.json'))).toEqual({});
  });

  it.each([
    [{ account: '12345' }, /account/],
    [{ alarmEmail: 'not-an-email' }, /alarmEmail/],
    [{ seedMode: 'mirror' }, /seedMode/],
    [{ linkMaxTtlSeconds: '1.5' }, /whole number/],
    [{ throttlingBurstLimit: -1 }, /positive number/],
    [{ servedBuckets: '{"name":"x"}' }, /JSON array/],
    [{ servedBuckets: '[{"nom":"x"}]' }, /servedBuckets\[0\]/],
    [{ servedBuckets: '[not json' }, /not valid JSON/],
    [{ apiGatewayCloudWatchRole: 'yes' }, /true or false/],
    [{ syncGenerateMaxBytes: 0 }, /syncGenerateMaxBytes.*positive number/],
    [{ segmentBytes: '1.5' }, /segmentBytes.*whole number/],
    [{ segmentBytes: -1 }, /segmentBytes/],
    [{ fanoutBytesPerSecond: '7.5e7' }, /fanoutBytesPerSecond.*positive number/],
    [{ fanoutMaxConcurrency: 0 }, /fanoutMaxConcurrency.*positive number/],
    [{ trackerIntervalSeconds: '1.5' }, /trackerIntervalSeconds.*whole number/],
    [{ trackerMaxPeers: 0 }, /trackerMaxPeers.*positive number/],
    [{ seedDeferSeconds: -1 }, /seedDeferSeconds/],
    [{ seedDeferMinSeeders: 'many' }, /seedDeferMinSeeders.*positive number/],
  ])('names the bad key when a setting is invalid (%j)', (raw, message) => {
    expect(() => parseSettings(raw)).toThrow(SettingsError);
    expect(() => parseSettings(raw)).toThrow(message);
  });

  it('names the file when it is not valid JSON', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{ nope');
    expect(() => readSettings(context({}), file)).toThrow(/config\.json.*not valid JSON/);
  });

  it('ships an example file, with no account in it, that synthesizes for the account cdk deploys to', () => {
    const { account, region, stackName, ...settings } = readSettings(context({}), fileURLToPath(new URL('../../infra/config.example.json', import.meta.url)));
    expect(account).toBeUndefined();
    // What `cdk deploy` provides from the caller's credentials (CDK_DEFAULT_ACCOUNT); a placeholder here.
    const stack = new TorrentProxyStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), stackName ?? 'Proxy', {
      env: { account: '111111111111', region },
      settings,
    });
    expect(settings.servedBuckets?.length).toBeGreaterThan(1);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 1);
  });

  describe('takes its unions from lambda/config', () => {
    it('types seedMode and a served bucket source as SeedMode and TorrentSource of lambda/config', () => {
      const same: [Same<NonNullable<ProxySettings['seedMode']>, SeedMode>, Same<NonNullable<ServedBucketInput['source']>, TorrentSource>] = [true, true];
      expect(same).toEqual([true, true]);
    });

    it("types a served bucket's swarm and seeding as SwarmMode and SeedingMode of lambda/config", () => {
      const same: [Same<NonNullable<ServedBucketInput['swarm']>, SwarmMode>, Same<NonNullable<ServedBucketInput['seeding']>, SeedingMode>] = [true, true];
      expect(same).toEqual([true, true]);
    });

    it.each(SEED_MODES)('accepts seedMode %s', (seedMode) => {
      expect(parseSettings({ seedMode })).toEqual({ seedMode });
    });

    it('refuses any other seedMode, listing the ones lambda/config knows', () => {
      expect(() => parseSettings({ seedMode: 'stream' })).toThrow(`Invalid deployment setting "seedMode": must be ${describeOneOf(SEED_MODES)}`);
    });

    const synthBuckets = (servedBuckets: string) =>
      new TorrentProxyStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Proxy', {
        env: { account: '123456789012', region: 'us-east-1' },
        settings: parseSettings({ servedBuckets }),
      });

    it.each(TORRENT_SOURCES)('serves a bucket with source %s', (source) => {
      const stack = synthBuckets(JSON.stringify([{ name: 'my-bucket', source }]));
      expect(stack.servedBuckets.map((b) => [b.name, b.source])).toEqual([['my-bucket', source]]);
    });

    it('refuses to synthesize any other source, listing the ones lambda/config knows', () => {
      expect(() => synthBuckets('[{"name":"my-bucket","source":"magic"}]')).toThrow(`SERVED_BUCKETS[0].source must be ${describeOneOf(TORRENT_SOURCES)}`);
    });

    it.each(SWARM_MODES)('serves a bucket with swarm %s', (swarm) => {
      const stack = synthBuckets(JSON.stringify([{ name: 'my-bucket', swarm }]));
      expect(stack.servedBuckets.map((b) => [b.name, b.swarm, b.seeding])).toEqual([['my-bucket', swarm, 'fallback']]);
    });

    it.each(SEEDING_MODES)('serves a bucket with seeding %s', (seeding) => {
      const stack = synthBuckets(JSON.stringify([{ name: 'my-bucket', seeding }]));
      expect(stack.servedBuckets.map((b) => [b.name, b.swarm, b.seeding])).toEqual([['my-bucket', 'private', seeding]]);
    });

    it('refuses to synthesize any other swarm or seeding, listing the ones lambda/config knows', () => {
      expect(() => synthBuckets('[{"name":"my-bucket","swarm":"open"}]')).toThrow(`SERVED_BUCKETS[0].swarm must be ${describeOneOf(SWARM_MODES)}`);
      expect(() => synthBuckets('[{"name":"my-bucket","seeding":"never"}]')).toThrow(`SERVED_BUCKETS[0].seeding must be ${describeOneOf(SEEDING_MODES)}`);
    });
  });
});
