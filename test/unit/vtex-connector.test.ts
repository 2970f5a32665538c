import assert from 'node:assert/strict';
import { generateSecretKey, parseKeyring, sealSecret } from '../../src/shared/secrets';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { mapVtexOrder } from '../../src/mapping/vtexOrderMapper';
import { type PlatformAccount, PlatformError } from '../../src/platform/types';
import { VtexConnector } from '../../src/platform/vtex/connector';
import { connectorFor } from '../../src/platform/connectors';
import { startSimulator } from '../../src/simulator/server';

const APP_KEY = 'vtexappkey-luxstore-TESTKEY';
const APP_TOKEN = 'TOKEN-0123456789abcdef-SECRET';

/** Runs `call` and returns the PlatformError it must throw; checks no credential leaks. */
async function platformError(call: () => Promise<unknown>): Promise<PlatformError> {
  try {
    await call();
  } catch (err) {
    assert.ok(err instanceof PlatformError, `expected PlatformError, got ${String(err)}`);
    assert.ok(!err.message.includes(APP_TOKEN), `"${err.message}" contains the app token`);
    assert.ok(!err.message.includes(APP_KEY), `"${err.message}" contains the app key`);
    return err;
  }
  assert.fail('expected a PlatformError');
}

interface Call {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

/** A fetch that records calls and answers with `respond`. */
function fakeFetch(respond: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const call: Call = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return respond(call);
  }) as typeof fetch;
  return { calls, fetchFn };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function feedItem(n: number) {
  return {
    eventId: `E${n}`,
    handle: `handle-${n}`,
    domain: 'Fulfillment',
    state: 'ready-for-handling',
    lastState: 'payment-approved',
    orderId: `10000000000${n}-01`,
    lastChange: '2024-02-04T20:09:43Z',
    currentChange: '2024-02-04T20:09:44Z',
  };
}

function fakeAccount(): PlatformAccount {
  return { baseUrl: 'https://luxstore.vtexcommercestable.com.br/', appKey: APP_KEY, appToken: APP_TOKEN };
}

