/**
 * `npm run backoffice`: the backoffice web page. Settings from env: DATABASE_URL,
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE (as the CLI, src/shared/config.ts),
 * BACKOFFICE_PORT (3000) and BACKOFFICE_HOST (127.0.0.1). See docs/BACKOFFICE.md.
 */
import { createDatabase } from '../erp/db';
import { listUsers } from '../erp/store/users';
import { readConfig } from '../shared/config';
import type { AuthOptions } from './auth';
import { buildBackoffice, LOOPBACK_HOSTS } from './server';
import { temporalAccess } from '../shared/temporalAccess';

function readPort(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 3000;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text.trim()) || port < 0 || port > 65535)
    throw new Error(`BACKOFFICE_PORT must be a port number (0-65535), got ${JSON.stringify(text)}`);
  return port;
}

function readNumber(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

/** Sessions: BACKOFFICE_SESSION_IDLE_MINUTES (30), BACKOFFICE_SESSION_MAX_HOURS (12), BACKOFFICE_SECURE_COOKIES (auto). */
function readAuthSettings(env: NodeJS.ProcessEnv): AuthOptions {
  const idle = readNumber(env, 'BACKOFFICE_SESSION_IDLE_MINUTES', 1, 24 * 60);
  const max = readNumber(env, 'BACKOFFICE_SESSION_MAX_HOURS', 1, 24 * 30);
  const secure = env.BACKOFFICE_SECURE_COOKIES?.trim().toLowerCase();
  if (secure !== undefined && secure !== '' && !['true', 'auto'].includes(secure)) {
    throw new Error(`BACKOFFICE_SECURE_COOKIES must be auto or true, got ${JSON.stringify(secure)}`);
  }
  return {
    idleMs: idle === undefined ? undefined : idle * 60_000,
    maxAgeMs: max === undefined ? undefined : max * 3_600_000,
    secureCookies: secure === 'true' ? true : 'auto',
  };
}

/** BACKOFFICE_TRUST_PROXY: true, or the proxy addresses whose X-Forwarded-Proto (https) is believed. */
function readTrustProxy(text: string | undefined): boolean | string {
  const value = text?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^[0-9a-fA-F:.,/]+$/.test(value)) return value;
  throw new Error(`BACKOFFICE_TRUST_PROXY must be true, false or the proxy addresses (e.g. 10.0.0.0/8), got ${JSON.stringify(value)}`);
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
    {
      logger: true,
      allowedHosts: loopback ? LOOPBACK_HOSTS : [],
      auth: readAuthSettings(process.env),
      trustProxy: readTrustProxy(process.env.BACKOFFICE_TRUST_PROXY),
    },
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
  if ((await listUsers(db)).length === 0) {
    console.log('no users yet: add the first admin with `vitrine users add <email> --role admin`');
  }
}

main().catch((error: Error) => {
  process.stderr.write(`backoffice: ${error.message.split('\n')[0]}\n`);
  process.exit(1);
});
