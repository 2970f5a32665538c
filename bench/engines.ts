/**
 * The benchmark on both Temporal engines in one run: `npm run bench:engines`. For each engine (the
 * dev server, then the cluster of `npm run stack:up -- --cluster`) it brings the stack up in that
 * mode (stopping whatever stack runs), then runs bench/run.ts as a child process:
 *
 * - the main benchmark (baseline and Temporal, N orders over V vitrines, alternating rounds);
 * - live schedules on two workers at rising rates (vitrines × interval), stopping at the first
 *   rate not sustained: every run due in the window must start and complete within its interval;
 * - on the cluster, the issue's figure: 5,000 vitrines at the product's default interval.
 *
 * Then it writes the side-by-side section of docs/BENCHMARKS.md and docs/benchmarks/<date>-engines.md
 * from the children's JSON reports (kept in .data/bench/engines-<time>/).
 *
 *   npm run bench:engines -- [--engines dev,cluster] [--orders 20000] [--vitrines 10] [--rounds 3]
 *     [--warm-up 10000] [--ladder 350x2,525x2,700x2,1050x2] [--at-scale 5000x15] [--schedule-workers 2] [--no-write]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { withSection } from './push';
import type { PathResult } from './paths';
import { CLUSTER_TEXT } from '../test/support/stack';
import type { BenchReport } from './report';
import type { SchedulesResult } from './schedules';
import { REPO } from './services';

type Engine = 'dev' | 'cluster';
interface Step {
  vitrines: number;
  intervalMinutes: number;
}
interface EngineResult {
  engine: Engine;
  serverVersion: string;
  batch?: BenchReport;
  /** `run` 2: added by a --continue run. */
  ladder: Array<SchedulesResult & { run?: number }>;
  atScale?: SchedulesResult;
  errors: string[];
}

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

function run(command: string, args: string[], env: NodeJS.ProcessEnv, quiet = false): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

function parseSteps(flag: string, text: string): Step[] {
  return text
    .split(',')
    .filter(Boolean)
    .map((item) => {
      const match = /^(\d+)x(\d+)$/.exec(item.trim());
      if (!match) throw new Error(`${flag}: "${item}" is not VITRINESxMINUTES (e.g. 700x2)`);
      return { vitrines: Number(match[1]), intervalMinutes: Number(match[2]) };
    });
}

const cpuMsPerOrder = (p: PathResult) => (1000 * Object.values(p.cpuSeconds).reduce((a, b) => a + b, 0)) / p.orders;
const perSecond = (s: Step) => s.vitrines / (s.intervalMinutes * 60);
/** Vitrines at the product's default interval (15 min) at the same run rate. */
const at15 = (s: Step) => Math.round(perSecond(s) * 900);
const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function stackUp(engine: Engine): Promise<NodeJS.ProcessEnv> {
  await run('bash', ['scripts/stack.sh', 'down'], process.env, true);
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_MODE: engine };
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_UI_URL', 'SIMULATOR_URL']) delete env[key];
  const up = await run('bash', ['scripts/stack.sh', 'up', '--no-worker'], env);
  if (up.code !== 0) throw new Error(`the stack did not come up on the ${engine} engine`);
  const stackEnv = readFileSync(path.join(REPO, '.data', 'stack.env'), 'utf8');
  for (const line of stackEnv.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2];
  }
  return env;
}

async function bench(env: NodeJS.ProcessEnv, args: string[], jsonFile: string): Promise<BenchReport | undefined> {
  log(`bench ${args.join(' ')}`);
  const { code } = await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args, '--no-write', '--json', jsonFile], env);
  try {
    return JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchReport;
  } catch {
    log(`  no report (exit ${code})`);
    return undefined;
  }
}

function scheduleRow(engine: string, s: SchedulesResult & { run?: number }): string {
  const t = s.ticks[0];
  const step = { vitrines: s.vitrines, intervalMinutes: s.intervalMinutes };
  const busy = Object.values(s.cpuSeconds).reduce((a, b) => a + b, 0) / s.observedSeconds;
  const cpu = Object.entries(s.cpuSeconds)
    .map(([k, v]) => `${k} ${fmt(v, 0)}`)
    .join(', ');
  return (
    `| ${engine}${s.run === 2 ? ' (second run)' : ''} | ${fmt(s.vitrines)} × ${s.intervalMinutes} min | ${fmt(perSecond(step), 1)} (${fmt(at15(step))} at 15 min) | ` +
    `${t ? `${fmt(t.completed)} / ${fmt(s.expectedRunsPerTick)}` : '-'} | ${t ? `${fmt(t.startLagMs.p50)} / ${fmt(t.startLagMs.p95)} / ${fmt(t.startLagMs.max)}` : '-'} | ` +
    `${t ? fmt(t.finishLagMs.max) : '-'} | ${s.scheduler.missedCatchupWindow} | ${fmt(s.workerDrainPeakRssMb, 0)} | ${fmt(s.temporalPeakRssMb, 0)} | ${fmt(busy, 2)} | ${cpu} in ${fmt(s.observedSeconds)} s | ${s.ok ? 'yes' : `**no**: ${s.problems.join('; ')}`} |`
  );
}