describe('VtexConnector (fake fetch)', () => {
  it('reads the feed in lots of at most 10 until a short lot', async () => {
    let left = 23;
    const { calls, fetchFn } = fakeFetch((call) => {
      const lot = Number(call.url.searchParams.get('maxlot'));
      const page = Array.from({ length: Math.min(lot, left) }, (_, i) => feedItem(23 - left + i));
      left -= page.length;
      return json(page);
    });
    const { items, malformed } = await new VtexConnector(fakeAccount(), { fetch: fetchFn }).fetchQueue(50);
    assert.deepStrictEqual(malformed, []);
    assert.deepStrictEqual(
      calls.map((c) => c.url.searchParams.get('maxlot')),
      ['10', '10', '10'],
    );
    assert.equal(items.length, 23);
    assert.deepStrictEqual(items[22], { handle: 'handle-22', orderId: '1000000000022-01', state: 'ready-for-handling' });
    const first = calls[0];
    assert.equal(first.url.href, 'https://luxstore.vtexcommercestable.com.br/api/orders/feed?maxlot=10');
    assert.equal(first.headers.get('x-vtex-api-appkey'), APP_KEY);
    assert.equal(first.headers.get('x-vtex-api-apptoken'), APP_TOKEN);
    assert.equal(first.headers.get('accept'), 'application/json');
    assert.equal(first.headers.get('content-type'), 'application/json');
  });

  it('asks no more than maxItems', async () => {
    const { calls, fetchFn } = fakeFetch((call) =>
      json(Array.from({ length: Number(call.url.searchParams.get('maxlot')) }, (_, i) => feedItem(i))),
    );
    const connector = new VtexConnector(fakeAccount(), { fetch: fetchFn });
    assert.equal((await connector.fetchQueue(25)).items.length, 25);
    assert.deepStrictEqual(
      calls.map((c) => c.url.searchParams.get('maxlot')),
      ['10', '10', '5'],
    );
    assert.deepStrictEqual(await connector.fetchQueue(0), { items: [], malformed: [] });
    assert.equal(calls.length, 3);
  });

  it('sets malformed feed items aside, with their handle when usable, without quoting them', async () => {
    const bad = [
      { ...feedItem(2), handle: undefined },
      { ...feedItem(3), orderId: undefined },
      { ...feedItem(4), orderId: 4, state: ['x'] },
      { ...feedItem(5), handle: '', orderId: 'has space' },
      { ...feedItem(6), orderId: 'x'.repeat(101) },
      'handle-secret-string',
      null,
    ];
    const { fetchFn } = fakeFetch(() => json([feedItem(1), ...bad, feedItem(8)]));
    const { items, malformed } = await new VtexConnector(fakeAccount(), { fetch: fetchFn }).fetchQueue(10);
    assert.deepStrictEqual(
      items.map((i) => i.orderId),
      [feedItem(1).orderId, feedItem(8).orderId],
    );
    assert.deepStrictEqual(malformed, [
      { orderId: feedItem(2).orderId, reason: 'handle is missing or of the wrong type' },
      { handle: 'handle-3', reason: 'orderId is missing or of the wrong type' },
      { handle: 'handle-4', reason: 'orderId is missing or of the wrong type; state is missing or of the wrong type' },
      { reason: 'handle is empty; orderId is not printable text' },
      { handle: 'handle-6', reason: 'orderId is too long' },
      { reason: 'the item is not an object' },
      { reason: 'the item is not an object' },
    ]);
    assert.ok(!JSON.stringify(malformed).includes('secret'));

    const notArray = fakeFetch(() => json({ handle: 'handle-secret' }));
    const err2 = await platformError(() => new VtexConnector(fakeAccount(), { fetch: notArray.fetchFn }).fetchQueue(10));
    assert.equal(err2.message, 'VTEX fetchQueue: malformed feed response: the body is not an array');
  });

  it('commits handles in chunks of 100, and nothing for an empty list', async () => {
    const { calls, fetchFn } = fakeFetch(() => new Response(null, { status: 200 }));
    const connector = new VtexConnector(fakeAccount(), { fetch: fetchFn });
    await connector.commitQueue([]);
    assert.equal(calls.length, 0);
    const handles = Array.from({ length: 250 }, (_, i) => `h${i}`);
    await connector.commitQueue(handles);
    assert.deepStrictEqual(
      calls.map((c) => [c.method, c.url.pathname, (c.body as { handles: string[] }).handles.length]),
      [
        ['POST', '/api/orders/feed', 100],
        ['POST', '/api/orders/feed', 100],
        ['POST', '/api/orders/feed', 50],
      ],
    );
    assert.deepStrictEqual(
      calls.flatMap((c) => (c.body as { handles: string[] }).handles),
      handles,
    );
  });

  it('encodes the order id and refuses a body that is not JSON', async () => {
    const { calls, fetchFn } = fakeFetch(() => new Response('<html>oops</html>', { status: 200 }));
    const err = await platformError(() => new VtexConnector(fakeAccount(), { fetch: fetchFn }).getOrder('a/b?c'));
    assert.equal(calls[0].url.pathname, '/api/oms/pvt/orders/a%2Fb%3Fc');
    assert.equal(err.retryable, false);
    assert.equal(err.message, 'VTEX getOrder a/b?c: malformed response, the body is not JSON');
  });

  it("names the VTEX error code and a refusal's short reason, never the credentials or a body that could hold customer data", async () => {
    const { calls, fetchFn } = fakeFetch(() =>
      json({ error: { code: 'OMS003', message: `Order status should be ready-for-handling (${APP_TOKEN})` } }, 409),
    );
    const err = await platformError(() => new VtexConnector(fakeAccount(), { fetch: fetchFn }).startHandling('1172452900788-01'));
    assert.equal(calls[0].method, 'POST');
    assert.equal(calls[0].url.pathname, '/api/oms/pvt/orders/1172452900788-01/start-handling');
    assert.deepStrictEqual(
      [err.message, err.retryable, err.status],
      ['VTEX startHandling 1172452900788-01: HTTP 409 (OMS003): Order status should be ready-for-handling (***)', false, 409],
    );
    for (const message of ['x'.repeat(201), 'Invalid email rodrigo.smith@email.com', { nested: 'object' }]) {
      const { fetchFn: other } = fakeFetch(() => json({ error: { code: 'OMS010', message } }, 400));
      const refused = await platformError(() => new VtexConnector(fakeAccount(), { fetch: other }).cancelOrder('1-01', 'x'));
      assert.equal(refused.message, 'VTEX cancel 1-01: HTTP 400 (OMS010)');
    }
  });

  it('reads Retry-After as seconds or as an HTTP date', async () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    for (const [header, expected] of [
      ['7', 7],
      [date, 30],
      ['soon', undefined],
    ] as const) {
      const { fetchFn } = fakeFetch(() => new Response('', { status: 429, headers: { 'retry-after': header } }));
      const err = await platformError(() => new VtexConnector(fakeAccount(), { fetch: fetchFn, attempts: 1 }).getOrder('1-01'));
      assert.equal(err.retryable, true);
      assert.equal(err.status, 429);
      if (expected === 30) assert.ok(err.retryAfterSeconds! >= 29 && err.retryAfterSeconds! <= 30, String(err.retryAfterSeconds));
      else assert.equal(err.retryAfterSeconds, expected);
    }
  });

  it('retries a 5xx or 429 in place before giving up, and never a 4xx', async () => {
    let n = 0;
    const flaky = fakeFetch(() =>
      ++n <= 2 ? new Response('', { status: 503 }) : new Response(JSON.stringify({ orderId: '1-01' }), { status: 200 }),
    );
    assert.deepEqual(await new VtexConnector(fakeAccount(), { fetch: flaky.fetchFn }).getOrder('1-01'), { orderId: '1-01' });
    assert.equal(flaky.calls.length, 3);

    const limited = fakeFetch(() => new Response('', { status: 429, headers: { 'retry-after': '1' } }));
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const err = await platformError(() =>
      new VtexConnector(fakeAccount(), { fetch: limited.fetchFn, attempts: 3, sleep }).getOrder('1-01'),
    );
    assert.equal(err.status, 429);
    assert.equal(limited.calls.length, 3);
    assert.deepEqual(waits, [1000, 1000], 'waited for Retry-After before each try');

    // Without Retry-After: 200 ms, then twice as long each time.
    const down = fakeFetch(() => new Response('', { status: 503 }));
    waits.length = 0;
    await platformError(() => new VtexConnector(fakeAccount(), { fetch: down.fetchFn, sleep }).getOrder('1-01'));
    assert.deepEqual([down.calls.length, waits], [4, [200, 400, 800]]);

    const refused = fakeFetch(() => new Response('', { status: 404 }));
    assert.equal((await platformError(() => new VtexConnector(fakeAccount(), { fetch: refused.fetchFn }).getOrder('1-01'))).status, 404);
    assert.equal(refused.calls.length, 1);
  });

  it('makes network errors retryable', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const connector = new VtexConnector(
      { baseUrl: `http://127.0.0.1:${port}/luxstore`, appKey: APP_KEY, appToken: APP_TOKEN },
      { sleep: async () => undefined },
    );
    const err = await platformError(() => connector.getOrder('1-01'));
    assert.equal(err.retryable, true);
    assert.equal(err.message, 'VTEX getOrder 1-01: network error (ECONNREFUSED)');
  });

  it('is what connectorFor builds for "vtex"', () => {
    const keys = parseKeyring(generateSecretKey(), 'test key');
    process.env.VITRINE_SECRET_KEY = keys.map((k) => k.key.toString('base64')).join(',');
    const account = {
      code: 'luxstore',
      base_url: 'http://127.0.0.1:1/luxstore',
      app_key: APP_KEY,
      app_token_encrypted: sealSecret(APP_TOKEN, keys),
    };
    assert.ok(connectorFor({ platform: 'vtex', ...account }) instanceof VtexConnector);
    assert.throws(() => connectorFor({ platform: 'shopify', ...account }), /not supported/);
  });
});

