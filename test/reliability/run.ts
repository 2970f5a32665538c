/**
 * The full reliability suite: `npm run test:reliability` (scripts/reliability.sh starts the
 * project's stack and runs this with its environment).
 *
 *   node --import tsx test/reliability/run.ts [--seed N] [--orders 6000] [--kills 10]
 *     [--fault-orders 1000] [--b2b-orders 500] [--no-restarts] [--doc docs/RELIABILITY.md | --no-doc]
 *   node --import tsx test/reliability/run.ts --render-doc .data/reliability/report-<time>.json
 *
 * Imports 6,000 orders (12 pages) while killing the worker with SIGKILL 10 times and restarting the Temporal
 * dev server and Postgres once each (through scripts/temporal.sh and scripts/postgres.sh, on the
 * same ports), and 1,000 more behind the simulator's platform faults; then Atualização de Status,
 * push mode, and a B2B page of 500 orders of 16 lines in VTEX's full shape plus one of 1,000 lines
 * with the worker killed halfway through it; checks everything; prints
 * the figures, writes them to docs/RELIABILITY.md and the whole report to
 * .data/reliability/report-<time>.json. Exits 1 when a check fails.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PAGE_SIZE } from '../../src/workflows/importVitrineOrders';
import { CLUSTER_TEXT, stackTemporalMode } from '../support/stack';
import { historyHostLoss } from './cluster';
import { renderReliabilityDoc } from './report';
import { runReliabilitySuite, type Restart, type SuiteReport } from './suite';
import { sleep } from './worker';

const REPO = path.resolve(__dirname, '..', '..');
const FAULTS = { errorRate: 0.1, timeoutRate: 0.05, rateLimitRate: 0.02, malformedRate: 0.01 };

/** Runs a project script; resolves with its stdout, rejects with its stderr on failure. */
function script(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`bash ${args.join(' ')} exited ${code}: ${stderr.trim()}`)),
    );
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      orders: { type: 'string' },
      kills: { type: 'string' },
      'fault-orders': { type: 'string' },
      'b2b-orders': { type: 'string' },
      'no-restarts': { type: 'boolean' },
      doc: { type: 'string' },
      'no-doc': { type: 'boolean' },
      'render-doc': { type: 'string' },
    },
  });
  if (values['render-doc']) {
    // Writes the doc again from a saved report (e.g. after a change to its wording): same figures.
    const report = JSON.parse(readFileSync(path.resolve(values['render-doc']), 'utf8')) as SuiteReport;
    const docFile = path.resolve(REPO, values.doc ?? 'docs/RELIABILITY.md');
    writeFileSync(docFile, renderReliabilityDoc(report));
    process.stdout.write(`${path.relative(REPO, docFile)} written from ${values['render-doc']}\n`);
    return;
  }
  const databaseUrl = process.env.DATABASE_URL;
  const temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!databaseUrl || !temporalAddress)
    throw new Error('DATABASE_URL and TEMPORAL_ADDRESS are not set: run it with npm run test:reliability');
  const seed = Number(values.seed ?? process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
  const kills = Number(values.kills ?? 10);
  // Each kill waits for the import to move by a page: the queue must hold more pages than kills.
  const orders = Number(values.orders ?? Math.max(5000, (kills + 2) * PAGE_SIZE));
  const faultOrders = Number(values['fault-orders'] ?? 1000);

  // The services' own scripts, on the same ports, so every client finds them again.
  const scriptEnv: NodeJS.ProcessEnv = { ...process.env };
  delete scriptEnv.DATABASE_URL; // postgres.sh start must restart the project's cluster, not adopt a URL
  const temporalPort = temporalAddress.split(':').pop()!;
  const uiPort = process.env.TEMPORAL_UI_URL ? new URL(process.env.TEMPORAL_UI_URL).port : '';
  // On a cluster (npm run stack:up -- --cluster) the whole cluster is restarted, and one of its
  // two history hosts is lost as well.
  const cluster = stackTemporalMode() === 'cluster';
  const restartTemporal = async () => {
    const temporalScript = cluster ? 'scripts/temporal-cluster.sh' : 'scripts/temporal.sh';
    await script([temporalScript, 'stop'], scriptEnv);
    await sleep(3000);
    const out = await script([temporalScript, 'start'], {
      ...scriptEnv,
      ...(cluster ? { DATABASE_URL: databaseUrl } : {}),
      TEMPORAL_PORT: temporalPort,
      TEMPORAL_UI_PORT: uiPort,
    });
    const address = /TEMPORAL_ADDRESS=(\S+)/.exec(out)?.[1];
    if (address !== temporalAddress) throw new Error(`Temporal came back on ${address}, not ${temporalAddress}`);
  };
  const restarts: Restart[] = values['no-restarts']
    ? []
    : [
        { service: 'temporal', afterKill: Math.max(1, Math.round(kills * 0.3)), restart: restartTemporal },
        {
          service: 'postgres',
          afterKill: Math.max(2, Math.round(kills * 0.6)),
          async restart() {
            await script(['scripts/postgres.sh', 'stop'], scriptEnv);
            await sleep(3000);
            const url = (await script(['scripts/postgres.sh', 'start'], scriptEnv)).trim();
            if (new URL(url).host !== new URL(databaseUrl).host)
              throw new Error(`Postgres came back on ${new URL(url).host}, not ${new URL(databaseUrl).host}`);
          },
        },
        ...(cluster ? [historyHostLoss(databaseUrl, Math.max(3, Math.round(kills * 0.8)))] : []),
      ];

  const outDir = path.join(REPO, '.data', 'reliability');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  log(
    `reliability suite on the ${cluster ? 'Temporal cluster' : 'Temporal dev server'}: seed ${seed}, ${orders} orders, ${kills} kills, ${faultOrders} orders behind faults; worker log ${path.relative(REPO, outDir)}/worker-${stamp}.log`,
  );

  const report = await runReliabilitySuite({
    label: 'full',
    seed,
    databaseUrl,
    temporalAddress,
    temporalNamespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    crashOrders: orders,
    kills,
    killUptimeMs: [3000, 20_000],
    crashLatencyMs: 180,
    faultOrders,
    faultRates: FAULTS,
    duplicateOrders: 20,
    visibilityTimeoutMs: 15_000,
    platformTimeoutMs: 2000,
    importTimeoutMs: 30 * 60_000,
    stallMs: 300_000,
    restarts,
    engine: cluster
      ? `a cluster (scripts/temporal-cluster.sh): ${CLUSTER_TEXT}`
      : 'the dev server (scripts/temporal.sh: temporal server start-dev, SQLite)',
    statusUpdateOrders: Math.min(orders, 3000),
    statusUpdateKills: 4,
    pushOrders: 1000,
    pushRatePerSecond: 20,
    pushKills: 4,
    b2bOrders: Number(values['b2b-orders'] ?? 500),
    b2bLines: 16,
    b2bLargeLines: 1000,
    workerLogFile: path.join(outDir, `worker-${stamp}.log`),
    log,
  });

  const jsonFile = path.join(outDir, `report-${stamp}.json`);
  writeFileSync(jsonFile, JSON.stringify(report, null, 2));
  const doc = renderReliabilityDoc(report);
  if (!values['no-doc']) {
    const docFile = path.resolve(REPO, values.doc ?? (cluster ? 'docs/RELIABILITY-CLUSTER.md' : 'docs/RELIABILITY.md'));
    mkdirSync(path.dirname(docFile), { recursive: true });
    writeFileSync(docFile, doc);
    log(`figures written to ${path.relative(REPO, docFile)}`);
  }
  log(`report: ${path.relative(REPO, jsonFile)}`);
  process.stdout.write('\n');
  for (const c of report.checks) process.stdout.write(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}\n      ${c.detail}\n`);
  const failed = report.checks.filter((c) => !c.ok).length;
  process.stdout.write(
    `\n${report.checks.length - failed} of ${report.checks.length} checks passed in ${(report.durations.totalMs / 60_000).toFixed(1)} min\n`,
  );
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`reliability: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
