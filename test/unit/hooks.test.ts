/**
 * Push mode's pure parts and the simulator's orders hook: the secret check, the refusal limiter,
 * the account of an API root, the receiver's settings, and the simulator's ping and retries
 * against a small HTTP server of the test's own.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { hookUrlFor, vtexAccountOf } from '../../src/admin/vitrineHooks';
import { secretHash, secretMatches } from '../../src/hooks/secrets';
import { SourceLimiter } from '../../src/shared/sourceLimiter';
import { ConfigError, readHooksConfig } from '../../src/shared/config';
import { AccountHook, hookConfigurationOf } from '../../src/simulator/hooks';

describe('hook secret', () => {
  const hook = (previousUntil: Date | null) => ({
    account: 'loja',
    secret_hash: secretHash('current-secret'),
    previous_secret_hash: secretHash('old-secret'),
    previous_secret_until: previousUntil,
  });
  const now = new Date('2026-12-01T12:00:00Z');

  test('the current secret passes; a wrong, empty or missing one does not', () => {
    assert.equal(secretMatches(hook(null), 'current-secret', now), true);
    assert.equal(secretMatches(hook(null), 'current-secreT', now), false);
    assert.equal(secretMatches(hook(null), '', now), false);
    assert.equal(secretMatches(hook(null), undefined, now), false);
  });

  test('the previous secret passes only within its grace period', () => {
    assert.equal(secretMatches(hook(new Date('2026-12-01T12:30:00Z')), 'old-secret', now), true);
    assert.equal(secretMatches(hook(new Date('2026-12-01T11:59:59Z')), 'old-secret', now), false);
    assert.equal(secretMatches(hook(null), 'old-secret', now), false);
  });
});

describe('refusals per source', () => {
  test('a source is limited after its burst of refusals, recovers at the rate, and others are not affected', () => {
    let clock = 0;
    const limiter = new SourceLimiter({ burst: 3, perMinute: 60 }, () => clock);
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.waitOf('a'), 0);
      limiter.refused('a');
    }
    assert.ok(limiter.waitOf('a') > 0, 'limited after 3 refusals');
    assert.equal(limiter.waitOf('b'), 0);
    clock += 1000;
    assert.equal(limiter.waitOf('a'), 0, 'one refusal a second is earned back');
    assert.equal(limiter.waitOf('a'), 0, 'looking does not take the token');
  });
});

describe('hook settings', () => {
  test('the account of an API root: VTEX host, simulator path, or the host', () => {
    assert.equal(vtexAccountOf('https://lojaagro.vtexcommercestable.com.br'), 'lojaagro');
    assert.equal(vtexAccountOf('http://127.0.0.1:8787/v-1a2b'), 'v-1a2b');
    assert.equal(vtexAccountOf('https://api.loja.com.br'), 'api');
    assert.equal(hookUrlFor('https://erp.example.com/', 'loja-1'), 'https://erp.example.com/hooks/vtex/loja-1');
  });

  test("the receiver's settings: defaults, and one clear error for a bad value", () => {
    const base = { DATABASE_URL: 'postgres://x@127.0.0.1/db' };
    const config = readHooksConfig(base);
    assert.deepEqual([config.host, config.port, config.trustProxy], ['127.0.0.1', 8790, false]);
    assert.equal(readHooksConfig({ ...base, HOOKS_TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy, '10.0.0.0/8,127.0.0.1');
    assert.equal(readHooksConfig({ ...base, HOOKS_TRUST_PROXY: 'true' }).trustProxy, true);
    assert.throws(
      () => readHooksConfig({ ...base, HOOKS_PORT: '70000' }),
      (e: unknown) => e instanceof ConfigError && /HOOKS_PORT/.test(e.message),
    );
    assert.throws(() => readHooksConfig({ ...base, HOOKS_TRUST_PROXY: 'everyone' }), /HOOKS_TRUST_PROXY/);
  });
});

describe("the simulator's orders hook", () => {
  let server: Server;
  let url: string;
  /** Answers of the test server, by request: each entry is a status; beyond the list, 200. */
  let answers: number[] = [];
  const received: Array<{ at: number; body: any; secret: string | undefined }> = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ at: Date.now(), body: JSON.parse(body), secret: req.headers['x-secret'] as string | undefined });
        res.statusCode = answers.shift() ?? 200;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config = (status: string[]) => {
    const parsed = hookConfigurationOf({ filter: { type: 'FromWorkflow', status }, hook: { url, headers: { 'x-secret': 's3' } } });
    assert.notEqual(typeof parsed, 'string');
    return parsed as Exclude<typeof parsed, string>;
  };

  test('a configuration is saved only when its URL answers the ping with 200', async () => {
    received.length = 0;
    const hook = new AccountHook('loja', Date.now);
    answers = [500];
    assert.equal(await hook.configure(config(['ready-for-handling'])), false);
    assert.equal(hook.config, null);
    assert.equal(await hook.configure(config(['ready-for-handling'])), true);
    assert.deepEqual(
      received.map((r) => [r.body, r.secret]),
      [
        [{ hookConfig: 'ping' }, 's3'],
        [{ hookConfig: 'ping' }, 's3'],
      ],
    );
    hook.close();
  });

  test('the contract shape is checked: a bad configuration is refused with why', () => {
    assert.match(
      String(hookConfigurationOf({ filter: { type: 'FromWorkflow', status: [] }, hook: { url, headers: {} } })),
      /at least one status/,
    );
    assert.match(
      String(hookConfigurationOf({ filter: { type: 'FromWorkflow', status: ['x'] }, hook: { url: 'ftp://x', headers: {} } })),
      /hook.url/,
    );
    assert.match(String(hookConfigurationOf({ hook: { url, headers: {} } })), /filter and hook/);
  });

  test('a notification not answered 200 is sent again, each wait longer than the last, until it gets through', async () => {
    const hook = new AccountHook('loja', Date.now);
    answers = [];
    await hook.configure(config(['ready-for-handling']));
    hook.retry = { hookRetryInitialMs: 50, hookRetryMaxMs: 10_000, hookMaxAttempts: 10 };
    received.length = 0;
    answers = [503, 503, 503];
    const at = Date.now();
    hook.changed({
      orderId: '1-01',
      state: 'ready-for-handling',
      lastState: 'payment-approved',
      lastChangeAt: at - 1000,
      currentChangeAt: at,
    });
    // Filtered out: not a state of the filter.
    hook.changed({ orderId: '1-01', state: 'invoiced', lastState: 'handling', lastChangeAt: at, currentChangeAt: at });
    const deadline = Date.now() + 5000;
    while (hook.counters.hookDelivered < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(hook.counters.hookDelivered, 1);
    assert.deepEqual([hook.counters.hookNotifications, hook.counters.hookAttempts, hook.counters.hookFailures], [1, 4, 3]);
    const waits = received.slice(1).map((r, i) => r.at - received[i].at);
    assert.ok(waits[0] >= 45 && waits[1] > waits[0] && waits[2] > waits[1], `growing waits: ${waits.join(', ')} ms`);
    const body = received[0].body;
    assert.deepEqual(
      [body.Domain, body.OrderId, body.State, body.LastState, body.Origin.Account],
      ['Fulfillment', '1-01', 'ready-for-handling', 'payment-approved', 'loja'],
    );
    hook.close();
  });

  test('a notification whose tries run out is dropped, and counted', async () => {
    const hook = new AccountHook('loja', Date.now);
    answers = [];
    await hook.configure(config(['ready-for-handling']));
    hook.retry = { hookRetryInitialMs: 10, hookRetryMaxMs: 20, hookMaxAttempts: 3 };
    answers = [500, 500, 500];
    hook.changed({ orderId: '2-01', state: 'ready-for-handling', lastState: 'x', lastChangeAt: 0, currentChangeAt: 0 });
    const deadline = Date.now() + 5000;
    while (hook.counters.hookDropped < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual([hook.counters.hookAttempts, hook.counters.hookDropped, hook.pending], [3, 1, 0]);
    hook.close();
  });
});
