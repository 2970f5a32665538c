/**
 * The import worker process: `tsx src/worker/main.ts`. Settings from env (see README and
 * docs/DEPLOYMENT.md): DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE, the TLS and
 * API key settings of src/shared/config.ts, WORKER_METRICS_ADDRESS and LOG_LEVEL.
 *
 * Logs are JSON lines on stdout; a setting or startup error is one plain line on stderr and exit 1.
 */
import { hostname } from 'node:os';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { recordWorkerStart, recordWorkerStopped } from '../erp/store/workerStarts';
import { WORKER_METRICS } from '../observability/metrics';
import { applyDatabaseMigrations, createDatabase } from '../erp/db';
import { createLogger, redactText } from '../observability/logger';
import { installWorkerRuntime } from '../observability/runtime';
import { readWorkerConfig } from '../shared/config';
import { connectClient, temporalConnectionOptions } from '../shared/temporal';
import { startHealthMetrics } from '../observability/healthMetrics';
import { createImportWorker } from './createWorker';
import { startNotificationWaker } from './notificationWaker';

async function main(): Promise<void> {
  const config = readWorkerConfig();
  const logger = createLogger({ level: config.logLevel });
  const { logLevel, metricsAddressRequired } = config;
  const metricsAddress = installWorkerRuntime({ logger, logLevel, metricsAddress: config.metricsAddress, metricsAddressRequired });
  const db = createDatabase(config.databaseUrl);
  try {
    await applyDatabaseMigrations(db);
    const connection = await NativeConnection.connect(temporalConnectionOptions(config)).catch((error: Error) => {
      const how = config.temporalTls ? ' with TLS' : '';
      throw new Error(
        `cannot connect to Temporal at ${config.temporalAddress}${how} (namespace ${config.temporalNamespace}): ${error.message}`,
      );
    });
    try {
      const worker = await createImportWorker({ connection, namespace: config.temporalNamespace, taskQueue: config.taskQueue, db });
      // A worker that keeps dying and being started again shows as restarts (vitrine status, metrics).
      const identity = `${hostname()}/${config.taskQueue}`;
      const start = await recordWorkerStart(db, { identity, taskQueue: config.taskQueue, pid: process.pid });
      if (metricsAddress) {
        Runtime.instance()
          .metricMeter.createGauge(WORKER_METRICS.restarts.name, 'int', undefined, WORKER_METRICS.restarts.description)
          .set(start.restarts, { worker: identity });
      }
      if (start.restarts > 0) logger.warn({ identity, restartsInTheLastHour: start.restarts }, 'worker started again after it died');
      // The SDK shuts the worker down gracefully on SIGINT and SIGTERM.
      logger.info(
        {
          taskQueue: config.taskQueue,
          temporalAddress: config.temporalAddress,
          namespace: config.temporalNamespace,
          tls: config.temporalTls !== undefined,
          auth: config.temporalApiKey ? 'api key' : config.temporalTls?.clientCertPair ? 'mTLS' : 'none',
          metrics: metricsAddress ? `http://${metricsAddress}/metrics` : 'off',
        },
        'worker polling task queue',
      );
      // With metrics on, the vitrines' health too (what needs an operator), once a minute.
      const stopHealth = metricsAddress
        ? startHealthMetrics({
            db,
            meter: Runtime.instance().metricMeter,
            onError: (error) =>
              logger.warn({ error: redactText(error instanceof Error ? error.message : String(error)) }, 'vitrine health metrics not read'),
          })
        : undefined;
      // Atualização de Status: an ERP commit wakes its vitrine's delivery within a second.
      const client = await connectClient(config);
      const waker = startNotificationWaker({
        databaseUrl: config.databaseUrl,
        db,
        client,
        taskQueue: config.taskQueue,
        onError: (error) =>
          logger.warn({ error: redactText(error instanceof Error ? error.message : String(error)) }, 'notification waker: retrying'),
      });
      try {
        await worker.run();
      } finally {
        stopHealth?.();
        await waker.stop();
        await client.connection.close();
      }
      await recordWorkerStopped(db, start.id);
      logger.info({ taskQueue: config.taskQueue }, 'worker stopped');
    } finally {
      await connection.close();
    }
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`worker: ${redactText(message.split('\n')[0])}\n`);
  process.exit(1);
});
