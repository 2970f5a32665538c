/**
 * `npm run bench` (scripts/bench.sh brings the stack up first): the import's throughput, latency
 * and worker memory through the real stack, side by side with a baseline that runs the same code
 * without Temporal; see docs/BENCHMARKS.md for what is measured and the last figures.
 *
 *   npm run bench -- [--orders 20000] [--vitrines 10] [--workers 1] [--variant batch|per-order|all|schedules]
 *                    [--per-order-orders N] [--schedules 500] [--schedule-orders 2] [--schedule-interval 5] [--schedule-windows 1]
 *                    [--backlog 0] [--warm-up 0] [--out docs/BENCHMARKS.md] [--no-write] [--json FILE]
 *                    [--keep-databases] [--timeout-minutes 60]
 *
 * Needs DATABASE_URL (a server where it may create databases), TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE and, optionally, SIMULATOR_URL (else it starts a simulator process).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createDatabase } from '../src/erp/db';
import { runPath, type BenchContext, type PathResult, type PathSpec } from './paths';
import { listeningPid, treeCpuSeconds } from './procstat';
import { machineInfo, markdown, textTable, type BenchReport } from './report';
import { runSchedules } from './schedules';
import { CLUSTER_SERVICES, stackTemporalMode } from '../test/support/stack';
import { runStatusUpdates, statusUpdatesMarkdown, writeStatusUpdatesReport } from './statusUpdates';
import { rateLimitMarkdown, runRateLimit, writeRateLimitReport } from './rateLimit';
import { pushMarkdown, runPush, sectionsOf, writePushReport } from './push';
import type { SingleVitrineOptions } from './cliVitrine';
import { VTEX_GET_ORDER_LIMIT_PER_MINUTE } from '../src/platform/connectors';
import { installInterruptHandlers, openSimulator, portOf, REPO, shortId } from './services';

const USAGE = `usage: npm run bench -- [options]

  --orders N            orders per measured path (default 20000)
  --vitrines V          vitrines the orders are spread over (default 10)
  --workers W           worker processes on the Temporal path (default 1)
  --variant V           batch: baseline and the Temporal path (default)
                        per-order: baseline and the one-workflow-per-order variant
                        all: batch, two workers, per-order, and the live schedules
                        schedules: only the live schedules
                        baseline: only the baseline (for profiling the import code)
                        status-updates: Atualização de Status, ERP commit to platform
                        rate-limit: a drain at full speed against the platform's Get order
                        limit (--limit, default VTEX's 6000 a minute); --orders default 6000
                        change, p50 and p95 (--orders default 300, --rate default 20)
  --push                push mode: latency from the platform's change to the ERP row with the
                        orders hook on, --vitrines vitrines (default 10) at each of --push-rates
                        orders a second per vitrine (default 10,50,100) for --push-seconds
                        (default 20), then the schedule alone; writes docs/benchmarks/<date>-push.md
                        and its section of docs/BENCHMARKS.md
  --rate R              status-updates: changes per second the ERP makes (default 20)
  --limit L             rate-limit: Get order calls a minute the platform allows (default 6000)
  --per-order-orders N  N for the per-order variant (default: --orders, at most 2000)
  --schedules S         vitrines with live schedules in --variant all (default 500; 0 skips)
  --schedule-orders K   new orders per scheduled vitrine 30 s before each watched window (default 2)
  --schedule-interval I the schedules' interval in minutes (default 5; the product's default is 15)
  --schedule-windows W  windows of one interval to watch; every vitrine is due once in each (default 1)
  --schedule-workers N  worker processes the live schedules run on (default 1)
  --backlog B           also drain a backlog of B orders on one worker for its peak RSS (default 0: no)
  --warm-up W           each path's processes first drain W other orders, not measured, so that
                        the figures are those of warm processes (default 0: fresh processes)
  --out FILE            the report to write (default docs/BENCHMARKS.md)
  --no-write            print only, write no report
  --json FILE           also write the results as JSON
  --keep-databases      keep the benchmark databases (default: dropped)
  --rounds R            measure baseline and Temporal R times, alternately, and keep each one's
                        median round (default 1); for a busy machine
  --b2b-orders N        also measure baseline and Temporal on a B2B mix of N orders of 10 to 200
                        product lines each in VTEX's full document shape (about 4.7 KB a line):
                        orders/s, MB/s of documents and peak RSS (default 0: no; --variant all: 2000)
  --runtimes L=NODE,... measure baseline and Temporal on each Node.js binary, alternately per
                        round (e.g. 24=.tools/node/bin/node,20=/usr/bin/node): every process of
                        a path (the workers, the baseline) runs on it; only with --variant batch
  --timeout-minutes M   give up on a path after M minutes (default 60)
  --from-json FILE      measure nothing: print and write the report of an earlier run's --json

Environment: BENCH_WORKER_NODE_ARGS adds node flags to the workers and the baseline process
(e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"); BENCH_BASELINE_NODE_ARGS adds node flags to the
baseline process only, after the workers' (e.g. "--max-old-space-size=4096
--max-semi-space-size=16" lifts the workers' memory caps); BENCH_BASELINE_ALS=1 runs the
baseline's loops inside an AsyncLocalStorage context, as the SDK runs activities
(docs/PERFORMANCE.md).
`;

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`bench: ${name} must be an integer of at least ${min}, got "${raw}"\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

/** Product lines per order of the B2B mix. */
const B2B_LINES = { min: 10, max: 200 };

