/**
 * `npm run hooks`: the hook receiver (receiver.ts). Settings from env: DATABASE_URL,
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (as the CLI, src/shared/config.ts), HOOKS_HOST (127.0.0.1),
 * HOOKS_PORT (8790) and HOOKS_TRUST_PROXY. See docs/PUSH.md.
 */
import { createDatabase } from '../erp/db';
import { vitrinesWithWaitingNotifications } from '../erp/store/hooks';
import { readHooksConfig } from '../shared/config';
import { temporalAccess } from '../shared/temporalAccess';
import { buildHookReceiver } from './receiver';
import { RunTrigger } from './runTrigger';

/** How often notifications no run took are looked for, and how old they must be (a lost trigger). */
const SWEEP_EVERY_MS = 30_000;
const SWEEP_OLDER_THAN_SECONDS = 20;

async function main(): Promise<void> {
  const config = readHooksConfig();
  const db = createDatabase(config.databaseUrl, { max: 10 });
  const temporal = temporalAccess(config);
  const trigger = new RunTrigger(temporal, (code, error) =>
    process.stderr.write(`hooks: could not trigger the run of vitrine ${code}: ${error.message.split('\n')[0]}\n`),
  );
  const app = await buildHookReceiver({ db, wake: (code) => trigger.wake(code) }, { logger: true, trustProxy: config.trustProxy });

  const sweep = async (olderThanSeconds: number) => {
    try {
      for (const vitrine of await vitrinesWithWaitingNotifications(db, olderThanSeconds)) trigger.wake(vitrine.code);
    } catch (error) {
      process.stderr.write(`hooks: could not look for waiting notifications: ${(error as Error).message.split('\n')[0]}\n`);
    }
  };
  const sweeper = setInterval(() => void sweep(SWEEP_OLDER_THAN_SECONDS), SWEEP_EVERY_MS);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(sweeper);
    await app.close();
    await trigger.stop();
    await temporal.close();
    await db.destroy();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`hook receiver on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`);
  // Notifications accepted while the receiver was stopping may have lost their trigger.
  await sweep(0);
}

main().catch((error: Error) => {
  process.stderr.write(`hooks: ${error.message.split('\n')[0]}\n`);
  process.exit(1);
});
