/**
 * The measured paths. Each one gets a fresh ERP database and its own simulator accounts, seeded
 * with the same seeds (vitrine i of every path gets seed SEED_BASE + i, so the same orders), and
 * drains them:
 *
 *   baseline   the product's activity and importer code called in a plain loop, the vitrines
 *              concurrently, no Temporal at all (bench/baseline.ts: a process of its own,
 *              started with the workers' node flags);
 *   temporal   the product's workflow `importVitrineOrders`, one per vitrine, all started at once,
 *              on W worker processes (`src/worker/main.ts`);
 *   per-order  bench/workflows.ts `benchImportPerOrder`: one child workflow per order, on
 *              bench/worker.ts.
 *
 * Latency of an order = its sales_orders.imported_at (Postgres now() in the order's import
 * transaction) minus the moment its feed event existed on the platform. The backlog is seeded at
 * once right before the drain starts, so for every order that moment is t0 (the end of seeding,
 * same machine clock): the figure is "time from the backlog appearing to the order's ERP row".
 */
import { sealSecret } from '../src/shared/secrets';
import { performance } from 'node:perf_hooks';
import type { Client, WorkflowHandleWithFirstExecutionRunId as StartedWorkflow } from '@temporalio/client';
import type { Knex } from 'knex';
import { addVitrine, updateVitrineSettings } from '../src/erp/store/vitrines';
import { addSimulatedMarketplaces } from '../test/support/marketplaces';
import type { VitrineRow } from '../src/erp/tables';
import { zeroCounts, type ImportCounts } from '../src/shared/importTypes';
import { BASELINE_READY_LINE, failureReason, type BaselineReply, type BaselineRequest } from './baselineDrain';
import { CpuMeter, mb } from './procstat';
import { createBenchDatabase, onInterrupt, type Simulator } from './services';
import { startWorkers, WorkerProcess } from './workers';

/** Vitrine i of every path is seeded with SEED_BASE + i: every path drains the same orders. */
export const SEED_BASE = 7001;
/** The product's worker as it ships (npm run build; scripts/bench.sh builds first). */
export const PRODUCT_WORKER = 'dist/worker/main.js';
export const BENCH_WORKER = 'bench/worker.ts';

export interface BenchContext {
  runId: string;
  databaseServerUrl: string;
  temporalAddress: string;
  namespace: string;
  client: Client;
  sim: Simulator;
  /** CPU seconds readers of the services (Temporal server, Postgres, simulator) by name. */
  serviceCpu: Map<string, () => number>;
  /** The Temporal server's processes (one for the dev server, five for a cluster), for their memory. */
  temporalPids: number[];
  keepDatabases: boolean;
  timeoutMs: number;
  /** Orders each path's processes drain before the measured drain (not measured; 0: none). */
  warmUpOrders: number;
  log(line: string): void;
}

export type PathKind = 'baseline' | 'temporal' | 'per-order';

export interface PathSpec {
  /** Short tag used in vitrine codes, databases and task queues. */
  tag: string;
  kind: PathKind;
  label: string;
  orders: number;
  vitrines: number;
  /** Worker processes (Temporal paths). */
  workers: number;
  /** The Node.js binary the path's processes run on (--runtimes); default the benchmark's own. */
  node?: string;
  /** Product lines per order (the B2B mix); default the simulator's retail mix of 1 to 4. */
  lines?: { min: number; max: number };
}

export interface WorkerFigures {
  pid: number;
  /** When the drain started (started, workflow bundle built, idle). */
  idleRssMb: number;
  drainPeakRssMb: number;
  lifePeakRssMb: number;
  cpuSeconds: number;
}

export interface PathCheck {
  rows: number;
  distinctRows: number;
  /** Product lines written (sales_order_items rows); absent in reports of earlier versions. */
  itemRows?: number;
  blocked: number;
  importRuns: Record<string, number>;
  simCommitted: number;
  simPending: number;
  simInFlight: number;
  ok: boolean;
  problems: string[];
}

