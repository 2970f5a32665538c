/**
 * DE-PARA de tipos de pagamento, DE-PARA de status (both ways) and blocked orders, end to end:
 * simulator -> Temporal -> Postgres, driven through the `vitrine` CLI, each outcome checked in the
 * ERP database.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VTEX_DEFAULT_PAYMENT_MAPPINGS } from '../../src/importing/rules/payments';
import { ERP_STATUSES, VTEX_DEFAULT_STATUS_MAPPINGS } from '../../src/importing/rules/statuses';
import { cliJson, runCli, type CliResult } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { REPO, uniqueSuffix } from '../support/services';
import { until } from '../support/until';

const orderNumber = (orderId: string) => orderId.replace(/-\d+$/, '');

function specExample(): any {
  const spec = JSON.parse(readFileSync(path.join(REPO, 'contracts/vtex/orders-api.openapi.json'), 'utf8'));
  return spec.paths['/api/oms/pvt/orders/{orderId}'].get.responses['200'].content['application/json'].example;
}

/** VTEX's Get order example under another id, paid with the given payments (card fields as in the example). */
function exampleOrder(
  orderId: string,
  payments: Array<{ system: string; name: string; value?: number; installments?: number; group?: string }>,
): any {
  const example = specExample();
  example.orderId = orderId;
  // The store's own order (VTEX's example is an affiliate's).
  example.affiliateId = '';
  const template = example.paymentData.transactions[0].payments[0];
  example.paymentData.transactions[0].payments = payments.map((p, index) => ({
    ...template,
    id: `${template.id.slice(0, -2)}${String(index).padStart(2, '0')}`,
    paymentSystem: p.system,
    paymentSystemName: p.name,
    value: p.value ?? template.value,
    installments: p.installments ?? 1,
    group: p.group ?? template.group,
  }));
  return example;
}

