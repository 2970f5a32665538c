/**
 * `npm run backoffice`: the backoffice web page. Settings from env: DATABASE_URL,
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE (as the CLI, src/shared/config.ts),
 * BACKOFFICE_PORT (3000) and BACKOFFICE_HOST (127.0.0.1). See docs/BACKOFFICE.md.
 */
import { createDatabase } from '../erp/db';
import { readConfig } from '../shared/config';
import { buildBackoffice, LOOPBACK_HOSTS } from './server';
import { temporalAccess } from '../shared/temporalAccess';

function readPort(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 3000;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text.trim()) || port < 0 || port > 65535)
    throw new Error(`BACKOFFICE_PORT must be a port number (0-65535), got ${JSON.stringify(text)}`);
  return port;
}

async function main(): Promise<void> {
  const config = readConfig();
  const port = readPort(process.env.BACKOFFICE_PORT);
  const host = process.env.BACKOFFICE_HOST?.trim() || '127.0.0.1';
  const db = createDatabase(config.databaseUrl, { max: 5 });
  const temporal = temporalAccess(config);
  // On a loopback address only the loopback names are answered (DNS rebinding); elsewhere any.
  const loopback = [...LOOPBACK_HOSTS, '::1'].includes(host);
  const app = await buildBackoffice(
    { db, taskQueue: config.taskQueue, temporal },
    { logger: true, allowedHosts: loopback ? LOOPBACK_HOSTS : [] },
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await temporal.close();
    await db.destroy();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  await app.listen({ port, host });
  const address = app.server.address();
  const shown =
    typeof address === 'object' && address ? `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` : String(address);
  console.log(`backoffice on ${shown} (Temporal ${config.temporalAddress}, namespace ${config.temporalNamespace})`);
}

main().catch((error: Error) => {
  process.stderr.write(`backoffice: ${error.message.split('\n')[0]}\n`);
  process.exit(1);
});