interface Runtime {
  label: string;
  node: string;
  version: string;
  baselineRounds: PathResult[];
  temporalRounds: PathResult[];
}

/** `label=path,...`: each path a Node.js binary that runs (its version is read from it). */
function parseRuntimes(text: string): Runtime[] | string {
  const runtimes: Runtime[] = [];
  for (const part of text.split(',').filter(Boolean)) {
    const match = /^([\w.-]+)=(.+)$/.exec(part);
    if (!match) return `"${part}" is not label=path-of-a-node-binary`;
    const node = path.resolve(REPO, match[2]);
    let version: string;
    try {
      version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000 }).trim();
    } catch {
      return `${match[2]} is not a node binary that runs`;
    }
    runtimes.push({ label: match[1], node, version, baselineRounds: [], temporalRounds: [] });
  }
  return runtimes.length > 0 ? runtimes : 'name at least one runtime';
}

/** The round with the median throughput (the lower one of the middle two for an even count), relabelled. */
function medianRound(results: PathResult[], label: string): PathResult | undefined {
  if (results.length === 0) return undefined;
  const sorted = [...results].sort((a, b) => a.ordersPerSecond - b.ordersPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return results.length > 1 ? { ...median, label: `${label} (median of ${results.length} rounds)` } : median;
}

/** The commit measured, and whether src/ had uncommitted changes (best effort: no git, no figure). */
function codeVersion(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return dirty > 0 ? `commit ${commit} plus uncommitted changes in ${dirty} file(s) under src/` : `commit ${commit}`;
  } catch {
    return 'unknown (no git)';
  }
}

