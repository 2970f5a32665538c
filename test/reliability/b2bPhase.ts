/**
 * The reliability suite's B2B phase: a page of B2B orders in VTEX's full document shape (16 lines
 * each, about 75 KB an order) and one order of 1,000 lines (about 4.5 MB), imported by the worker
 * as production starts it (bin/worker), which is SIGKILLed when half the page's documents have
 * been read and started again; then every order must be in the ERP once with all its lines, the
 * run must have gone on within a minute of the restart, and the worker's RSS must have stayed
 * under 256 MB throughout.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { RunningSimulator } from '../../src/simulator/server';
import { check, erpOrders, ordersExactlyOnce, queueDrained, type Check } from './checks';
import type { CliRecorder } from './cli';
import { sleep, type WorkerSupervisor } from './worker';

const MB = 1024 * 1024;
/** The issue's bound for a worker on such pages. */
const RSS_LIMIT_MB = 256;

export interface B2bPhaseOptions {
  db: Knex;
  sim: RunningSimulator;
  client: Client;
  worker: WorkerSupervisor;
  cli: CliRecorder;
  code: string;
  /** Orders of `lines` lines on the page, and one more of `largeLines`. */
  orders: number;
  lines: number;
  largeLines: number;
  seed: number;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface B2bPhaseRecord {
  orders: number;
  lines: number;
  largeLines: number;
  documentMb: number;
  /** Documents read when the worker was killed, of all. */
  readAtKill: number;
  killAtMs: number;
  /** From the restart to the run's next document read, and to its end. */
  resumedInMs: number;
  finishedAfterRestartMs: number;
  tookMs: number;
  peakRssMb: number;
  stats: Record<string, number>;
}

/** The peak VmRSS of whichever worker process is running, sampled every 100 ms. */
function sampleRss(worker: WorkerSupervisor): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    const pid = worker.pid;
    if (!pid) return;
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    } catch {
      // Between a kill and the next start.
    }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export async function runB2bPhase(o: B2bPhaseOptions): Promise<{ checks: Check[]; record: B2bPhaseRecord }> {
  const account = o.sim.store.account(o.code);
  const vitrineId: number = (await o.db('vitrines').where({ code: o.code }).first('id')).id;
  const expected = new Set<string>([
    ...account.generate(o.orders, o.seed, 'ready-for-handling', 0, false, { min: o.lines, max: o.lines }),
    ...account.generate(1, o.seed + 1, 'ready-for-handling', 0, false, { min: o.largeLines, max: o.largeLines }),
  ]);
  const documentBytes = [...expected].reduce((sum, id) => sum + Buffer.byteLength(account.documentJson(id)!), 0);
  o.log(
    `b2b: ${o.orders} orders of ${o.lines} lines and one of ${o.largeLines} in VTEX's full shape on ${o.code} (${(documentBytes / MB).toFixed(1)} MB of documents); the worker is killed halfway through the page`,
  );

  await o.worker.whenReady();
  const rss = sampleRss(o.worker);
  const started = Date.now();
  const { workflowId } = (await o.cli.json(['run', o.code])) as { workflowId: string };
  const reads = () => account.counters.getOrderCalls;
  const deadline = started + o.timeoutMs;
  while (reads() < o.orders / 2 && Date.now() < deadline) await sleep(20);
  await o.worker.kill();
  const readAtKill = reads();
  const killAtMs = Date.now() - started;
  o.log(`b2b: worker killed at ${(killAtMs / 1000).toFixed(1)} s, ${readAtKill} of ${expected.size} documents read`);
  const restartedAt = Date.now();
  await o.worker.start();
  while (reads() === readAtKill && Date.now() < deadline) await sleep(50);
  const resumedInMs = Date.now() - restartedAt;
  const remaining = Math.max(1000, deadline - Date.now());
  const outcome = await Promise.race([
    o.client.workflow
      .getHandle(workflowId)
      .result()
      .then(
        (summary: { imported: number; blocked: number }) => ({ summary }),
        (error: Error) => ({ error: error.message }),
      ),
    sleep(remaining).then(() => ({ error: `not finished within ${Math.round(o.timeoutMs / 1000)} s` })),
  ]);
  const finishedAfterRestartMs = Date.now() - restartedAt;
  const tookMs = Date.now() - started;
  const peakRssMb = rss.stop() / MB;
  const stats = { ...(account.stats() as Record<string, number>), ...account.counters };
  o.log(
    `b2b: run ${'summary' in outcome ? `imported ${outcome.summary.imported}, blocked ${outcome.summary.blocked}` : `failed: ${outcome.error}`}; ` +
      `went on ${(resumedInMs / 1000).toFixed(1)} s after the restart and ended ${(finishedAfterRestartMs / 1000).toFixed(1)} s after it; worker peak RSS ${peakRssMb.toFixed(1)} MB`,
  );

  const rows = await erpOrders(o.db, vitrineId);
  const checks: Check[] = [
    ...ordersExactlyOnce('b2b', rows, expected, account),
    check(
      `b2b: the worker was killed in the middle of the page and the run went on within a minute of its restart`,
      readAtKill > 0 && readAtKill < expected.size && resumedInMs < 60_000 && 'summary' in outcome,
      `killed at ${readAtKill} of ${expected.size} documents read; next read ${(resumedInMs / 1000).toFixed(1)} s after the restart; ` +
        ('summary' in outcome ? `run ended ${(finishedAfterRestartMs / 1000).toFixed(1)} s after it` : outcome.error),
    ),
    check(
      `b2b: worker peak RSS under ${RSS_LIMIT_MB} MB (bin/worker's heap settings) over ${(documentBytes / MB).toFixed(0)} MB of documents`,
      peakRssMb > 0 && peakRssMb < RSS_LIMIT_MB,
      `${peakRssMb.toFixed(1)} MB`,
    ),
    ...queueDrained('b2b', stats),
  ];
  return {
    checks,
    record: {
      orders: expected.size,
      lines: o.lines,
      largeLines: o.largeLines,
      documentMb: Math.round((documentBytes / MB) * 10) / 10,
      readAtKill,
      killAtMs,
      resumedInMs,
      finishedAfterRestartMs,
      tookMs,
      peakRssMb: Math.round(peakRssMb * 10) / 10,
      stats,
    },
  };
}