describe('VtexConnector against the simulator', () => {
  let sim: { url: string; close(): Promise<void> };
  before(async () => {
    sim = await startSimulator({ port: 0 });
  });
  after(async () => {
    await sim?.close();
  });

  /** A connector for `account` (each test uses its own account: faults and queues are per account). */
  // Retries in place without waiting: the delays themselves are checked against the fake fetch.
  const noWait = async () => undefined;
  const connect = (
    account: string,
    options: { timeoutMs?: number; attempts?: number } = {},
    credentials = { appKey: APP_KEY, appToken: APP_TOKEN },
  ) => new VtexConnector({ baseUrl: `${sim.url}/${account}`, ...credentials }, { sleep: noWait, ...options });

  async function control(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${sim.url}/_sim/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(res.status, 200, `control ${method} ${path}: HTTP ${res.status}`);
    return res.json();
  }
  const generate = async (account: string, n: number, seed = 7): Promise<string[]> =>
    (await control('POST', `${account}/orders`, { generate: n, seed })).orderIds;
  const stats = (account: string) => control('GET', `${account}/stats`);
  const faults = (account: string, settings: Record<string, number>) => control('POST', `${account}/faults`, settings);

  it('reads more than 10 feed items in several lots and commits them', async () => {
    const orderIds = await generate('feedstore', 25);
    const connector = connect('feedstore');
    const { items } = await connector.fetchQueue(30);
    assert.equal(items.length, 25);
    assert.deepStrictEqual(new Set(items.map((i) => i.orderId)), new Set(orderIds));
    assert.ok(items.every((i) => i.handle.length > 0 && i.state === 'ready-for-handling'));
    assert.equal(new Set(items.map((i) => i.handle)).size, 25);
    let s = await stats('feedstore');
    assert.equal(s.feedRetrievals, 3); // maxlot 10, 10, 10 (5 returned: the queue is empty)
    assert.equal(s.feedInFlight, 25);

    await connector.commitQueue(items.map((i) => i.handle));
    s = await stats('feedstore');
    assert.deepStrictEqual([s.committed, s.feedInFlight, s.feedPending], [25, 0, 0]);
    assert.deepStrictEqual(await connector.fetchQueue(10), { items: [], malformed: [] });
  });

  it('gets order documents that the VTEX mapper maps', async () => {
    const orderIds = await generate('mapstore', 40, 42);
    const connector = connect('mapstore');
    const documentTypes = new Set<string>();
    for (const orderId of orderIds) {
      const order = mapVtexOrder(await connector.getOrder(orderId));
      assert.equal(order.externalOrderId, orderId);
      assert.equal(order.platformState, 'ready-for-handling');
      assert.ok(order.items.length > 0 && order.payments.length > 0);
      documentTypes.add(order.customer.documentType!);
    }
    assert.deepStrictEqual(documentTypes, new Set(['cpf', 'cnpj'])); // seed 42 includes corporate buyers
  });

  it('gets a malformed document that the mapper refuses', async () => {
    const [orderId] = await generate('badstore', 1);
    await faults('badstore', { malformedRate: 1 });
    const raw = await connect('badstore').getOrder(orderId);
    assert.throws(() => mapVtexOrder(raw), /^OrderMappingError: invalid platform order: (clientProfileData|items) must be/);
  });

  it('fails an unknown order with a final 404', async () => {
    const err = await platformError(() => connect('nostore').getOrder('999999999-01'));
    assert.deepStrictEqual([err.retryable, err.status, err.message], [false, 404, 'VTEX getOrder 999999999-01: HTTP 404: Order not found']);
  });

  it('makes platform errors retryable', async () => {
    await faults('errstore', { errorRate: 1 });
    const err = await platformError(() => connect('errstore').fetchQueue(10));
    assert.equal(err.retryable, true);
    assert.ok(err.status === 500 || err.status === 503, String(err.status));
  });

  it('makes rate limiting retryable after Retry-After', async () => {
    await faults('busystore', { rateLimitRate: 1 });
    const err = await platformError(() => connect('busystore').commitQueue(['h1']));
    assert.deepStrictEqual([err.retryable, err.status, err.retryAfterSeconds], [true, 429, 1]);
  });

  it('gives up after timeoutMs, retryably', async () => {
    const [orderId] = await generate('slowstore', 1);
    await faults('slowstore', { timeoutRate: 1 });
    const err = await platformError(() => connect('slowstore', { timeoutMs: 300, attempts: 1 }).getOrder(orderId));
    assert.deepStrictEqual(
      [err.retryable, err.status, err.message],
      [true, undefined, `VTEX getOrder ${orderId}: no response within 300 ms`],
    );
  });

  it('starts handling an order', async () => {
    const [orderId] = await generate('handlestore', 1);
    const connector = connect('handlestore');
    await connector.startHandling(orderId);
    assert.equal((await stats('handlestore')).startHandlingCalls, 1);
    assert.equal(mapVtexOrder(await connector.getOrder(orderId)).platformState, 'handling');
    const err = await platformError(() => connector.startHandling('999999999-01'));
    assert.deepStrictEqual([err.retryable, err.status], [false, 404]);
  });

  it('fails without credentials with a final 401', async () => {
    for (const credentials of [
      { appKey: '', appToken: '' },
      { appKey: APP_KEY, appToken: '' },
    ]) {
      const err = await platformError(() => connect('authstore', {}, credentials).fetchQueue(10));
      assert.deepStrictEqual([err.retryable, err.status], [false, 401]);
    }
  });
});
