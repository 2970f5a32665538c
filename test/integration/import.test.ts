/**
 * Importar Pedido and Processar Pedido Aprovado end to end: simulator -> Temporal -> Postgres,
 * driven through the `vitrine` CLI.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { createActivities, FAILURE_TYPES } from '../../src/activities';
import { SEARCH_ATTRIBUTES } from '../../src/shared/ids';
import { zeroCounts } from '../../src/shared/importTypes';
import { importVitrineOrders } from '../../src/workflows';
import { cliJson } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { REPO } from '../support/services';
import { SIMULATED_MARKETPLACES } from '../../src/simulator/generate';

const digits = (text: string) => text.replace(/\D/g, '');
const orderNumber = (orderId: string) => orderId.replace(/-\d+$/, '');

function specExample(): any {
  const spec = JSON.parse(readFileSync(path.join(REPO, 'contracts/vtex/orders-api.openapi.json'), 'utf8'));
  return spec.paths['/api/oms/pvt/orders/{orderId}'].get.responses['200'].content['application/json'].example;
}

describe('order import', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  test('imports seeded orders with every field that orders show prints', async () => {
    const code = await h.addVitrine({ prefix: 'VT' });
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 12, seed: 7 });
    assert.equal(orderIds.length, 12);

    const summary = await h.runImport(code);
    assert.equal(summary.fetched, 12);
    assert.equal(summary.imported, 12);
    assert.equal(summary.blocked, 0);
    assert.equal(summary.committed, 12);
    const stats = await h.sim('GET', `/_sim/${code}/stats`);
    assert.deepEqual([stats.feedPending, stats.feedInFlight, stats.committed], [0, 0, 12]);

    const raws = await Promise.all(orderIds.map((orderId) => h.platformOrder(code, orderId)));
    // A customer who bought twice keeps the contact data of whichever order was written last.
    const documentOf = (raw: any) =>
      digits(raw.clientProfileData.isCorporate ? raw.clientProfileData.corporateDocument : raw.clientProfileData.document);
    const buyers = new Map<string, number>();
    for (const raw of raws) buyers.set(documentOf(raw), (buyers.get(documentOf(raw)) ?? 0) + 1);
    let contactsChecked = 0;
    const shows = await Promise.all(orderIds.map((orderId) => cliJson(['orders', 'show', `VT-${orderNumber(orderId)}`], h.cliEnv)));
    for (const [index, orderId] of orderIds.entries()) {
      const raw = raws[index];
      const show = shows[index];
      const profile = raw.clientProfileData;
      const address = raw.shippingData.address;
      assert.equal(show.orderCode, `VT-${orderNumber(orderId)}`);
      assert.equal(show.externalOrderId, orderId);
      assert.equal(show.vitrineCode, code);
      // The ERP origin: the marketplace's channel (the harness maps the simulator's affiliates), else the site.
      const marketplace = SIMULATED_MARKETPLACES.find((m) => m.affiliateId === raw.affiliateId);
      assert.equal(show.origin, marketplace ? marketplace.channel : 'website');
      assert.equal(show.platformOrigin, raw.origin);
      assert.equal(show.platformState, 'ready-for-handling');
      assert.equal(show.status, 'Pagamento confirmado');
      assert.ok(show.approvedAt, 'an approved order has approved_at');
      assert.equal(show.totalCents, raw.value);
      const total = (id: string) => raw.totals.find((t: any) => t.id === id)?.value ?? 0;
      assert.equal(show.itemsTotalCents, total('Items'));
      assert.equal(show.shippingTotalCents, total('Shipping'));
      assert.equal(show.discountTotalCents, total('Discounts'));
      if (profile.isCorporate) {
        assert.equal(show.customer.document, digits(profile.corporateDocument));
        assert.equal(show.customer.document_type, 'cnpj');
        assert.equal(show.customer.name, profile.corporateName);
        assert.equal(show.customer.state_registration, profile.stateInscription);
      } else {
        assert.equal(show.customer.document, digits(profile.document));
        assert.equal(show.customer.document_type, 'cpf');
        assert.equal(show.customer.name, `${profile.firstName} ${profile.lastName}`);
      }
      assert.equal(show.customer.is_corporate, profile.isCorporate);
      if (buyers.get(documentOf(raw)) === 1) {
        contactsChecked += 1;
        assert.equal(show.customer.email, profile.email);
        assert.equal(show.customer.phone, (profile.isCorporate && profile.corporatePhone) || profile.phone);
        assert.equal(show.customer.street, address.street);
        assert.equal(show.customer.number, address.number);
        assert.equal(show.customer.complement, address.complement || null);
        assert.equal(show.customer.neighborhood, address.neighborhood);
        assert.equal(show.customer.city, address.city);
        assert.equal(show.customer.state, address.state);
        assert.equal(show.customer.postal_code, address.postalCode);
      }
      assert.equal(show.carrier.name, raw.shippingData.logisticsInfo[0].deliveryCompany);
      assert.deepEqual(
        show.items.map((i: any) => [i.lineNumber, i.sku, i.name, i.quantity, i.unitPriceCents, i.totalCents]),
        raw.items.map((i: any, n: number) => [n + 1, i.id, i.name, i.quantity, i.sellingPrice, i.sellingPrice * i.quantity]),
      );
      const payments = raw.paymentData.transactions.flatMap((t: any) => t.payments);
      assert.deepEqual(
        show.payments.map((p: any) => [p.paymentSystemName, p.installments, p.valueCents]),
        payments.map((p: any) => [p.paymentSystemName, p.installments ?? 1, p.value]),
      );
      for (const payment of show.payments) {
        // A marketplace settles its orders: the harness's marketplace rows give them OUTROS "Marketplace".
        if (marketplace) assert.deepEqual([payment.paymentType, payment.condition], ['OUTROS', 'Marketplace']);
        else assert.match(payment.paymentType, /^(CARTAO_CREDITO|PIX|BOLETO|VALE_PRESENTE)$/);
        assert.ok(payment.condition.length > 0);
      }
      assert.equal(show.paymentCondition, [...new Set(show.payments.map((p: any) => p.condition))].join(' + '));
      assert.deepEqual(
        show.statusHistory.map((s: any) => [s.status, s.source]),
        [['Pagamento confirmado', 'import']],
      );
    }

    assert.ok(contactsChecked >= 6, `only ${contactsChecked} customers were checked field by field`);
    const listed = await cliJson(['orders', 'list', '--vitrine', code], h.cliEnv);
    assert.equal(listed.length, 12);
  });

  test("imports VTEX's own Get order example", async () => {
    const code = await h.addVitrine({ prefix: 'LUX' });
    const example = specExample();
    await h.sim('POST', `/_sim/${code}/orders`, example);
    const summary = await h.runImport(code);
    assert.equal(summary.imported, 1, JSON.stringify(summary));

    const show = await cliJson(['orders', 'show', 'LUX-1172452900788'], h.cliEnv);
    assert.equal(show.externalOrderId, '1172452900788-01');
    // VTEX's example is an order of affiliate GHB on account luxstore.
    assert.deepEqual([show.origin, show.platformOrigin], ['GHB Marketplace', 'Marketplace']);
    assert.deepEqual(show.marketplace, { affiliateId: 'GHB', name: 'luxstore', orderId: '1172452900788-01' });
    assert.equal(show.platformState, 'handling');
    assert.equal(show.status, 'Em preparação');
    assert.equal(show.customer.document, '84513427019');
    assert.equal(show.customer.name, 'Rodrigo Smith');
    assert.equal(show.customer.email, 'rodrigo.smith@email.com');
    assert.equal(show.customer.city, 'Rio de Janeiro');
    assert.equal(show.carrier.name, 'All CEPs');
    assert.equal(show.totalCents, 1160);
    assert.deepEqual(
      show.items.map((i: any) => [i.sku, i.name, i.quantity, i.unitPriceCents]),
      example.items.map((i: any) => [i.id, i.name, i.quantity, i.sellingPrice]),
    );
    assert.deepEqual(
      show.payments.map((p: any) => [p.paymentType, p.paymentSystemName, p.condition, p.valueCents]),
      [['CARTAO_CREDITO', 'Visa', 'Cartão 1x', 3990]],
    );
  });

  test('a second run changes nothing', async () => {
    const code = await h.addVitrine();
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 5, seed: 11 });
    await h.runImport(code);
    const snapshot = () =>
      h.database.db.raw(`select
          (select count(*) from sales_orders) as orders,
          (select count(*) from sales_order_items) as items,
          (select count(*) from sales_order_payments) as payments,
          (select count(*) from sales_order_status_history) as history,
          (select count(*) from customers) as customers,
          (select max(updated_at) from sales_orders) as orders_changed,
          (select max(updated_at) from customers) as customers_changed`);
    const before = (await snapshot()).rows[0];

    // The same events again (a platform that re-delivers), then a run with an empty queue.
    const ids = (await h.database
      .db('sales_orders')
      .join('vitrines', 'vitrines.id', 'sales_orders.vitrine_id')
      .where('vitrines.code', code)
      .pluck('external_order_id')) as string[];
    for (const id of ids) await h.sim('POST', `/_sim/${code}/orders/${id}/state`, { state: 'ready-for-handling' });
    const again = await h.runImport(code);
    assert.equal(again.fetched, 5);
    assert.equal(again.imported, 0);
    assert.equal(again.unchanged, 5);
    const empty = await h.runImport(code);
    assert.equal(empty.fetched, 0);
    assert.deepEqual((await snapshot()).rows[0], before);
  });

  test('Processar Pedido Aprovado updates a payment-pending order once it is approved, then cancelled', async () => {
    const code = await h.addVitrine({ prefix: 'PP' });
    const { orderIds } = await h.sim('POST', `/_sim/${code}/orders`, { generate: 1, seed: 3, state: 'payment-pending' });
    const orderCode = `PP-${orderNumber(orderIds[0])}`;
    await h.runImport(code);
    let show = await cliJson(['orders', 'show', orderCode], h.cliEnv);
    assert.equal(show.status, 'Aguardando pagamento');
    assert.equal(show.approvedAt, null);

    await h.sim('POST', `/_sim/${code}/orders/${orderIds[0]}/state`, { state: 'payment-approved' });
    const approved = await h.runImport(code);
    assert.equal(approved.updated, 1);
    assert.equal(approved.imported, 0);
    show = await cliJson(['orders', 'show', orderCode], h.cliEnv);
    assert.equal(show.status, 'Pagamento confirmado');
    assert.ok(show.approvedAt);

    await h.sim('POST', `/_sim/${code}/orders/${orderIds[0]}/state`, { state: 'canceled' });
    const cancelled = await h.runImport(code);
    assert.equal(cancelled.updated, 1);
    show = await cliJson(['orders', 'show', orderCode], h.cliEnv);
    assert.equal(show.status, 'Cancelado');
    assert.deepEqual(
      show.statusHistory.map((s: any) => [s.status, s.source]),
      [
        ['Aguardando pagamento', 'import'],
        ['Pagamento confirmado', 'platform-update'],
        ['Cancelado', 'platform-update'],
      ],
    );
  });

  test('a malformed order is kept in blocked_orders with its reason and the queue drains', async () => {
    const code = await h.addVitrine();
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 3, seed: 5 });
    const malformed = { ...specExample(), orderId: '5550001112223-01', status: 'ready-for-handling', items: 'not a list' };
    await h.sim('POST', `/_sim/${code}/orders`, malformed);
    const summary = await h.runImport(code);
    assert.equal(summary.imported, 3);
    assert.equal(summary.blocked, 1);
    assert.equal(summary.committed, 4);
    const stats = await h.sim('GET', `/_sim/${code}/stats`);
    assert.deepEqual([stats.feedPending, stats.feedInFlight], [0, 0]);
    const blocked = await h.database.db('blocked_orders').where({ external_order_id: '5550001112223-01' });
    assert.equal(blocked.length, 1);
    assert.match(blocked[0].reason, /items/);
    assert.equal(blocked[0].payload.items, 'not a list');
    assert.equal(blocked[0].attempts, 1);
    assert.equal(await h.database.db('sales_orders').where({ external_order_id: '5550001112223-01' }).first(), undefined);
  });

  test('an order whose payment has no DE-PARA row is blocked with the payment name', async () => {
    const code = await h.addVitrine();
    const example = specExample();
    example.orderId = '7770001112223-01';
    example.affiliateId = '';
    // The store's own credit: its id, name and group have no row in a new vitrine's DE-PARA.
    Object.assign(example.paymentData.transactions[0].payments[0], {
      paymentSystem: '901',
      paymentSystemName: 'Crediário Loja',
      group: 'creditControl',
    });
    await h.sim('POST', `/_sim/${code}/orders`, example);
    const summary = await h.runImport(code);
    assert.equal(summary.blocked, 1);
    const blocked = await h.database.db('blocked_orders').where({ external_order_id: '7770001112223-01' }).first();
    assert.equal(blocked.reason, 'unmapped payment type Crediário Loja');
    assert.equal(blocked.payload.paymentData.transactions[0].payments[0].cvv2, undefined, 'card data is not kept');
  });

  test('customer default fields from the vitrine rules are applied', async () => {
    const code = await h.addVitrine();
    const vitrine = await h.database.db('vitrines').where({ code }).first();
    await h.database
      .db('field_defaults')
      .insert({ vitrine_id: vitrine.id, target: 'customer', field: 'produtor_rural', expression: 'true' });
    const { orderIds } = await h.sim('POST', `/_sim/${code}/orders`, { generate: 2, seed: 21 });
    await h.runImport(code);
    const flags = await h.database
      .db('sales_orders as o')
      .join('customers as c', 'c.id', 'o.customer_id')
      .whereIn('o.external_order_id', orderIds)
      .pluck('c.produtor_rural');
    assert.deepEqual(flags, [true, true]);
  });

  test('a backlog larger than one execution continues as new and drains completely', async () => {
    const code = await h.addVitrine();
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 250, seed: 13 });
    const handle = await h.temporal.client.workflow.start(importVitrineOrders, {
      workflowId: `vitrine-orders-${code}-backlog`,
      taskQueue: h.taskQueue,
      args: [{ vitrineCode: code, pagesPerExecution: 1, pageSize: 100 }],
    });
    const summary = await handle.result();
    assert.equal(summary.imported, 250);
    assert.equal(summary.committed, 250);
    assert.ok(summary.continuations >= 2, `continued ${summary.continuations} times`);
    const runs = await h.database.db('import_runs').where({ workflow_id: `vitrine-orders-${code}-backlog` });
    assert.equal(runs.length, 1, 'one import_runs row for the whole run');
    assert.equal(runs[0].imported, 250);
    assert.equal(runs[0].status, 'completed');
    const stats = await h.sim('GET', `/_sim/${code}/stats`);
    assert.deepEqual([stats.feedPending, stats.feedInFlight, stats.committed], [0, 0, 250]);
  });

  test('a platform that refuses the queue fails the run visibly: failure type, failed import run, error in the log', async () => {
    const code = await h.addVitrine({ baseUrl: `${h.simulatorUrl}/no/such/account` });
    const handle = await h.temporal.client.workflow.start(importVitrineOrders, {
      workflowId: `vitrine-orders-${code}-refused`,
      taskQueue: h.taskQueue,
      args: [{ vitrineCode: code }],
    });
    const failure = await handle.result().then(
      () => assert.fail('the run should fail'),
      (error) => error,
    );
    assert.ok(failure instanceof WorkflowFailedError);
    // The queue fetch is a local activity: its failure is the run's cause as it was thrown.
    const cause = failure.cause instanceof ActivityFailure ? failure.cause.cause : failure.cause;
    assert.ok(cause instanceof ApplicationFailure, String(failure.cause));
    assert.equal(cause.type, 'PlatformRejected');
    assert.equal(cause.nonRetryable, true);
    assert.match(cause.message, /^queue fetch for vitrine .*: VTEX fetchQueue: HTTP 404/);
    const run = await h.database
      .db('import_runs')
      .where({ workflow_id: `vitrine-orders-${code}-refused` })
      .first();
    assert.equal(run.status, 'failed');
    assert.ok(run.finished_at);
    const log = await h.database.db('integration_log').where({ workflow_id: `vitrine-orders-${code}-refused`, level: 'error' });
    assert.equal(log.length, 1);
    assert.match(log[0].message, /^run failed/);
  });

  test('orders whose code another vitrine already holds are blocked with the reason, even a whole page of them', async () => {
    // Same prefix and same generated orders: every order code of the second vitrine is taken.
    const first = await h.addVitrine({ prefix: 'CC' });
    const second = await h.addVitrine({ prefix: 'CC' });
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${first}/orders`, { generate: 3, seed: 31 });
    await h.sim('POST', `/_sim/${second}/orders`, { generate: 3, seed: 31 });
    assert.equal((await h.runImport(first)).imported, 3);
    const clashed = await h.runImport(second);
    assert.deepEqual([clashed.fetched, clashed.imported, clashed.blocked, clashed.committed], [3, 0, 3, 3]);
    const blocked = await h.database
      .db('blocked_orders as b')
      .join('vitrines as v', 'v.id', 'b.vitrine_id')
      .where('v.code', second)
      .orderBy('b.external_order_id')
      .select('b.external_order_id', 'b.reason');
    assert.deepEqual(
      blocked.map((row) => [row.external_order_id, row.reason]),
      [...orderIds].sort().map((id) => [id, `order code CC-${orderNumber(id)} is already used by another order`]),
    );
  });

  test('queue pages stay in the ERP: history carries page ids and counts, and a closed run leaves no page behind', async () => {
    const code = await h.addVitrine({ prefix: 'QP' });
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 6, seed: 21 });
    await h.runImport(code);
    // Two orders move on the platform: the next run's page holds orders already in the ERP.
    for (const id of orderIds.slice(0, 2)) await h.sim('POST', `/_sim/${code}/orders/${id}/state`, { state: 'canceled' });
    const second = await cliJson(['run', code, '--wait'], h.cliEnv);
    assert.deepEqual([second.fetched, second.imported, second.updated, second.committed], [2, 0, 2, 2]);

    const vitrine = await h.database.db('vitrines').where({ code }).first('id');
    assert.equal(
      Number((await h.database.db('queue_pages').where({ vitrine_id: vitrine.id }).count({ n: '*' }))[0].n),
      0,
      'closed runs keep no page',
    );
    const history = await h.temporal.client.workflow.getHandle(second.workflowId).fetchHistory();
    const decoded = JSON.stringify(history).replace(/"data":"([A-Za-z0-9+/=]+)"/g, (_m, data) =>
      Buffer.from(data, 'base64').toString('utf8'),
    );
    assert.ok(decoded.includes('"pageId"'), 'the history names the page');
    assert.ok(!decoded.includes('"handle"'), 'no queue handle in history');
    for (const id of orderIds.slice(0, 2)) assert.ok(!decoded.includes(id), `no order id in history (${id})`);

    // The acknowledgement of a page is idempotent, and a page whose run was closed fails for good.
    const activities = createActivities({ db: h.database.db });
    await h.sim('POST', `/_sim/${code}/orders/${orderIds[2]}/state`, { state: 'canceled' });
    const opened = await activities.openImportRun({ vitrineCode: code, workflowId: `queue-pages-${code}`, runId: 'first' });
    const page = await activities.fetchQueuePage({ vitrineId: opened.vitrineId, importRunId: opened.importRunId, maxItems: 10 });
    assert.equal(page.items, 1);
    assert.ok(page.pageId !== null);
    assert.deepEqual(await activities.commitQueueItems({ vitrineId: opened.vitrineId, pageId: page.pageId }), { committed: 1 });
    assert.deepEqual(await activities.commitQueueItems({ vitrineId: opened.vitrineId, pageId: page.pageId }), { committed: 1 });
    const stats = await h.sim('GET', `/_sim/${code}/stats`);
    assert.deepEqual([stats.feedPending, stats.feedInFlight], [0, 0]);
    assert.deepEqual(await activities.fetchQueuePage({ vitrineId: opened.vitrineId, importRunId: opened.importRunId, maxItems: 10 }), {
      pageId: null,
      items: 0,
    });
    await assert.rejects(
      activities.commitQueueItems({ vitrineId: opened.vitrineId + 1, pageId: page.pageId }),
      (error: unknown) => error instanceof ApplicationFailure && error.nonRetryable === true && /is not one of vitrine/.test(error.message),
    );
    await activities.saveImportRun({
      importRunId: opened.importRunId,
      counts: { ...zeroCounts(), fetched: 1, committed: 1 },
      status: 'completed',
    });
    await assert.rejects(
      activities.commitQueueItems({ vitrineId: opened.vitrineId, pageId: page.pageId }),
      (error: unknown) =>
        error instanceof ApplicationFailure && error.type === FAILURE_TYPES.queuePageMissing && error.nonRetryable === true,
    );
  });

  test('the history of a finished run holds no customer data and no token', async () => {
    const code = await h.addVitrine();
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 4, seed: 99 });
    const summary = await cliJson(['run', code, '--wait'], h.cliEnv);
    // What operators see in the Temporal UI: the vitrine and the counts as search attributes, the summary in the memo.
    // Describe reads the run's own state, where the search attributes are set before it completes.
    const description = await h.temporal.client.workflow.getHandle(summary.workflowId).describe();
    assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.vitrineCode), code);
    assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.importedOrders), 4);
    assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.blockedOrders), 0);
    assert.equal((description.memo?.summary as any)?.imported, 4);
    const history = await h.temporal.client.workflow.getHandle(summary.workflowId).fetchHistory();
    const text = JSON.stringify(history);
    // Payloads are base64 in history: decode every one of them too.
    const decoded = text.replace(/"data":"([A-Za-z0-9+/=]+)"/g, (_m, data) => Buffer.from(data, 'base64').toString('utf8'));
    const customers = await h.database
      .db('sales_orders as o')
      .join('customers as c', 'c.id', 'o.customer_id')
      .join('vitrines as v', 'v.id', 'o.vitrine_id')
      .where('v.code', code)
      .select('c.email', 'c.document', 'c.name', 'c.phone', 'c.street');
    assert.equal(customers.length, 4);
    assert.ok(decoded.includes(code), 'the decoded history is readable (it names the vitrine)');
    for (const customer of customers) {
      for (const value of Object.values(customer)) {
        if (value) assert.ok(!decoded.includes(String(value)), `history contains customer data ${value}`);
      }
    }
    assert.ok(!decoded.includes(`token-${code}-secret`), 'history contains the app token');
  });
});
