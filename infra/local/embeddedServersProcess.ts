/**
 * The embedded servers' own process (see embeddedServers.ts): argv[2] is the
 * JSON of what to start. It answers over IPC once they listen, and stops
 * them when the parent says so, on SIGTERM, or when the parent goes away.
 */
import { startEmbeddedServers, type EmbeddedServers, type EmbeddedServersOptions, type ServersMessage } from './embeddedServers';

const send = (m: ServersMessage) => new Promise<void>((ok) => (process.send ? process.send(m, () => ok()) : ok()));

// Ctrl-C signals the whole process group: the parent drains its requests first, then stops us.
process.on('SIGINT', () => undefined);

let servers: EmbeddedServers | undefined;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await servers?.close().catch(() => undefined);
  process.exit(0);
};
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'stop') void stop();
});
// The IPC channel closes when the parent exits, however it died (during start-up too: exiting stops the servers).
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());

try {
  servers = await startEmbeddedServers(JSON.parse(process.argv[2]) as EmbeddedServersOptions);
  await send({ type: 'ready', endpoints: { s3: servers.s3, dynamo: servers.dynamo } });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  stopping = true;
  await send({ type: 'failed', message: e.message, code: e.code });
  process.exit(1);
}
