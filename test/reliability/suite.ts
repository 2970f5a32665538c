/**
 * The reliability suite's engine, shared by the quick test (test/e2e/reliability-quick.test.ts) and the
 * full run (test/reliability/run.ts, `npm run test:reliability`).
 *
 * Two vitrines import at once through one worker process on a task queue of their own:
 * - "crash": N orders; the worker is killed with SIGKILL at random moments (seeded PRNG) and
 *   started again; optionally the Temporal dev server and Postgres are restarted mid-import.
 * - "faults": M orders behind the simulator's fault injection (5xx, timeouts, 429 with
 *   Retry-After, malformed documents), plus repeated events, an event that arrives after a later
 *   one (approved before created) and an event for an order the platform answers 404 for.
 * Runs are started with `vitrine run <code>`; items read by a killed worker come back after the
 * simulator's visibility timeout and are taken by the next run, as a later scheduled run would.
 * At the end every figure is gathered and every check evaluated (nothing asserts here).
 */
import { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { applyDatabaseMigrations, createDatabase } from '../../src/erp/db';
import { scheduleIdFor } from '../../src/shared/ids';
import { isMalformed } from '../../src/simulator/faults';
import { generatedOrderId } from '../../src/simulator/generate';
import { addVitrineArgs } from '../support/cli';
import { simulatedMarketplaceCommands } from '../support/marketplaces';
import { Rng } from '../../src/simulator/random';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import type { Account } from '../../src/simulator/store';
import { check, erpOrders, ordersExactlyOnce, queueDrained, secretsAbsent, type Check } from './checks';
import { CliRecorder } from './cli';
import { runHistories, findValues, type RunHistory } from './history';
import { runSandboxProbes, type ProbeOutcome } from './sandbox';
import { runB2bPhase, type B2bPhaseRecord } from './b2bPhase';
import { runPushPhase, type PushPhaseRecord } from './pushPhase';
import { runStatusUpdatesPhase, type StatusUpdatesPhaseRecord } from './statusUpdatesPhase';
import { sleep, WorkerSupervisor, type WorkerEvent } from './worker';

export interface FaultRates {
  errorRate: number;
  timeoutRate: number;
  rateLimitRate: number;
  malformedRate: number;
}

export interface Restart {
  service: 'temporal' | 'postgres' | 'history host';
  /** Done once the worker is back after this kill (1-based), while the import goes on. */
  afterKill: number;
  /**
   * `progress`: the phase's count of work done (orders imported, notifications sent), for a fault
   * that must see work go on while it lasts. A result with ok false fails the restart's check.
   */
  restart(context: { progress: () => Promise<number> }): Promise<void | { ok: boolean; detail: string }>;
}

export interface SuiteOptions {
  label: string;
  seed: number;
  /** Any database on the Postgres server: the suite creates a database of its own there. */
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  crashOrders: number;
  kills: number;
  /** Delay before each kill, drawn uniformly from [min, max] ms, counted from when the restarted worker's import moves again. */
  killUptimeMs: [number, number];
  /** Latency the simulator adds to every request of the crash vitrine (paces the import). */
  crashLatencyMs: number;
  faultOrders: number;
  faultRates: FaultRates;
  /** Orders of the fault vitrine that get two extra (repeated) events. */
  duplicateOrders: number;
  visibilityTimeoutMs: number;
  /** The worker's connector timeout (PLATFORM_TIMEOUT_MS). */
  platformTimeoutMs: number;
  restarts?: Restart[];
  /** Which Temporal the stack runs, for the report. */
  engine?: string;
  workerLogFile?: string;
  log?: (line: string) => void;
  /** Deadline for the import phase (runs and drain rounds). */
  importTimeoutMs: number;
  /** A run during which neither the ERP nor the platform's commits move for this long is stuck. */
  stallMs: number;
  keepDatabase?: boolean;
  /** Atualização de Status phase: orders of the crash vitrine invoiced, tracked and delivered (0: skipped). */
  statusUpdateOrders?: number;
  /** Worker kills during that phase. */
  statusUpdateKills?: number;
  /** Push phase: orders approved on a vitrine with the orders hook on (0: skipped). */
  pushOrders?: number;
  /** Approvals a second in that phase. */
  pushRatePerSecond?: number;
  /** Worker kills during that phase (the hook receiver is killed once besides). */
  pushKills?: number;
  /** B2B phase: a page of this many orders of `b2bLines` lines in VTEX's full shape, plus one of `b2bLargeLines`, the worker killed halfway (0: skipped). */
  b2bOrders?: number;
  b2bLines?: number;
  b2bLargeLines?: number;
}

export interface KillRecord {
  n: number;
  /** ms since the import was triggered */
  atMs: number;
  /** The worker's uptime: from polling to the kill. */
  uptimeMs: number;
  /** The drawn delay: from the import moving again to the kill. */
  delayMs: number;
  imported: number;
  pendingActivities: string[];
}

export interface RestartRecord {
  service: string;
  afterKill: number;
  atMs: number;
  tookMs: number;
  importedBefore: number;
  /** What a fault that checks itself saw (the history host: where its shards went). */
  outcome?: { ok: boolean; detail: string };
}

export interface RunRecord {
  vitrine: string;
  workflowId: string;
  status: string;
  summary?: Record<string, unknown>;
  why: 'first run' | 'drain round';
}

export interface SuiteReport {
  label: string;
  seed: number;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; kernel: string; node: string };
  options: Omit<SuiteOptions, 'restarts' | 'log'> & { restarts: Array<{ service: string; afterKill: number }> };
  durations: { setupMs: number; importMs: number; checksMs: number; totalMs: number };
  crash: { code: string; orders: number; events: number; stats: Record<string, number>; kills: KillRecord[]; importedAtEnd: number };
  faults: {
    code: string;
    generated: number;
    events: number;
    malformed: string[];
    notFound: string;
    outOfOrder: string;
    duplicates: string[];
    stats: Record<string, number>;
  };
  restarts: RestartRecord[];
  workerEvents: WorkerEvent[];
  unexpectedWorkerExits: number;
  runs: RunRecord[];
  drainRounds: Record<string, number>;
  /** Runs still going at the deadline, with what they were retrying. */
  stuck: string[];
  histories: Array<{
    vitrine: string;
    executions: number;
    events: number;
    retries: Record<string, number>;
    timeouts: Record<string, number>;
  }>;
  sandbox: ProbeOutcome[];
  statusUpdates?: StatusUpdatesPhaseRecord;
  push?: PushPhaseRecord;
  b2b?: B2bPhaseRecord;
  checks: Check[];
  ok: boolean;
}

