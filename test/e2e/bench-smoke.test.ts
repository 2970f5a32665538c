/**
 * `npm run bench` works: a tiny run (200 orders over 2 vitrines, after a warm-up of 100) through the real stack, both the
 * baseline and the Temporal path, nothing written to docs/. Not a timed test: it checks the
 * script, its output and that the run imported every order exactly once, not how fast.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { BenchReport } from '../../bench/report';
import { runProcess } from '../support/cli';

const REPO = path.resolve(__dirname, '..', '..');
const ORDERS = 200;
const WARM_UP = 100;

const run = (args: string[]) => runProcess('bash', [path.join(REPO, 'scripts/bench.sh'), ...args]);

test(
  'npm run bench drains a small backlog on both paths and reports throughput, latency, memory and the ratio',
  { timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
    try {
      const json = path.join(dir, 'bench.json');
      const result = await run([
        '--orders',
        String(ORDERS),
        '--vitrines',
        '2',
        '--variant',
        'batch',
        '--warm-up',
        String(WARM_UP),
        '--b2b-orders',
        '10',
        '--no-write',
        '--json',
        json,
      ]);
      assert.equal(result.code, 0, `bench exited ${result.code}:\n${result.stdout}\n${result.stderr}`);

      // Both paths' rows with their orders/s, and the headline ratio, on stdout.
      assert.match(result.stdout, /^baseline \(no Temporal\)\s+200\s+2\s+-\s+[\d.]+\s+[\d,.]+\s/m);
      assert.match(result.stdout, /^Temporal, 1 worker\s+200\s+2\s+1\s+[\d.]+\s+[\d,.]+\s/m);
      assert.match(result.stdout, /^ratio temporal\/baseline orders\/s: \d+\.\d\d$/m);

      const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
      assert.equal(report.ok, true, report.problems.join('; '));
      for (const measured of [report.baseline, report.temporal]) {
        assert.ok(measured, 'both paths were measured');
        // Every order imported exactly once, every queue item acknowledged, nothing blocked; the
        // warm-up's orders were drained first, by the same processes, and are not in the counts.
        assert.equal(measured.check.rows, ORDERS + WARM_UP);
        assert.equal(measured.check.distinctRows, ORDERS + WARM_UP);
        assert.equal(measured.check.blocked, 0);
        assert.equal(measured.check.simCommitted, ORDERS + WARM_UP);
        assert.equal(measured.check.simPending + measured.check.simInFlight, 0);
        assert.deepEqual(measured.check.importRuns, { completed: 4 });
        assert.equal(measured.counts.imported, ORDERS);
        assert.ok(measured.ordersPerSecond > 0);
        assert.ok(measured.latencyMs.p50 >= 0 && measured.latencyMs.p95 >= measured.latencyMs.p50);
        assert.ok(measured.peakRssMb > 0);
      }
      assert.ok(report.temporal!.workerFigures.length === 1 && report.temporal!.workerFigures[0].drainPeakRssMb > 0);
      // The baseline ran in a process of its own (not the benchmark's), measured as a worker is.
      const [baselineProcess] = report.baseline!.workerFigures;
      assert.ok(baselineProcess && baselineProcess.pid !== process.pid && baselineProcess.pid !== report.temporal!.workerFigures[0].pid);
      assert.equal(report.baseline!.peakRssMb, baselineProcess.drainPeakRssMb);
      assert.ok(report.baseline!.cpuSeconds['baseline process'] > 0, JSON.stringify(report.baseline!.cpuSeconds));
      assert.ok(report.ratio! > 0 && Number.isFinite(report.ratio!));
      // The B2B mix: both paths, orders of 10 to 200 lines (the warm-up's too, no larger than the
      // B2B measure), each imported once with every line.
      const b2bRows = 10 + Math.min(WARM_UP, 10);
      for (const measured of [report.b2b?.baseline, report.b2b?.temporal]) {
        assert.ok(measured?.check.ok, JSON.stringify(measured?.check));
        assert.equal(measured.check.distinctRows, b2bRows);
        const lines = measured.check.itemRows!;
        assert.ok(lines >= 10 * b2bRows && lines <= 200 * b2bRows, `${lines} lines`);
        // The measured drain read 10 documents in VTEX's full shape, about 4.7 KB a line: at least 10 lines each.
        assert.ok(measured.documentMb! >= (10 * 10 * 4000) / 2 ** 20 && measured.mbPerSecond! > 0, `${measured.documentMb} MB`);
      }
      assert.equal(report.b2b!.baseline!.check.itemRows, report.b2b!.temporal!.check.itemRows, 'the same orders on both paths');
      assert.match(result.stdout, /^B2B mix \(10-200 lines an order, [\d.]+ on average\): ratio temporal\/baseline \d+\.\d\d/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'npm run bench -- --runtimes measures both paths on the Node.js binary named, and refuses one that is not',
  { timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-runtimes-'));
    try {
      const json = path.join(dir, 'bench.json');
      const result = await run([
        '--orders',
        '100',
        '--vitrines',
        '2',
        '--runtimes',
        `this=${process.execPath}`,
        '--no-write',
        '--json',
        json,
      ]);
      assert.equal(result.code, 0, `bench exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
      const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
      assert.equal(report.runtimes?.length, 1);
      const [runtime] = report.runtimes!;
      assert.deepEqual([runtime.label, runtime.node, runtime.version], ['this', process.execPath, process.versions.node]);
      for (const measured of [runtime.baseline, runtime.temporal]) {
        assert.ok(measured?.check.ok, JSON.stringify(measured?.check));
        assert.equal(measured.check.distinctRows, 100);
        assert.equal(measured.node, process.execPath);
      }
      assert.ok(runtime.ratio! > 0);
      assert.match(
        result.stdout,
        new RegExp(`^Node ${process.versions.node.replace(/\./g, '\\.')} \\(this\\): ratio temporal/baseline \\d+\\.\\d\\d`, 'm'),
      );

      const bad = await run(['--runtimes', 'old=/nonexistent/node', '--no-write']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^bench: --runtimes: \/nonexistent\/node is not a node binary that runs$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'npm run bench -- --variant status-updates reports commit-to-platform latency, each change applied once',
  { timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-status-'));
    try {
      const json = path.join(dir, 'status.json');
      const result = await run(['--variant', 'status-updates', '--orders', '10', '--rate', '50', '--no-write', '--json', json]);
      assert.equal(result.code, 0, `bench exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /^\| invoice \(after start-handling\) \| 10 \| \d+ \| \d+ \| \d+ \|$/m);
      assert.match(result.stdout, /^\| tracking number \| 10 \| \d+ \| \d+ \| \d+ \|$/m);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      assert.equal(report.appliedOnce, true);
      assert.deepEqual([report.invoice.count, report.tracking.count], [10, 10]);
      assert.ok(report.invoice.p50 <= report.invoice.p95 && report.invoice.p95 <= report.invoice.max);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'npm run bench -- --variant rate-limit reports the share of the limit used and of calls answered 429',
  { timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-limit-'));
    try {
      const json = path.join(dir, 'limit.json');
      // 120 orders against 1,200 a minute: a second's burst, then paced.
      const result = await run(['--variant', 'rate-limit', '--orders', '120', '--limit', '1200', '--no-write', '--json', json]);
      assert.equal(result.code, 0, `bench exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /^\| orders imported, blocked \| 120 of 120, 0 \|$/m);
      const report = JSON.parse(readFileSync(json, 'utf8'));
      assert.deepEqual([report.imported, report.blocked, report.getOrderCalls - report.rateLimited], [120, 0, 120]);
      assert.ok(report.shareOfLimit > 0 && report.share429 >= 0 && report.share429 <= 1, JSON.stringify(report));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
