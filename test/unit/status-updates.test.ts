/**
 * Atualização de Status, pure parts: what an admin types (NF-e keys, dates, money, items), the
 * VTEX request bodies the connector sends (checked against the contract), and the simulator's
 * invoice, tracking, cancel and feed-configuration calls as VTEX answers them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { feedStatesFor, missingFeedStates } from '../../src/admin/feedConfig';
import {
  accessKeyProblem,
  accessKeySchema,
  invoiceItemsSchema,
  isoDateSchema,
  moneySchema,
  nfeCheckDigit,
  ufSchema,
} from '../../src/admin/statusUpdateInputs';
import { VTEX_DEFAULT_STATUS_MAPPINGS, type ErpStatus } from '../../src/importing/rules/statuses';
import { feedConfigBody, invoiceBody, trackingBody, trackingStatusBody } from '../../src/platform/vtex/statusUpdates';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { assertValid, EXAMPLE_PACKAGE, ORDER_PATH, requestSchema, responseSchema } from '../support/contract';
import { validKey } from '../support/nfe';

describe('what an admin types', () => {
  it('checks the NF-e access key: 44 digits and its modulo-11 check digit', () => {
    // The example key of SEFAZ's Manual de Orientação do Contribuinte.
    assert.equal(nfeCheckDigit('5206043300991100250655012000000780026730161'), 5);
    const key = validKey();
    assert.equal(accessKeyProblem(key), null);
    const wrongDigit = key.slice(0, 43) + String((Number(key[43]) + 1) % 10);
    assert.match(accessKeyProblem(wrongDigit)!, /wrong check digit \(the last digit should be \d\)/);
    assert.match(accessKeyProblem(key.slice(0, 43))!, /44 digits, not 43/);
    assert.match(accessKeyProblem(`${key}1`)!, /44 digits, not 45/);
    assert.match(accessKeyProblem('3526-1211')!, /44 digits, nothing else/);
    assert.equal(accessKeySchema.parse(`${key.slice(0, 4)} ${key.slice(4)}`), key, 'spaces as printed on a DANFE are dropped');
  });

  it('reads dates in ISO 8601 and refuses what is not one', () => {
    assert.equal(isoDateSchema.parse('2026-12-01').toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(isoDateSchema.parse('2026-12-01T14:30:00-03:00').toISOString(), '2026-12-01T17:30:00.000Z');
    assert.equal(isoDateSchema.parse('2026-12-01 14:30').toISOString(), '2026-12-01T14:30:00.000Z');
    for (const bad of ['2026-02-30', '01/12/2026', 'yesterday', '2026-12-01T25:00:00Z', '']) {
      assert.equal(isoDateSchema.safeParse(bad).success, false, bad);
    }
  });

  it('reads money as whole cents, never through a float', () => {
    assert.equal(moneySchema.parse('1486.70'), 148670);
    assert.equal(moneySchema.parse('1486,7'), 148670);
    assert.equal(moneySchema.parse('0.29'), 29, '0.29 * 100 is 28.999... in floating point');
    assert.equal(moneySchema.parse('12'), 1200);
    for (const bad of ['0', '1.234', '-5', '1e3', 'R$ 10', '']) assert.equal(moneySchema.safeParse(bad).success, false, bad);
  });

  it('reads items as sku:quantity pairs and states as UFs', () => {
    assert.deepStrictEqual(
      [...invoiceItemsSchema.parse('2000304:2, 2000305:1,2000304:1')],
      [
        ['2000304', 3],
        ['2000305', 1],
      ],
    );
    for (const bad of ['2000304', '2000304:0', ':2', '2000304:two', 'a:1,,b:2']) {
      assert.equal(invoiceItemsSchema.safeParse(bad).success, false, bad);
    }
    assert.equal(ufSchema.parse('sp'), 'SP');
    assert.equal(ufSchema.safeParse('XX').success, false);
  });
});

describe('VTEX request bodies', () => {
  const issuedAt = new Date('2026-12-01T14:00:00Z');
  it('an invoice, its tracking and tracking status validate against the contract', () => {
    const body = invoiceBody({
      kind: 'sale',
      number: '123',
      series: '1',
      accessKey: validKey(),
      issuedAt,
      valueCents: 148670,
      items: [{ sku: '2000304', quantity: 2, unitPriceCents: 74335 }],
      xml: '<nfeProc/>',
      url: 'https://erp.example/nfe/123.xml',
    });
    assertValid(requestSchema(`${ORDER_PATH}/invoice`, 'post'), body, 'invoice');
    assert.deepStrictEqual(
      [body.type, body.invoiceValue, body.items],
      ['Output', '148670', [{ id: '2000304', price: 74335, quantity: 2 }]],
    );
    const ret = invoiceBody({
      kind: 'return',
      number: 'D1',
      series: null,
      accessKey: validKey(2),
      issuedAt,
      valueCents: 1,
      items: [],
      xml: null,
      url: null,
    });
    assert.equal(ret.type, 'Input');

    const tracking = trackingBody({
      invoiceNumber: '123',
      trackingNumber: 'BR1',
      trackingUrl: null,
      carrier: 'Correios',
      dispatchedAt: issuedAt,
    });
    assertValid(requestSchema(`${ORDER_PATH}/invoice/{invoiceNumber}`, 'patch'), tracking, 'tracking');
    const status = trackingStatusBody({
      invoiceNumber: '123',
      delivered: true,
      deliveredAt: new Date('2026-12-03T18:05:00Z'),
      events: [{ occurredAt: issuedAt, city: 'São Paulo', state: 'SP', description: 'Coletado pela transportadora' }],
    });
    assertValid(requestSchema(`${ORDER_PATH}/invoice/{invoiceNumber}/tracking`, 'put'), status, 'tracking status');
    assert.equal(status.deliveredDate, '2026-12-03 18:05', 'the contract: yyyy-mm-dd hh:mm');
  });

  it('the feed configuration carries the states the status DE-PARA maps, as the contract asks', () => {
    const mappings = new Map(Object.entries(VTEX_DEFAULT_STATUS_MAPPINGS)) as Map<string, ErpStatus>;
    const states = feedStatesFor(mappings);
    assert.ok(states.includes('ready-for-handling') && states.includes('request-cancel') && states.includes('canceled'));
    assert.ok(!states.includes('dispatched') && !states.includes('delivered'), 'package steps are no VTEX feed states');
    const body = feedConfigBody({ states, visibilityTimeoutSeconds: 240, retentionSeconds: 345600 });
    assertValid(requestSchema('/api/orders/feed/config', 'post'), body, 'feed config');
    assert.deepStrictEqual(
      missingFeedStates({ states: ['ready-for-handling'], visibilityTimeoutSeconds: 240, retentionSeconds: 1 }, mappings),
      states.slice(0).filter((s) => s !== 'ready-for-handling'),
    );
    assert.deepStrictEqual(
      missingFeedStates({ states: [], visibilityTimeoutSeconds: 240, retentionSeconds: 1 }, mappings),
      [],
      'no filter: every change',
    );
  });
});

describe('simulator: invoice, tracking, cancel and feed configuration', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1' });
  });
  after(() => sim.close());

  const AUTH = { 'X-VTEX-API-AppKey': 'k', 'X-VTEX-API-AppToken': 't' };
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH) {
    const res = await fetch(sim.url + path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined, type: res.headers.get('content-type') };
  }
  const control = (method: string, account: string, path: string, body?: unknown) => call(method, `/_sim/${account}${path}`, body, {});
  const order = async (account: string, id: string) => (await call('GET', `/${account}/api/oms/pvt/orders/${id}`)).json;
  async function newOrder(account: string, state: string): Promise<string> {
    return (await control('POST', account, '/orders', { generate: 1, state })).json.orderIds[0];
  }
  const invoice = (account: string, id: string, over: Record<string, unknown> = {}) =>
    call('POST', `/${account}/api/oms/pvt/orders/${id}/invoice`, {
      type: 'Output',
      issuanceDate: '2026-12-01T14:00:00Z',
      invoiceNumber: 'NF-1',
      invoiceValue: '100',
      invoiceKey: validKey(),
      items: [{ id: '1', price: 100, quantity: 1 }],
      ...over,
    });

  it('a full sale invoice adds one package and moves the order to invoiced, once however often it is told', async () => {
    const id = await newOrder('inv', 'handling');
    const doc = await order('inv', id);
    const skuId = doc.items[0].id as string;
    const first = await invoice('inv', id, {
      invoiceValue: String(doc.value),
      items: [{ id: skuId, price: doc.items[0].price, quantity: 1 }],
    });
    assert.equal(first.status, 200);
    assertValid(responseSchema(`${ORDER_PATH}/invoice`, 'post', '200'), first.json, 'invoice answer');
    const again = await invoice('inv', id, { invoiceValue: String(doc.value) });
    assert.equal(again.status, 200);
    assert.notEqual(again.json.receipt, first.json.receipt, 'a new receipt each call (the contract)');

    const after = await order('inv', id);
    assert.equal(after.status, 'invoiced');
    assertValid(responseSchema(ORDER_PATH, 'get', '200'), after, 'Get order');
    assert.equal(after.packageAttachment.packages.length, 1, 'the same invoice number twice is one package');
    const pkg = after.packageAttachment.packages[0];
    assert.deepStrictEqual(
      Object.keys(pkg).sort(),
      Object.keys(EXAMPLE_PACKAGE).sort(),
      'a package has the fields of the contract example',
    );
    assert.deepStrictEqual([pkg.invoiceNumber, pkg.invoiceValue, pkg.invoiceKey, pkg.type], ['NF-1', doc.value, validKey(), 'Output']);
    const stats = (await control('GET', 'inv', '/stats')).json;
    assert.deepStrictEqual([stats.invoiceCalls, stats.invoicesApplied], [2, 1]);
  });

  it('a partial invoice leaves the order in handling; the rest invoices it; an invoiced order cannot be cancelled', async () => {
    const id = await newOrder('partial', 'handling');
    const { value } = await order('partial', id);
    assert.equal((await invoice('partial', id, { invoiceValue: String(value - 1) })).status, 200);
    assert.equal((await order('partial', id)).status, 'handling');
    const cancel = await call('POST', `/partial/api/oms/pvt/orders/${id}/cancel`, { reason: 'x' });
    assert.equal(cancel.status, 409, 'partially invoiced: VTEX refuses the cancellation');
    assert.equal((await invoice('partial', id, { invoiceNumber: 'NF-2', invoiceValue: '1' })).status, 200);
    assert.equal((await order('partial', id)).status, 'invoiced');
    const refused = await call('POST', `/partial/api/oms/pvt/orders/${id}/cancel`, { reason: 'x' });
    assert.equal(refused.status, 409);
    assert.match(refused.json.error.message, /send a return invoice/);
    const ret = await invoice('partial', id, { type: 'Input', invoiceNumber: 'D-1', invoiceValue: '50' });
    assert.equal(ret.status, 200);
    const packages = (await order('partial', id)).packageAttachment.packages;
    assert.deepStrictEqual(
      packages.map((p: { type: string }) => p.type),
      ['Output', 'Output', 'Input'],
    );
    assert.equal(packages[2].restitutions.Refund.value, 50);
  });

  it('refuses an invoice VTEX refuses: not yet handling, cancelled, a bad body; an unknown order is 404', async () => {
    const ready = await newOrder('refuse', 'ready-for-handling');
    assert.equal((await invoice('refuse', ready)).status, 409);
    const canceled = await newOrder('refuse', 'canceled');
    assert.equal((await invoice('refuse', canceled)).status, 409);
    const handling = await newOrder('refuse', 'handling');
    for (const bad of [
      { type: 'Sale' },
      { invoiceValue: '0' },
      { invoiceValue: '12.50' },
      { items: [] },
      { issuanceDate: 'today' },
      { invoiceNumber: '' },
    ]) {
      assert.equal((await invoice('refuse', handling, bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal((await invoice('refuse', '999-01')).status, 404);
    assert.equal((await order('refuse', handling)).packageAttachment.packages.length, 0, 'nothing refused left a package');
  });

  it('tracking number and tracking status change a package once; an unknown invoice is 404', async () => {
    const id = await newOrder('track', 'handling');
    await invoice('track', id);
    const patch = (body: unknown) => call('PATCH', `/track/api/oms/pvt/orders/${id}/invoice/NF-1`, body);
    const tracking = { trackingNumber: 'BR123', trackingUrl: 'https://t.example/BR123', courier: 'Correios', dispatchedDate: null };
    const first = await patch(tracking);
    assert.equal(first.status, 200);
    assertValid(responseSchema(`${ORDER_PATH}/invoice/{invoiceNumber}`, 'patch', '200'), first.json, 'tracking answer');
    assert.equal((await patch(tracking)).status, 200);
    const put = (body: unknown) => call('PUT', `/track/api/oms/pvt/orders/${id}/invoice/NF-1/tracking`, body);
    const delivered = {
      isDelivered: true,
      deliveredDate: '2026-12-03 18:05',
      events: [{ city: 'Rio de Janeiro', state: 'RJ', description: 'Coletado pela transportadora', date: '2026-12-02' }],
    };
    const status = await put(delivered);
    assert.equal(status.status, 200);
    assert.equal(status.type, 'application/json; charset=utf-8');
    assertValid(
      responseSchema(`${ORDER_PATH}/invoice/{invoiceNumber}/tracking`, 'put', '200', 'application/json; charset=utf-8'),
      status.json,
      'status answer',
    );
    assert.equal((await put(delivered)).status, 200);
    assert.equal((await put({ isDelivered: true, events: [] })).status, 400, 'delivered without a date');
    assert.equal((await call('PATCH', `/track/api/oms/pvt/orders/${id}/invoice/NF-9`, tracking)).status, 404);

    const pkg = (await order('track', id)).packageAttachment.packages[0];
    assert.deepStrictEqual([pkg.trackingNumber, pkg.trackingUrl, pkg.courier], ['BR123', 'https://t.example/BR123', 'Correios']);
    assert.deepStrictEqual(
      [pkg.courierStatus.finished, pkg.courierStatus.deliveredDate, pkg.courierStatus.data.length],
      [true, '2026-12-03 18:05', 1],
    );
    const stats = (await control('GET', 'track', '/stats')).json;
    assert.deepStrictEqual([stats.trackingCalls, stats.trackingApplied], [6, 2], 'two effective changes out of six calls');
  });

  it('a cancel applies once; cancelling a cancelled order changes nothing', async () => {
    const id = await newOrder('cancel', 'ready-for-handling');
    for (let i = 0; i < 2; i++) {
      const res = await call('POST', `/cancel/api/oms/pvt/orders/${id}/cancel`, { reason: 'Cliente desistiu' });
      assert.equal(res.status, 200);
      assertValid(responseSchema(`${ORDER_PATH}/cancel`, 'post', '200'), res.json, 'cancel answer');
    }
    const doc = await order('cancel', id);
    assert.deepStrictEqual([doc.status, doc.cancelReason], ['canceled', 'Cliente desistiu']);
    const stats = (await control('GET', 'cancel', '/stats')).json;
    assert.deepStrictEqual([stats.cancelCalls, stats.cancelsApplied], [2, 1]);
  });

  it('serves the feed configuration; without one, or once expired, no event reaches the queue', async () => {
    const get = () => call('GET', '/feedcfg/api/orders/feed/config');
    const configured = await get();
    assert.equal(configured.status, 200, 'a new account starts with its feed configured');
    assertValid(responseSchema('/api/orders/feed/config', 'get', '200'), configured.json, 'feed config');

    const config = {
      filter: { type: 'FromWorkflow', status: ['ready-for-handling'] },
      queue: { visibilityTimeoutInSeconds: 240, MessageRetentionPeriodInSeconds: 3600 },
    };
    assert.equal((await call('POST', '/feedcfg/api/orders/feed/config', config)).status, 200);
    assert.deepStrictEqual((await get()).json.filter, config.filter);
    assert.equal(
      (await call('POST', '/feedcfg/api/orders/feed/config', { ...config, filter: { ...config.filter, expression: 'x' } })).status,
      409,
    );
    assert.equal((await call('POST', '/feedcfg/api/orders/feed/config', { filter: { type: 'FromWorkflow' } })).status, 400);

    await newOrder('feedcfg', 'payment-pending');
    await newOrder('feedcfg', 'ready-for-handling');
    const items = (await call('GET', '/feedcfg/api/orders/feed?maxlot=10')).json;
    assert.deepStrictEqual(
      items.map((i: { state: string }) => i.state),
      ['ready-for-handling'],
      'a FromWorkflow feed carries its states only',
    );

    await control('POST', 'feedcfg', '/feed/config/expire');
    assert.equal((await get()).status, 404, 'VTEX deletes a configuration that got no event during its retention');
    await newOrder('feedcfg', 'ready-for-handling');
    assert.deepStrictEqual((await call('GET', '/feedcfg/api/orders/feed?maxlot=10')).json, []);
    assert.equal((await control('GET', 'feedcfg', '/stats')).json.feedConfigured, false);

    assert.equal((await call('POST', '/feedcfg/api/orders/feed/config', config)).status, 200);
    await control('POST', 'feedcfg', '/feed/config/remove');
    assert.equal((await get()).status, 404);
  });
});
