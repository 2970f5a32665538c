/**
 * The reliability suite's push phase: a vitrine with the orders hook on gets orders approved at a
 * steady rate while the worker is killed (SIGKILL) at random moments and the hook receiver is
 * killed and started again; then every order must be in the ERP exactly once, every notification
 * delivered and served, no run beside another, and the feed drained.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Knex } from 'knex';
import type { RunningSimulator } from '../../src/simulator/server';
import type { Rng } from '../../src/simulator/random';
import { freePort } from '../support/ports';
import { check, erpOrders, ordersExactlyOnce, queueDrained, type Check } from './checks';
import type { CliRecorder } from './cli';
import { sleep, type WorkerSupervisor } from './worker';

const REPO = path.resolve(__dirname, '..', '..');

/** The hook receiver as its own process (dist/hooks/main.js), killed with SIGKILL and started again on its port. */
class ReceiverProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(
    private readonly env: Record<string, string>,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): Promise<void> {
    const child = spawn(process.execPath, [path.join(REPO, 'dist/hooks/main.js')], {
      cwd: REPO,
      env: { ...process.env, ...this.env, HOOKS_HOST: '127.0.0.1', HOOKS_PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (chunk) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk) => (this.output += chunk.toString()));
    return new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        if (chunk.toString().includes('hook receiver on')) {
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) =>
        reject(new Error(`the hook receiver exited before it was ready (code ${code}, signal ${signal})`)),
      );
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await gone;
    this.child = undefined;
  }
}