export interface PathResult extends PathSpec {
  seedSeconds: number;
  wallSeconds: number;
  ordersPerSecond: number;
  latencyMs: { min: number; p50: number; p95: number; max: number };
  /** The highest drain peak of the path's processes (the workers, or the baseline process). */
  peakRssMb: number;
  /** Order documents the platform served during the measured drain (Get order), in MB, and that over the wall time. */
  documentMb?: number;
  mbPerSecond?: number;
  workerFigures: WorkerFigures[];
  /** Reports of earlier versions, whose baseline ran in the benchmark process: its RSS. */
  processRss?: { beforeMb: number; peakMb: number; deltaMb: number };
  cpuSeconds: Record<string, number>;
  check: PathCheck;
  /** Two or more workers: activity and workflow tasks each worker ran, from the histories. */
  tasksByWorker?: Array<{ pid: number; activityTasks: number; workflowTasks: number }>;
  /**
   * Steps that failed and were tried again, by reason: Temporal's activity retries (from the
   * histories: attempt numbers and last failures) or the baseline's own retries, which follow the
   * workflow's retry policy. Not counted for the per-order variant (its activities run in child
   * workflows whose histories are not read).
   */
  retries?: { count: number; reasons: Record<string, number> };
  counts: ImportCounts;
}

function splitOrders(orders: number, vitrines: number): number[] {
  return Array.from({ length: vitrines }, (_, i) => Math.floor(orders / vitrines) + (i < orders % vitrines ? 1 : 0));
}

export function vitrineCode(ctx: BenchContext, tag: string, i: number): string {
  return `b${ctx.runId}-${tag}-${i}`;
}

/** Adds the vitrines (switched off, no schedule) pointing at simulator accounts of their own. */
export async function addBenchVitrines(ctx: BenchContext, db: Knex, tag: string, count: number, concurrency = 16): Promise<VitrineRow[]> {
  const rows: VitrineRow[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const code = vitrineCode(ctx, tag, i);
        rows[i] = await addVitrine(db, {
          code,
          name: `Bench ${code}`,
          platform: 'vtex',
          baseUrl: `${ctx.sim.url}/${code}`,
          appKey: `key-${code}`,
          appTokenEncrypted: sealSecret(`token-${code}`),
          orderCodePrefix: `B${i}`,
          importIntervalMinutes: 15,
        });
        await addSimulatedMarketplaces(db, rows[i].id);
        // The importer's throughput is measured, not VTEX's rate limit (6,000 Get orders a minute
        // per account would cap each vitrine at 95 orders a second): the limit is lifted on both sides.
        rows[i] = await updateVitrineSettings(db, rows[i].id, { get_order_limit_per_minute: 1_000_000 });
        await ctx.sim.call('POST', `/_sim/${code}/settings`, { getOrderLimitPerMinute: 0 });
        // No injected latency or errors: the platform answers as fast as it can.
        await ctx.sim.call('POST', `/_sim/${code}/faults`, {
          errorRate: 0,
          timeoutRate: 0,
          latencyMs: 0,
          malformedRate: 0,
          rateLimitRate: 0,
        });
      }
    }),
  );
  return rows;
}

/** Seeds every vitrine's account with its share of the orders; returns the seconds it took. */
export async function seedOrders(
  ctx: BenchContext,
  vitrines: VitrineRow[],
  orders: number,
  offsets: number[] = [],
  lines?: PathSpec['lines'],
): Promise<number> {
  const started = performance.now();
  const shares = splitOrders(orders, vitrines.length);
  await Promise.all(
    vitrines.map((v, i) =>
      shares[i] > 0
        ? ctx.sim.call('POST', `/_sim/${v.code}/orders`, {
            generate: shares[i],
            seed: SEED_BASE + i,
            offset: offsets[i] ?? 0,
            state: 'ready-for-handling',
            render: true,
            ...(lines ? { lines } : {}),
          })
        : Promise.resolve(),
    ),
  );
  return (performance.now() - started) / 1000;
}

export async function resetAccounts(ctx: BenchContext, codes: string[]): Promise<void> {
  for (let i = 0; i < codes.length; i += 25) {
    await Promise.all(codes.slice(i, i + 25).map((code) => ctx.sim.call('POST', `/_sim/${code}/reset`).catch(() => undefined)));
  }
}