/** A rewrite of the report keeps the sections other benchmarks wrote into it (push mode's). */
function withKeptSections(file: string, text: string): string {
  let earlier: string;
  try {
    earlier = readFileSync(file, 'utf8');
  } catch {
    return text;
  }
  const sections = sectionsOf(earlier);
  return sections.length ? `${text.trimEnd()}\n\n${sections.join('\n')}` : text;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string' },
      vitrines: { type: 'string' },
      workers: { type: 'string' },
      variant: { type: 'string' },
      limit: { type: 'string' },
      'per-order-orders': { type: 'string' },
      schedules: { type: 'string' },
      'schedule-orders': { type: 'string' },
      'schedule-interval': { type: 'string' },
      'schedule-windows': { type: 'string' },
      'schedule-workers': { type: 'string' },
      backlog: { type: 'string' },
      'warm-up': { type: 'string' },
      out: { type: 'string' },
      'no-write': { type: 'boolean' },
      json: { type: 'string' },
      'keep-databases': { type: 'boolean' },
      rate: { type: 'string' },
      'timeout-minutes': { type: 'string' },
      rounds: { type: 'string' },
      'from-json': { type: 'string' },
      runtimes: { type: 'string' },
      'b2b-orders': { type: 'string' },
      push: { type: 'boolean' },
      'push-rates': { type: 'string' },
      'push-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values['from-json']) {
    const earlier = JSON.parse(readFileSync(path.resolve(values['from-json']), 'utf8')) as BenchReport;
    console.log(textTable(earlier));
    if (!values['no-write']) {
      const out = path.resolve(REPO, values.out ?? 'docs/BENCHMARKS.md');
      writeFileSync(out, withKeptSections(out, `${markdown(earlier)}\n`));
      log(`bench: wrote ${path.relative(process.cwd(), out)}`);
    }
    return 0;
  }
  const orders = positiveInt(
    '--orders',
    values.orders,
    values.variant === 'status-updates' ? 300 : values.variant === 'rate-limit' ? 6000 : 20_000,
  );
  const vitrines = positiveInt('--vitrines', values.vitrines, 10);
  const workers = positiveInt('--workers', values.workers, 1);
  const variant = values.push ? 'push' : (values.variant ?? 'batch');
  if (!['batch', 'per-order', 'all', 'schedules', 'baseline', 'status-updates', 'rate-limit', 'push'].includes(variant)) {
    console.error(
      `bench: --variant must be batch, per-order, all, schedules, baseline, status-updates, rate-limit or push, got "${variant}"\n\n${USAGE}`,
    );
    return 2;
  }
  const perOrderOrders = positiveInt('--per-order-orders', values['per-order-orders'], Math.min(orders, 2000));
  const schedules = positiveInt('--schedules', values.schedules, 500, 0);
  const scheduleOrders = positiveInt('--schedule-orders', values['schedule-orders'], 2, 0);
  const scheduleInterval = positiveInt('--schedule-interval', values['schedule-interval'], 5);
  const scheduleWindows = positiveInt('--schedule-windows', values['schedule-windows'], 1);
  const scheduleWorkers = positiveInt('--schedule-workers', values['schedule-workers'], 1);
  const backlog = positiveInt('--backlog', values.backlog, 0, 0);
  const warmUp = positiveInt('--warm-up', values['warm-up'], 0, 0);
  const timeoutMs = positiveInt('--timeout-minutes', values['timeout-minutes'], 60) * 60_000;
  const rounds = positiveInt('--rounds', values.rounds, 1);
  const out = path.resolve(REPO, values.out ?? 'docs/BENCHMARKS.md');
  const b2bOrders = positiveInt('--b2b-orders', values['b2b-orders'], variant === 'all' ? 2000 : 0, 0);
  const runtimes = values.runtimes === undefined ? undefined : parseRuntimes(values.runtimes);
  if (typeof runtimes === 'string') {
    console.error(`bench: --runtimes: ${runtimes}\n\n${USAGE}`);
    return 2;
  }
  if (runtimes && variant !== 'batch') {
    console.error('bench: --runtimes measures the batch variant only (baseline and Temporal)');
    return 2;
  }
  if (vitrines > orders) {
    console.error('bench: --vitrines must not exceed --orders');
    return 2;
  }

  const databaseServerUrl = process.env.DATABASE_URL;
  const temporalAddress = process.env.TEMPORAL_ADDRESS;
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  if (!databaseServerUrl || !temporalAddress) {
    console.error('bench: DATABASE_URL and TEMPORAL_ADDRESS must be set (npm run bench sets them from the stack)');
    return 2;
  }

  installInterruptHandlers(log);
  const loadBefore = os.loadavg();
  const date = new Date().toISOString();
  const admin = createDatabase(databaseServerUrl, { max: 1 });
  const postgres = String((await admin.raw('show server_version')).rows[0].server_version);
  await admin.destroy();
  const connection = await Connection.connect({ address: temporalAddress, connectTimeout: '5s' });
  const client = new Client({ connection, namespace });
  const systemInfo = await client.workflowService.getSystemInfo({});
  const sim = await openSimulator();

  // The services' processes, found by the port they listen on, for their CPU time. A Temporal
  // cluster (npm run stack:up -- --cluster) is five processes: all of them count.
  const engine = stackTemporalMode();
  const temporalPorts = engine === 'cluster' ? CLUSTER_SERVICES.map((s) => s.port) : [portOf(temporalAddress)];
  const temporalPids = [
    ...new Set(temporalPorts.map((port) => (port === undefined ? undefined : listeningPid(port))).filter((pid) => pid !== undefined)),
  ];
  const serviceCpu = new Map<string, () => number>();
  if (temporalPids.length > 0) serviceCpu.set('Temporal server', () => temporalPids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0));
  const services: Array<[string, number | undefined]> = [
    ['Postgres', Number(new URL(databaseServerUrl).port || 5432)],
    ['simulator', portOf(sim.url)],
  ];
  for (const [name, port] of services) {
    const pid = port === undefined ? undefined : listeningPid(port);
    if (pid !== undefined) serviceCpu.set(name, () => treeCpuSeconds(pid));
  }

  /** A single-vitrine benchmark (rate-limit, status-updates): run it, print its report, keep it. */
  const singleVitrine = async <R>(
    title: string,
    run: (common: SingleVitrineOptions) => Promise<R>,
    markdown: (result: R, header: { date: string; machine: string; command: string }) => string,
    write: (text: string) => string,
    passed: (result: R) => boolean,
  ): Promise<number> => {
    try {
      log(`${title}; simulator ${sim.url}`);
      const result = await run({
        databaseServerUrl,
        temporalAddress,
        namespace,
        client,
        sim,
        orders,
        log,
        keepDatabases: values['keep-databases'] ?? false,
      });
      const m = machineInfo(`PostgreSQL ${postgres}`, `server ${systemInfo.serverVersion || 'unknown'}`);
      const text = markdown(result, {
        date,
        machine: `${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.kernel}, Node ${m.node}, PostgreSQL ${postgres}, Temporal server ${systemInfo.serverVersion || 'unknown'}`,
        command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      });
      console.log(text);
      if (values.json) writeFileSync(path.resolve(REPO, values.json), JSON.stringify(result, null, 2));
      if (!values['no-write']) log(`report: ${path.relative(REPO, write(text))}`);
      return passed(result) ? 0 : 1;
    } finally {
      await sim.close();
      await connection.close();
    }
  };

  if (variant === 'rate-limit') {
    const limitPerMinute = positiveInt('--limit', values.limit, VTEX_GET_ORDER_LIMIT_PER_MINUTE);
    return singleVitrine(
      `bench rate-limit: ${orders} orders, ${limitPerMinute} Get orders a minute`,
      (common) => runRateLimit({ ...common, limitPerMinute }),
      rateLimitMarkdown,
      (text) => writeRateLimitReport(text, date),
      (result) => result.blocked === 0 && result.imported === result.orders,
    );
  }

  if (variant === 'push') {
    const rates = (values['push-rates'] ?? '10,50,100').split(',').map((r) => positiveInt('--push-rates', r.trim(), 10));
    const seconds = positiveInt('--push-seconds', values['push-seconds'], 20);
    return singleVitrine(
      `bench push: ${vitrines} vitrines at ${rates.join(', ')} orders a second each, ${seconds} s per rate`,
      (common) => runPush({ ...common, vitrines, rates, seconds }),
      pushMarkdown,
      (text) => writePushReport(text, date),
      (result) => result.phases.every((p) => p.imported + p.blocked === p.orders),
    );
  }

  if (variant === 'status-updates') {
    const rate = positiveInt('--rate', values.rate, 20);
    return singleVitrine(
      `bench status-updates: ${orders} orders, ${rate} changes/s`,
      (common) => runStatusUpdates({ ...common, rate }),
      statusUpdatesMarkdown,
      (text) => writeStatusUpdatesReport(text, date, rate),
      (result) => result.appliedOnce,
    );
  }

  const runId = shortId();
  const ctx: BenchContext = {
    runId,
    databaseServerUrl,
    temporalAddress,
    namespace,
    client,
    sim,
    serviceCpu,
    temporalPids,
    keepDatabases: values['keep-databases'] ?? false,
    timeoutMs,
    warmUpOrders: warmUp,
    log,
  };

  const report: BenchReport = {
    date,
    finishedAt: '',
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
    code: codeVersion(),
    machine: machineInfo(`PostgreSQL ${postgres}`, `server ${systemInfo.serverVersion || 'unknown'}`),
    engine,
    loadAverage: { before: loadBefore, after: [] },
    options: {
      orders,
      vitrines,
      workers,
      variant,
      rounds,
      perOrderOrders,
      schedules: variant === 'all' || variant === 'schedules' ? schedules : 0,
      backlog,
      warmUp,
    },
    simulator: sim.startedHere ? `started by the benchmark as its own process (${sim.url})` : `of the stack, its own process (${sim.url})`,
    ok: true,
    problems: [],
  };
  log(
    `bench ${runId}: N=${orders} V=${vitrines} workers=${workers} variant=${variant}; simulator ${sim.url}; load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );

  const measure = async (spec: PathSpec): Promise<PathResult | undefined> => {
    log(
      `- ${spec.label}: ${spec.orders} orders over ${spec.vitrines} vitrines${spec.kind === 'baseline' ? '' : `, ${spec.workers} worker(s)`}`,
    );
    try {
      const result = await runPath(ctx, spec);
      log(
        `  ${result.ordersPerSecond.toFixed(1)} orders/s (${result.wallSeconds.toFixed(1)} s), p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, ` +
          `peak RSS ${result.peakRssMb} MB, checks ${result.check.ok ? 'ok' : `FAILED: ${result.check.problems.join('; ')}`}`,
      );
      if (!result.check.ok) report.problems.push(`${spec.label}: ${result.check.problems.join('; ')}`);
      return result;
    } catch (error) {
      const message = `${spec.label}: ${error instanceof Error ? error.message : String(error)}`;
      log(`  failed: ${message}`);
      report.problems.push(message);
      return undefined;
    }
  };

  try {
    // Baseline and Temporal alternately, `rounds` times: each one's median round is reported.
    const baselineRounds: PathResult[] = [];
    const temporalRounds: PathResult[] = [];
    for (let round = 1; round <= rounds && runtimes; round++) {
      // Each runtime's baseline and Temporal path in turn, every round: the same machine, the same
      // stack, the same orders, one run.
      for (const [i, runtime] of runtimes.entries()) {
        const of = ` on Node ${runtime.version}${rounds > 1 ? ` (round ${round} of ${rounds})` : ''}`;
        const b = await measure({
          tag: `bl${i}r${round}`,
          kind: 'baseline',
          label: `baseline (no Temporal)${of}`,
          orders,
          vitrines,
          workers: 0,
          node: runtime.node,
        });
        if (b) runtime.baselineRounds.push(b);
        const t = await measure({
          tag: `t${i}r${round}`,
          kind: 'temporal',
          label: `Temporal, ${workers} worker(s)${of}`,
          orders,
          vitrines,
          workers,
          node: runtime.node,
        });
        if (t) runtime.temporalRounds.push(t);
      }
    }
    if (runtimes) {
      report.runtimes = runtimes.map((r) => {
        const baseline = medianRound(r.baselineRounds, `baseline (no Temporal) on Node ${r.version}`);
        const temporal = medianRound(r.temporalRounds, `Temporal, ${workers} worker(s) on Node ${r.version}`);
        return {
          label: r.label,
          node: r.node,
          version: r.version,
          baseline,
          temporal,
          ratio: baseline && temporal ? temporal.ordersPerSecond / baseline.ordersPerSecond : undefined,
          rounds: { baseline: r.baselineRounds.map((x) => x.ordersPerSecond), temporal: r.temporalRounds.map((x) => x.ordersPerSecond) },
        };
      });
    }
    for (let round = 1; round <= rounds && !runtimes; round++) {
      const suffix = rounds > 1 ? String(round) : '';
      const of = rounds > 1 ? ` (round ${round} of ${rounds})` : '';
      if (variant !== 'schedules') {
        const b = await measure({
          tag: `bl${suffix}`,
          kind: 'baseline',
          label: `baseline (no Temporal)${of}`,
          orders,
          vitrines,
          workers: 0,
        });
        if (b) baselineRounds.push(b);
      }
      if (variant === 'batch' || variant === 'all') {
        const t = await measure({
          tag: `t${suffix}`,
          kind: 'temporal',
          label: `Temporal, ${workers} worker${workers > 1 ? 's' : ''}${of}`,
          orders,
          vitrines,
          workers,
        });
        if (t) temporalRounds.push(t);
      }
    }
    report.baseline = medianRound(baselineRounds, 'baseline (no Temporal)');
    report.temporal = medianRound(temporalRounds, `Temporal, ${workers} worker${workers > 1 ? 's' : ''}`);
    if (rounds > 1 && !runtimes) {
      report.rounds = {
        baseline: baselineRounds.map((r) => r.ordersPerSecond),
        temporal: temporalRounds.map((r) => r.ordersPerSecond),
      };
    }
    if (variant === 'all') {
      report.twoWorkers =
        workers === 2
          ? report.temporal
          : await measure({ tag: 't2', kind: 'temporal', label: 'Temporal, 2 workers', orders, vitrines, workers: 2 });
    }
    if (variant === 'per-order' || variant === 'all') {
      if (perOrderOrders !== orders) {
        report.perOrderBaseline = await measure({
          tag: 'bl2',
          kind: 'baseline',
          label: `baseline (no Temporal) at N = ${perOrderOrders}`,
          orders: perOrderOrders,
          vitrines,
          workers: 0,
        });
      }
      report.perOrder = await measure({
        tag: 'po',
        kind: 'per-order',
        label: 'Temporal, one workflow per order',
        orders: perOrderOrders,
        vitrines,
        workers: 1,
      });
    }
    if ((variant === 'all' || variant === 'schedules') && schedules > 0) {
      log(`- ${schedules} vitrines with live schedules on ${scheduleWorkers} worker(s)`);
      try {
        report.schedules = await runSchedules(ctx, {
          vitrines: schedules,
          ordersPerVitrine: scheduleOrders,
          ticks: scheduleWindows,
          intervalMinutes: scheduleInterval,
          workers: scheduleWorkers,
        });
        // Runs that did not happen within their tick are a measurement (the target), not a failure
        // of the benchmark; an order imported twice is.
        if (report.schedules.duplicateRows > 0) report.problems.push(`schedules: ${report.schedules.duplicateRows} orders imported twice`);
        log(
          `  ${report.schedules.ticks.map((t) => `${t.completed}/${schedules}`).join(', ')} runs completed per tick; worker peak RSS ${report.schedules.workerDrainPeakRssMb} MB`,
        );
      } catch (error) {
        const message = `schedules: ${error instanceof Error ? error.message : String(error)}`;
        log(`  failed: ${message}`);
        report.problems.push(message);
      }
    }
    if (b2bOrders > 0) {
      // The B2B mix beside the retail one: the same paths, orders of 10 to 200 lines.
      const lines = B2B_LINES;
      const b = await measure({
        tag: 'b2bbl',
        kind: 'baseline',
        label: `baseline (no Temporal), B2B mix`,
        orders: b2bOrders,
        vitrines,
        workers: 0,
        lines,
      });
      const t = await measure({
        tag: 'b2bt',
        kind: 'temporal',
        label: `Temporal, ${workers} worker(s), B2B mix`,
        orders: b2bOrders,
        vitrines,
        workers,
        lines,
      });
      report.b2b = { lines, baseline: b, temporal: t, ratio: b && t ? t.ordersPerSecond / b.ordersPerSecond : undefined };
    }
    if (backlog > 0) {
      report.backlog = await measure({
        tag: 'bk',
        kind: 'temporal',
        label: `Temporal, 1 worker, backlog of ${backlog}`,
        orders: backlog,
        vitrines,
        workers: 1,
      });
    }
  } finally {
    await sim.close();
    await connection.close();
  }

  const base = report.baseline;
  if (base && report.temporal) report.ratio = report.temporal.ordersPerSecond / base.ordersPerSecond;
  const perOrderBase = report.perOrderBaseline ?? base;
  if (perOrderBase && report.perOrder) report.perOrderRatio = report.perOrder.ordersPerSecond / perOrderBase.ordersPerSecond;
  report.loadAverage.after = os.loadavg();
  report.finishedAt = new Date().toISOString();
  report.ok = report.problems.length === 0;

  console.log(textTable(report));
  if (!values['no-write']) {
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, withKeptSections(out, `${markdown(report)}\n`));
    log(`bench: wrote ${path.relative(process.cwd(), out)}`);
  }
  if (values.json) writeFileSync(path.resolve(values.json), `${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
