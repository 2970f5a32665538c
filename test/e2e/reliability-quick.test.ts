/**
 * The quick part of the reliability suite (the full one: `npm run test:reliability`, figures in
 * docs/RELIABILITY.md). One worker process imports two vitrines at once:
 * - 2,000 orders (four pages) while the worker is killed with SIGKILL 3 times at random moments;
 *   on a Temporal cluster 3,000, and one of its two history hosts killed and started again;
 * - 300 orders behind 10% HTTP 5xx, 5% timeouts, 2% HTTP 429 with Retry-After and 1% malformed
 *   documents, with repeated events, an event older than the one already imported, and an event
 *   for an order the platform answers 404 for.
 * Then: every order exactly once with all its items and payments, each malformed (and the 404)
 * order blocked with its reason, queues empty, commits = events; no app token in the worker's
 * output, the CLI's output, the integration log or Temporal history; no customer data in Temporal
 * history; and expressions that cannot reach the process, the environment, files or the network.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { historyHostLoss } from '../reliability/cluster';
import { stackTemporalMode } from '../support/stack';
import { runReliabilitySuite, type SuiteReport } from '../reliability/suite';

const FAULTS = { errorRate: 0.1, timeoutRate: 0.05, rateLimitRate: 0.02, malformedRate: 0.01 };

describe('reliability (quick)', () => {
  test('crashes and platform faults lose and duplicate nothing; no secret and no customer data leaks', async (t) => {
    const databaseUrl = process.env.DATABASE_URL;
    const temporalAddress = process.env.TEMPORAL_ADDRESS;
    assert.ok(databaseUrl && temporalAddress, 'DATABASE_URL and TEMPORAL_ADDRESS are not set: run it with npm test');
    const seed = Number(process.env.RELIABILITY_SEED ?? 20261128);
    const cluster = stackTemporalMode() === 'cluster';
    const started = Date.now();
    const report: SuiteReport = await runReliabilitySuite({
      label: 'quick',
      seed,
      databaseUrl,
      temporalAddress,
      temporalNamespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      // On a cluster the history host's outage takes a page or two of the import: two more pages
      // keep the third kill inside it.
      crashOrders: cluster ? 3000 : 2000,
      kills: 3,
      killUptimeMs: [2000, 5000],
      crashLatencyMs: 150,
      faultOrders: 300,
      faultRates: FAULTS,
      duplicateOrders: 6,
      visibilityTimeoutMs: 8000,
      platformTimeoutMs: 1500,
      importTimeoutMs: 300_000,
      stallMs: 150_000,
      statusUpdateOrders: 200,
      statusUpdateKills: 2,
      pushOrders: 200,
      pushRatePerSecond: 20,
      pushKills: 2,
      // On the Temporal cluster (npm run stack:up -- --cluster): a history host lost mid-import.
      restarts: cluster ? [historyHostLoss(databaseUrl, 1)] : [],
      // RELIABILITY_KEEP_DB=1 keeps the suite's database for a look afterwards.
      keepDatabase: process.env.RELIABILITY_KEEP_DB === '1',
      log: (line) => t.diagnostic(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
    });
    t.diagnostic(
      `seed ${seed}: kills at ${report.crash.kills.map((k) => `${(k.atMs / 1000).toFixed(1)} s (${k.imported} imported)`).join(', ')}; ` +
        `faults: 5xx ${report.faults.stats.faultErrors}, timeouts ${report.faults.stats.faultTimeouts}, 429 ${report.faults.stats.faultRateLimited}, ` +
        `malformed ${report.faults.malformed.length} orders, of ${report.faults.stats.platformRequests} requests; import ${(report.durations.importMs / 1000).toFixed(1)} s`,
    );
    for (const c of report.checks) {
      await t.test(c.name, () => {
        assert.ok(c.ok, c.detail);
      });
    }
  });
});
