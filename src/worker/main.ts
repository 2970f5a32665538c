/**
 * The import worker process: `tsx src/worker/main.ts`. Settings from env (see README):
 * DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE.
 */
import { NativeConnection } from '@temporalio/worker';
import { applyDatabaseMigrations, createDatabase } from '../erp/db';
import { readConfig } from '../shared/config';
import { createImportWorker } from './createWorker';

async function main(): Promise<void> {
  const config = readConfig();
  const db = createDatabase(config.databaseUrl);
  await applyDatabaseMigrations(db);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  try {
    const worker = await createImportWorker({ connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue, db });
    // The SDK shuts the worker down gracefully on SIGINT and SIGTERM.
    console.log(`worker polling task queue ${config.taskQueue} on ${config.temporalAddress}`);
    await worker.run();
  } finally {
    await connection.close();
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