/** `expected` orders over every drain of the path, `runsPerVitrine` import runs each. */
async function checkPath(
  ctx: BenchContext,
  db: Knex,
  vitrines: VitrineRow[],
  expected: number,
  runsPerVitrine: number,
): Promise<PathCheck> {
  const [{ rows, distinct_rows: distinctRows }] = await db('sales_orders').select(
    db.raw('count(*)::int as rows'),
    db.raw('count(distinct (vitrine_id, external_order_id))::int as distinct_rows'),
  );
  const [{ blocked }] = await db('blocked_orders').select(db.raw('count(*)::int as blocked'));
  const [{ items: itemRows }] = await db('sales_order_items').select(db.raw('count(*)::int as items'));
  const runs: Array<{ status: string; n: number }> = await db('import_runs')
    .select('status', db.raw('count(*)::int as n'))
    .groupBy('status');
  let simCommitted = 0;
  let simPending = 0;
  let simInFlight = 0;
  for (const v of vitrines) {
    const stats = await ctx.sim.call<{ committed: number; feedPending: number; feedInFlight: number }>('GET', `/_sim/${v.code}/stats`);
    simCommitted += stats.committed;
    simPending += stats.feedPending;
    simInFlight += stats.feedInFlight;
  }
  const problems: string[] = [];
  if (rows !== expected) problems.push(`${rows} sales_orders rows, expected ${expected}`);
  if (distinctRows !== rows) problems.push(`${rows - distinctRows} duplicate (vitrine, external order id) rows`);
  if (blocked !== 0) problems.push(`${blocked} blocked orders`);
  if (simCommitted !== expected) problems.push(`simulator committed ${simCommitted} queue items, expected ${expected}`);
  if (simPending + simInFlight !== 0) problems.push(`${simPending + simInFlight} queue items left on the simulator`);
  const importRuns = Object.fromEntries(runs.map((r) => [r.status, r.n]));
  if ((importRuns.completed ?? 0) !== vitrines.length * runsPerVitrine) {
    problems.push(`import_runs: ${JSON.stringify(importRuns)}, expected ${vitrines.length * runsPerVitrine} completed`);
  }
  return { rows, distinctRows, itemRows, blocked, importRuns, simCommitted, simPending, simInFlight, ok: problems.length === 0, problems };
}

/** Bytes of order documents the simulator served the path's vitrines so far. */
async function documentBytes(ctx: BenchContext, vitrines: VitrineRow[]): Promise<number> {
  let bytes = 0;
  for (const v of vitrines) bytes += (await ctx.sim.call<{ getOrderBytes: number }>('GET', `/_sim/${v.code}/stats`)).getOrderBytes;
  return bytes;
}

