/**
 * Many vitrines with live schedules on one or more workers: V vitrines switched on, each with its Temporal
 * Schedule every I minutes (the product's own upsertVitrineSchedule, so each vitrine starts at its
 * own phase of the interval), all pointing at the task queue of the worker processes
 * (src/worker/main.ts; --schedule-workers). The watch is W windows of one interval each: every vitrine is due exactly
 * once in each. Orders trickle in: 30 s before each window every vitrine gets K new orders. It
 * reports, per window, how many of the runs due in it started and completed and how late after
 * their scheduled time, the latency from each order's feed event to its ERP row, and the worker's
 * memory and CPU; then it deletes the schedules and terminates whatever they still run.
 */
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { updateVitrineSettings } from '../src/erp/store/vitrines';
import { deleteVitrineSchedule, upsertVitrineSchedule } from '../src/scheduling/vitrineSchedules';
import { scheduleIdFor } from '../src/shared/ids';
import type { VitrineRow } from '../src/erp/tables';
import { addBenchVitrines, PRODUCT_WORKER, resetAccounts, SEED_BASE, terminateTaskQueue, vitrineCode, type BenchContext } from './paths';
import { CpuMeter, mb, rssBytes, RssSampler } from './procstat';
import { createBenchDatabase, onInterrupt } from './services';
import { startWorkers, type WorkerProcess } from './workers';

export interface ScheduleTick {
  tick: string;
  started: number;
  completed: number;
  failed: number;
  running: number;
  /** From the run's scheduled time (its vitrine's phase in the interval) to its import_runs row (its first activity). */
  startLagMs: { p50: number; p95: number; max: number };
  /** From the run's scheduled time to its completion. */
  finishLagMs: { p50: number; p95: number; max: number };
}

export interface SchedulesResult {
  vitrines: number;
  /** New orders per vitrine before each watched tick. */
  ordersPerVitrine: number;
  intervalMinutes: number;
  scheduleCreateSeconds: number;
  /** Seconds from the last schedule created to the first watched tick. */
  marginSeconds: number;
  /** Seconds from the last schedule created until the last ones created had started their scheduler. */
  schedulersStartSeconds: number;
  /** From each order's feed event (seeded ~30 s before a tick) to its ERP row. */
  latencyMs: { p50: number; p95: number; max: number };
  ticks: ScheduleTick[];
  expectedRunsPerTick: number;
  ordersImported: number;
  ordersExpected: number;
  /** Correctness: an order imported twice. Anything else here is a measurement. */
  duplicateRows: number;
  /** Worker processes the schedules ran on. */
  workers: number;
  /** The highest worker's peak while watching, and over its life. */
  workerDrainPeakRssMb: number;
  workerLifePeakRssMb: number;
  /** Peak of the Temporal server's processes' VmRSS summed (sampled every second while watching). */
  temporalPeakRssMb: number;
  cpuSeconds: Record<string, number>;
  observedSeconds: number;
  /**
   * From the schedules' own descriptions at the end: actions Temporal dropped because it came to
   * them later than the catch-up window (1 minute), or skipped because the previous run was still
   * going (overlap policy skip). `describeFailures`: schedules that did not answer within 30 s.
   */
  scheduler: { missedCatchupWindow: number; skippedOverlap: number; describeFailures: number };
  /** Every run of every watched tick completed and every trickled order was imported. */
  ok: boolean;
  /** Why `ok` is false: runs that did not start or finish, orders not imported (yet), duplicates. */
  problems: string[];
}

async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]);
}

/** K new orders on every vitrine (batch `batch`: generator indexes batch*K ..); returns order id -> time. */
async function trickle(
  ctx: BenchContext,
  vitrines: VitrineRow[],
  perVitrine: number,
  batch: number,
  seededAt: Map<string, number>,
): Promise<void> {
  await mapLimit(
    vitrines.map((v, i) => ({ v, i })),
    25,
    async ({ v, i }) => {
      const { orderIds } = await ctx.sim.call<{ orderIds: string[] }>('POST', `/_sim/${v.code}/orders`, {
        generate: perVitrine,
        render: true,
        seed: SEED_BASE + i,
        state: 'ready-for-handling',
        offset: batch * perVitrine,
      });
      const at = Date.now();
      for (const id of orderIds) seededAt.set(`${v.id}/${id}`, at);
    },
  );
}

