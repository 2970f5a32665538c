/**
 * VTEX platform simulator: contract conformance (ajv against contracts/vtex), queue semantics,
 * state changes, auth, faults, stats, generator determinism and the CLI.
 * Run: node --import tsx --test test/unit/simulator.test.ts
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateOrder } from '../../src/simulator/generate';
import { createSimulatorApp, type RunningSimulator, simulatorStoreOf, startSimulator } from '../../src/simulator/server';
import { assertValid, ORDER_PATH, responseSchema, spec } from '../support/contract';

const ROOT = path.join(__dirname, '..', '..');
type Json = any;
const EXAMPLE: Json = spec.paths[ORDER_PATH].get.responses['200'].content['application/json'].example;

const getOrderSchema = responseSchema(ORDER_PATH, 'get', '200');
const feedSchema = responseSchema('/api/orders/feed', 'get', '200');
const cancelSchema = responseSchema(`${ORDER_PATH}/cancel`, 'post', '200');
const unauthorizedSchema = responseSchema(`${ORDER_PATH}/start-handling`, 'post', '401');
const conflictSchema = responseSchema(`${ORDER_PATH}/start-handling`, 'post', '409');

/** Objects whose keys are data (maps), not fields: their keys are not compared with the example. */
const MAP_KEYS = new Set(['matchedParameters', 'connectorResponses', 'content', 'schema', 'InputValues', 'Composition', 'fields']);

/** Differences in field names between the example and a document (both ways), recursively. */
function shapeDiff(example: unknown, actual: unknown, at = '$'): string[] {
  const out: string[] = [];
  if (Array.isArray(example) && Array.isArray(actual)) {
    if (example.length && actual.length) for (const a of actual) out.push(...shapeDiff(example[0], a, `${at}[]`));
  } else if (isObject(example) && isObject(actual)) {
    for (const key of Object.keys(example)) if (!(key in actual)) out.push(`missing ${at}.${key}`);
    for (const key of Object.keys(actual)) if (!(key in example)) out.push(`extra ${at}.${key}`);
    for (const key of Object.keys(example)) {
      if (key in actual && !MAP_KEYS.has(key)) out.push(...shapeDiff(example[key], actual[key], `${at}.${key}`));
    }
  }
  return out;
}
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check digits computed here, independently of the simulator's own code. */
function cpfOk(value: string): boolean {
  const d = value.replace(/\D/g, '').split('').map(Number);
  if (d.length !== 11 || new Set(d).size === 1) return false;
  for (const n of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[i] * (n + 1 - i);
    if (((sum * 10) % 11) % 10 !== d[n]) return false;
  }
  return true;
}
function cnpjOk(value: string): boolean {
  const d = value.replace(/\D/g, '').split('').map(Number);
  if (d.length !== 14) return false;
  for (const n of [12, 13]) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[i] * (((n - 1 - i) % 8) + 2);
    const rest = sum % 11;
    if ((rest < 2 ? 0 : 11 - rest) !== d[n]) return false;
  }
  return true;
}

const AUTH = { 'X-VTEX-API-AppKey': 'vtexappkey-test', 'X-VTEX-API-AppToken': 'secret-token' };
const START = Date.parse('2026-03-02T12:00:00.000Z');
let clock = START;
let sim: RunningSimulator;

