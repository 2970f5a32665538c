/**
 * What a benchmark run found: the machine, the figures of each path, the checks, and the issue's
 * targets; as a table on stdout and as docs/BENCHMARKS.md.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { PAGE_SIZE } from '../src/workflows/importVitrineOrders';
import type { PathResult } from './paths';
import { WORKER_NODE_FLAGS } from './workers';
import { CLUSTER_TEXT } from '../test/support/stack';
import type { SchedulesResult } from './schedules';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  node: string;
  postgres: string;
  temporal: string;
}

export interface BenchReport {
  date: string;
  finishedAt: string;
  command: string;
  /** The commit measured (and whether src/ had uncommitted changes). */
  code: string;
  machine: MachineInfo;
  /** The stack's Temporal: the dev server or a cluster (npm run stack:up -- --cluster). */
  engine?: 'dev' | 'cluster';
  loadAverage: { before: number[]; after: number[] };
  options: {
    orders: number;
    vitrines: number;
    workers: number;
    variant: string;
    rounds?: number;
    perOrderOrders: number;
    schedules: number;
    backlog: number;
    warmUp?: number;
  };
  simulator: string;
  baseline?: PathResult;
  temporal?: PathResult;
  /** Baseline at the per-order variant's N, when that N differs from the main one. */
  perOrderBaseline?: PathResult;
  perOrder?: PathResult;
  twoWorkers?: PathResult;
  backlog?: PathResult;
  schedules?: SchedulesResult;
  /** With --rounds: every round's orders/s, in the order they ran (alternately). */
  rounds?: { baseline: number[]; temporal: number[] };
  /** Temporal throughput / baseline throughput (the median rounds with --rounds). */
  ratio?: number;
  /** With --b2b-orders: both paths on orders of many lines. */
  b2b?: { lines: { min: number; max: number }; baseline?: PathResult; temporal?: PathResult; ratio?: number };
  /** With --runtimes: baseline and Temporal on each Node.js binary, measured alternately. */
  runtimes?: RuntimeResult[];
  perOrderRatio?: number;
  ok: boolean;
  problems: string[];
}

export interface RuntimeResult {
  label: string;
  node: string;
  version: string;
  baseline?: PathResult;
  temporal?: PathResult;
  ratio?: number;
  rounds: { baseline: number[]; temporal: number[] };
}

const workersText = (n: number) => (n === 1 ? 'one worker' : `${n} workers`);

export function machineInfo(postgres: string, temporal: string): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres,
    temporal,
  };
}

/**
 * CPU milliseconds per order, all processes of the path together (workers or the baseline loop,
 * Postgres, the simulator, the Temporal server). The benchmark process, which reports of earlier
 * versions list, counts only where the baseline ran in it. Less sensitive to other work on the
 * machine than wall time.
 */