export interface PushPhaseOptions {
  db: Knex;
  sim: RunningSimulator;
  worker: WorkerSupervisor;
  cli: CliRecorder;
  /** The service settings the receiver runs with (as the worker's). */
  env: Record<string, string>;
  code: string;
  orders: number;
  ratePerSecond: number;
  kills: number;
  seed: number;
  rng: Rng;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface PushPhaseRecord {
  orders: number;
  ratePerSecond: number;
  kills: Array<{ n: number; atMs: number }>;
  receiverRestartAtMs: number | null;
  /** From the first approval to the last order in the ERP. */
  tookMs: number;
  runs: number;
  hookRuns: number;
  /** Runs asked for afterwards to drain the feed, as scheduled runs would. */
  drainRounds: number;
  stats: Record<string, number>;
}

export async function runPushPhase(o: PushPhaseOptions): Promise<{ checks: Check[]; record: PushPhaseRecord }> {
  const account = o.sim.store.account(o.code);
  const vitrineId: number = (await o.db('vitrines').where({ code: o.code }).first('id')).id;
  const receiver = new ReceiverProcess(o.env, await freePort());
  await receiver.start();
  // VTEX retries for days; the phase waits seconds between tries so that it ends within minutes.
  account.hook.retry = { hookRetryInitialMs: 250, hookRetryMaxMs: 2000, hookMaxAttempts: 100 };
  await o.cli.json(['hook', o.code, 'enable', '--url', receiver.url]);
  await o.cli.json(['enable', o.code]);
  await o.worker.whenReady();
  o.log(
    `push: ${o.orders} orders approved at ${o.ratePerSecond}/s on ${o.code} with the hook on; ${o.kills} worker kills and a receiver kill meanwhile`,
  );

  const expected = new Set<string>();
  const started = Date.now();
  const kills: PushPhaseRecord['kills'] = [];
  let receiverRestartAtMs: number | null = null;
  const killer = (async () => {
    for (let n = 1; n <= o.kills; n++) {
      await sleep(o.rng.int(1000, 4000));
      await o.worker.whenReady();
      await o.worker.kill();
      kills.push({ n, atMs: Date.now() - started });
      o.log(`push: worker kill ${n} at ${((Date.now() - started) / 1000).toFixed(1)} s (${expected.size} orders approved)`);
      void o.worker.start().catch(() => undefined);
      if (n === 1) {
        // The receiver dies too (SIGKILL: notifications in flight are lost to it, the platform retries).
        await receiver.kill();
        receiverRestartAtMs = Date.now() - started;
        o.log(`push: hook receiver killed at ${(receiverRestartAtMs / 1000).toFixed(1)} s`);
        await sleep(o.rng.int(1000, 3000));
        await receiver.start();
        o.log(`push: hook receiver back at ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    }
  })();
  // Approvals: a tenth of the rate every 100 ms.
  const perTick = o.ratePerSecond / 10;
  let carried = 0;
  for (let tick = 0; expected.size < o.orders; tick++) {
    const due = started + tick * 100;
    if (due > Date.now()) await sleep(due - Date.now());
    carried += perTick;
    const count = Math.min(Math.floor(carried), o.orders - expected.size);
    carried -= count;
    for (const id of account.generate(count, o.seed, 'ready-for-handling', expected.size)) expected.add(id);
  }
  await killer;
  await o.worker.whenReady();

  // Every order in the ERP, every notification delivered and served, every run ended: or the deadline.
  const deadline = Date.now() + o.timeoutMs;
  let inErp = 0;
  let tookMs = 0;
  const waiting = async () => Number((await o.db('hook_notifications').where({ vitrine_id: vitrineId }).count({ n: '*' }))[0].n);
  const running = async () =>
    Number((await o.db('import_runs').where({ vitrine_id: vitrineId, status: 'running' }).count({ n: '*' }))[0].n);
  while (Date.now() < deadline) {
    inErp = (await erpOrders(o.db, vitrineId)).length;
    if (inErp >= expected.size && tookMs === 0) tookMs = Date.now() - started;
    if (tookMs > 0 && account.hook.pending === 0 && (await waiting()) === 0 && (await running()) === 0) break;
    await sleep(250);
  }
  const stats = { ...account.counters, ...account.hook.counters, hookPending: account.hook.pending };
  const runs: Array<{
    hooked: number;
    started_at: Date;
    finished_at: Date | null;
    status: string;
    workflow_id: string;
    failure_type: string | null;
    failure_message: string | null;
  }> = await o
    .db('import_runs')
    .where({ vitrine_id: vitrineId })
    .orderBy('started_at')
    .select('hooked', 'started_at', 'finished_at', 'status', 'workflow_id', 'failure_type', 'failure_message');
  const overlapping = runs.filter((r, i) => i > 0 && (!runs[i - 1].finished_at || r.started_at < runs[i - 1].finished_at!)).length;
  o.log(
    `push: ${inErp} of ${expected.size} orders in the ERP after ${(tookMs / 1000).toFixed(1)} s; ${runs.length} runs, ` +
      `${runs.filter((r) => r.hooked > 0).length} served notifications; ${stats.hookDelivered} of ${stats.hookNotifications} notifications delivered in ${stats.hookAttempts} tries`,
  );

  // The schedule's part: runs drain what the feed still holds (the events of the hooked orders);
  // items a killed worker read and never committed are made visible again, as after their timeout.
  let drainRounds = 0;
  for (; drainRounds < 10; drainRounds++) {
    const queue = account.stats() as Record<string, number>;
    if (queue.feedPending === 0 && queue.feedInFlight === 0) break;
    if (queue.feedPending === 0) account.expireInFlight();
    await o.cli.json(['run', o.code, '--wait']);
  }
  const feed = account.stats() as Record<string, number>;
  await receiver.kill('SIGTERM');
  await o.cli.json(['hook', o.code, 'disable']);

  const checks: Check[] = [
    ...ordersExactlyOnce('push', await erpOrders(o.db, vitrineId), expected, account),
    check(
      `push: ${o.kills} worker SIGKILLs and a hook receiver SIGKILL while orders were approved and served`,
      kills.length === o.kills && receiverRestartAtMs !== null,
      `worker kills at ${kills.map((k) => `${(k.atMs / 1000).toFixed(1)} s`).join(', ')}; receiver killed at ${receiverRestartAtMs === null ? 'never' : `${(receiverRestartAtMs / 1000).toFixed(1)} s`}`,
    ),
    check(
      'push: every notification delivered in the end, none dropped; the receiver being away made the platform retry',
      stats.hookDelivered === stats.hookNotifications && stats.hookDropped === 0 && stats.hookFailures > 0,
      `${stats.hookDelivered} of ${stats.hookNotifications} delivered, ${stats.hookFailures} failed tries, ${stats.hookDropped} dropped`,
    ),
    check(
      'push: runs served the notifications (ImportTrigger hook), and no notification is left waiting',
      runs.some((r) => r.hooked > 0) && (await waiting()) === 0,
      `${runs.filter((r) => r.hooked > 0).length} of ${runs.length} runs served ${runs.reduce((s, r) => s + r.hooked, 0)} notifications; ${await waiting()} waiting`,
    ),
    check(
      'push: never two runs of the vitrine at once, and every run ended',
      overlapping === 0 && runs.every((r) => r.status !== 'running'),
      `${runs.length} runs, ${overlapping} overlapping, ${runs.filter((r) => r.status === 'failed').length} failed` +
        runs
          .filter((r) => r.status === 'failed')
          .map(
            (r) =>
              `; ${r.workflow_id} ${r.started_at.toISOString()}..${r.finished_at?.toISOString()}: ${r.failure_type}: ${r.failure_message}`,
          )
          .join(''),
    ),
    ...queueDrained('push', feed),
  ];
  return {
    checks,
    record: {
      orders: expected.size,
      ratePerSecond: o.ratePerSecond,
      kills,
      receiverRestartAtMs,
      tookMs,
      runs: runs.length,
      hookRuns: runs.filter((r) => r.hooked > 0).length,
      drainRounds,
      stats,
    },
  };
}