/** Of the orders imported since t0, the end of seeding (a warm-up's orders are before). */
async function latencies(db: Knex, t0: number): Promise<PathResult['latencyMs']> {
  const result = await db.raw(
    `select min(e) as min, max(e) as max, percentile_cont(0.5) within group (order by e) as p50,
            percentile_cont(0.95) within group (order by e) as p95
       from (select extract(epoch from imported_at)::float8 * 1000 as e from sales_orders where imported_at >= ?) t`,
    [new Date(t0)],
  );
  const row = result.rows[0] as Record<string, number | string | null>;
  const ms = (v: number | string | null) => (v === null ? NaN : Math.round(Number(v) - t0));
  return { min: ms(row.min), p50: ms(row.p50), p95: ms(row.p95), max: ms(row.max) };
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Terminates what is still running on a task queue (after a failure or a timeout). */
export async function terminateTaskQueue(ctx: BenchContext, taskQueue: string): Promise<number> {
  let terminated = 0;
  try {
    for await (const wf of ctx.client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"` })) {
      await ctx.client.workflow
        .getHandle(wf.workflowId, wf.runId)
        .terminate('benchmark cleanup')
        .catch(() => undefined);
      terminated += 1;
    }
  } catch (error) {
    ctx.log(`  cleanup: could not list the workflows of ${taskQueue}: ${(error as Error).message}`);
  }
  return terminated;
}

function cpuMeter(ctx: BenchContext, kind: PathKind, workers: WorkerProcess[]): CpuMeter {
  const readers = new Map<string, () => number>();
  readers.set(kind === 'baseline' ? 'baseline process' : 'workers', () => workers.reduce((sum, w) => sum + w.cpuSeconds(), 0));
  for (const [name, read] of ctx.serviceCpu) readers.set(name, read);
  return new CpuMeter(readers);
}

/** The baseline's process, started and connected to the path's database, waiting for its vitrines. */
async function startBaselineProcess(databaseUrl: string, logPrefix: string, node?: string): Promise<WorkerProcess> {
  const baseline = new WorkerProcess('bench/baseline.ts', { DATABASE_URL: databaseUrl }, `${logPrefix}-baseline.log`, {
    readyLine: BASELINE_READY_LINE,
    ipc: true,
    nodeArgs: process.env.BENCH_BASELINE_NODE_ARGS,
    node,
  });
  try {
    await baseline.ready;
    return baseline;
  } catch (error) {
    await baseline.stop();
    throw error;
  }
}

/** Runs one path from an empty database to a drained backlog, checks it, and cleans up. */
export async function runPath(ctx: BenchContext, spec: PathSpec): Promise<PathResult> {
  const database = await createBenchDatabase(ctx.databaseServerUrl, `vitrine_bench_${ctx.runId}_${spec.tag.replace(/-/g, '_')}`);
  const codes = Array.from({ length: spec.vitrines }, (_, i) => vitrineCode(ctx, spec.tag, i));
  const taskQueue = `bench-${ctx.runId}-${spec.tag}`;
  let workers: WorkerProcess[] = [];
  const unregister = onInterrupt(async () => {
    if (spec.kind !== 'baseline') await terminateTaskQueue(ctx, taskQueue);
    if (!ctx.keepDatabases) await database.dropNow();
  });
  try {
    const vitrines = await addBenchVitrines(ctx, database.db, spec.tag, spec.vitrines);
    if (spec.kind === 'baseline') {
      workers = [await startBaselineProcess(database.url, `bench-${spec.tag}`, spec.node)];
    } else {
      workers = await startWorkers(
        ctx.client,
        spec.workers,
        spec.kind === 'per-order' ? BENCH_WORKER : PRODUCT_WORKER,
        { DATABASE_URL: database.url, TEMPORAL_ADDRESS: ctx.temporalAddress, TEMPORAL_NAMESPACE: ctx.namespace, TASK_QUEUE: taskQueue },
        `bench-${spec.tag}`,
        spec.node,
      );
    }
    // One drain of what is on the platform: the baseline process's loop, or one workflow per vitrine.
    const drain = async (
      suffix: string,
    ): Promise<{ counts: ImportCounts; handles: StartedWorkflow[]; retries?: PathResult['retries'] }> => {
      if (spec.kind === 'baseline') {
        const request: BaselineRequest = { runId: `${ctx.runId}${suffix}`, vitrineIds: vitrines.map((v) => v.id) };
        const reply = await withTimeout(workers[0].request<BaselineReply>(request), ctx.timeoutMs, spec.label);
        if (!reply.ok) throw new Error(`the baseline process failed: ${reply.message}`);
        return { counts: reply.counts, handles: [], retries: reply.retries };
      }
      const workflowType = spec.kind === 'per-order' ? 'benchImportPerOrder' : 'importVitrineOrders';
      const started = await Promise.all(
        vitrines.map((v) =>
          ctx.client.workflow.start(workflowType, {
            taskQueue,
            workflowId: `bench-${ctx.runId}-${spec.tag}-${v.code}${suffix}`,
            args: [{ vitrineCode: v.code }],
          }),
        ),
      );
      const summaries = await withTimeout(Promise.all(started.map((h) => h.result() as Promise<ImportCounts>)), ctx.timeoutMs, spec.label);
      const counts = summaries.reduce((sum, s) => {
        for (const key of Object.keys(sum) as Array<keyof ImportCounts>) sum[key] += s[key];
        return sum;
      }, zeroCounts());
      return { counts, handles: started };
    };
    // Not for the per-order variant: at its pace a warm-up would take longer than the measure.
    // A B2B warm-up is no larger than its measure: the simulator keeps every seeded document, and
    // B2B documents in the full shape are about 0.5 MB each.
    const warmUp = spec.kind === 'per-order' ? 0 : spec.lines ? Math.min(ctx.warmUpOrders, spec.orders) : ctx.warmUpOrders;
    if (warmUp > 0) {
      // Other orders of the same seeds (after the measured ones), drained before the clock starts.
      await seedOrders(ctx, vitrines, warmUp, splitOrders(spec.orders, spec.vitrines), spec.lines);
      await drain('-warm-up');
    }

    const seedSeconds = await seedOrders(ctx, vitrines, spec.orders, [], spec.lines);
    const bytesBefore = await documentBytes(ctx, vitrines);
    const t0 = Date.now();
    const started = performance.now();
    const cpu = cpuMeter(ctx, spec.kind, workers).start();
    for (const w of workers) w.startMeasuring();
    const measured = await drain('');
    const { counts, handles } = measured;
    let retries = measured.retries;
    const wallSeconds = (performance.now() - started) / 1000;
    const workerFigures: WorkerFigures[] = workers.map((w) => ({
      pid: w.pid,
      idleRssMb: mb(w.idleRssBytes),
      drainPeakRssMb: mb(w.stopMeasuring()),
      lifePeakRssMb: mb(Math.max(w.lifeRss.peakBytes, w.drainRss?.peakBytes ?? 0)),
      cpuSeconds: Math.round(w.cpuSeconds() * 10) / 10,
    }));
    const cpuSeconds = cpu.stop();
    const documentMb = mb((await documentBytes(ctx, vitrines)) - bytesBefore);

    const check = await checkPath(ctx, database.db, vitrines, spec.orders + warmUp, warmUp > 0 ? 2 : 1);
    const history = spec.kind === 'temporal' ? await historyStats(ctx, handles, workers) : undefined;
    if (history) retries = history.retries;
    const tasksByWorker = workers.length > 1 ? history?.tasksByWorker : undefined;
    return {
      ...spec,
      seedSeconds,
      wallSeconds,
      ordersPerSecond: spec.orders / wallSeconds,
      latencyMs: await latencies(database.db, t0),
      peakRssMb: Math.max(...workerFigures.map((w) => w.drainPeakRssMb)),
      documentMb,
      mbPerSecond: documentMb / wallSeconds,
      workerFigures,
      cpuSeconds: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, Math.round(v * 10) / 10])),
      check,
      tasksByWorker,
      retries,
      counts,
    };
  } finally {
    unregister();
    if (spec.kind !== 'baseline') {
      const left = await terminateTaskQueue(ctx, taskQueue);
      if (left > 0) ctx.log(`  cleanup: terminated ${left} workflow(s) still running on ${taskQueue}`);
    }
    await Promise.all(workers.map((w) => w.stop()));
    await resetAccounts(ctx, codes);
    if (ctx.keepDatabases) {
      await database.db.destroy();
      ctx.log(`  kept database ${database.name}`);
    } else {
      await database.drop();
    }
  }
}