interface Header {
  date: string;
  finished: string;
  command: string;
  machine: string;
}

function render(results: EngineResult[], header: Header, second?: Header): string {
  const L: string[] = [];
  const name = (e: Engine) => (e === 'dev' ? 'dev server' : 'cluster');
  L.push('<!-- section:engines -->', '## The two Temporal engines side by side', '');
  L.push(
    `Run ${header.date} to ${header.finished} on ${header.machine}. Command: \`${header.command}\` (\`bench/engines.ts\`: one run, the stack brought up on each engine in turn, each step a \`bench/run.ts\` of its own).` +
      (second
        ? ` The rows marked "second run" come from \`${second.command}\`, ${second.date} to ${second.finished}, on the same machine: the higher rates, for the engines that sustained every rate of the first run.`
        : ''),
    '',
    `- **dev server**: \`temporal server start-dev\` of the Temporal CLI (\`scripts/temporal.sh\`), one process, SQLite. Server ${results.find((r) => r.engine === 'dev')?.serverVersion ?? '-'}.`,
    `- **cluster**: \`npm run stack:up -- --cluster\` (\`scripts/temporal-cluster.sh\`): ${CLUSTER_TEXT}. Server ${results.find((r) => r.engine === 'cluster')?.serverVersion ?? '-'}.`,
    '- Both on the same machine as the ERP Postgres, the simulator and the workers: every figure includes their competition for the 2 CPUs.',
    '',
  );
  L.push('### The main benchmark on each engine', '');
  L.push(
    '| engine | baseline orders/s | Temporal orders/s | ratio | Temporal latency p50 / p95 ms | worker peak RSS MB | CPU ms per order, baseline / Temporal | rounds (Temporal orders/s) | checks |',
  );
  L.push('| --- | ---: | ---: | ---: | --- | ---: | --- | --- | --- |');
  for (const r of results) {
    const b = r.batch;
    if (!b?.baseline || !b.temporal) {
      L.push(`| ${name(r.engine)} | - | - | - | - | - | - | - | not measured${r.errors.length ? `: ${r.errors.join('; ')}` : ''} |`);
      continue;
    }
    L.push(
      `| ${name(r.engine)} | ${fmt(b.baseline.ordersPerSecond, 1)} | ${fmt(b.temporal.ordersPerSecond, 1)} | **${fmt(b.ratio, 2)}** | ${fmt(b.temporal.latencyMs.p50)} / ${fmt(b.temporal.latencyMs.p95)} | ${fmt(b.temporal.peakRssMb, 1)} | ` +
        `${fmt(cpuMsPerOrder(b.baseline), 1)} / ${fmt(cpuMsPerOrder(b.temporal), 1)} | ${b.rounds?.temporal.map((x) => fmt(x, 0)).join(', ') ?? '-'} | ${b.ok ? 'ok' : b.problems.join('; ')} |`,
    );
  }
  const dev = results.find((r) => r.engine === 'dev')?.batch;
  const cluster = results.find((r) => r.engine === 'cluster')?.batch;
  if (dev?.temporal && cluster?.temporal)
    L.push(
      '',
      `N = ${fmt(dev.options.orders)} orders over ${dev.options.vitrines} vitrines, ${dev.options.rounds ?? 1} alternating rounds per engine (median shown), warm-up ${fmt(dev.options.warmUp ?? 0)} orders per path. ` +
        `The Temporal path on the cluster runs at ${fmt(cluster.temporal.ordersPerSecond / dev.temporal.ordersPerSecond, 2)} of its speed on the dev server; the baseline (no Temporal) moves with the machine's other load only.`,
    );
  L.push('');
  L.push('### Live schedules on two workers: the highest rate each engine sustains', '');
  L.push(
    "Vitrines switched on with their Temporal Schedules (the product's `upsertVitrineSchedule`), each at its own phase of the interval, on two worker processes; 2 new orders per vitrine 30 s before the watched window, " +
      'which begins once the last schedules created have started their scheduler (a new schedule takes no action before that) and at least 30 s after the create calls. ' +
      "A rate is **sustained** when every run due in the window started and completed within its interval, every order was imported once, and Temporal's scheduler dropped nothing. " +
      'CPUs busy: the CPU seconds of the workers, the Temporal server, Postgres and the simulator over the time watched (2 is the whole machine); one window is watched per rate, so a rate that keeps the machine nearly full is at its limit even when its window passed. ' +
      'The rates rise until one is not sustained. A shorter interval gives the same run rate with fewer schedules: the load on the engine is the runs per second (a schedule between runs is a sleeping timer), so a rate is also shown as vitrines at the default interval of 15 minutes.',
    '',
  );
  L.push(
    '| engine | vitrines × interval | runs/s (≈ vitrines at 15 min) | runs completed / due | start lag p50 / p95 / max ms | finish lag max ms | dropped by the scheduler | worker peak RSS MB | Temporal peak RSS MB | CPUs busy | CPU s (worker = both) | sustained |',
  );
  L.push('| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const r of results) for (const s of r.ladder) L.push(scheduleRow(name(r.engine), s));
  L.push('');
  for (const r of results) {
    const sustained = r.ladder.filter((s) => s.ok);
    const best = sustained.sort((a, b) => perSecond(b) - perSecond(a))[0];
    const failed = r.ladder.find((s) => !s.ok);
    L.push(
      `- **${name(r.engine)}**: ${best ? `sustained ${fmt(perSecond(best), 1)} runs/s (${fmt(best.vitrines)} vitrines every ${best.intervalMinutes} min, ≈ ${fmt(at15(best))} vitrines at 15 min)` : 'sustained none of the rates tried'}` +
        `${failed ? `; not ${fmt(perSecond(failed), 1)} runs/s` : '; the highest rate tried'}.`,
    );
  }
  const scale = results.find((r) => r.atScale);
  if (scale?.atScale) {
    const s = scale.atScale;
    L.push('', `### ${fmt(s.vitrines)} vitrines every ${s.intervalMinutes} min on the ${name(scale.engine)}, ${s.workers} workers`, '');
    L.push(
      `Creating the ${fmt(s.vitrines)} schedules took ${fmt(s.scheduleCreateSeconds, 1)} s; the last ones created had started their scheduler ${fmt(s.schedulersStartSeconds, 1)} s after that; ` +
        `the watched window of ${s.intervalMinutes} min began ${s.marginSeconds} s after the create calls (${fmt(s.observedSeconds)} s watched in all).`,
      '',
    );
    L.push(
      '| engine | vitrines × interval | runs/s (≈ vitrines at 15 min) | runs completed / due | start lag p50 / p95 / max ms | finish lag max ms | dropped by the scheduler | worker peak RSS MB | Temporal peak RSS MB | CPUs busy | CPU s (worker = both) | sustained |',
    );
    L.push('| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
    L.push(scheduleRow(name(scale.engine), s));
    L.push(
      '',
      `Orders: ${fmt(s.ordersImported)} of ${fmt(s.ordersExpected)} imported, ${s.duplicateRows} duplicates; feed event to ERP row p50 ${fmt(s.latencyMs.p50)} ms, p95 ${fmt(s.latencyMs.p95)} ms (mostly the wait for the vitrine's next run). ` +
        `${s.ok ? 'Every due run started and completed within its interval.' : `**Not sustained**: ${s.problems.join('; ')}.`}`,
    );
  }
  const errors = results.flatMap((r) => r.errors.map((e) => `${name(r.engine)}: ${e}`));
  if (errors.length) L.push('', `Problems: ${errors.join('; ')}.`);
  L.push('<!-- /section:engines -->', '');
  return L.join('\n');
}

/** The first run's header: its header.json, or (older runs) its folder's time and the default command. */
function earlierHeader(dir: string, machine: string): Header {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'header.json'), 'utf8')) as Header;
  } catch {
    const stamp = /engines-(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d+)Z$/.exec(dir);
    const date = stamp ? `${stamp[1]}T${stamp[2]}:${stamp[3]}:${stamp[4]}.${stamp[5]}Z` : '?';
    return { date, finished: statSync(path.join(dir, 'results.json')).mtime.toISOString(), command: 'npm run bench:engines', machine };
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      engines: { type: 'string' },
      orders: { type: 'string' },
      vitrines: { type: 'string' },
      rounds: { type: 'string' },
      'warm-up': { type: 'string' },
      ladder: { type: 'string' },
      'at-scale': { type: 'string' },
      'schedule-workers': { type: 'string' },
      'no-write': { type: 'boolean' },
      continue: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${readFileSync(__filename, 'utf8').split('*/')[0]}*/\n`);
    return 0;
  }
  const engines = (values.engines ?? 'dev,cluster').split(',').map((e) => e.trim()) as Engine[];
  if (engines.some((e) => e !== 'dev' && e !== 'cluster')) throw new Error(`--engines: dev and/or cluster, got "${values.engines}"`);
  const ladder = parseSteps('--ladder', values.ladder ?? '350x2,525x2,700x2,1050x2').sort((a, b) => perSecond(a) - perSecond(b));
  const atScale = values['at-scale'] === '' ? undefined : parseSteps('--at-scale', values['at-scale'] ?? '5000x15')[0];
  const workers = values['schedule-workers'] ?? '2';
  const batchArgs = [
    '--variant',
    'batch',
    '--orders',
    values.orders ?? '20000',
    '--vitrines',
    values.vitrines ?? '10',
    '--rounds',
    values.rounds ?? '3',
    '--warm-up',
    values['warm-up'] ?? '10000',
  ];
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(REPO, '.data', 'bench', `engines-${stamp}`);
  mkdirSync(dir, { recursive: true });
  // --continue DIR: a second run adds higher ladder rates to an earlier one's results (no main
  // benchmark again); the report says which rows came from which run.
  const earlier: EngineResult[] = values.continue
    ? (JSON.parse(readFileSync(path.join(path.resolve(values.continue), 'results.json'), 'utf8')) as EngineResult[])
    : [];
  const date = new Date().toISOString();
  const results: EngineResult[] = [];
  const schedulesArgs = (s: Step) => [
    '--variant',
    'schedules',
    '--schedules',
    String(s.vitrines),
    '--schedule-interval',
    String(s.intervalMinutes),
    '--schedule-workers',
    workers,
  ];
  try {
    for (const engine of engines) {
      const before = earlier.find((r) => r.engine === engine);
      const result: EngineResult = before
        ? { ...before, ladder: before.ladder.map((s) => ({ ...s, run: s.run ?? 1 })), errors: [...before.errors] }
        : { engine, serverVersion: '-', ladder: [], errors: [] };
      results.push(result);
      // Where the earlier run stopped on a rate not sustained, there is nothing higher to try.
      if (before && before.ladder.some((s) => !s.ok)) continue;
      log(`== ${engine}: bringing the stack up`);
      const env = await stackUp(engine);
      if (!before) {
        result.batch = await bench(env, batchArgs, path.join(dir, `${engine}-batch.json`));
        if (!result.batch) result.errors.push('the main benchmark wrote no report');
        result.serverVersion = result.batch?.machine.temporal.replace(/^server /, '') ?? '-';
      }
      for (const step of ladder) {
        const report = await bench(
          env,
          schedulesArgs(step),
          path.join(dir, `${engine}-schedules-${step.vitrines}x${step.intervalMinutes}.json`),
        );
        if (!report?.schedules) {
          result.errors.push(`${step.vitrines}x${step.intervalMinutes}: no report`);
          break;
        }
        if (result.serverVersion === '-') result.serverVersion = report.machine.temporal.replace(/^server /, '');
        result.ladder.push({ ...report.schedules, run: earlier.length ? 2 : 1 });
        log(
          `  ${step.vitrines}x${step.intervalMinutes}: ${report.schedules.ok ? 'sustained' : `not sustained: ${report.schedules.problems.join('; ')}`}`,
        );
        if (!report.schedules.ok) break;
      }
      if (atScale && engine === 'cluster' && !result.atScale) {
        const report = await bench(
          env,
          schedulesArgs(atScale),
          path.join(dir, `${engine}-schedules-${atScale.vitrines}x${atScale.intervalMinutes}.json`),
        );
        if (report?.schedules) result.atScale = report.schedules;
        else result.errors.push(`${atScale.vitrines}x${atScale.intervalMinutes}: no report`);
      }
    }
  } finally {
    await run('bash', ['scripts/stack.sh', 'down'], process.env, true);
  }
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${os.release()}, Node ${process.version}`;
  const header: Header = {
    date,
    finished: new Date().toISOString(),
    command: `npm run bench:engines -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
    machine,
  };
  const first = values.continue ? earlierHeader(path.resolve(values.continue), machine) : undefined;
  const text = first ? render(results, first, header) : render(results, header);
  writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results, null, 2));
  writeFileSync(path.join(dir, 'header.json'), JSON.stringify(first ?? header, null, 2));
  process.stdout.write(`${text}\n`);
  if (!values['no-write']) {
    const benchmarks = path.join(REPO, 'docs', 'BENCHMARKS.md');
    writeFileSync(benchmarks, withSection(readFileSync(benchmarks, 'utf8'), 'engines', text));
    mkdirSync(path.join(REPO, 'docs', 'benchmarks'), { recursive: true });
    writeFileSync(
      path.join(REPO, 'docs', 'benchmarks', `${date.slice(0, 10)}-engines.md`),
      text.replace(/^<!-- \/?section:engines -->\n/gm, '').replace(/^## /, '# '),
    );
    log('wrote docs/BENCHMARKS.md (section engines) and docs/benchmarks/');
  }
  return results.every((r) => r.errors.length === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:engines: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
