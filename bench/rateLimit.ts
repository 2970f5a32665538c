/**
 * `npm run bench -- --variant rate-limit`: a drain at full speed against the platform's rate limit.
 * One vitrine, one worker, N orders waiting; the simulator enforces VTEX's Get order limit (6,000
 * a minute per account, or --limit), the vitrine says the same limit. Reported: the share of the
 * limit the drain sustained (orders read per second over the limit's rate, from the run's start to
 * its end), the share of Get order calls answered 429, and whether every order was imported.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { addEnabledVitrine, benchCli, cleanUpVitrines, type SingleVitrineOptions } from './cliVitrine';
import { createBenchDatabase, REPO, shortId } from './services';
import { startWorkers } from './workers';

export interface RateLimitOptions extends SingleVitrineOptions {
  /** Get order calls a minute, on the platform and in the vitrine's settings. */
  limitPerMinute: number;
}

export interface RateLimitResult {
  orders: number;
  limitPerMinute: number;
  imported: number;
  blocked: number;
  drainSeconds: number;
  getOrderCalls: number;
  rateLimited: number;
  /** Orders read a second over the limit's rate. */
  shareOfLimit: number;
  /** Get order calls answered 429 over all Get order calls. */
  share429: number;
}

export async function runRateLimit(options: RateLimitOptions): Promise<RateLimitResult> {
  const { sim, log } = options;
  const id = shortId();
  const database = await createBenchDatabase(options.databaseServerUrl, `bench_limit_${id}`);
  const code = `limit-${id}`;
  const env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: options.namespace,
    TASK_QUEUE: `bench-limit-${id}`,
  };
  const cli = benchCli(env);
  const workers = await startWorkers(options.client, 1, path.join(REPO, 'dist/worker/main.js'), env, `bench-limit-${id}`);
  try {
    await addEnabledVitrine(cli, code, sim.url, 'RL', 'Bench rate limit');
    await cli(['settings', code, '--get-order-limit', String(options.limitPerMinute)]);
    await sim.call('POST', `/_sim/${code}/settings`, { getOrderLimitPerMinute: options.limitPerMinute });
    await sim.call('POST', `/_sim/${code}/orders`, { generate: options.orders, state: 'ready-for-handling', render: true });
    log(`  draining ${options.orders} orders against ${options.limitPerMinute} Get orders a minute`);
    const started = Date.now();
    const summary = await cli(['run', code, '--wait']);
    const drainSeconds = (Date.now() - started) / 1000;
    const stats = await sim.call<Record<string, number>>('GET', `/_sim/${code}/stats`);
    const read = stats.getOrderCalls - stats.rateLimited;
    return {
      orders: options.orders,
      limitPerMinute: options.limitPerMinute,
      imported: summary.imported,
      blocked: summary.blocked,
      drainSeconds,
      getOrderCalls: stats.getOrderCalls,
      rateLimited: stats.rateLimited,
      shareOfLimit: read / drainSeconds / (options.limitPerMinute / 60),
      share429: stats.getOrderCalls === 0 ? 0 : stats.rateLimited / stats.getOrderCalls,
    };
  } finally {
    await cleanUpVitrines(options.client, workers, [code], database, options.keepDatabases);
  }
}

export function rateLimitMarkdown(result: RateLimitResult, header: { date: string; machine: string; command: string }): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const met = result.shareOfLimit >= 0.9 && result.share429 <= 0.01 && result.blocked === 0 && result.imported === result.orders;
  return [
    '# Platform rate limit: a drain at full speed',
    '',
    `Run ${header.date} on ${header.machine}.`,
    '',
    `Command: \`${header.command}\``,
    '',
    `${result.orders} orders waiting in one vitrine's feed, one worker; the simulator enforces ${result.limitPerMinute} Get orders a minute ` +
      `for the account (a token bucket holding a second's worth, 429 with Retry-After beyond it) and the vitrine's setting says the same; ` +
      `the connector paces Get order at 95 % of it.`,
    '',
    '| | |',
    '| --- | --- |',
    `| drain, run start to end | ${result.drainSeconds.toFixed(1)} s |`,
    `| orders imported, blocked | ${result.imported} of ${result.orders}, ${result.blocked} |`,
    `| Get order calls, answered 429 | ${result.getOrderCalls}, ${result.rateLimited} (${pct(result.share429)}) |`,
    `| orders read a second over the limit's rate | ${pct(result.shareOfLimit)} |`,
    '',
    `Target (at least 90 % of the limit, at most 1 % answered 429, no order blocked): ${met ? 'met' : 'NOT met'}.`,
    '',
  ].join('\n');
}

export function writeRateLimitReport(markdownText: string, date: string): string {
  const dir = path.join(REPO, 'docs', 'benchmarks');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${date.slice(0, 10)}-rate-limit.md`);
  writeFileSync(file, markdownText);
  return file;
}