describe('DE-PARA tables and blocked orders', () => {
  let h: Harness;
  /** The vitrine of the first test, left with its defaults; the bad-input cases aim at it. */
  let defaultsCode: string;
  const db = () => h.database.db;
  const cli = (args: string[]) => cliJson(args, h.cliEnv);
  const run = (args: string[]) => runCli(args, h.cliEnv);
  const vitrineId = async (code: string): Promise<number> => (await db()('vitrines').where({ code }).first('id')).id;
  const stats = (code: string) => h.sim('GET', `/_sim/${code}/stats`);

  /** The ERP payments of one order: line, type code, condition, platform system id and name, value. */
  async function paymentsOf(externalOrderId: string) {
    const rows = await db()('sales_order_payments as p')
      .join('sales_orders as o', 'o.id', 'p.sales_order_id')
      .join('payment_types as t', 't.id', 'p.payment_type_id')
      .where('o.external_order_id', externalOrderId)
      .orderBy('p.line_number')
      .select(
        'p.line_number',
        't.code',
        'p.payment_condition',
        'p.payment_system',
        'p.payment_system_name',
        'p.installments',
        'p.value_cents',
      );
    return rows.map((r) => [
      r.line_number,
      r.code,
      r.payment_condition,
      r.payment_system,
      r.payment_system_name,
      r.installments,
      r.value_cents,
    ]);
  }

  async function orderOf(externalOrderId: string) {
    const order = await db()('sales_orders').where({ external_order_id: externalOrderId }).first();
    if (!order) return undefined;
    const history = await db()('sales_order_status_history').where({ sales_order_id: order.id }).orderBy('id').select('status', 'source');
    return { ...order, history: history.map((row) => [row.status, row.source]) };
  }

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  test('a new vitrine starts with the usual VTEX payment systems and platform states mapped', async () => {
    const code = (defaultsCode = await h.addVitrine());
    const [payments, statuses, types] = await Promise.all([
      cli(['payments', code, 'list']),
      cli(['statuses', code, 'list']),
      cli(['payment-types', 'list']),
    ]);
    assert.deepEqual(
      types.map((t: any) => t.code),
      ['BOLETO', 'CARTAO_CREDITO', 'CARTAO_DEBITO', 'OUTROS', 'PIX', 'VALE_PRESENTE'],
    );

    const byPayment = new Map(payments.map((p: any) => [p.platformPayment, [p.paymentType, p.condition]]));
    assert.equal(payments.length, VTEX_DEFAULT_PAYMENT_MAPPINGS.length);
    for (const mapping of VTEX_DEFAULT_PAYMENT_MAPPINGS) {
      assert.deepEqual(byPayment.get(mapping.platformPayment), [mapping.paymentType, mapping.condition], mapping.platformPayment);
    }
    for (const usual of ['Visa', 'Mastercard', 'American Express', 'Pix', 'Boleto Bancário', 'Vale', 'Gift Card'])
      assert.ok(byPayment.has(usual), usual);
    assert.deepEqual(byPayment.get('Pix'), ['PIX', 'Pix à vista']);
    assert.deepEqual(byPayment.get('Boleto Bancário'), ['BOLETO', 'Boleto à vista']);
    assert.deepEqual(byPayment.get('Vale'), ['VALE_PRESENTE', 'Vale-presente']);
    assert.equal(byPayment.has('*'), false, 'no default row: an unknown payment blocks the order');

    assert.deepEqual(Object.fromEntries(statuses.map((s: any) => [s.platformState, s.erpStatus])), VTEX_DEFAULT_STATUS_MAPPINGS);
    const id = await vitrineId(code);
    assert.equal(
      Number((await db()('payment_type_mappings').where({ vitrine_id: id }).count({ n: '*' }))[0].n),
      VTEX_DEFAULT_PAYMENT_MAPPINGS.length,
    );
    assert.equal(
      Number((await db()('status_mappings').where({ vitrine_id: id }).count({ n: '*' }))[0].n),
      Object.keys(VTEX_DEFAULT_STATUS_MAPPINGS).length,
    );

    const table = await run(['statuses', code, 'list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /ready-for-handling\s+Pagamento confirmado/);
    assert.match(
      table.stdout,
      /ERP to platform: an order set to "Em preparação" in the ERP is announced to the platform \(start-handling\), once/,
    );
  });

  test('an unmapped payment blocks the order; once mapped, a retry imports it and it leaves the blocked list', async () => {
    const code = await h.addVitrine({ prefix: 'CR' });
    const orderId = '9990001112223-01';
    const example = exampleOrder(orderId, [{ system: '901', name: 'Crediário Loja', group: 'creditControl' }]);
    await h.sim('POST', `/_sim/${code}/orders`, example);
    const summary = await h.runImport(code);
    assert.deepEqual([summary.fetched, summary.imported, summary.blocked, summary.committed], [1, 0, 1, 1]);

    const row = await db()('blocked_orders').where({ external_order_id: orderId }).first();
    assert.equal(row.reason, 'unmapped payment type Crediário Loja');
    assert.equal(row.attempts, 1);
    assert.equal(row.vitrine_id, await vitrineId(code));
    assert.equal(await orderOf(orderId), undefined);

    // blocked list, all vitrines and one
    const [all, mine, table] = await Promise.all([
      cli(['blocked', 'list']),
      cli(['blocked', 'list', '--vitrine', code]),
      run(['blocked', 'list', '--vitrine', code]),
    ]);
    const listed = all.find((b: any) => b.externalOrderId === orderId);
    assert.deepEqual(
      [listed.id, listed.vitrineCode, listed.reason, listed.attempts],
      [row.id, code, 'unmapped payment type Crediário Loja', 1],
    );
    assert.deepEqual(
      mine.map((b: any) => b.id),
      [row.id],
    );
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`${row.id}\\s+${code}\\s+${orderId}\\s+1\\s+.*unmapped payment type Crediário Loja`));

    // blocked show: reason, attempts, when, and an excerpt with no customer data
    const shown = await cli(['blocked', 'show', String(row.id)]);
    assert.equal(shown.reason, 'unmapped payment type Crediário Loja');
    assert.equal(shown.attempts, 1);
    assert.equal(shown.vitrineCode, code);
    assert.ok(shown.firstSeenAt && shown.lastSeenAt);
    assert.deepEqual(shown.excerpt, {
      orderId,
      status: 'handling',
      created: example.creationDate,
      value: 1160,
      items: 1,
      payments: 'Crediário Loja',
    });
    assert.equal(shown.payload.paymentData.transactions[0].payments[0].cvv2, undefined, 'card data is not kept');
    const text = await run(['blocked', 'show', String(row.id)]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^reason: +unmapped payment type Crediário Loja$/m);
    assert.match(text.stdout, /^attempts: +1$/m);
    assert.match(text.stdout, /^items: +1$/m);
    const profile = example.clientProfileData;
    for (const secret of [profile.email, profile.document, profile.document.replace(/\D/g, ''), profile.lastName, profile.phone]) {
      assert.ok(!text.stdout.includes(secret), `blocked show printed customer data ${secret}`);
    }

    // A retry before the fix: still blocked, one more attempt; the platform queue is not touched.
    const queueBefore = await stats(code);
    const early = await cli(['blocked', 'retry', String(row.id)]);
    assert.deepEqual([early.retried, early.imported, early.blocked, early.existing, early.failed], [1, 0, 1, 0, 0]);
    assert.deepEqual(early.orders, [
      {
        id: row.id,
        vitrineCode: code,
        externalOrderId: orderId,
        outcome: 'blocked',
        reason: 'unmapped payment type Crediário Loja',
        attempts: 2,
      },
    ]);
    const again = await db()('blocked_orders').where({ id: row.id }).first();
    assert.deepEqual([again.reason, again.attempts], ['unmapped payment type Crediário Loja', 2]);
    assert.ok(again.last_seen_at > row.last_seen_at);
    assert.equal(await orderOf(orderId), undefined);

    // The fix, then the retry.
    const set = await cli(['payments', code, 'set', 'Crediário Loja', 'OUTROS', 'Crediário {n}x']);
    assert.deepEqual(
      [set.platformPayment, set.paymentType, set.condition, set.created],
      ['Crediário Loja', 'OUTROS', 'Crediário {n}x', true],
    );
    const mapping = await db()('payment_type_mappings as m')
      .join('payment_types as t', 't.id', 'm.payment_type_id')
      .where({ 'm.vitrine_id': await vitrineId(code), 'm.platform_payment': 'Crediário Loja' })
      .select('t.code', 'm.payment_condition');
    assert.deepEqual(mapping, [{ code: 'OUTROS', payment_condition: 'Crediário {n}x' }]);

    const retried = await run(['blocked', 'retry', String(row.id)]);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, new RegExp(`${row.id}\\s+${code}\\s+${orderId}\\s+imported\\s+CR-${orderNumber(orderId)}`));
    assert.match(retried.stdout, /retried 1: imported 1, still blocked 0, already in ERP 0/);

    assert.equal(await db()('blocked_orders').where({ id: row.id }).first(), undefined, 'the blocked row is gone');
    const order = await orderOf(orderId);
    assert.equal(order.order_code, `CR-${orderNumber(orderId)}`);
    assert.equal(order.status, 'Em preparação');
    assert.equal(order.payment_condition, 'Crediário 1x');
    assert.deepEqual(order.history, [['Em preparação', 'import']]);
    assert.deepEqual(await paymentsOf(orderId), [[1, 'OUTROS', 'Crediário 1x', '901', 'Crediário Loja', 1, 3990]]);
    assert.deepEqual(await cli(['blocked', 'list', '--vitrine', code]), []);

    const queueAfter = await stats(code);
    for (const counter of ['feedRetrievals', 'commitCalls', 'committed', 'feedPending', 'feedInFlight', 'startHandlingRequests']) {
      assert.equal(queueAfter[counter], queueBefore[counter], `retry changed the platform's ${counter}`);
    }
    assert.equal(queueAfter.getOrderCalls, queueBefore.getOrderCalls + 2, 'each retry fetched the order once');
  });

  test('a default "*" row imports unknown payments; an order with a gift card and a card keeps both payments', async () => {
    const code = await h.addVitrine({ prefix: 'DF' });
    const wallet = '9990002112223-01';
    const split = '9990003112223-01';
    const later = '9990004112223-01';
    const set = await cli(['payments', code, 'set', '*', 'outros', 'A combinar {n}x']);
    assert.equal(set.paymentType, 'OUTROS', 'the ERP type is matched without regard to case');
    await h.sim('POST', `/_sim/${code}/orders`, [
      exampleOrder(wallet, [{ system: '902', name: 'Carteira Digital', installments: 2, group: 'digitalWallet' }]),
      exampleOrder(split, [
        { system: '16', name: 'Vale', value: 1000, group: 'giftCard' },
        { system: '2', name: 'Visa', value: 2990, installments: 3 },
      ]),
    ]);
    const summary = await h.runImport(code);
    assert.deepEqual([summary.imported, summary.blocked], [2, 0]);
    assert.deepEqual(await paymentsOf(wallet), [[1, 'OUTROS', 'A combinar 2x', '902', 'Carteira Digital', 2, 3990]]);
    assert.deepEqual(await paymentsOf(split), [
      [1, 'VALE_PRESENTE', 'Vale-presente', '16', 'Vale', 1, 1000],
      [2, 'CARTAO_CREDITO', 'Cartão 3x', '2', 'Visa', 3, 2990],
    ]);
    assert.equal((await orderOf(split)).payment_condition, 'Vale-presente + Cartão 3x');
    const show = await cli(['orders', 'show', `DF-${orderNumber(split)}`]);
    assert.deepEqual(
      show.payments.map((p: any) => [p.paymentType, p.paymentSystemName, p.condition, p.valueCents]),
      [
        ['VALE_PRESENTE', 'Vale', 'Vale-presente', 1000],
        ['CARTAO_CREDITO', 'Visa', 'Cartão 3x', 2990],
      ],
    );

    // Without the default row, the next unknown payment blocks its order again.
    const removed = await cli(['payments', code, 'remove', '*']);
    assert.equal(removed.removed, '*');
    assert.equal(
      await db()('payment_type_mappings')
        .where({ vitrine_id: await vitrineId(code), platform_payment: '*' })
        .first(),
      undefined,
    );
    await h.sim('POST', `/_sim/${code}/orders`, exampleOrder(later, [{ system: '902', name: 'Carteira Digital', group: 'digitalWallet' }]));
    const blocked = await h.runImport(code);
    assert.deepEqual([blocked.imported, blocked.blocked], [0, 1]);
    const laterRow = await db()('blocked_orders').where({ external_order_id: later }).first();
    assert.equal(laterRow.reason, 'unmapped payment type Carteira Digital');
    assert.equal(await orderOf(later), undefined);

    // A retry while the platform fails: reported, exit 2, and the blocked row is left as it was.
    await h.sim('POST', `/_sim/${code}/faults`, { errorRate: 1 });
    const down = await run(['blocked', 'retry', String(laterRow.id), '--json']);
    await h.sim('POST', `/_sim/${code}/faults`, {});
    assert.equal(down.code, 2, down.stderr);
    assert.match(
      down.stderr,
      /^vitrine: 1 blocked order\(s\) not retried, the platform could not be reached: VTEX getOrder 9990004112223-01: HTTP 5\d\d\n$/,
    );
    assert.deepEqual(
      JSON.parse(down.stdout).orders.map((o: any) => [o.id, o.outcome]),
      [[laterRow.id, 'failed']],
    );
    assert.deepEqual(await db()('blocked_orders').where({ id: laterRow.id }).first(), laterRow);
  });

  test('status DE-PARA: a changed row is honoured by the next import, platform cancellation and a retried status update', async () => {
    const code = await h.addVitrine({ prefix: 'ST' });
    const id = await vitrineId(code);
    const set = await cli(['statuses', code, 'set', 'problemas', 'ready-for-handling']);
    assert.deepEqual([set.platformState, set.erpStatus, set.previous], ['ready-for-handling', 'Problemas', 'Pagamento confirmado']);
    assert.deepEqual(await db()('status_mappings').where({ vitrine_id: id, platform_state: 'ready-for-handling' }).pluck('erp_status'), [
      'Problemas',
    ]);

    const [ready] = (await h.sim('POST', `/_sim/${code}/orders`, { generate: 1, seed: 41, state: 'ready-for-handling' })).orderIds;
    const [pending] = (await h.sim('POST', `/_sim/${code}/orders`, { generate: 1, seed: 41, state: 'payment-pending', offset: 1 }))
      .orderIds;
    const first = await h.runImport(code);
    assert.deepEqual([first.imported, first.blocked], [2, 0]);
    let order = await orderOf(ready);
    assert.deepEqual([order.status, order.platform_state, order.history], ['Problemas', 'ready-for-handling', [['Problemas', 'import']]]);
    assert.equal((await orderOf(pending)).status, 'Aguardando pagamento');

    // Cancelled on the platform: Processar Pedido Aprovado takes it to Cancelado.
    await h.sim('POST', `/_sim/${code}/orders/${ready}/state`, { state: 'canceled' });
    // The payment of the other one is approved, while its state has no DE-PARA row: blocked.
    await db()('status_mappings').where({ vitrine_id: id, platform_state: 'payment-approved' }).delete();
    await h.sim('POST', `/_sim/${code}/orders/${pending}/state`, { state: 'payment-approved' });
    const second = await h.runImport(code);
    assert.deepEqual([second.updated, second.blocked, second.imported], [1, 1, 0]);
    order = await orderOf(ready);
    assert.deepEqual(
      [order.status, order.platform_state, order.history],
      [
        'Cancelado',
        'canceled',
        [
          ['Problemas', 'import'],
          ['Cancelado', 'platform-update'],
        ],
      ],
    );
    const stuck = await db()('blocked_orders').where({ external_order_id: pending }).first();
    assert.equal(stuck.reason, 'unmapped platform state payment-approved');
    assert.equal((await orderOf(pending)).status, 'Aguardando pagamento');

    // Mapped again, the retry applies the platform state to the order the ERP already has.
    await cli(['statuses', code, 'set', 'Pagamento confirmado', 'payment-approved']);
    const retried = await cli(['blocked', 'retry', '--all', '--vitrine', code]);
    assert.deepEqual(retried.orders, [
      { id: stuck.id, vitrineCode: code, externalOrderId: pending, outcome: 'existing', orderCode: `ST-${orderNumber(pending)}` },
    ]);
    const approved = await orderOf(pending);
    assert.deepEqual([approved.status, approved.platform_state], ['Pagamento confirmado', 'payment-approved']);
    assert.ok(approved.approved_at);
    assert.deepEqual(approved.history, [
      ['Aguardando pagamento', 'import'],
      ['Pagamento confirmado', 'platform-update'],
    ]);
    assert.equal(await db()('blocked_orders').where({ id: stuck.id }).first(), undefined);
    assert.deepEqual(await cli(['blocked', 'retry', '--all', '--vitrine', code]), {
      retried: 0,
      imported: 0,
      blocked: 0,
      existing: 0,
      failed: 0,
      orders: [],
    });
  });

  test('ERP to platform: Em preparação is announced once (start-handling), within seconds; a refused announcement is kept blocked with its reason', async () => {
    const code = await h.addVitrine({ prefix: 'EH', enable: true });
    const [ready] = (await h.sim('POST', `/_sim/${code}/orders`, { generate: 1, seed: 43, state: 'ready-for-handling' })).orderIds;
    const [pending] = (await h.sim('POST', `/_sim/${code}/orders`, { generate: 1, seed: 43, state: 'payment-pending', offset: 1 }))
      .orderIds;
    await h.runImport(code);
    const readyCode = `EH-${orderNumber(ready)}`;
    const pendingCode = `EH-${orderNumber(pending)}`;
    const notificationsOf = (externalOrderId: string) =>
      db()('platform_notifications as n')
        .join('sales_orders as o', 'o.id', 'n.sales_order_id')
        .where('o.external_order_id', externalOrderId)
        .select('n.action', 'n.sent_at', 'n.blocked_at', 'n.attempts', 'n.last_error');

    const moved = await cli(['orders', 'set-status', readyCode, 'Em preparação']);
    assert.deepEqual(moved, {
      orderCode: readyCode,
      vitrineCode: code,
      previousStatus: 'Pagamento confirmado',
      status: 'Em preparação',
      changed: true,
      notification: 'start-handling',
      notificationQueued: true,
    });
    const text = await run(['orders', 'set-status', pendingCode, 'em preparacao']);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(
      text.stdout.trim(),
      `order ${pendingCode}: Aguardando pagamento -> Em preparação; platform notification queued: start-handling (the workers send it within seconds)`,
    );
    // No import run: the worker hears of the commit and tells the platform.
    await until(async () => (await h.sim('GET', `/_sim/${code}/orders/${ready}`)).status === 'handling', 'the platform to start handling');
    const [refused] = await until(async () => {
      const rows = await notificationsOf(pending);
      return rows[0]?.blocked_at && rows;
    }, 'the refused announcement to be blocked');
    assert.equal(refused.sent_at, null);
    assert.equal(refused.attempts, 1);
    assert.match(refused.last_error, /startHandling .*HTTP 409.*ready-for-handling/);
    assert.equal((await h.sim('GET', `/_sim/${code}/orders/${pending}`)).status, 'payment-pending');
    const [sent] = await notificationsOf(ready);
    assert.ok(sent.sent_at instanceof Date, 'the notification has sent_at');
    assert.deepEqual([sent.attempts, sent.last_error], [1, null]);
    const refusedLog = await db()('integration_log as l')
      .join('vitrines as v', 'v.id', 'l.vitrine_id')
      .where({ 'v.code': code, 'l.external_order_id': pending, 'l.level': 'error' })
      .pluck('l.message');
    assert.equal(refusedLog.length, 1);
    assert.match(refusedLog[0], /^start-handling refused by the platform, kept as a blocked notification \(#\d+\): /);

    // Once: the same status again changes nothing; the platform's handling event comes back and changes nothing either.
    const same = await cli(['orders', 'set-status', readyCode, 'Em preparação']);
    assert.deepEqual([same.changed, same.notificationQueued], [false, false]);
    const next = await h.runImport(code);
    assert.deepEqual([next.fetched, next.unchanged, next.updated], [1, 1, 0], 'the start-handling event comes back and changes nothing');
    const sim = await stats(code);
    assert.equal(sim.startHandlingCalls, 1);
    assert.equal(sim.startHandlingRequests, 2, 'one for the order sent, one refused for the pending one, never retried by itself');
    const order = await orderOf(ready);
    assert.equal(order.status, 'Em preparação');
    assert.deepEqual(order.history, [
      ['Pagamento confirmado', 'import'],
      ['Em preparação', 'erp'],
    ]);

    // Leaving Em preparação and coming back does not announce it again.
    await cli(['orders', 'set-status', readyCode, 'Problemas']);
    const back = await cli(['orders', 'set-status', readyCode, 'Em preparação']);
    assert.deepEqual([back.changed, back.notification, back.notificationQueued], [true, 'start-handling', false]);
    assert.equal((await notificationsOf(ready)).length, 1);
  });

  test('bad input: one line, exit 2, DE-PARA tables, blocked orders and orders unchanged', async () => {
    const code = defaultsCode ?? (await h.addVitrine());
    const missing = `nope-${uniqueSuffix()}`;
    const noVitrine = new RegExp(`^vitrine: vitrine "${missing}" does not exist \\(see: vitrine list\\)$`);
    const badStatus = new RegExp(`^vitrine: invalid ERP status: must be one of: ${ERP_STATUSES.join(', ')}$`);
    const badState =
      /^vitrine: invalid platform state: must be 2-41 lowercase letters or dashes, starting with a letter \(e\.g\. ready-for-handling\)$/;
    const cases: Array<[string, string[], RegExp]> = [
      [
        'payments set with an unknown ERP type',
        ['payments', code, 'set', 'Crediário Loja', 'CHEQUE', 'Cheque {n}x'],
        /^vitrine: unknown ERP payment type "CHEQUE" \(expected one of: BOLETO, CARTAO_CREDITO, CARTAO_DEBITO, OUTROS, PIX, VALE_PRESENTE; see: vitrine payment-types list\)$/,
      ],
      ['payments list of an unknown vitrine', ['payments', missing, 'list'], noVitrine],
      [
        'payments set with an empty condition',
        ['payments', code, 'set', 'Crediário Loja', 'OUTROS', ''],
        /^vitrine: invalid condition: must not be empty$/,
      ],
      [
        'payments set with a 61-character condition',
        ['payments', code, 'set', 'Crediário Loja', 'OUTROS', 'c'.repeat(61)],
        /^vitrine: invalid condition: must be at most 60 characters$/,
      ],
      [
        'payments set with an empty platform payment',
        ['payments', code, 'set', '', 'OUTROS', 'À vista'],
        /^vitrine: invalid platform payment: must not be empty$/,
      ],
      [
        'payments set with a two-line platform payment',
        ['payments', code, 'set', 'Pix\nBoleto', 'PIX', 'À vista'],
        /^vitrine: invalid platform payment: must be one line of text/,
      ],
      [
        'payments set without a condition',
        ['payments', code, 'set', 'Crediário Loja', 'OUTROS'],
        /^vitrine: usage: vitrine payments <code> set <platform payment> <erp type> <condition>$/,
      ],
      [
        'payments with an unknown action',
        ['payments', code, 'add', 'Pix'],
        /^vitrine: unknown payments action "add" \(expected list, set or remove\)$/,
      ],
      [
        'payments remove of a row that does not exist',
        ['payments', code, 'remove', 'Crediário Loja'],
        new RegExp(`^vitrine: vitrine ${code} has no payment DE-PARA row for "Crediário Loja" \\(see: vitrine payments ${code} list\\)$`),
      ],
      ['statuses set with a bad status name', ['statuses', code, 'set', 'Enviado', 'invoiced'], badStatus],
      ['statuses set with a bad platform state', ['statuses', code, 'set', 'Cancelado', 'Payment Denied'], badState],
      ['statuses set on an unknown vitrine', ['statuses', missing, 'set', 'Cancelado', 'payment-denied'], noVitrine],
      [
        'blocked show of an unknown id',
        ['blocked', 'show', '999999'],
        /^vitrine: blocked order 999999 does not exist \(see: vitrine blocked list\)$/,
      ],
      [
        'blocked retry of an unknown id',
        ['blocked', 'retry', '999999'],
        /^vitrine: blocked order 999999 does not exist \(see: vitrine blocked list\)$/,
      ],
      [
        'blocked retry with neither id nor --all',
        ['blocked', 'retry'],
        /^vitrine: blocked retry needs a blocked order id or --all \(see: vitrine blocked list\)$/,
      ],
      [
        'blocked retry with an id and --all',
        ['blocked', 'retry', '1', '--all'],
        /^vitrine: blocked retry takes a blocked order id or --all, not both$/,
      ],
      ['blocked list of an unknown vitrine', ['blocked', 'list', '--vitrine', missing], noVitrine],
      [
        'orders set-status of an unknown order',
        ['orders', 'set-status', 'XX-404', 'Cancelado'],
        /^vitrine: order "XX-404" does not exist \(see: vitrine orders list\)$/,
      ],
      ['orders set-status with a bad status', ['orders', 'set-status', 'XX-404', 'Shipped'], badStatus],
      [
        'marketplaces set with an affiliate id that is not one',
        ['marketplaces', code, 'set', 'MGZ; drop table', 'Magazine Luiza'],
        /^vitrine: invalid affiliate id: must be the affiliate id the platform sends \(VTEX: e\.g\. MGZ\): up to 60 letters, digits, dots, dashes or underscores$/,
      ],
      [
        'marketplaces set with a two-line channel',
        ['marketplaces', code, 'set', 'MGZ', 'Magazine\nLuiza'],
        /^vitrine: invalid channel: must be one line of text \(a channel name such as "Magazine Luiza"\)$/,
      ],
      [
        'marketplaces set with a lower-case prefix',
        ['marketplaces', code, 'set', 'MGZ', 'Magazine Luiza', '--prefix', 'mgz'],
        /^vitrine: invalid order code prefix: must be 1-10 uppercase letters or digits$/,
      ],
      [
        'marketplaces set with a payment type and no condition',
        ['marketplaces', code, 'set', 'MGZ', 'Magazine Luiza', '--payment-type', 'OUTROS'],
        /^vitrine: a payment type and a condition go together: give both, or neither \(the payment DE-PARA then applies\)$/,
      ],
      [
        'marketplaces set with an unknown payment type',
        ['marketplaces', code, 'set', 'MGZ', 'Magazine Luiza', '--payment-type', 'CHEQUE', '--condition', 'Cheque'],
        /^vitrine: unknown ERP payment type "CHEQUE" \(expected one of: BOLETO, CARTAO_CREDITO, CARTAO_DEBITO, OUTROS, PIX, VALE_PRESENTE\)$/,
      ],
      [
        'marketplaces set without a channel',
        ['marketplaces', code, 'set', 'MGZ'],
        /^vitrine: usage: vitrine marketplaces <code> set <affiliate> <channel> \[--prefix P\] \[--payment-type T --condition C\]$/,
      ],
      [
        'marketplaces remove of a row that does not exist',
        ['marketplaces', code, 'remove', 'ZZZ'],
        new RegExp(`^vitrine: vitrine ${code} has no marketplace row for ZZZ \\(see: vitrine marketplaces ${code} list\\)$`),
      ],
      ['marketplaces list of an unknown vitrine', ['marketplaces', missing, 'list'], noVitrine],
    ];

    const tables = [
      'payment_type_mappings',
      'marketplace_mappings',
      'status_mappings',
      'blocked_orders',
      'sales_orders',
      'sales_order_status_history',
      'platform_notifications',
      'payment_types',
    ];
    const snapshot = async () =>
      Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await db()(t).select('*').orderBy('id')])));
    const before = await snapshot();
    assert.ok(before.blocked_orders.length > 0 && before.sales_orders.length > 0, 'the snapshot has rows to compare');

    // Four at a time: each is a CLI process.
    const results: CliResult[] = new Array(cases.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < cases.length) {
          const index = next++;
          results[index] = await run(cases[index][1]);
        }
      }),
    );
    for (const [index, [name, , error]] of cases.entries()) {
      const result = results[index];
      const shown = `${name}: exit ${result.code}\nstdout: ${result.stdout.slice(0, 300)}\nstderr: ${result.stderr.slice(0, 300)}`;
      assert.equal(result.code, 2, shown);
      assert.equal(result.stdout, '', shown);
      const lines = result.stderr.replace(/\n$/, '').split('\n');
      assert.equal(lines.length, 1, `one line on stderr\n${shown}`);
      assert.match(lines[0], error, shown);
    }
    assert.deepEqual(await snapshot(), before, 'the database is unchanged');
  });
});