const hex = (n: number) => randomBytes(n).toString('hex');

/** Retries a call through a Postgres or Temporal restart. */
async function patiently<T>(what: string, call: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      await sleep(1000);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, sleep(ms).then(() => undefined)]);
}

/** A seed whose first `count` generated orders include at least `atLeast` malformed ones at `rate`. */
function seedWithMalformed(base: number, count: number, rate: number, atLeast: number): number {
  for (let seed = base; seed < base + 10_000; seed++) {
    let n = 0;
    for (let i = 0; i < count && n < atLeast; i++) if (isMalformed(generatedOrderId(seed, i), rate)) n++;
    if (n >= atLeast) return seed;
  }
  return base;
}

export async function runReliabilitySuite(o: SuiteOptions): Promise<SuiteReport> {
  const log = o.log ?? (() => undefined);
  const t0 = Date.now();
  const startedAt = new Date().toISOString();
  const rng = new Rng(o.seed);
  const suffix = hex(3);
  const dbName = `vitrine_reliability_${suffix}`;
  const serverUrl = new URL(o.databaseUrl);
  const admin = createDatabase(o.databaseUrl, { max: 1 });
  await admin.raw(`create database ${dbName}`);
  const dbUrl = new URL(o.databaseUrl);
  dbUrl.pathname = `/${dbName}`;
  const db: Knex = createDatabase(dbUrl.toString(), { max: 4 });
  let sim: RunningSimulator | undefined;
  let client: Client | undefined;
  let worker: WorkerSupervisor | undefined;
  const codes: string[] = [];
  try {
    await applyDatabaseMigrations(db);
    sim = await startSimulator({ port: 0, host: '127.0.0.1', hangMs: 120_000 });
    const connection = await Connection.connect({ address: o.temporalAddress });
    client = new Client({ connection, namespace: o.temporalNamespace });
    const taskQueue = `reliability-${suffix}`;
    const env = {
      DATABASE_URL: dbUrl.toString(),
      TEMPORAL_ADDRESS: o.temporalAddress,
      TEMPORAL_NAMESPACE: o.temporalNamespace,
      TASK_QUEUE: taskQueue,
    };
    const cli = new CliRecorder(env);
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${sim!.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`simulator POST ${path}: HTTP ${response.status} ${await response.text()}`);
      return response.json() as Promise<any>;
    };

    // The vitrines, through the CLI as an admin would add them.
    const crashCode = `rel-crash-${suffix}`;
    const faultCode = `rel-faults-${suffix}`;
    const tokens: Record<string, string> = { [crashCode]: `tok-${hex(12)}-crash`, [faultCode]: `tok-${hex(12)}-faults` };
    for (const [code, prefix] of [
      [crashCode, 'RC'],
      [faultCode, 'RF'],
    ] as const) {
      await cli.json(
        addVitrineArgs({
          code,
          name: `Loja ${code}`,
          baseUrl: `${sim.url}/${code}`,
          appKey: `key-${code}`,
          appToken: tokens[code],
          prefix,
        }),
      );
      for (const args of simulatedMarketplaceCommands(code)) await cli.json(args);
      codes.push(code);
    }
    const listed = await cli.run(['list', '--json']);
    const listedCodes = [...codes];
    const vitrineIds = Object.fromEntries(
      (await db('vitrines').whereIn('code', codes).select('id', 'code')).map((row: { id: number; code: string }) => [row.code, row.id]),
    ) as Record<string, number>;

    // Crash vitrine: N generated orders, one event each.
    const crashAccount: Account = sim.store.account(crashCode);
    const crashIds: string[] = (await post(`/_sim/${crashCode}/orders`, { generate: o.crashOrders, seed: o.seed })).orderIds;
    await post(`/_sim/${crashCode}/faults`, { latencyMs: o.crashLatencyMs });

    // Fault vitrine. The out-of-order order's payment-approved event comes first, its
    // "created" (payment-pending) event last; some orders get repeated events, one event names
    // an order the platform does not have.
    const faultAccount: Account = sim.store.account(faultCode);
    const faultSeed = seedWithMalformed(o.seed + 1, o.faultOrders + 1, o.faultRates.malformedRate, 2);
    let outOfOrder = '';
    for (let offset = o.faultOrders; !outOfOrder; offset++) {
      const id = generatedOrderId(faultSeed, offset);
      if (isMalformed(id, o.faultRates.malformedRate)) continue;
      [outOfOrder] = (
        await post(`/_sim/${faultCode}/orders`, { generate: 1, seed: faultSeed, offset, state: 'payment-approved' })
      ).orderIds;
    }
    const faultIds: string[] = (await post(`/_sim/${faultCode}/orders`, { generate: o.faultOrders, seed: faultSeed })).orderIds;
    const duplicates: string[] = [];
    while (duplicates.length < Math.min(o.duplicateOrders, faultIds.length)) {
      const id = rng.pick(faultIds);
      if (!duplicates.includes(id)) duplicates.push(id);
    }
    // Half of them repeated right away (same page), half at the end of the queue (a later page).
    const half = Math.ceil(duplicates.length / 2);
    for (const id of duplicates.slice(0, half))
      await post(`/_sim/${faultCode}/events`, { orderId: id, state: 'ready-for-handling', count: 2 });
    const notFound = `${1_000_000_000_000 + rng.int(0, 899_999_999)}-01`;
    await post(`/_sim/${faultCode}/events`, { orderId: notFound, state: 'ready-for-handling' });
    for (const id of duplicates.slice(half))
      await post(`/_sim/${faultCode}/events`, { orderId: id, state: 'ready-for-handling', count: 2 });
    await post(`/_sim/${faultCode}/events`, { orderId: outOfOrder, state: 'payment-pending', lastState: 'order-created' });
    const allFaultIds = [outOfOrder, ...faultIds];
    const malformed = allFaultIds.filter((id) => isMalformed(id, o.faultRates.malformedRate));
    const validFaultIds = new Set(allFaultIds.filter((id) => !malformed.includes(id)));
    await post(`/_sim/${faultCode}/faults`, o.faultRates);
    for (const code of codes) await post(`/_sim/${code}/settings`, { visibilityTimeoutMs: o.visibilityTimeoutMs });
    const crashEvents = crashAccount.counters.eventsEmitted;
    const faultEvents = faultAccount.counters.eventsEmitted;
    log(
      `setup: ${o.crashOrders} orders on ${crashCode}; ${allFaultIds.length} orders (${malformed.length} malformed) and ${faultEvents} events on ${faultCode}`,
    );

    // The worker, and the first runs.
    worker = new WorkerSupervisor({ ...env, PLATFORM_TIMEOUT_MS: String(o.platformTimeoutMs) }, o.workerLogFile);
    await worker.whenReady();
    const setupMs = Date.now() - t0;
    const importStart = Date.now();
    const since = () => Date.now() - importStart;
    const runs: RunRecord[] = [];
    const firstRuns: Record<string, string> = {};
    for (const code of codes) {
      const { workflowId } = await cli.json<{ workflowId: string }>(['run', code]);
      firstRuns[code] = workflowId;
    }
    log(`import started: ${Object.values(firstRuns).join(', ')}`);

    const importedCount = async (code: string) =>
      Number((await db('sales_orders').where({ vitrine_id: vitrineIds[code] }).count({ n: '*' }))[0].n);
    const isRunning = async (workflowId: string) => {
      try {
        return (await client!.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
      } catch {
        return true; // Temporal restarting: assume it still runs
      }
    };

    // Chaos: kills at random moments, restarts after the given kills.
    const kills: KillRecord[] = [];
    const restarts: RestartRecord[] = [];
    const crashProgress = async () => `${crashAccount.counters.committed}/${await importedCount(crashCode).catch(() => -1)}`;
    for (let n = 1; n <= o.kills; n++) {
      await worker.whenReady();
      const readyAt = Date.now();
      // The kill must interrupt work: wait until the import moves again (after a kill in the middle
      // of an activity, Temporal first waits for its heartbeat or start-to-close timeout).
      const before = await crashProgress();
      while ((await crashProgress()) === before && Date.now() - readyAt < 120_000) await sleep(250);
      const delayMs = rng.int(o.killUptimeMs[0], o.killUptimeMs[1]);
      await sleep(delayMs);
      const uptimeMs = Date.now() - readyAt;
      if (!(await isRunning(firstRuns[crashCode]))) {
        log(`the crash run finished before kill ${n}`);
        break;
      }
      const described = await withTimeout(
        client.workflow
          .getHandle(firstRuns[crashCode])
          .describe()
          .catch(() => undefined),
        2000,
      );
      const pendingActivities = (described?.raw.pendingActivities ?? []).map((a) => a.activityType?.name ?? '?');
      const imported = await patiently('count', () => importedCount(crashCode));
      await worker.kill();
      kills.push({ n, atMs: since(), uptimeMs, delayMs, imported, pendingActivities });
      log(
        `kill ${n} at ${(since() / 1000).toFixed(1)} s, ${delayMs} ms after the import moved again (uptime ${uptimeMs} ms): ${imported}/${o.crashOrders} imported, in flight: ${pendingActivities.join(', ') || 'no activity'}`,
      );
      void worker.start().catch(() => undefined);
      for (const restart of (o.restarts ?? []).filter((r) => r.afterKill === n)) {
        await worker.whenReady();
        await sleep(rng.int(1000, 4000));
        const importedBefore = await patiently('count', () => importedCount(crashCode));
        const at = since();
        log(`restarting ${restart.service} (${importedBefore}/${o.crashOrders} imported)`);
        const outcome = await restart.restart({ progress: () => patiently('count', () => importedCount(crashCode)) });
        restarts.push({
          service: restart.service,
          afterKill: n,
          atMs: at,
          tookMs: since() - at,
          importedBefore,
          outcome: outcome ?? undefined,
        });
        log(`${restart.service} is back after ${((since() - at) / 1000).toFixed(1)} s${outcome ? `: ${outcome.detail}` : ''}`);
      }
    }

    // The runs finish; then runs again until the queues are empty (items the killed workers had
    // read come back after the visibility timeout). A run that makes no progress by the deadline
    // is reported with what it is stuck on, and the checks still run.
    const deadline = importStart + o.importTimeoutMs;
    const stuck: string[] = [];
    // Progress of a vitrine: orders in the ERP and events committed on the platform.
    const progress: Record<string, { signature: string; at: number }> = {};
    const stalled = async (code: string): Promise<boolean> => {
      const signature = `${sim!.store.account(code).counters.committed}/${await importedCount(code).catch(() => -1)}`;
      const last = progress[code];
      if (!last || last.signature !== signature) progress[code] = { signature, at: Date.now() };
      return Date.now() - progress[code].at > o.stallMs;
    };
    const waitClosed = async (code: string, workflowId: string, why: RunRecord['why']): Promise<boolean> => {
      progress[code] = { signature: '', at: Date.now() };
      for (;;) {
        try {
          const handle = client!.workflow.getHandle(workflowId);
          const described = await handle.describe();
          const status = described.status.name;
          if (status !== 'RUNNING') {
            const summary = status === 'COMPLETED' ? ((await handle.result()) as Record<string, unknown>) : undefined;
            runs.push({ vitrine: code, workflowId, status, summary, why });
            log(`${code}: ${workflowId} ${status}${summary ? ` ${JSON.stringify(summary)}` : ''}`);
            return status === 'COMPLETED';
          }
          const noProgress = await stalled(code);
          if (Date.now() > deadline || noProgress) {
            const pending = (described.raw.pendingActivities ?? []).map(
              (a) => `${a.activityType?.name} attempt ${a.attempt}, last failure: ${a.lastFailure?.message ?? 'none'}`,
            );
            const status = noProgress ? `NO PROGRESS FOR ${Math.round(o.stallMs / 1000)} S` : 'STILL RUNNING AT THE DEADLINE';
            runs.push({ vitrine: code, workflowId, status, why });
            stuck.push(
              `${workflowId} (${status.toLowerCase()}, ${progress[code].signature} committed/imported): ${pending.join('; ') || 'no pending activity'}`,
            );
            log(`${code}: ${workflowId} ${status.toLowerCase()}: ${pending.join('; ')}`);
            return false;
          }
        } catch {
          // Temporal restarting
        }
        await sleep(1000);
      }
    };
    const firstOk = Object.fromEntries(
      await Promise.all(codes.map(async (code) => [code, await waitClosed(code, firstRuns[code], 'first run')] as const)),
    );
    await worker.whenReady();
    const drainRounds: Record<string, number> = {};
    await Promise.all(
      codes.map(async (code) => {
        drainRounds[code] = 0;
        if (!firstOk[code]) return;
        const account = sim!.store.account(code);
        for (;;) {
          const stats = account.stats() as Record<string, number>;
          if (stats.feedPending === 0 && stats.feedInFlight === 0) return;
          if (Date.now() > deadline || drainRounds[code] >= 50) {
            stuck.push(`${code}: the queue is not empty after ${drainRounds[code]} more runs`);
            return;
          }
          // Items the killed workers read and never committed: visible again now, as after their timeout.
          if (stats.feedPending === 0) account.expireInFlight();
          drainRounds[code] += 1;
          const { workflowId } = await cli.json<{ workflowId: string }>(['run', code]);
          if (!(await waitClosed(code, workflowId, 'drain round'))) return;
        }
      }),
    );
    const importMs = since();
    await worker.stop();
    log(`import done in ${(importMs / 1000).toFixed(1)} s`);

    // Figures and checks.
    const checksStart = Date.now();
    const checks: Check[] = [];
    const crashRows = await erpOrders(db, vitrineIds[crashCode]);
    const faultRows = await erpOrders(db, vitrineIds[faultCode]);
    const crashStats = crashAccount.stats() as Record<string, number>;
    const faultStats = faultAccount.stats() as Record<string, number>;

    checks.push(
      check(
        `crash: at least ${o.kills} SIGKILLs during the import`,
        kills.length >= o.kills,
        `${kills.length} kills; imported at each: ${kills.map((k) => k.imported).join(', ')}`,
      ),
    );
    for (const restart of o.restarts ?? []) {
      const done = restarts.find((r) => r.service === restart.service);
      checks.push(
        check(
          `crash: ${restart.service} restarted during the import`,
          !!done && done.importedBefore < o.crashOrders && done.outcome?.ok !== false,
          done
            ? `after kill ${done.afterKill}, ${done.importedBefore}/${o.crashOrders} imported, back in ${done.tookMs} ms${done.outcome ? `; ${done.outcome.detail}` : ''}`
            : 'not done',
        ),
      );
    }
    checks.push(...ordersExactlyOnce(`crash (${o.crashOrders} orders)`, crashRows, new Set(crashIds), crashAccount));
    checks.push(...queueDrained('crash', crashStats));
    checks.push(
      check(
        'crash: commits = orders',
        crashStats.committed === o.crashOrders && crashEvents === o.crashOrders,
        `committed ${crashStats.committed}, orders ${o.crashOrders}`,
      ),
    );
    const crashBlocked = await db('blocked_orders').where({ vitrine_id: vitrineIds[crashCode] }).count({ n: '*' });
    checks.push(check('crash: no blocked order', Number(crashBlocked[0].n) === 0, `${crashBlocked[0].n} blocked`));

    checks.push(...ordersExactlyOnce(`faults (${validFaultIds.size} valid orders)`, faultRows, validFaultIds, faultAccount));
    checks.push(...queueDrained('faults', faultStats));
    const blocked: Array<{ external_order_id: string; reason: string; attempts: number }> = await db('blocked_orders')
      .where({ vitrine_id: vitrineIds[faultCode] })
      .select('external_order_id', 'reason', 'attempts');
    const blockedIds = new Set(blocked.map((b) => b.external_order_id));
    const expectedBlocked = new Set([...malformed, notFound]);
    checks.push(
      check(
        'faults: blocked_orders holds exactly the malformed orders and the 404 one',
        blocked.length === expectedBlocked.size && [...expectedBlocked].every((id) => blockedIds.has(id)),
        `blocked ${blocked.length} (${[...blockedIds].join(', ')}), expected ${expectedBlocked.size}: ${malformed.length} malformed + 1 not found`,
      ),
    );
    const badReasons = blocked.filter((b) =>
      b.external_order_id === notFound ? !/\b404\b/.test(b.reason) : !/invalid platform order/.test(b.reason),
    );
    checks.push(
      check(
        'faults: each blocked order has its reason',
        badReasons.length === 0 && blocked.length > 0,
        blocked.map((b) => `${b.external_order_id}: ${b.reason}`).join(' | '),
      ),
    );
    const late = faultRows.find((r) => r.external_order_id === outOfOrder);
    checks.push(
      check(
        'faults: an event older than the one already imported does not move the order back',
        !!late && late.status === 'Pagamento confirmado' && late.statuses.every((s) => s === 'Pagamento confirmado'),
        late ? `${outOfOrder}: status ${late.status}, history ${late.statuses.join(' > ')}` : `${outOfOrder} not imported`,
      ),
    );
    const dupRows = faultRows.filter((r) => duplicates.includes(r.external_order_id));
    const validDuplicates = duplicates.filter((id) => validFaultIds.has(id));
    checks.push(
      check(
        'faults: orders with repeated events imported once',
        dupRows.length === validDuplicates.length,
        `${duplicates.length} orders with 3 events each; ${dupRows.length} rows`,
      ),
    );
    checks.push(
      check(
        'faults: every kind of fault was injected',
        faultStats.faultErrors > 0 && faultStats.faultTimeouts > 0 && faultStats.faultRateLimited > 0 && faultStats.faultMalformed > 0,
        `5xx ${faultStats.faultErrors}, timeouts ${faultStats.faultTimeouts}, 429 ${faultStats.faultRateLimited}, malformed answers ${faultStats.faultMalformed} of ${faultStats.platformRequests} requests`,
      ),
    );
    const unfinished = await db('import_runs')
      .whereIn('vitrine_id', Object.values(vitrineIds))
      .whereNot({ status: 'completed' })
      .count({ n: '*' });
    checks.push(check('every import run completed (import_runs)', Number(unfinished[0].n) === 0, `${unfinished[0].n} runs not completed`));
    // No run left open: each vitrine's last run ended, one way or the other.
    const lastRuns: Array<{ code: string; status: string }> = (
      await db.raw(
        `select distinct on (v.id) v.code, r.status from import_runs r join vitrines v on v.id = r.vitrine_id
          where v.id = any(?::bigint[]) order by v.id, r.started_at desc, r.id desc`,
        [Object.values(vitrineIds)],
      )
    ).rows;
    checks.push(
      check(
        "every vitrine's last run ended (completed or failed), none left open",
        lastRuns.length === Object.keys(vitrineIds).length && lastRuns.every((r) => r.status !== 'running'),
        lastRuns.map((r) => `${r.code}: ${r.status}`).join(', '),
      ),
    );
    // Pages fetched by attempts that a kill cut short belong to their run too, and go with it.
    const pagesLeft = await db('queue_pages').whereIn('vitrine_id', Object.values(vitrineIds)).count({ n: '*' });
    checks.push(
      check('no queue page left once the runs closed (queue_pages)', Number(pagesLeft[0].n) === 0, `${pagesLeft[0].n} pages left`),
    );
    checks.push(
      check(
        `every run finished within ${Math.round(o.importTimeoutMs / 1000)} s and completed`,
        stuck.length === 0 && runs.every((r) => r.status === 'COMPLETED'),
        [...runs.map((r) => `${r.workflowId}: ${r.status}`), ...stuck].join(' | '),
      ),
    );

    // Atualização de Status: the way back to the platform, under the same faults and kills.
    let statusUpdates: StatusUpdatesPhaseRecord | undefined;
    if ((o.statusUpdateOrders ?? 0) > 0) {
      void worker.start().catch(() => undefined);
      await worker.whenReady();
      const phase = await runStatusUpdatesPhase({
        db,
        sim,
        worker,
        vitrineId: vitrineIds[crashCode],
        code: crashCode,
        orders: o.statusUpdateOrders!,
        kills: o.statusUpdateKills ?? 2,
        rng,
        // Timeouts at a tenth of the import's rate: each costs the connector's whole timeout, and a vitrine's notifications go one after the other.
        faults: {
          errorRate: o.faultRates.errorRate,
          timeoutRate: o.faultRates.timeoutRate / 10,
          rateLimitRate: o.faultRates.rateLimitRate,
        },
        timeoutMs: o.importTimeoutMs,
        log,
        enable: async () => {
          await cli.json(['enable', crashCode]);
        },
        // The same restarts as during the import, one after each of the phase's first kills.
        restarts: o.restarts,
      });
      checks.push(...phase.checks);
      statusUpdates = phase.record;
      await worker.stop();
    }

    /** A vitrine of a later phase, added through the CLI as the first ones were, with the simulator's marketplaces. */
    const addPhaseVitrine = async (code: string, kind: string, prefix: string) => {
      await cli.json(
        addVitrineArgs({
          code,
          name: `Loja ${code}`,
          baseUrl: `${sim!.url}/${code}`,
          appKey: `key-${code}`,
          appToken: (tokens[code] = `tok-${hex(12)}-${kind}`),
          prefix,
        }),
      );
      for (const args of simulatedMarketplaceCommands(code)) await cli.json(args);
      codes.push(code);
    };

    // B2B orders in VTEX's full shape: memory bounded by bytes, a worker killed mid-page.
    let b2b: B2bPhaseRecord | undefined;
    if ((o.b2bOrders ?? 0) > 0) {
      const b2bCode = `rel-b2b-${suffix}`;
      await addPhaseVitrine(b2bCode, 'b2b', 'RB');
      void worker.start().catch(() => undefined);
      const phase = await runB2bPhase({
        db,
        sim,
        client,
        worker,
        cli,
        code: b2bCode,
        orders: o.b2bOrders!,
        lines: o.b2bLines ?? 16,
        largeLines: o.b2bLargeLines ?? 1000,
        seed: o.seed + 3,
        timeoutMs: o.importTimeoutMs,
        log,
      });
      checks.push(...phase.checks);
      b2b = phase.record;
      await worker.stop();
    }

    // Push mode: the orders hook on, the worker and the hook receiver killed meanwhile.
    let push: PushPhaseRecord | undefined;
    if ((o.pushOrders ?? 0) > 0) {
      const pushCode = `rel-push-${suffix}`;
      await addPhaseVitrine(pushCode, 'push', 'RP');
      void worker.start().catch(() => undefined);
      const phase = await runPushPhase({
        db,
        sim,
        worker,
        cli,
        env,
        code: pushCode,
        orders: o.pushOrders!,
        ratePerSecond: o.pushRatePerSecond ?? 20,
        kills: o.pushKills ?? 2,
        seed: o.seed + 2,
        rng,
        timeoutMs: o.importTimeoutMs,
        log,
      });
      checks.push(...phase.checks);
      push = phase.record;
      await worker.stop();
    }

    // Secrets and customer data.
    const histories: Record<string, RunHistory[]> = {};
    for (const code of codes) {
      const known = runs.filter((r) => r.vitrine === code).map((r) => r.workflowId);
      histories[code] = await patiently(
        'history',
        async () => {
          const found = await runHistories(client!, code, known);
          const ids = new Set(found.map((h) => h.workflowId));
          if (!known.every((id) => ids.has(id))) throw new Error('runs missing from visibility');
          return found;
        },
        30_000,
      );
    }
    const allHistories = Object.values(histories).flat();
    checks.push(
      check(
        'history: every finished run read',
        allHistories.length >= runs.length,
        `${allHistories.length} executions (continue-as-new included), ${allHistories.reduce((s, h) => s + h.events, 0)} events`,
      ),
    );
    const historyText = Object.fromEntries(allHistories.map((h) => [`history ${h.workflowId}/${h.runId}`, h.text]));
    const logRows = await db('integration_log').whereIn('vitrine_id', Object.values(vitrineIds)).select();
    const runRows = await db('import_runs').whereIn('vitrine_id', Object.values(vitrineIds)).select();
    const tokenList = Object.values(tokens);
    checks.push(secretsAbsent('app tokens: not in the worker output (stdout and stderr)', { worker: worker.text }, tokenList));
    checks.push(secretsAbsent('app tokens: not in any CLI output', { cli: cli.text }, tokenList));
    checks.push(secretsAbsent('app tokens: not in Temporal history (inputs, results, failures)', historyText, tokenList));
    checks.push(
      secretsAbsent(
        'app tokens: not in integration_log, import_runs or blocked reasons',
        {
          integration_log: JSON.stringify(logRows),
          import_runs: JSON.stringify(runRows),
          blocked: JSON.stringify(blocked.map((b) => b.reason)),
        },
        tokenList,
      ),
    );
    let masked = false;
    try {
      const entries = JSON.stringify(JSON.parse(listed.stdout));
      masked =
        listedCodes.every((code) => entries.includes(code)) &&
        /encrypted \(key [0-9a-f]{12}\)/.test(entries) &&
        !tokenList.some((t) => entries.includes(t));
    } catch {
      masked = false;
    }
    checks.push(
      check(
        'app tokens: `vitrine list` shows them encrypted, never in clear',
        masked && listed.code === 0,
        listed.stdout.slice(0, 300).replace(/\s+/g, ' '),
      ),
    );

    const customers = await db('sales_orders as o')
      .join('customers as c', 'c.id', 'o.customer_id')
      .whereIn('o.vitrine_id', Object.values(vitrineIds))
      .select('c.name', 'c.email', 'c.document', 'c.phone', 'c.street', 'c.state_registration');
    const personal = new Set<string>();
    for (const c of customers)
      for (const value of Object.values(c)) if (typeof value === 'string' && value.length >= 6) personal.add(value);
    for (const [account, ids] of [
      [crashAccount, crashIds],
      [faultAccount, [...validFaultIds]],
    ] as const) {
      for (const id of ids) {
        const p = (account.document(id) as any)?.clientProfileData;
        if (!p) continue;
        for (const v of [
          p.email,
          p.document,
          p.corporateDocument,
          p.phone,
          p.corporatePhone,
          `${p.firstName} ${p.lastName}`,
          p.corporateName,
        ]) {
          if (typeof v === 'string' && v.length >= 6) personal.add(v);
        }
      }
    }
    const leaks = allHistories.flatMap((h) => findValues(h.text, personal).map((v) => `${h.workflowId}: ${v}`));
    checks.push(
      check(
        'customer data: none in Temporal history',
        leaks.length === 0 && personal.size > 0,
        leaks.length
          ? `found ${leaks.length}: ${leaks.slice(0, 5).join(' | ')}`
          : `${personal.size} values (names, e-mails, CPF/CNPJ, phones, streets) searched in ${allHistories.length} executions`,
      ),
    );

    const sandbox = await runSandboxProbes();
    checks.push(...sandbox.checks);

    const checksMs = Date.now() - checksStart;
    const report: SuiteReport = {
      label: o.label,
      seed: o.seed,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? '?',
        memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        kernel: os.release(),
        node: process.version,
      },
      options: {
        ...o,
        databaseUrl: `${serverUrl.protocol}//${serverUrl.host}`,
        restarts: (o.restarts ?? []).map((r) => ({ service: r.service, afterKill: r.afterKill })),
        log: undefined,
      } as SuiteReport['options'],
      durations: { setupMs, importMs, checksMs, totalMs: Date.now() - t0 },
      crash: { code: crashCode, orders: o.crashOrders, events: crashEvents, stats: crashStats, kills, importedAtEnd: crashRows.length },
      faults: {
        code: faultCode,
        generated: allFaultIds.length,
        events: faultEvents,
        malformed,
        notFound,
        outOfOrder,
        duplicates,
        stats: faultStats,
      },
      restarts,
      workerEvents: worker.events,
      unexpectedWorkerExits: worker.unexpectedExits,
      runs,
      drainRounds,
      stuck,
      histories: codes.map((code) => {
        const list = histories[code];
        const sum = (pick: (h: RunHistory) => Record<string, number>) => {
          const out: Record<string, number> = {};
          for (const h of list) for (const [k, v] of Object.entries(pick(h))) out[k] = (out[k] ?? 0) + v;
          return out;
        };
        return {
          vitrine: code,
          executions: list.length,
          events: list.reduce((s, h) => s + h.events, 0),
          retries: sum((h) => h.retries),
          timeouts: sum((h) => h.timeouts),
        };
      }),
      sandbox: sandbox.outcomes,
      statusUpdates,
      push,
      b2b,
      checks,
      ok: checks.every((c) => c.ok),
    };
    return report;
  } finally {
    await worker?.stop().catch(() => undefined);
    for (const code of codes) {
      await client?.schedule
        .getHandle(scheduleIdFor(code))
        .delete()
        .catch(() => undefined);
      // A run left stuck (a failed check) must not linger on a shared server.
      try {
        for await (const info of client!.workflow.list({ query: `VitrineCode = "${code}" AND ExecutionStatus = "Running"` })) {
          await client!.workflow
            .getHandle(info.workflowId)
            .terminate('reliability suite cleanup')
            .catch(() => undefined);
        }
      } catch {
        // no client, or Temporal unreachable
      }
    }
    await client?.connection.close().catch(() => undefined);
    await sim?.close().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    if (!o.keepDatabase)
      await patiently('drop database', () => admin.raw(`drop database if exists ${dbName} with (force)`), 60_000).catch(() => undefined);
    await admin.destroy().catch(() => undefined);
  }
}