/**
 * From every run's history (continue-as-new chains followed): activity and workflow tasks per
 * worker process, and the activity retries (an activity's attempt number says how many tries
 * failed before it; its last failure says why).
 */
async function historyStats(
  ctx: BenchContext,
  handles: StartedWorkflow[],
  workers: WorkerProcess[],
): Promise<{
  tasksByWorker: Array<{ pid: number; activityTasks: number; workflowTasks: number }>;
  retries: NonNullable<PathResult['retries']>;
}> {
  const byIdentity = new Map<string, { activityTasks: number; workflowTasks: number }>();
  const retries: NonNullable<PathResult['retries']> = { count: 0, reasons: {} };
  const bump = (identity: string | null | undefined, key: 'activityTasks' | 'workflowTasks') => {
    if (!identity) return;
    const entry = byIdentity.get(identity) ?? { activityTasks: 0, workflowTasks: 0 };
    entry[key] += 1;
    byIdentity.set(identity, entry);
  };
  for (const first of handles) {
    let runId: string | undefined = first.firstExecutionRunId;
    while (runId) {
      const history: Awaited<ReturnType<StartedWorkflow['fetchHistory']>> = await ctx.client.workflow
        .getHandle(first.workflowId, runId)
        .fetchHistory();
      const events = history.events ?? [];
      for (const event of events) {
        const started = event.activityTaskStartedEventAttributes;
        if (started) {
          bump(started.identity, 'activityTasks');
          const failedTries = (started.attempt ?? 1) - 1;
          if (failedTries > 0) {
            retries.count += failedTries;
            const reason = failureReason(started.lastFailure?.message ?? 'unknown');
            retries.reasons[reason] = (retries.reasons[reason] ?? 0) + failedTries;
          }
        }
        bump(event.workflowTaskStartedEventAttributes?.identity, 'workflowTasks');
      }
      runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
  }
  const tasksByWorker = workers.map((w) => {
    const mine = [...byIdentity].filter(([identity]) => identity.startsWith(`${w.pid}@`));
    return {
      pid: w.pid,
      activityTasks: mine.reduce((sum, [, c]) => sum + c.activityTasks, 0),
      workflowTasks: mine.reduce((sum, [, c]) => sum + c.workflowTasks, 0),
    };
  });
  return { tasksByWorker, retries };
}