const TICK_OF_WORKFLOW = /-(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$/;

/** Runs by the watched window their scheduled time falls in; lags from that scheduled time. */
async function tickFigures(db: Knex, ticks: number[], intervalMs: number): Promise<ScheduleTick[]> {
  const runs: Array<{ workflow_id: string; status: string; started_at: Date; finished_at: Date | null }> = await db('import_runs').select(
    'workflow_id',
    'status',
    'started_at',
    'finished_at',
  );
  const pct = percentile;
  return ticks.map((tick) => {
    const mine = runs
      .map((r) => ({ ...r, due: Date.parse(TICK_OF_WORKFLOW.exec(r.workflow_id)?.[1] ?? '') }))
      .filter((r) => r.due >= tick && r.due < tick + intervalMs);
    const startLags = mine.map((r) => r.started_at.getTime() - r.due);
    const finishLags = mine.filter((r) => r.finished_at).map((r) => r.finished_at!.getTime() - r.due);
    return {
      tick: new Date(tick).toISOString(),
      started: mine.length,
      completed: mine.filter((r) => r.status === 'completed').length,
      failed: mine.filter((r) => r.status === 'failed').length,
      running: mine.filter((r) => r.status === 'running').length,
      startLagMs: { p50: pct(startLags, 0.5), p95: pct(startLags, 0.95), max: pct(startLags, 1) },
      finishLagMs: { p50: pct(finishLags, 0.5), p95: pct(finishLags, 0.95), max: pct(finishLags, 1) },
    };
  });
}

/**
 * When every one of these schedules (the last created) has run its scheduler: each describes with
 * its next action times. Gives up after 5 minutes (the window then starts anyway).
 */
async function schedulersStarted(ctx: BenchContext, codes: string[]): Promise<number> {
  const waiting = new Set(codes);
  const deadline = Date.now() + 5 * 60_000;
  while (waiting.size > 0 && Date.now() < deadline) {
    await Promise.all(
      [...waiting].map(async (code) => {
        try {
          const described = await ctx.client.schedule.getHandle(scheduleIdFor(code)).describe();
          if (described.info.nextActionTimes.length > 0) waiting.delete(code);
        } catch {
          // not answering yet
        }
      }),
    );
    if (waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (waiting.size > 0) ctx.log(`  ${waiting.size} schedule(s) had not started their scheduler after 5 minutes`);
  return Date.now();
}

export async function runSchedules(
  ctx: BenchContext,
  options: { vitrines: number; ordersPerVitrine: number; ticks: number; intervalMinutes: number; workers?: number },
): Promise<SchedulesResult> {
  const tag = 'sc';
  const { intervalMinutes } = options;
  const database = await createBenchDatabase(ctx.databaseServerUrl, `vitrine_bench_${ctx.runId}_${tag}`);
  const codes = Array.from({ length: options.vitrines }, (_, i) => vitrineCode(ctx, tag, i));
  const taskQueue = `bench-${ctx.runId}-${tag}`;
  let workers: WorkerProcess[] = [];
  const created: string[] = [];
  const unregister = onInterrupt(async () => {
    await mapLimit(created, 16, (code) => deleteVitrineSchedule(ctx.client, code).catch(() => undefined));
    await terminateTaskQueue(ctx, taskQueue);
    if (!ctx.keepDatabases) await database.dropNow();
  });
  try {
    ctx.log(`  adding ${options.vitrines} vitrines`);
    const vitrines = await addBenchVitrines(ctx, database.db, tag, options.vitrines);
    for (const v of vitrines)
      await updateVitrineSettings(database.db, v.id, { import_orders: true, import_interval_minutes: intervalMinutes });
    workers = await startWorkers(
      ctx.client,
      options.workers ?? 1,
      PRODUCT_WORKER,
      { DATABASE_URL: database.url, TEMPORAL_ADDRESS: ctx.temporalAddress, TEMPORAL_NAMESPACE: ctx.namespace, TASK_QUEUE: taskQueue },
      `bench-${tag}`,
    );
    const all = workers;
    const cpu = new CpuMeter(new Map([['worker', () => all.reduce((sum, w) => sum + w.cpuSeconds(), 0)], ...ctx.serviceCpu])).start();
    for (const w of all) w.startMeasuring();
    const temporalRss = new RssSampler(() => ctx.temporalPids.reduce((sum, pid) => sum + (rssBytes(pid) ?? 0), 0), 1000).start();
    const observeStart = performance.now();

    ctx.log(`  creating ${options.vitrines} schedules (every ${intervalMinutes} min, on) for task queue ${taskQueue}`);
    const createStart = performance.now();
    await mapLimit(vitrines, 16, async (v) => {
      await upsertVitrineSchedule(ctx.client, taskQueue, { code: v.code, importOrders: true, intervalMinutes });
      created.push(v.code);
    });
    const scheduleCreateSeconds = (performance.now() - createStart) / 1000;

    // Each vitrine runs once in any window of one interval, at its phase. A new schedule counts its
    // ticks from when Temporal first runs its scheduler, not from the create call, and a server
    // that was just handed hundreds of schedules gets to the last ones tens of seconds later: the
    // first window starts once the last schedules created answer with their next action times
    // (their scheduler ran), and at least 30 s after the create calls.
    const createdAt = Date.now();
    const schedulersStartedAt = await schedulersStarted(ctx, created.slice(-20));
    const intervalMs = intervalMinutes * 60_000;
    const firstTick = Math.ceil(Math.max(createdAt + 30_000, schedulersStartedAt + 10_000) / 1000) * 1000;
    const ticks = Array.from({ length: options.ticks }, (_, i) => firstTick + i * intervalMs);
    const lastTick = ticks[ticks.length - 1];
    const expected = options.vitrines * options.ticks;
    ctx.log(
      `  schedulers started ${((schedulersStartedAt - createdAt) / 1000).toFixed(1)} s after the create calls; watching ${options.ticks} window(s) of ${intervalMinutes} min from ${new Date(firstTick).toISOString().slice(11, 19)} (UTC), ${options.ordersPerVitrine} new orders per vitrine 30 s before each; each vitrine runs once per window, at its phase`,
    );
    const seededAt = new Map<string, number>();
    for (const [batch, tick] of ticks.entries()) {
      const wait = tick - 30_000 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (options.ordersPerVitrine > 0) await trickle(ctx, vitrines, options.ordersPerVitrine, batch, seededAt);
    }
    // Until every run of the watched ticks finished, or the next tick is near.
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      if (Date.now() < lastTick + intervalMs) continue;
      const figures = await tickFigures(database.db, ticks, intervalMs);
      const finished = figures.reduce((sum, t) => sum + t.completed + t.failed, 0);
      if (finished >= expected || Date.now() > lastTick + intervalMs + 55_000) break;
    }
    const observedSeconds = (performance.now() - observeStart) / 1000;
    // A busy scheduler answers describe slowly: ask all at once, and give up after 30 s.
    const scheduler = { missedCatchupWindow: 0, skippedOverlap: 0, describeFailures: 0 };
    const giveUp = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 30_000).unref());
    giveUp.catch(() => undefined);
    await mapLimit(created, 100, async (code) => {
      try {
        const described = await Promise.race([ctx.client.schedule.getHandle(scheduleIdFor(code)).describe(), giveUp]);
        scheduler.missedCatchupWindow += described.info.numActionsMissedCatchupWindow;
        scheduler.skippedOverlap += described.info.numActionsSkippedOverlap;
      } catch {
        scheduler.describeFailures += 1;
      }
    });
    const workerDrainPeak = Math.max(...all.map((w) => w.stopMeasuring()));
    const temporalPeak = temporalRss.stop();
    const cpuSeconds = cpu.stop();
    const figures = await tickFigures(database.db, ticks, intervalMs);
    const [{ rows, distinct_rows: distinctRows }] = await database
      .db('sales_orders')
      .select(
        database.db.raw('count(*)::int as rows'),
        database.db.raw('count(distinct (vitrine_id, external_order_id))::int as distinct_rows'),
      );
    const imported: Array<{ vitrine_id: number; external_order_id: string; imported_at: Date }> = await database
      .db('sales_orders')
      .select('vitrine_id', 'external_order_id', 'imported_at');
    const lags = imported
      .map((r) => r.imported_at.getTime() - (seededAt.get(`${r.vitrine_id}/${r.external_order_id}`) ?? NaN))
      .filter((lag) => !Number.isNaN(lag));
    const ordersExpected = options.vitrines * options.ordersPerVitrine * options.ticks;
    const problems: string[] = [];
    for (const t of figures) {
      if (t.completed !== options.vitrines)
        problems.push(
          `window from ${t.tick}: ${t.completed} of the ${options.vitrines} runs due completed (${t.started} started, ${t.failed} failed)`,
        );
      // A run still going at its vitrine's next scheduled time makes the schedule skip that one.
      if (t.finishLagMs.max >= intervalMs)
        problems.push(`window from ${t.tick}: a run finished ${t.finishLagMs.max} ms after its scheduled time, past the interval`);
    }
    if (rows !== ordersExpected) problems.push(`${rows} orders imported, expected ${ordersExpected}`);
    if (distinctRows !== rows) problems.push(`${rows - distinctRows} duplicate rows`);
    return {
      vitrines: options.vitrines,
      ordersPerVitrine: options.ordersPerVitrine,
      intervalMinutes,
      scheduleCreateSeconds,
      marginSeconds: Math.round((firstTick - createdAt) / 1000),
      schedulersStartSeconds: Math.round((schedulersStartedAt - createdAt) / 100) / 10,
      latencyMs: { p50: percentile(lags, 0.5), p95: percentile(lags, 0.95), max: percentile(lags, 1) },
      ticks: figures,
      expectedRunsPerTick: options.vitrines,
      ordersImported: rows,
      ordersExpected,
      duplicateRows: rows - distinctRows,
      workers: all.length,
      workerDrainPeakRssMb: mb(workerDrainPeak),
      workerLifePeakRssMb: mb(Math.max(...all.map((w) => w.lifeRss.peakBytes))),
      temporalPeakRssMb: mb(temporalPeak),
      cpuSeconds: Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, Math.round(v * 10) / 10])),
      observedSeconds,
      scheduler,
      ok: problems.length === 0,
      problems,
    };
  } finally {
    unregister();
    ctx.log(`  deleting ${created.length} schedules`);
    await mapLimit(created, 16, (code) => deleteVitrineSchedule(ctx.client, code).catch(() => undefined));
    const left = await terminateTaskQueue(ctx, taskQueue);
    if (left > 0) ctx.log(`  terminated ${left} run(s) still going`);
    await Promise.all(workers.map((w) => w.stop()));
    await resetAccounts(ctx, codes);
    if (ctx.keepDatabases) await database.db.destroy();
    else await database.drop();
  }
}
