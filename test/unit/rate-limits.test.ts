/**
 * Platform rate limits as pure code and against the in-process simulator: the token bucket, the
 * connector's pacer, the connector's back-off on 429, and the simulator's Get order limit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPacer, PACE_SHARE } from '../../src/platform/pacing';
import { PlatformError } from '../../src/platform/types';
import { VtexConnector } from '../../src/platform/vtex/connector';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { TokenBucket } from '../../src/shared/tokenBucket';

describe('the token bucket', () => {
  it('gives its capacity at once, then one token every 1/rate seconds; says how long to wait without taking', () => {
    const bucket = new TokenBucket(10, 3, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0)], [0, 0, 0]);
    assert.equal(bucket.take(0), 100, 'the fourth waits for a tenth of a second');
    assert.equal(bucket.take(50), 50, 'and asking again took nothing');
    assert.equal(bucket.take(100), 0);
    // Never more than the capacity saved up, however long it rests.
    const rested = [0, 0, 0, 0].map(() => bucket.take(60_000));
    assert.deepEqual(rested, [0, 0, 0, 100]);
  });

  it('reserves tokens ahead for callers that queue, and pauses for a Retry-After', () => {
    const bucket = new TokenBucket(10, 2, 0);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => bucket.reserve(0)),
      [0, 0, 100, 200],
    );
    const paused = new TokenBucket(10, 2, 0);
    paused.pause(0, 1000);
    paused.pause(0, 1000);
    assert.equal(paused.reserve(0), 1100, 'nothing for a second (two 429s saying so are one pause), then the next tenth');
    assert.throws(() => new TokenBucket(0, 1, 0), RangeError);
  });
});

describe("the connector's pacer", () => {
  it(`paces calls at ${PACE_SHARE * 100}% of the limit after a second's worth, and stops everyone on back-off`, async () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = createPacer(
      600,
      () => now,
      async (ms) => {
        waits.push(ms);
      },
    );
    // 600 a minute at 95%: 9.5 a second, 9 at once.
    for (let i = 0; i < 11; i++) await pacer.wait();
    assert.deepEqual(waits, [106, 211]);
    now = 10_000;
    waits.length = 0;
    pacer.backOff(1000);
    await pacer.wait();
    assert.deepEqual(waits, [1106]);
  });
});

describe('the connector on 429', () => {
  it("backs the account's pacer off for the Retry-After, then goes on", async () => {
    const backOffs: number[] = [];
    let waited = 0;
    const pacer = { wait: async () => void waited++, backOff: (ms: number) => void backOffs.push(ms) };
    let n = 0;
    const fetchFn = (async () =>
      ++n === 1
        ? new Response('', { status: 429, headers: { 'retry-after': '2' } })
        : new Response(JSON.stringify({ orderId: '1-01' }), { status: 200 })) as unknown as typeof fetch;
    const connector = new VtexConnector(
      { baseUrl: 'http://vtex.example', appKey: 'k', appToken: 't' },
      { fetch: fetchFn, getOrderPacer: pacer, sleep: async () => undefined },
    );
    assert.deepEqual(await connector.getOrder('1-01'), { orderId: '1-01' });
    assert.deepEqual([waited, backOffs], [2, [2000]], 'paced before each try; the 429 backed the pacer off');
    // Only Get order is paced: the feed is not rate-limited the same way.
    await connector.fetchQueue(0);
    assert.equal(waited, 2);
  });
});

describe("the simulator's Get order limit", () => {
  let sim: RunningSimulator;
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(`${sim.url}/_sim/limits${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as any };
  };
  before(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1' });
  });
  after(() => sim?.close());

  it("is VTEX's 6,000 a minute by default, and answers 429 with Retry-After past a second's worth", async () => {
    assert.equal((await control('/settings')).json.getOrderLimitPerMinute, 6000);
    await control('/orders', { generate: 1, seed: 5 });
    const [orderId] = (await control('/orders', { generate: 1, seed: 5 })).json.orderIds;
    assert.equal((await control('/settings', { getOrderLimitPerMinute: 120 })).status, 200);
    const connector = new VtexConnector({ baseUrl: `${sim.url}/limits`, appKey: 'k', appToken: 't' }, { attempts: 1 });
    await connector.getOrder(orderId);
    await connector.getOrder(orderId);
    const limited = await connector.getOrder(orderId).catch((error: unknown) => error);
    assert.ok(limited instanceof PlatformError && limited.status === 429 && limited.retryable, String(limited));
    assert.equal(limited.retryAfterSeconds, 1);
    const stats = (await fetch(`${sim.url}/_sim/limits/stats`).then((r) => r.json())) as any;
    assert.deepEqual([stats.getOrderCalls, stats.rateLimited], [3, 1]);
  });

  it('refuses a bad limit and changes nothing', async () => {
    await control('/settings', { getOrderLimitPerMinute: 600 });
    for (const body of [{ getOrderLimitPerMinute: -1 }, { getOrderLimitPerMinute: 1.5 }, { getOrderLimitPerMinute: 2_000_000 }]) {
      assert.equal((await control('/settings', body)).status, 400, JSON.stringify(body));
    }
    assert.equal((await control('/settings', { visibilityTimeoutMs: 5000, getOrderLimitPerMinute: 'x' })).status, 400);
    const { visibilityTimeoutMs, getOrderLimitPerMinute } = (await control('/settings')).json;
    assert.deepEqual({ visibilityTimeoutMs, getOrderLimitPerMinute }, { visibilityTimeoutMs: 60_000, getOrderLimitPerMinute: 600 });
    assert.equal((await control('/settings', { getOrderLimitPerMinute: 0 })).json.getOrderLimitPerMinute, 0, '0: no limit');
  });
});