export function cpuMsPerOrder(r: PathResult): number {
  const total = Object.entries(r.cpuSeconds)
    .filter(([name]) => r.kind === 'baseline' || name !== 'bench process')
    .reduce((sum, [, seconds]) => sum + seconds, 0);
  return (total * 1000) / r.orders;
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? 'n/a' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function pathRows(report: BenchReport): Array<[string, PathResult]> {
  const rows: Array<[string, PathResult | undefined]> = [
    ...(report.runtimes ?? []).flatMap((r): Array<[string, PathResult | undefined]> => [
      [`baseline ${r.label}`, r.baseline],
      [`temporal ${r.label}`, r.temporal],
    ]),
    ['baseline', report.baseline],
    ['temporal', report.temporal],
    ['two workers', report.twoWorkers],
    ['per-order baseline', report.perOrderBaseline],
    ['per-order', report.perOrder],
    ['backlog', report.backlog],
    ['b2b baseline', report.b2b?.baseline],
    ['b2b temporal', report.b2b?.temporal],
  ];
  // With --workers 2 the two-worker run is the Temporal path itself: list it once.
  return rows.filter((r, i): r is [string, PathResult] => r[1] !== undefined && rows.findIndex((other) => other[1] === r[1]) === i);
}

/** The plain-text table printed at the end of a run. */
export function textTable(report: BenchReport): string {
  const header = [
    'path',
    'orders',
    'vitrines',
    'workers',
    'wall s',
    'orders/s',
    'MB/s',
    'p50 ms',
    'p95 ms',
    'peak RSS MB',
    'CPU ms/order',
    'check',
  ];
  const rows = pathRows(report).map(([, r]) => [
    r.label,
    fmt(r.orders),
    String(r.vitrines),
    r.kind === 'baseline' ? '-' : String(r.workers),
    fmt(r.wallSeconds, 1),
    fmt(r.ordersPerSecond, 1),
    fmt(r.mbPerSecond, 1),
    fmt(r.latencyMs.p50),
    fmt(r.latencyMs.p95),
    fmt(r.peakRssMb, 1),
    fmt(cpuMsPerOrder(r), 1),
    r.check.ok ? 'ok' : 'FAILED',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (report.ratio !== undefined) out.push('', `ratio temporal/baseline orders/s: ${report.ratio.toFixed(2)}`);
  if (report.b2b) {
    const lines = (r?: PathResult) => (r ? fmt((r.check.itemRows ?? 0) / Math.max(1, r.check.rows), 1) : 'n/a');
    out.push(
      `B2B mix (${report.b2b.lines.min}-${report.b2b.lines.max} lines an order, ${lines(report.b2b.temporal)} on average): ratio temporal/baseline ${fmt(report.b2b.ratio, 2)}; ` +
        `retail ${fmt(report.temporal?.ordersPerSecond, 1)} vs B2B ${fmt(report.b2b.temporal?.ordersPerSecond, 1)} orders/s through Temporal`,
    );
  }
  for (const r of report.runtimes ?? []) {
    out.push(
      `Node ${r.version} (${r.label}): ratio temporal/baseline ${fmt(r.ratio, 2)}; rounds baseline ${r.rounds.baseline.map((x) => fmt(x, 1)).join(', ')}, Temporal ${r.rounds.temporal.map((x) => fmt(x, 1)).join(', ')}`,
    );
  }
  if (report.baseline && report.temporal) {
    out.push(`ratio of CPU per order baseline/temporal: ${(cpuMsPerOrder(report.baseline) / cpuMsPerOrder(report.temporal)).toFixed(2)}`);
  }
  if (report.rounds) {
    out.push(
      `rounds (orders/s, in order): baseline ${report.rounds.baseline.map((x) => fmt(x, 1)).join(', ')}; Temporal ${report.rounds.temporal.map((x) => fmt(x, 1)).join(', ')}`,
    );
  }
  for (const [, r] of pathRows(report)) {
    if (r.retries && r.retries.count > 0) {
      out.push(
        `retried steps, ${r.label}: ${r.retries.count} (${Object.entries(r.retries.reasons)
          .map(([reason, n]) => `${n} × ${reason}`)
          .join('; ')})`,
      );
    }
  }
  if (report.perOrderRatio !== undefined) out.push(`ratio per-order/baseline orders/s: ${report.perOrderRatio.toFixed(2)}`);
  if (report.twoWorkers) {
    const c = report.twoWorkers.check;
    out.push(
      `two workers: ${c.rows} rows, ${c.distinctRows} distinct, simulator committed ${c.simCommitted}: ${c.ok ? 'no duplicates, nothing lost' : c.problems.join('; ')}`,
    );
  }
  if (report.schedules) {
    const s = report.schedules;
    out.push(
      `schedules: ${s.vitrines} vitrines every ${s.intervalMinutes} min on ${workersText(s.workers)}: ` +
        s.ticks
          .map(
            (t) =>
              `${t.tick.slice(11, 16)} ${t.completed}/${s.expectedRunsPerTick} completed, p95 finish ${fmt(t.finishLagMs.p95)} ms after the scheduled time`,
          )
          .join('; ') +
        `; ${fmt(s.ordersImported)}/${fmt(s.ordersExpected)} trickled orders imported, latency p50 ${fmt(s.latencyMs.p50)} ms, p95 ${fmt(s.latencyMs.p95)} ms` +
        `; worker peak RSS ${fmt(s.workerDrainPeakRssMb, 1)} MB${s.ok ? '' : ` (target not met: ${s.problems.join('; ')})`}`,
    );
  }
  for (const problem of report.problems) out.push(`problem: ${problem}`);
  return out.join('\n');
}

function cpuLine(r: PathResult): string {
  const parts = Object.entries(r.cpuSeconds).map(([name, s]) => `${name} ${fmt(s, 1)} s`);
  return `${parts.join(', ')} (over ${fmt(r.wallSeconds, 1)} s wall on ${os.availableParallelism()} CPUs)`;
}

function target(met: boolean | undefined): string {
  return met === undefined ? 'not measured' : met ? '**met**' : '**not met**';
}

/** docs/BENCHMARKS.md */
export function markdown(report: BenchReport): string {
  const m = report.machine;
  const o = report.options;
  const L: string[] = [];
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
  L.push('# Benchmarks', '');
  L.push(
    'Written by `npm run bench` (`bench/run.ts`); the numbers below are from the run described here, on this machine, ' +
      'and are overwritten by the next run. `npm run bench -- --help` lists the options. ' +
      'This is a measurement, not a timed test: CI runs it only with a small N (`test/e2e/bench-smoke.test.ts`) to check that it works.',
    '',
  );
  L.push('## Run', '');
  L.push(`- Command: \`${report.command}\``);
  L.push(`- Date: ${report.date} (finished ${report.finishedAt})`);
  L.push(`- Code: ${report.code}`);
  L.push(`- Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb} GB memory, ${m.kernel}; Node ${m.node}`);
  L.push(
    `- Services: ${m.postgres}; Temporal ${m.temporal}, ${report.engine === 'cluster' ? `a cluster (${CLUSTER_TEXT})` : 'the dev server'}; VTEX simulator ${report.simulator}`,
  );
  L.push(
    `- Load average (1, 5, 15 min) before: ${load(report.loadAverage.before)}; after: ${load(report.loadAverage.after)}. ` +
      'Other work on the machine (other test suites) competes for the same CPUs and shows up in these figures.',
  );
  L.push(
    `- N = ${fmt(o.orders)} orders over V = ${o.vitrines} vitrines; ${o.workers} worker(s) on the Temporal path; variant \`${o.variant}\`${(o.rounds ?? 1) > 1 ? `; ${o.rounds} rounds` : ''}${o.warmUp ? `; warm-up of ${fmt(o.warmUp)} orders per path` : ''}`,
    '',
  );

  L.push('## Results', '');
  L.push(
    '| path | orders | vitrines | workers | wall s | orders/s | documents MB | MB/s | latency p50 ms | latency p95 ms | peak RSS MB | CPU ms per order | checks |',
  );
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const [, r] of pathRows(report)) {
    L.push(
      `| ${r.label} | ${fmt(r.orders)} | ${r.vitrines} | ${r.kind === 'baseline' ? '-' : r.workers} | ${fmt(r.wallSeconds, 1)} | ${fmt(r.ordersPerSecond, 1)} | ` +
        `${fmt(r.documentMb, 1)} | ${fmt(r.mbPerSecond, 1)} | ${fmt(r.latencyMs.p50)} | ${fmt(r.latencyMs.p95)} | ${fmt(r.peakRssMb, 1)} | ${fmt(cpuMsPerOrder(r), 1)} | ${r.check.ok ? 'ok' : `FAILED: ${r.check.problems.join('; ')}`} |`,
    );
  }
  L.push('');
  if (report.ratio !== undefined) {
    const b = report.baseline!;
    const t = report.temporal!;
    L.push(
      `**Headline: the Temporal path runs at ${report.ratio.toFixed(2)} of the baseline's throughput** (${fmt(t.ordersPerSecond, 1)} vs ${fmt(b.ordersPerSecond, 1)} orders/s).`,
      '',
    );
    L.push(
      `CPU per order, all processes together: baseline ${fmt(cpuMsPerOrder(b), 1)} ms, Temporal ${fmt(cpuMsPerOrder(t), 1)} ms, a ratio of ${(cpuMsPerOrder(b) / cpuMsPerOrder(t)).toFixed(2)}: ` +
        'the throughput ratio to expect where CPU is the limit and each path has the machine to itself. It moves less with other work on the machine than the wall-time ratio does.',
      '',
    );
  }
  if (report.b2b) {
    const b = report.b2b;
    const per = (r?: PathResult) => (r ? fmt((r.check.itemRows ?? 0) / Math.max(1, r.check.rows), 1) : 'n/a');
    L.push('### B2B mix beside the retail mix', '');
    L.push(
      `The same paths on orders of ${b.lines.min} to ${b.lines.max} product lines (${per(b.temporal)} on average, against the retail mix's ` +
        `${per(report.temporal)}): baseline ${fmt(b.baseline?.ordersPerSecond, 1)} and Temporal ${fmt(b.temporal?.ordersPerSecond, 1)} orders/s ` +
        `(ratio ${fmt(b.ratio, 2)}), that is ${fmt(b.temporal ? (b.temporal.ordersPerSecond * (b.temporal.check.itemRows ?? 0)) / Math.max(1, b.temporal.check.rows) : undefined, 0)} ` +
        `product lines a second through Temporal; retail: ${fmt(report.temporal?.ordersPerSecond, 1)} orders/s.`,
      '',
    );
    L.push(
      "Every B2B order is in VTEX's full document shape (each line with its `itemAttachment`, `priceTags`, `components`, `additionalInfo` " +
        `and \`logisticsInfo\` entry, about 4.7 KB a line): ${fmt(b.temporal?.documentMb, 0)} MB of documents read through Temporal at ` +
        `${fmt(b.temporal?.mbPerSecond, 1)} MB/s (baseline ${fmt(b.baseline?.mbPerSecond, 1)} MB/s; retail ${fmt(report.temporal?.mbPerSecond, 1)} MB/s), ` +
        `worker peak RSS ${fmt(b.temporal?.peakRssMb, 1)} MB (retail ${fmt(report.temporal?.peakRssMb, 1)} MB).`,
      '',
    );
  }
  if (report.runtimes) {
    L.push('### Node.js runtimes side by side', '');
    L.push(
      "Every process of a path (the workers, or the baseline process) ran on the Node.js binary named; each round measured every runtime in turn, on the same stack and the same orders, and the table shows each one's median round.",
      '',
    );
    L.push(
      '| runtime | baseline orders/s | Temporal orders/s | ratio | CPU ms per order, baseline | CPU ms per order, Temporal | worker peak RSS MB | rounds (orders/s, baseline / Temporal) |',
    );
    L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of report.runtimes) {
      L.push(
        `| Node ${r.version} (\`${r.label}\`) | ${fmt(r.baseline?.ordersPerSecond, 1)} | ${fmt(r.temporal?.ordersPerSecond, 1)} | ${fmt(r.ratio, 2)} | ` +
          `${r.baseline ? fmt(cpuMsPerOrder(r.baseline), 2) : 'n/a'} | ${r.temporal ? fmt(cpuMsPerOrder(r.temporal), 2) : 'n/a'} | ${fmt(r.temporal?.peakRssMb, 1)} | ` +
          `${r.rounds.baseline.map((x) => fmt(x, 1)).join(', ')} / ${r.rounds.temporal.map((x) => fmt(x, 1)).join(', ')} |`,
      );
    }
    L.push('');
  }
  if (report.rounds) {
    const pairs = report.rounds.baseline.map((b, i) => (report.rounds!.temporal[i] !== undefined ? report.rounds!.temporal[i] / b : NaN));
    L.push(
      `Baseline and Temporal ran alternately ${report.rounds.baseline.length} times; the table shows each one's median round. Every round, in order: ` +
        `baseline ${report.rounds.baseline.map((x) => fmt(x, 1)).join(', ')} orders/s; Temporal ${report.rounds.temporal.map((x) => fmt(x, 1)).join(', ')} orders/s ` +
        `(ratio of each pair: ${pairs.map((x) => fmt(x, 2)).join(', ')}).`,
      '',
    );
  }
  if (report.perOrderRatio !== undefined && report.perOrder) {
    const base = report.perOrderBaseline ?? report.baseline!;
    L.push(
      `One workflow per order: ${report.perOrderRatio.toFixed(2)} of the baseline's throughput (${fmt(report.perOrder.ordersPerSecond, 1)} vs ${fmt(base.ordersPerSecond, 1)} orders/s, both at N = ${fmt(report.perOrder.orders)}` +
        `${report.perOrder.orders !== o.orders ? `; run at a smaller N than the main paths to keep it within minutes` : ''}).`,
      '',
    );
  }

  L.push('## Targets (issue, on this machine)', '');
  L.push('| target | measured | |');
  L.push('| --- | --- | --- |');
  const atN = o.orders === 20_000 ? '' : ` (at N = ${fmt(o.orders)}, not the target's 20,000)`;
  if (report.ratio !== undefined) {
    L.push(
      `| Temporal path ≥ 0.8 × baseline throughput at N = 20,000 | ${report.ratio.toFixed(2)}${atN} | ${target(o.orders === 20_000 ? report.ratio >= 0.8 : undefined)} |`,
    );
    L.push(
      `| Temporal path ≥ 1,000 orders/s at N = 20,000 | ${fmt(report.temporal!.ordersPerSecond, 1)}${atN} | ${target(o.orders === 20_000 ? report.temporal!.ordersPerSecond >= 1000 : undefined)} |`,
    );
  }
  L.push(
    `| worker peak RSS < 200 MB draining 100,000 orders | ${report.backlog ? `${fmt(report.backlog.peakRssMb, 1)} MB at ${fmt(report.backlog.orders)} orders` : 'not run (`--backlog 100000`)'} | ` +
      `${target(report.backlog && report.backlog.orders >= 100_000 ? report.backlog.peakRssMb < 200 : undefined)} |`,
  );
  if (report.b2b?.temporal) {
    const t = report.b2b.temporal;
    L.push(
      `| worker peak RSS < 256 MB on B2B orders in VTEX's full shape | ${fmt(t.peakRssMb, 1)} MB over ${fmt(t.documentMb, 0)} MB of documents (${fmt(t.orders)} orders) | ${target(t.peakRssMb < 256)} |`,
    );
  }
  if (report.schedules) {
    const s = report.schedules;
    L.push(
      `| 500 vitrines with live schedules on one worker | ${s.vitrines} vitrines: ${s.ticks.map((t) => `${t.completed}/${s.expectedRunsPerTick}`).join(', ')} runs due completed per ${s.intervalMinutes}-min window, worker peak ${fmt(s.workerDrainPeakRssMb, 1)} MB | ` +
        `${target(s.vitrines >= 500 ? s.ok : undefined)} |`,
    );
  } else {
    L.push('| 500 vitrines with live schedules on one worker | not run | not measured |');
  }
  if (report.twoWorkers) {
    L.push(
      `| two workers import nothing twice | ${report.twoWorkers.check.rows} rows, ${report.twoWorkers.check.distinctRows} distinct | ${target(report.twoWorkers.check.ok)} |`,
    );
  }
  L.push('');

  L.push('## What is measured', '');
  L.push(
    "- **Each path** gets a fresh ERP database on the stack's Postgres server and its own simulator accounts. Vitrine *i* of every path is seeded with the same seed, " +
      "so every path imports the same orders (generated `ready-for-handling`, one feed event each, each document built and serialized when seeded, as a platform serves stored documents). The simulator's faults are all 0 (no injected latency). " +
      'The orders are split evenly over the vitrines and all vitrines drain at once.',
    `- **baseline**: no Temporal. In a process of its own started as a worker is (\`node ${WORKER_NODE_FLAGS.join(' ')} --import tsx bench/baseline.ts\`), per vitrine and all vitrines concurrently, the very code the activities run in a plain loop: ` +
      `open the import run, then page by page \`fetchQueuePage\` (the VTEX connector's \`fetchQueue(${PAGE_SIZE})\`, the page kept in \`queue_pages\`), the order importer's \`importQueuePage\`, ` +
      "`processApprovedOrders` for orders already in the ERP, `commitQueueItems` (the connector's `commitQueue`), and at the end the platform notifications (when the run opened with some waiting, as the workflow does) and the run summary. " +
      "Same knex pool size (10) as a worker. Each step is retried as the workflow's retry policy retries its activity (1 s, doubling, at most 1 min apart; " +
      'not for a platform error that says it is final), so a transient error costs both paths the same.',
    `- **temporal**: the product as it runs: worker process(es) \`node ${WORKER_NODE_FLAGS.join(' ')} dist/worker/main.js\` (the Dockerfile's command) on a task queue of their own, one \`importVitrineOrders\` workflow per vitrine started at once with the Temporal client; ` +
      "wall time from the end of seeding to the last workflow's result. The worker is started (and its workflow bundle built) before the clock starts, as is the baseline's process.",
    ...(report.options.warmUp
      ? [
          `- **Warm-up**: before the measured drain, each path's processes (the baseline process, the workers) drained ${fmt(report.options.warmUp)} other orders of the same seeds, not measured: ` +
            'the figures are those of warm processes. The checks count those orders too. Not for the one-workflow-per-order variant, which would take longer to warm up than to measure.',
        ]
      : ['- **Fresh processes**: each path, each round, drains in processes started for it (no `--warm-up`).']),
    '- **orders/s** = N / wall time. **Ratio** = Temporal orders/s / baseline orders/s.',
    "- **CPU ms per order**: CPU time used during the drain by all the path's processes together (workers or the baseline process, Postgres, the simulator, the Temporal server) divided by N.",
    "- **Latency** = the order's `sales_orders.imported_at` (Postgres `now()` of its import transaction) minus the moment its feed event existed on the platform. " +
      'The whole backlog is created right before the drain starts, so that moment is the end of seeding for every order (same machine clock). ' +
      'For a backlog this is mostly queueing: p50 is about the time to drain half of it. It is not the latency of one order arriving on an idle system.',
    '- **Peak RSS**: VmRSS of each worker process, or of the baseline process, sampled every 200 ms from /proc during the drain (the highest worker is shown).',
    report.engine === 'cluster'
      ? `- **Temporal server**: the stack's cluster (\`npm run stack:up -- --cluster\`, \`scripts/temporal-cluster.sh\`: ${CLUSTER_TEXT}), the same for every path; its CPU is that of all five processes.`
      : "- **Temporal server**: the stack's dev server (`scripts/temporal.sh`: `temporal server start-dev` with a SQLite file, eager activity execution on, search attributes read from its cache), " +
          'the same for every path; a Temporal cluster is how the product scales beyond one machine (docs/DEPLOYMENT.md).',
    "- **Simulator**: a separate process (the stack's, or one the benchmark starts when `SIMULATOR_URL` is not set).",
    '- **CPU**: CPU seconds used during the drain by the workers or the baseline process, the Temporal server, Postgres (postmaster and backends) and the simulator, read from /proc ' +
      "(processes found by their listening port; a shared server's figure includes other users' work).",
    '',
  );

  L.push('## Details', '');
  for (const [, r] of pathRows(report)) {
    L.push(`### ${r.label}`, '');
    L.push(
      `- ${fmt(r.orders)} orders, ${r.vitrines} vitrines, seeded in ${fmt(r.seedSeconds, 2)} s; drained in ${fmt(r.wallSeconds, 1)} s = ${fmt(r.ordersPerSecond, 1)} orders/s`,
    );
    L.push(
      `- latency from the backlog's feed events to the ERP row: min ${fmt(r.latencyMs.min)} ms, p50 ${fmt(r.latencyMs.p50)} ms, p95 ${fmt(r.latencyMs.p95)} ms, max ${fmt(r.latencyMs.max)} ms`,
    );
    if (r.processRss)
      L.push(
        `- benchmark process RSS (the baseline ran there then): ${fmt(r.processRss.beforeMb, 1)} MB before, peak ${fmt(r.processRss.peakMb, 1)} MB (+${fmt(r.processRss.deltaMb, 1)} MB)`,
      );
    for (const w of r.workerFigures) {
      L.push(
        `- ${r.kind === 'baseline' ? 'baseline process' : 'worker'} pid ${w.pid}: RSS ${fmt(w.idleRssMb, 1)} MB idle before the drain, peak ${fmt(w.drainPeakRssMb, 1)} MB during it, ` +
          `${fmt(w.lifePeakRssMb, 1)} MB over its life${r.kind === 'baseline' ? '' : ' (workflow bundling at startup included)'}; ${fmt(w.cpuSeconds, 1)} CPU s in all (startup included)`,
      );
    }
    if (r.tasksByWorker) {
      L.push(
        `- tasks per worker (from the workflow histories): ${r.tasksByWorker.map((t) => `pid ${t.pid}: ${fmt(t.activityTasks)} activity tasks, ${fmt(t.workflowTasks)} workflow tasks`).join('; ')}`,
      );
    }
    L.push(`- CPU during the drain: ${cpuLine(r)}`);
    if (r.retries) {
      const reasons = Object.entries(r.retries.reasons).map(([reason, n]) => `${n} × ${reason}`);
      L.push(
        `- steps tried again: ${r.retries.count}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}${r.kind === 'baseline' ? ", by the baseline loop under the workflow's retry policy" : ', by Temporal (activity attempts in the histories)'}`,
      );
    }
    const c = r.check;
    L.push(
      `- checks: ${c.rows} sales_orders rows, ${c.distinctRows} distinct (vitrine, external order id), ${c.blocked} blocked, import_runs ${JSON.stringify(c.importRuns)}, ` +
        `simulator committed ${c.simCommitted}, left in the queue ${c.simPending + c.simInFlight}: ${c.ok ? 'ok' : `**FAILED**: ${c.problems.join('; ')}`}`,
    );
    L.push(`- run counts: ${JSON.stringify(r.counts)}`, '');
  }
  if (report.twoWorkers) {
    L.push('### Two workers: nothing imported twice', '');
    L.push(
      `The Temporal path again with two worker processes on one task queue (same N, same data). Afterwards: \`select count(*), count(distinct (vitrine_id, external_order_id)) from sales_orders\` = ` +
        `${report.twoWorkers.check.rows}, ${report.twoWorkers.check.distinctRows} (N = ${report.twoWorkers.orders}); simulator committed = ${report.twoWorkers.check.simCommitted}. ` +
        `${report.twoWorkers.check.ok ? 'No duplicate and nothing lost.' : `**Failed**: ${report.twoWorkers.check.problems.join('; ')}`}`,
      '',
    );
  }
  if (report.schedules) {
    const s = report.schedules;
    L.push(`### ${s.vitrines} vitrines with live schedules on ${workersText(s.workers)}`, '');
    L.push(
      `${s.vitrines} vitrines switched on, each with its schedule (the product's \`upsertVitrineSchedule\`) every ${s.intervalMinutes} min, ` +
        `each at its own phase of the interval (drawn from its code, so the starts are spread over the interval), ` +
        `all on the task queue of ${s.workers === 1 ? 'one worker process' : `${s.workers} worker processes`} (\`dist/worker/main.js\`). Creating the schedules took ${fmt(s.scheduleCreateSeconds, 1)} s; the last ones created had started their scheduler ${fmt(s.schedulersStartSeconds, 1)} s later, and the first watched window began ${s.marginSeconds} s after the create calls ` +
        `(a new schedule counts ticks from when Temporal first runs its scheduler, so a tick before that is not due). ` +
        `Every vitrine is due exactly once in each window of one interval; 30 s before each of the ${s.ticks.length} watched window(s) every vitrine got ${s.ordersPerVitrine} new orders on the platform. ` +
        `Watched for ${fmt(s.observedSeconds)} s in all, then the schedules were deleted.`,
      '',
    );
    L.push(
      '| window from (UTC) | runs due in it that started | completed | failed | still running | start lag p50 / p95 / max ms | finish lag p50 / p95 / max ms |',
    );
    L.push('| --- | ---: | ---: | ---: | ---: | --- | --- |');
    for (const t of s.ticks) {
      L.push(
        `| ${t.tick} | ${t.started} | ${t.completed} | ${t.failed} | ${t.running} | ${fmt(t.startLagMs.p50)} / ${fmt(t.startLagMs.p95)} / ${fmt(t.startLagMs.max)} | ${fmt(t.finishLagMs.p50)} / ${fmt(t.finishLagMs.p95)} / ${fmt(t.finishLagMs.max)} |`,
      );
    }
    L.push('');
    L.push(
      `Lags are from each run's scheduled time (its vitrine's phase in the interval) to the run's \`import_runs\` row (its first activity) and to its completion. Orders imported: ${fmt(s.ordersImported)} of ${fmt(s.ordersExpected)}, ` +
        `latency from each order's feed event to its ERP row p50 ${fmt(s.latencyMs.p50)} ms, p95 ${fmt(s.latencyMs.p95)} ms, max ${fmt(s.latencyMs.max)} ms (mostly the wait for the vitrine's next run), ` +
        `${s.duplicateRows} duplicates. Worker peak RSS ${fmt(s.workerDrainPeakRssMb, 1)} MB while watching (${fmt(s.workerLifePeakRssMb, 1)} MB over its life; the highest of ${s.workers}); Temporal server peak RSS ${fmt(s.temporalPeakRssMb, 1)} MB (its processes summed). ` +
        `CPU while watching: ${Object.entries(s.cpuSeconds)
          .map(([k, v]) => `${k} ${fmt(v, 1)} s`)
          .join(', ')}. ` +
        `Temporal's own count over the schedules' lives: ${fmt(s.scheduler.missedCatchupWindow)} actions missed the catch-up window (1 minute: the scheduler came to the scheduled time too late and dropped it), ` +
        `${fmt(s.scheduler.skippedOverlap)} skipped because the vitrine's previous run was still going` +
        `${s.scheduler.describeFailures > 0 ? ` (${s.scheduler.describeFailures} schedules did not answer describe within 30 s)` : ''}. ` +
        `${s.ok ? "Every run due in the watched windows completed, each before its vitrine's next scheduled time." : `**Not every scheduled run happened in time**: ${s.problems.join('; ')}.`}`,
      '',
    );
  }
  if (report.problems.length > 0) {
    L.push('## Problems in this run', '');
    for (const p of report.problems) L.push(`- ${p}`);
    L.push('');
  }
  return L.join('\n');
}
