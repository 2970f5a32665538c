/**
 * One test file's world: a fresh ERP database, the simulator, an in-process worker on a task queue
 * of its own, and helpers that drive the product through its CLI.
 */
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createImportWorker } from '../../src/worker/createWorker';
import { startNotificationWaker } from '../../src/worker/notificationWaker';
import { scheduleIdFor } from '../../src/shared/ids';
import { startSimulator } from '../../src/simulator/server';
import { buildHookReceiver } from '../../src/hooks/receiver';
import { RunTrigger } from '../../src/hooks/runTrigger';
import { existingTemporal } from '../../src/shared/temporalAccess';
import { addVitrineArgs, cliJson } from './cli';
import { addSimulatedMarketplaces } from './marketplaces';
import { createTemporalEnv, createTestDatabase, uniqueSuffix, workflowBundle, type TestDatabase } from './services';

export interface Harness {
  temporal: TestWorkflowEnvironment;
  database: TestDatabase;
  simulatorUrl: string;
  taskQueue: string;
  cliEnv: Record<string, string>;
  /**
   * Adds a vitrine on its own simulator account; returns its code (also the account name). It has
   * marketplace DE-PARA rows for the simulator's affiliates unless `marketplaces` is false.
   */
  addVitrine(options?: { prefix?: string; enable?: boolean; baseUrl?: string; marketplaces?: boolean }): Promise<string>;
  /** Calls the simulator's control API. */
  sim<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /** The order document as the platform serves it to the connector (without its faults and rate limit). */
  platformOrder(account: string, orderId: string): Promise<any>;
  /** `vitrine run <code> --wait --json`. */
  runImport(code: string): Promise<any>;
  /** The hook receiver (option withHooks): its base URL, and stop/start to take it away and back on the same port. */
  hooks?: { url: string; trigger: RunTrigger; stop(): Promise<void>; start(): Promise<void> };
  close(): Promise<void>;
}

/** A hook receiver in-process, as `npm run hooks` runs it; behind a "proxy" so tests can name the source address. */
async function startHookReceiver(database: TestDatabase, temporal: TestWorkflowEnvironment): Promise<NonNullable<Harness['hooks']>> {
  const trigger = new RunTrigger(existingTemporal(temporal.client, temporal.address), (code, error) =>
    console.warn(`hook trigger of ${code}: ${error.message}`),
  );
  let port = 0;
  let app: Awaited<ReturnType<typeof buildHookReceiver>> | undefined;
  const start = async () => {
    app = await buildHookReceiver({ db: database.db, wake: (code) => trigger.wake(code) }, { trustProxy: true });
    await app.listen({ port, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  };
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    trigger,
    start,
    async stop() {
      await app?.close();
      app = undefined;
    },
  };
}

export async function startHarness(options: { withWorker?: boolean; withHooks?: boolean } = {}): Promise<Harness> {
  const temporal = await createTemporalEnv();
  const database = await createTestDatabase();
  const simulator = await startSimulator({ port: 0, host: '127.0.0.1' });
  const taskQueue = `test-${uniqueSuffix()}`;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let waker: { stop(): Promise<void> } | undefined;
  if (options.withWorker ?? true) {
    worker = await createImportWorker({
      connection: temporal.nativeConnection,
      namespace: temporal.namespace ?? 'default',
      taskQueue,
      db: database.db,
      workflowBundle: workflowBundle(),
    });
    running = worker.run();
    // As the worker process does: an ERP commit wakes the vitrine's notification delivery.
    waker = startNotificationWaker({
      databaseUrl: database.url,
      db: database.db,
      client: temporal.client,
      taskQueue,
      onError: (error) => console.warn(`notification waker: ${(error as Error).message}`),
    });
  }
  const cliEnv = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace ?? 'default',
    TASK_QUEUE: taskQueue,
  };
  const codes: string[] = [];
  const hooks = options.withHooks ? await startHookReceiver(database, temporal) : undefined;

  async function sim<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${simulator.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`simulator ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  return {
    temporal,
    database,
    simulatorUrl: simulator.url,
    taskQueue,
    cliEnv,
    sim,
    async addVitrine({
      prefix = 'VT',
      enable = false,
      baseUrl,
      marketplaces = true,
    }: { prefix?: string; enable?: boolean; baseUrl?: string; marketplaces?: boolean } = {}) {
      const code = `v-${uniqueSuffix()}`;
      codes.push(code);
      await cliJson(
        addVitrineArgs({
          code,
          name: `Loja ${code}`,
          baseUrl: baseUrl ?? `${simulator.url}/${code}`,
          appKey: `key-${code}`,
          appToken: `token-${code}-secret`,
          prefix,
        }),
        cliEnv,
      );
      if (marketplaces) {
        const vitrine = await database.db('vitrines').where({ code }).first('id');
        await addSimulatedMarketplaces(database.db, vitrine.id);
      }
      if (enable) await cliJson(['enable', code], cliEnv);
      return code;
    },
    async platformOrder(account, orderId) {
      // The control API serves the same document without counting against the account's Get
      // order limit: a test reading every order back must not use up what the import paces.
      const response = await fetch(`${simulator.url}/_sim/${account}/orders/${encodeURIComponent(orderId)}`);
      assert.equal(response.status, 200);
      return response.json();
    },
    runImport: (code) => cliJson(['run', code, '--wait'], cliEnv),
    hooks,
    async close() {
      await hooks?.stop();
      await hooks?.trigger.stop();
      for (const code of codes) {
        await temporal.client.schedule
          .getHandle(scheduleIdFor(code))
          .delete()
          .catch(() => undefined);
      }
      await waker?.stop();
      worker?.shutdown();
      await running;
      await simulator.close();
      await database.drop();
      await temporal.teardown();
    },
  };
}
