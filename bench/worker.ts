/**
 * The benchmark's worker process for the one-workflow-per-order variant:
 * `node --import tsx bench/worker.ts`, with the same environment as src/worker/main.ts
 * (DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE). It is src/worker/main.ts with
 * bench/workflows.ts bundled instead of src/workflows: the same activities plus bench/activities.ts,
 * same database pool.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import { createDatabase } from '../src/erp/db';
import { readConfig } from '../src/shared/config';
import { createBenchActivities } from './activities';

async function main(): Promise<void> {
  const config = readConfig();
  const db = createDatabase(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      workflowsPath: require.resolve('./workflows'),
      activities: { ...createActivities({ db }), ...createBenchActivities(db) },
    });
    console.log(`worker polling task queue ${config.taskQueue} on ${config.temporalAddress}`);
    await worker.run();
  } finally {
    await connection.close();
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`bench worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