async function call(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(sim.url + urlPath, {
    method,
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (text ? JSON.parse(text) : undefined) as Json };
}
const platform = (method: string, account: string, p: string, body?: unknown) => call(method, `/${account}${p}`, body, AUTH);
const control = (method: string, account: string, p: string, body?: unknown) => call(method, `/_sim/${account}${p}`, body);
const feed = (account: string, maxlot: number | string = 10) => platform('GET', account, `/api/orders/feed?maxlot=${maxlot}`);
const commit = (account: string, handles: string[]) => platform('POST', account, '/api/orders/feed', { handles });
const getOrder = (account: string, id: string) => platform('GET', account, `/api/oms/pvt/orders/${id}`);
const stats = async (account: string) => (await control('GET', account, '/stats')).json;
async function generate(account: string, body: unknown): Promise<string[]> {
  const res = await control('POST', account, '/orders', body);
  assert.equal(res.status, 200, res.text);
  return res.json.orderIds;
}
/** Reads the whole visible feed, validating every answer against the contract. */
async function drain(account: string): Promise<Json[]> {
  const items: Json[] = [];
  // Bounded: if hiding were broken the feed would never run dry and the test must fail, not hang.
  for (let call = 0; call < 1_000; call++) {
    const res = await feed(account, 10);
    assert.equal(res.status, 200);
    assertValid(feedSchema, res.json, 'feed');
    if (res.json.length === 0) return items;
    items.push(...res.json);
  }
  assert.fail('the feed never ran dry');
}

before(async () => {
  sim = await startSimulator({ now: () => clock, visibilityTimeoutMs: 60_000, hangMs: 5_000 });
});
after(async () => {
  await sim.close();
});

describe('contract conformance', () => {
  it('serves the contract example as posted, valid against the Get order schema', async () => {
    assertValid(getOrderSchema, EXAMPLE, 'the contract example itself');
    assert.deepEqual(await generate('luxstore', EXAMPLE), [EXAMPLE.orderId]);
    const res = await getOrder('luxstore', EXAMPLE.orderId);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(res.json, EXAMPLE);
    assertValid(getOrderSchema, res.json, 'example read back');
  });

  it('generates documents with exactly the example shape, valid against the schema', async () => {
    const ids = [
      ...(await generate('shape', { generate: 60, seed: 'shape' })),
      ...(await generate('shape', { generate: 5, seed: 'shape-canceled', state: 'canceled' })),
      ...(await generate('shape', { generate: 5, seed: 'shape-pending', state: 'payment-pending' })),
    ];
    for (const id of ids) {
      const res = await getOrder('shape', id);
      assert.equal(res.status, 200);
      assertValid(getOrderSchema, res.json, `generated ${id}`);
      assert.deepEqual(shapeDiff(EXAMPLE, res.json), [], `shape of ${id}`);
    }
  });

  it('feed, commit, start-handling, cancel and errors answer as the contract says', async () => {
    const [id] = await generate('conform', { generate: 1, seed: 3 });
    const items = (await feed('conform', 5)).json;
    assertValid(feedSchema, items, 'feed');
    assert.equal(items.length, 1);
    assert.deepEqual(
      Object.keys(items[0]).sort(),
      Object.keys(spec.paths['/api/orders/feed'].get.responses['200'].content['application/json'].example[0]).sort(),
    );
    assert.equal(items[0].domain, 'Fulfillment');
    assert.match(items[0].eventId, /^[0-9A-F]{32}$/);
    assert.match(items[0].handle, /^[A-Za-z0-9_-]+$/);

    const committed = await commit('conform', [items[0].handle]);
    assert.equal(committed.status, 200);
    assert.equal(committed.text, '');

    const started = await platform('POST', 'conform', `/api/oms/pvt/orders/${id}/start-handling`);
    assert.equal(started.status, 204);
    assert.equal(started.text, '');

    const conflict = await platform('POST', 'conform', `/api/oms/pvt/orders/${id}/cancel`);
    assert.equal(conflict.status, 200);
    assertValid(cancelSchema, conflict.json, 'cancel');
    assert.equal(conflict.json.orderId, id);
    assert.match(conflict.json.receipt, /^[0-9a-f]{32}$/);
    assert.ok(!Number.isNaN(Date.parse(conflict.json.date)));

    const refused = await platform('POST', 'conform', `/api/oms/pvt/orders/${id}/start-handling`);
    assert.equal(refused.status, 409);
    assertValid(conflictSchema, refused.json, '409');
    assert.deepEqual(refused.json, {
      error: { code: 'OMS003', message: 'Order status should be ready-for-handling to perform this action', exception: null },
    });
  });
});

describe('feed queue', () => {
  it('limits by maxlot, hides retrieved items, shows them again after the visibility timeout', async () => {
    const ids = await generate('queue', { generate: 25, seed: 11 });
    assert.equal((await control('POST', 'queue', '/settings', { visibilityTimeoutMs: 10_000 })).status, 200);
    assert.deepEqual(await stats('queue').then((s) => [s.orders, s.feedPending, s.feedInFlight, s.committed]), [25, 25, 0, 0]);

    const first = (await feed('queue', 10)).json;
    const second = (await feed('queue', 10)).json;
    const third = (await feed('queue', 10)).json;
    assert.deepEqual([first.length, second.length, third.length], [10, 10, 5]);
    assert.deepEqual(
      [...first, ...second, ...third].map((i: Json) => i.orderId),
      ids,
      'oldest first, each once',
    );
    assert.deepEqual((await feed('queue', 10)).json, [], 'all in flight');
    assert.deepEqual(await stats('queue').then((s) => [s.feedPending, s.feedInFlight]), [0, 25]);

    clock += 9_999;
    assert.deepEqual((await feed('queue', 1)).json, [], 'still invisible just before the timeout');
    clock += 2;
    const again = (await feed('queue', 3)).json;
    assert.deepEqual(
      again.map((i: Json) => i.eventId),
      first.slice(0, 3).map((i: Json) => i.eventId),
      'same events come back first',
    );
    assert.notEqual(again[0].handle, first[0].handle, 'each retrieval issues a fresh handle');
    assert.deepEqual(await stats('queue').then((s) => [s.feedPending, s.feedInFlight]), [22, 3]);

    // A stale handle (first retrieval) still commits; garbage and foreign handles are ignored.
    const [foreignId] = await generate('queue-other', { generate: 1, seed: 1 });
    const foreign = (await feed('queue-other', 1)).json[0];
    assert.equal(foreign.orderId, foreignId);
    const res = await commit('queue', [first[0].handle, again[1].handle, 'not-a-handle', 'eyJ4IjoxfQ', foreign.handle]);
    assert.equal(res.status, 200);
    assert.equal((await stats('queue')).committed, 2);
    assert.equal((await stats('queue-other')).feedInFlight, 1, 'foreign handle did not commit the other account');

    assert.equal((await commit('queue', [first[0].handle, again[0].handle])).status, 200, 'committing twice is fine');
    assert.equal((await stats('queue')).committed, 2, 'already committed handles are ignored');

    clock += 10_001;
    const rest = await drain('queue');
    const committedIds = new Set([first[0].eventId, first[1].eventId]);
    assert.equal(rest.length, 23);
    assert.ok(
      rest.every((i) => !committedIds.has(i.eventId)),
      'committed events never come back',
    );
    assert.deepEqual(await stats('queue').then((s) => [s.feedPending, s.feedInFlight, s.committed]), [0, 23, 2]);
    assert.equal(
      (
        await commit(
          'queue',
          rest.map((i) => i.handle),
        )
      ).status,
      200,
    );
    clock += 60_000;
    assert.deepEqual(await drain('queue'), []);
    assert.deepEqual(await stats('queue').then((s) => [s.feedPending, s.feedInFlight, s.committed]), [0, 0, 25]);
  });

  it('refuses a bad maxlot or commit body with 400', async () => {
    for (const maxlot of ['0', '11', 'abc', '1.5', '-1', '']) {
      assert.equal((await feed('queue', maxlot)).status, 400, `maxlot=${maxlot}`);
    }
    assert.equal((await platform('GET', 'queue', '/api/orders/feed')).status, 400, 'maxlot missing');
    for (const body of [{}, { handles: 'x' }, { handles: [1] }, [], null]) {
      const res = await platform('POST', 'queue', '/api/orders/feed', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(typeof res.json.error.message, 'string');
    }
  });
});

describe('documents rendered when seeded', () => {
  it('serves the same document as a lazily built one, and a fresh one after each change', async () => {
    const [lazy] = await generate('render-lazy', { generate: 1, seed: 21, state: 'payment-pending' });
    const [kept] = await generate('render-kept', { generate: 1, seed: 21, state: 'payment-pending', render: true });
    assert.equal(kept, lazy, 'same seed, same order');
    const lazyRes = await getOrder('render-lazy', lazy);
    const keptRes = await getOrder('render-kept', kept);
    assert.equal(keptRes.status, 200);
    assert.match(keptRes.headers.get('content-type') ?? '', /^application\/json/);
    // The documents differ only where they name their account.
    assert.equal(keptRes.text, lazyRes.text.replaceAll('render-lazy', 'render-kept').replaceAll('Render Lazy', 'Render Kept'));
    assertValid(getOrderSchema, keptRes.json, 'rendered');

    clock += 1_000;
    await control('POST', 'render-kept', `/orders/${kept}/state`, { state: 'payment-approved' });
    let doc = (await getOrder('render-kept', kept)).json;
    assert.equal(doc.status, 'payment-approved');
    assert.equal(Date.parse(doc.authorizedDate), clock);
    clock += 1_000;
    assert.equal((await platform('POST', 'render-kept', `/api/oms/pvt/orders/${kept}/cancel`, { reason: 'Sem estoque' })).status, 200);
    doc = (await getOrder('render-kept', kept)).json;
    assert.deepEqual([doc.status, doc.cancelReason], ['canceled', 'Sem estoque']);
    assertValid(getOrderSchema, doc, 'rendered, then canceled');
    assert.equal((await control('POST', 'render-kept', '/orders', { generate: 1, render: 'yes' })).status, 400);
  });
});

describe('order states', () => {
  it('emits one feed event per change, with lastState, and keeps the document coherent', async () => {
    const [id] = await generate('states', { generate: 1, seed: 5, state: 'payment-pending' });
    const read = async () => (await getOrder('states', id)).json;
    const next = async () => {
      const items = (await feed('states', 10)).json;
      await commit(
        'states',
        items.map((i: Json) => i.handle),
      );
      return items.map((i: Json) => [i.state, i.lastState]);
    };
    assert.deepEqual(await next(), [['payment-pending', 'order-created']]);
    let doc = await read();
    assert.deepEqual([doc.status, doc.statusDescription, doc.authorizedDate], ['payment-pending', 'Pagamento Pendente', null]);

    const refused = await platform('POST', 'states', `/api/oms/pvt/orders/${id}/start-handling`);
    assert.equal(refused.status, 409);

    clock += 1_000;
    const changed = await control('POST', 'states', `/orders/${id}/state`, { state: 'payment-approved' });
    assert.deepEqual([changed.status, changed.json], [200, { orderId: id, state: 'payment-approved' }]);
    assert.deepEqual(await next(), [['payment-approved', 'payment-pending']]);
    doc = await read();
    assert.equal(doc.status, 'payment-approved');
    assert.equal(Date.parse(doc.authorizedDate), clock);
    assert.equal(Date.parse(doc.lastChange), clock);
    assertValid(getOrderSchema, doc, 'after a state change');

    const approvedAt = clock;
    clock += 1_000;
    await control('POST', 'states', `/orders/${id}/state`, { state: 'ready-for-handling' });
    clock += 1_000;
    const started = await call('POST', `/states/api/oms/pvt/orders/${id}/start-handling`, undefined, {
      ...AUTH,
      'Content-Type': 'application/json', // with no body, as VTEX clients send it
    });
    assert.equal(started.status, 204);
    assert.equal((await platform('POST', 'states', `/api/oms/pvt/orders/${id}/start-handling`)).status, 204, 'repeat is a no-op');
    assert.deepEqual(await next(), [
      ['ready-for-handling', 'payment-approved'],
      ['handling', 'ready-for-handling'],
    ]);
    doc = await read();
    assert.deepEqual([doc.status, doc.statusDescription], ['handling', 'Preparando Entrega']);
    assert.equal(Date.parse(doc.authorizedDate), approvedAt, 'authorizedDate kept from the approval');
    assert.equal(Date.parse(doc.lastChange), clock);
    const s = await stats('states');
    assert.deepEqual([s.startHandlingCalls, s.startHandlingRequests, s.eventsEmitted], [1, 3, 4]);

    const canceled = await platform('POST', 'states', `/api/oms/pvt/orders/${id}/cancel`, { reason: 'Sem estoque' });
    assert.equal(canceled.status, 200);
    assert.deepEqual(await next(), [['canceled', 'handling']]);
    doc = await read();
    assert.deepEqual([doc.status, doc.cancelReason, doc.cancellationData.Reason], ['canceled', 'Sem estoque', 'Sem estoque']);
    assertValid(getOrderSchema, doc, 'canceled');
    assert.equal((await platform('POST', 'states', `/api/oms/pvt/orders/${id}/cancel`)).status, 200);
    assert.deepEqual(await next(), [], 'canceling again changes nothing');
  });

  it('updates the status fields of a posted document and leaves the rest as given', async () => {
    await generate('posted', EXAMPLE);
    await control('POST', 'posted', `/orders/${EXAMPLE.orderId}/state`, { state: 'ready-for-handling' });
    const doc = (await getOrder('posted', EXAMPLE.orderId)).json;
    assert.deepEqual(
      { ...doc, status: EXAMPLE.status, statusDescription: EXAMPLE.statusDescription, lastChange: EXAMPLE.lastChange },
      EXAMPLE,
    );
    assert.deepEqual(
      [doc.status, doc.statusDescription, Date.parse(doc.lastChange)],
      ['ready-for-handling', 'Pronto para o manuseio', clock],
    );
    const items = await drain('posted');
    assert.deepEqual(
      items.map((i) => [i.state, i.lastState]),
      [
        ['handling', 'ready-for-handling'],
        ['ready-for-handling', 'handling'],
      ],
    );
  });

  it('re-posting an order replaces it and emits an event', async () => {
    const doc = { orderId: '1000000000001-01', status: 'payment-approved', value: 100 };
    await generate('repost', doc);
    await generate('repost', [{ ...doc, status: 'ready-for-handling', value: 200 }]);
    assert.equal((await getOrder('repost', doc.orderId)).json.value, 200);
    assert.deepEqual(
      (await drain('repost')).map((i) => [i.state, i.lastState]),
      [
        ['payment-approved', 'payment-pending'],
        ['ready-for-handling', 'payment-approved'],
      ],
    );
    assert.equal((await stats('repost')).orders, 1);
    // Stored as given: a document that is not an order at all is still accepted.
    await generate('repost', { orderId: 'weird', items: 'nope' });
    assert.deepEqual((await getOrder('repost', 'weird')).json, { orderId: 'weird', items: 'nope' });
  });

  it('validates control requests', async () => {
    const [id] = await generate('ctl', { generate: 1, seed: 1 });
    assert.equal((await control('POST', 'ctl', `/orders/${id}/state`, { state: 'shipped' })).status, 400);
    assert.equal((await control('POST', 'ctl', '/orders/nope-01/state', { state: 'handling' })).status, 404);
    for (const body of [
      { foo: 1 },
      [{ orderId: 'a' }, { id: 'b' }],
      { generate: 200_001 },
      { generate: 1.5 },
      { generate: 1, state: 'x' },
      'text',
    ]) {
      assert.equal((await control('POST', 'ctl', '/orders', body)).status, 400, JSON.stringify(body));
    }
    assert.equal((await stats('ctl')).orders, 1, 'a refused array creates nothing');
    for (const body of [{ visibilityTimeoutMs: -1 }, { visibilityTimeoutMs: 'x' }, {}]) {
      assert.equal((await control('POST', 'ctl', '/settings', body)).status, 400);
    }
    assert.equal((await control('POST', 'BAD_NAME', '/orders', { generate: 1 })).status, 400);
    assert.deepEqual((await call('GET', '/_sim/health')).json, { ok: true });
    assert.equal((await control('POST', 'ctl', '/reset')).status, 200);
    assert.equal((await stats('ctl')).orders, 0);
  });
});

describe('auth and not found', () => {
  it('answers 401 without both credentials', async () => {
    const [id] = await generate('auth', { generate: 1, seed: 1 });
    const cases: Array<Record<string, string>> = [
      {},
      { 'X-VTEX-API-AppKey': 'k' },
      { 'X-VTEX-API-AppToken': 't' },
      { 'X-VTEX-API-AppKey': ' ', 'X-VTEX-API-AppToken': 't' },
    ];
    for (const headers of cases) {
      for (const [method, p] of [
        ['GET', '/api/orders/feed?maxlot=1'],
        ['GET', `/api/oms/pvt/orders/${id}`],
        ['POST', `/api/oms/pvt/orders/${id}/start-handling`],
      ]) {
        const res = await call(method, `/auth${p}`, undefined, headers);
        assert.equal(res.status, 401, `${method} ${p} ${JSON.stringify(headers)}`);
        assertValid(unauthorizedSchema, res.json, '401');
        assert.deepEqual(res.json, { error: { code: '1', message: 'Unauthorized access', exception: null } });
      }
    }
    assert.deepEqual(await stats('auth').then((s) => [s.feedPending, s.startHandlingRequests]), [1, 0]);
  });

  it('answers 404 with a JSON error for unknown orders and accounts', async () => {
    for (const [method, p] of [
      ['GET', '/api/oms/pvt/orders/404-01'],
      ['POST', '/api/oms/pvt/orders/404-01/start-handling'],
      ['POST', '/api/oms/pvt/orders/404-01/cancel'],
    ]) {
      const res = await platform(method, 'nf', p);
      assert.equal(res.status, 404, `${method} ${p}`);
      assert.deepEqual(res.json, { error: { code: '404', message: 'Order not found', exception: null } });
    }
    assert.equal((await platform('GET', 'Not_An_Account', '/api/orders/feed?maxlot=1')).status, 404);
  });
});

describe('faults', () => {
  it('injects errors, rate limits, malformed orders and hangs, then goes back to normal', async () => {
    const ids = await generate('faulty', { generate: 40, seed: 9 });
    const set = async (body: unknown) => control('POST', 'faulty', '/faults', body);
    // The injected faults are tested here, not the account's rate limit: hundreds of reads in a second.
    assert.equal((await control('POST', 'faulty', '/settings', { getOrderLimitPerMinute: 0 })).status, 200);

    assert.equal((await set({ errorRate: 1 })).status, 200);
    assert.deepEqual((await control('GET', 'faulty', '/faults')).json, {
      errorRate: 1,
      timeoutRate: 0,
      latencyMs: 0,
      malformedRate: 0,
      rateLimitRate: 0,
      hangOrderIds: [],
    });
    for (let i = 0; i < 6; i++) assert.ok([500, 503].includes((await feed('faulty', 1)).status));
    assert.equal((await stats('faulty')).feedInFlight, 0, 'failed calls changed nothing');

    await set({ rateLimitRate: 1 });
    const limited = await getOrder('faulty', ids[0]);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');

    await set({ malformedRate: 1 });
    for (const id of ids.slice(0, 10)) {
      const doc = (await getOrder('faulty', id)).json;
      assert.equal(getOrderSchema(doc), false, `malformed ${id} must fail the schema`);
      assert.ok(doc.clientProfileData === null || !Array.isArray(doc.items));
      assert.deepEqual((await getOrder('faulty', id)).json, doc, 'the same order is malformed the same way');
    }
    await set({ malformedRate: 0.5 });
    const broken = async () => {
      const out: boolean[] = [];
      for (const id of ids) out.push(!getOrderSchema((await getOrder('faulty', id)).json));
      return out;
    };
    const firstPass = await broken();
    const count = firstPass.filter(Boolean).length;
    assert.ok(count > 5 && count < 35, `about half malformed, got ${count}`);
    assert.deepEqual(await broken(), firstPass, 'decided by the order id');

    await set({ timeoutRate: 1 });
    await assert.rejects(
      fetch(`${sim.url}/faulty/api/orders/feed?maxlot=1`, { headers: AUTH, signal: AbortSignal.timeout(300) }),
      (err: Error) => err.name === 'TimeoutError',
    );
    assert.equal((await control('GET', 'faulty', '/stats')).status, 200, 'control API has no faults');

    // One chosen order hangs; the others answer.
    await set({ hangOrderIds: [ids[3]] });
    await assert.rejects(
      fetch(`${sim.url}/faulty/api/oms/pvt/orders/${ids[3]}`, { headers: AUTH, signal: AbortSignal.timeout(300) }),
      (err: Error) => err.name === 'TimeoutError',
    );
    assert.equal((await fetch(`${sim.url}/faulty/api/oms/pvt/orders/${ids[4]}`, { headers: AUTH })).status, 200);
    assert.equal((await set({ hangOrderIds: 'all' })).status, 400);

    await set({ latencyMs: 150 });
    const t0 = Date.now();
    assert.equal((await feed('faulty', 1)).status, 200);
    assert.ok(Date.now() - t0 >= 140, 'latency added');

    await set({});
    const normal = await getOrder('faulty', ids[0]);
    assert.equal(normal.status, 200);
    assertValid(getOrderSchema, normal.json, 'after faults reset');
    // The hung order counts as a timeout too.
    const s = await stats('faulty');
    assert.ok(s.faultErrors === 6 && s.faultRateLimited === 1 && s.faultTimeouts === 2 && s.faultMalformed >= 20, JSON.stringify(s));
  });

  it('refuses bad fault settings', async () => {
    for (const body of [{ errorRate: 2 }, { errorRate: -0.1 }, { timeoutRate: 'x' }, { latencyMs: -1 }, { errorrate: 1 }, [], null]) {
      assert.equal((await control('POST', 'faulty', '/faults', body)).status, 400, JSON.stringify(body));
    }
  });
});

describe('generator', () => {
  it('is deterministic: same seed, same orders; another seed, other orders', async () => {
    const a = await generate('det', { generate: 20, seed: 77 });
    const docsA = await Promise.all(a.map(async (id) => (await getOrder('det', id)).json));
    assert.deepEqual(await generate('det', { generate: 20, seed: 77 }), a, 'same ids');
    assert.deepEqual(await Promise.all(a.map(async (id) => (await getOrder('det', id)).json)), docsA, 'same documents');
    assert.equal(new Set(a).size, 20);
    const b = await generate('det', { generate: 20, seed: 78 });
    assert.equal(b.filter((id) => a.includes(id)).length, 0);
    const customer = (d: Json) => d.clientProfileData.document;
    const docsB = await Promise.all(b.map(async (id) => (await getOrder('det', id)).json));
    assert.notDeepEqual(docsB.map(customer), docsA.map(customer));
    assert.deepEqual(
      generateOrder({ account: 'x', seed: 'abc', index: 3, state: 'handling' }),
      generateOrder({ account: 'x', seed: 'abc', index: 3, state: 'handling' }),
    );
  });

  it('makes Brazilian orders whose numbers add up', () => {
    assert.ok(cpfOk('845.134.270-19') && !cpfOk('845.134.270-18'), 'CPF check itself');
    assert.ok(cnpjOk('11.222.333/0001-81') && !cnpjOk('11.222.333/0001-82'), 'CNPJ check itself');
    const N = 2_000;
    const systems = new Map<string, number>();
    let corporate = 0;
    let twoPayments = 0;
    const affiliates = new Map<string, number>();
    for (let index = 0; index < N; index++) {
      const d: Json = generateOrder({ account: 'loja', seed: 2024, index, state: 'ready-for-handling' });
      assert.match(d.orderId, /^([A-Z]{3}-)?\d{13}-01$/);
      assert.equal(d.orderId.slice(-9, -3), d.sequence);
      if (d.affiliateId) {
        // A marketplace's order: its id carries the affiliate, and the marketplace settles it.
        affiliates.set(d.affiliateId, (affiliates.get(d.affiliateId) ?? 0) + 1);
        assert.ok(d.orderId.startsWith(`${d.affiliateId}-`) && d.marketplaceOrderId === d.orderId.slice(4, -3));
        assert.equal(d.orderGroup, null);
        const [assumed, ...others] = d.paymentData.transactions[0].payments;
        assert.deepEqual(
          [others.length, assumed.paymentSystemName, assumed.id, assumed.group, assumed.tid, assumed.installments, assumed.value],
          [0, `Assumed value by affiliate ${d.affiliateId}`, null, null, null, 0, d.value],
        );
        continue;
      }
      assert.deepEqual([d.affiliateId, d.marketplace.name], ['', 'loja']);
      const c = d.clientProfileData;
      assert.ok(cpfOk(c.document) && /^\d{3}\.\d{3}\.\d{3}-\d{2}$/.test(c.document), c.document);
      assert.match(c.phone, /^\+55\d{2}9\d{8}$/);
      assert.match(c.email, /^[a-z.0-9]+@[a-z.]+$/);
      if (c.isCorporate) {
        corporate++;
        assert.ok(cnpjOk(c.corporateDocument), c.corporateDocument);
        assert.ok(c.corporateName && c.stateInscription);
      } else assert.equal(c.corporateDocument, null);
      const addr = d.shippingData.address;
      assert.ok(addr.street && addr.number && addr.neighborhood && addr.city && /^[A-Z]{2}$/.test(addr.state));
      assert.match(addr.postalCode, /^\d{5}-\d{3}$/);
      assert.equal(addr.country, 'BRA');
      assert.ok(d.items.length >= 1 && d.items.length <= 4);
      const total = (id: string) => d.totals.find((t: Json) => t.id === id).value;
      const items = d.items.reduce((s: number, i: Json) => s + i.price * i.quantity, 0);
      const discounts = d.items.reduce((s: number, i: Json) => s + (i.sellingPrice - i.price) * i.quantity, 0);
      const shipping = d.shippingData.logisticsInfo.reduce((s: number, l: Json) => s + l.price, 0);
      assert.deepEqual([total('Items'), total('Discounts'), total('Shipping'), total('Tax')], [items, discounts, shipping, 0]);
      assert.equal(d.value, items + discounts + shipping);
      assert.ok(
        d.shippingData.logisticsInfo.every((l: Json) =>
          ['Correios PAC', 'Correios SEDEX', 'Jadlog', 'Total Express'].includes(l.deliveryCompany),
        ),
      );
      const payments = d.paymentData.transactions[0].payments;
      assert.equal(
        payments.reduce((s: number, p: Json) => s + p.value, 0),
        d.value,
      );
      if (payments.length === 2) twoPayments++;
      for (const p of payments) {
        systems.set(
          `${p.paymentSystem}:${p.paymentSystemName}:${p.group}`,
          1 + (systems.get(`${p.paymentSystem}:${p.paymentSystemName}:${p.group}`) ?? 0),
        );
        assert.ok(p.group === 'creditCard' ? p.installments >= 1 && p.installments <= 10 : p.installments === 1);
      }
    }
    assert.ok(corporate > N * 0.06 && corporate < N * 0.14, `corporate ${corporate}`);
    assert.ok(twoPayments > N * 0.05 && twoPayments < N * 0.15, `two payments ${twoPayments}`);
    const marketplaceOrders = [...affiliates.values()].reduce((a, b) => a + b, 0);
    assert.ok(marketplaceOrders > N * 0.11 && marketplaceOrders < N * 0.19, `marketplace orders ${marketplaceOrders}`);
    assert.deepEqual([...affiliates.keys()].sort(), ['AMZ', 'MGZ', 'MLB']);
    assert.deepEqual(
      [...systems.keys()].sort(),
      [
        '1:American Express:creditCard',
        '125:Pix:instantPayment',
        '16:Vale:giftCard',
        '2:Visa:creditCard',
        '4:Mastercard:creditCard',
        '6:Boleto Bancário:bankInvoice',
      ].sort(),
    );
  });

  it('creates 20,000 orders, one feed event each', async () => {
    const ids = await generate('bulk', { generate: 20_000, seed: 'bulk' });
    assert.equal(ids.length, 20_000);
    assert.equal(new Set(ids).size, 20_000);
    const s = await stats('bulk');
    assert.deepEqual([s.orders, s.feedPending, s.feedInFlight], [20_000, 20_000, 0]);
    assertValid(getOrderSchema, (await getOrder('bulk', ids[19_999])).json, 'last bulk order');
  });
});

describe('process and options', () => {
  it('reads the default visibility timeout from SIM_VISIBILITY_TIMEOUT_MS', async () => {
    process.env.SIM_VISIBILITY_TIMEOUT_MS = '1234';
    try {
      const app = createSimulatorApp();
      assert.equal(simulatorStoreOf(app).account('env').visibilityTimeoutMs, 1234);
      await app.close();
    } finally {
      delete process.env.SIM_VISIBILITY_TIMEOUT_MS;
    }
  });

  it('closes at once even while an injected timeout holds a request', async () => {
    const other = await startSimulator({ hangMs: 60_000 });
    await fetch(`${other.url}/_sim/hang/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"timeoutRate":1}',
    });
    const hanging = fetch(`${other.url}/hang/api/orders/feed?maxlot=1`, { headers: AUTH });
    const outcome = hanging.then(
      () => 'answered',
      () => 'dropped',
    );
    // The request reached the simulator and hangs there: its counter says so.
    const counters = simulatorStoreOf(other.app).account('hang').counters;
    while (counters.faultTimeouts === 0) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(counters.faultTimeouts, 1, 'the request is hanging');
    const t0 = Date.now();
    await other.close();
    assert.ok(Date.now() - t0 < 2_000, `close took ${Date.now() - t0} ms`);
    assert.equal(await outcome, 'dropped');
  });

  it('runs as a CLI that prints its URL and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['dist/simulator/main.js', '--port', '0', '--host', '127.0.0.1'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /^simulator listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    assert.deepEqual(await (await fetch(`${url}/_sim/health`)).json(), { ok: true });
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    assert.equal(code, 0);
    assert.equal(out, `simulator listening on ${url}\n`);
  });
});
