/**
 * Atualização de Status end to end: orders imported from the simulator are invoiced, tracked,
 * delivered, returned and cancelled through the `vitrine` CLI (and by another program writing the
 * ERP tables); the worker tells the platform within seconds, in order, once. Bad input changes
 * nothing; a refusal is a blocked notification, retried by an operator; a cancellation asked on
 * the platform waits for an admin; a missing feed configuration is said, not taken for an empty queue.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliJson, runCli, type CliResult } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { validKey } from '../support/nfe';
import { until } from '../support/until';

describe('Atualização de Status', () => {
  let h: Harness;
  let code: string;
  const db = () => h.database.db;
  const cli = (args: string[]) => cliJson(args, h.cliEnv);
  const run = (args: string[]) => runCli(args, h.cliEnv);
  let keys = 0;
  const key = () => validKey(++keys);

  /** Imports `count` new orders in `state` into the vitrine; returns their ERP order codes with platform ids. */
  async function importOrders(
    count: number,
    state = 'ready-for-handling',
    vitrine = code,
  ): Promise<Array<{ orderCode: string; orderId: string }>> {
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${vitrine}/orders`, {
      generate: count,
      state,
      offset: keys * 10 + count,
    });
    keys += count;
    await h.runImport(vitrine);
    const rows = await db()('sales_orders').whereIn('external_order_id', orderIds).select('order_code', 'external_order_id');
    assert.equal(rows.length, count);
    return orderIds.map((orderId) => ({ orderId, orderCode: rows.find((r) => r.external_order_id === orderId)!.order_code }));
  }
  const platform = (orderId: string, vitrine = code) => h.platformOrder(vitrine, orderId);
  const stats = (vitrine = code) => h.sim<Record<string, number>>('GET', `/_sim/${vitrine}/stats`);
  const allSent = async (orderCode: string) => {
    const rows = await db()('platform_notifications as n')
      .join('sales_orders as o', 'o.id', 'n.sales_order_id')
      .where('o.order_code', orderCode)
      .select('n.sent_at', 'n.blocked_at');
    return rows.length > 0 && rows.every((r) => r.sent_at !== null);
  };
  /** What the ERP holds of an order's Atualização de Status: a bad command must leave it as it was. */
  const snapshot = async (orderCode: string) => {
    const order = await db()('sales_orders').where({ order_code: orderCode }).first('id', 'status');
    const count = async (table: string, column = 'sales_order_id') =>
      Number((await db()(table).where(column, order.id).count({ n: '*' }))[0].n);
    return {
      status: order.status,
      invoices: await count('sales_order_invoices'),
      history: await count('sales_order_status_history'),
      notifications: await count('platform_notifications'),
      tracking: Number(
        (
          await db()('sales_order_tracking as t')
            .join('sales_order_invoices as i', 'i.id', 't.invoice_id')
            .where('i.sales_order_id', order.id)
            .count({ n: '*' })
        )[0].n,
      ),
    };
  };
  function assertRefused(result: CliResult, message: RegExp) {
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  }

  before(async () => {
    h = await startHarness();
    code = await h.addVitrine({ enable: true });
  });
  after(() => h.close());

  test('invoice, tracking, tracking event, delivery and return reach the platform within seconds, in order, once', async () => {
    const [{ orderCode, orderId }] = await importOrders(1);
    assert.equal((await platform(orderId)).status, 'ready-for-handling');

    const started = Date.now();
    const invoiced = await cli([
      'orders',
      'invoice',
      orderCode,
      '--number',
      '1001',
      '--key',
      key(),
      '--series',
      '1',
      '--url',
      'https://erp.example/nfe/1001.xml',
    ]);
    assert.deepStrictEqual(
      [invoiced.previousStatus, invoiced.status, invoiced.queued],
      ['Pagamento confirmado', 'Despachado', ['start-handling', 'invoice']],
    );
    // The platform takes an invoice only from handling: start-handling went first, or this would never be invoiced.
    const doc = await until(async () => {
      const d = await platform(orderId);
      return d.status === 'invoiced' && d;
    }, 'the platform to show the order invoiced');
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `told within 5 s of the commit, took ${elapsed} ms`);
    const [pkg] = doc.packageAttachment.packages;
    assert.deepStrictEqual(
      [pkg.invoiceNumber, pkg.invoiceValue, pkg.invoiceKey, pkg.invoiceUrl, pkg.type],
      ['1001', doc.value, validKey(keys), 'https://erp.example/nfe/1001.xml', 'Output'],
    );

    await cli([
      'orders',
      'tracking',
      orderCode,
      '--number',
      'BR123456789BR',
      '--url',
      'https://rastreio.example/BR123456789BR',
      '--carrier',
      'Correios',
    ]);
    await cli([
      'orders',
      'tracking-event',
      orderCode,
      '--at',
      '2026-12-02T09:00:00-03:00',
      '--city',
      'Cajamar',
      '--state',
      'SP',
      '--description',
      'Objeto postado',
    ]);
    await cli([
      'orders',
      'tracking-event',
      orderCode,
      '--at',
      '2026-12-03T08:10:00-03:00',
      '--city',
      'Rio de Janeiro',
      '--state',
      'rj',
      '--description',
      'Saiu para entrega',
    ]);
    const delivered = await cli(['orders', 'deliver', orderCode, '--at', '2026-12-03T15:42:00-03:00']);
    assert.equal(delivered.status, 'Entregue');
    const shown = await until(async () => {
      const p = (await platform(orderId)).packageAttachment.packages[0];
      return p.courierStatus?.finished && p;
    }, 'the platform to show the delivery');
    assert.deepStrictEqual(
      [shown.trackingNumber, shown.trackingUrl, shown.courier],
      ['BR123456789BR', 'https://rastreio.example/BR123456789BR', 'Correios'],
    );
    assert.equal(shown.courierStatus.deliveredDate, '2026-12-03 18:42');
    assert.deepStrictEqual(
      shown.courierStatus.data.map((e: any) => [e.city, e.state, e.description]),
      [
        ['Cajamar', 'SP', 'Objeto postado'],
        ['Rio de Janeiro', 'RJ', 'Saiu para entrega'],
      ],
    );

    const returned = await cli(['orders', 'return', orderCode, '--number', 'D-1001', '--key', key()]);
    const packages = await until(async () => {
      const p = (await platform(orderId)).packageAttachment.packages;
      return p.length === 2 && p;
    }, 'the return invoice on the platform');
    assert.deepStrictEqual([packages[1].type, packages[1].invoiceValue], ['Input', returned.valueCents]);
    await until(() => allSent(orderCode), 'every notification sent');

    const s = await stats();
    assert.deepStrictEqual([s.startHandlingCalls, s.invoicesApplied], [1, 2], 'each invoice applied once on the platform');
    // Tracking changes close together may go in one call (it sends the state of then); no call repeated one.
    assert.equal(s.trackingCalls, s.trackingApplied, 'every tracking call changed something: none was sent twice');
    assert.ok(s.trackingApplied >= 2 && s.trackingApplied <= 4, String(s.trackingApplied));
    const history = await db()('sales_order_status_history as h')
      .join('sales_orders as o', 'o.id', 'h.sales_order_id')
      .where('o.order_code', orderCode)
      .orderBy('h.id')
      .pluck('h.status');
    assert.deepStrictEqual(history, ['Pagamento confirmado', 'Despachado', 'Embarcado', 'Entregue']);
    const shownOrder = await cli(['orders', 'show', orderCode]);
    assert.deepStrictEqual(
      shownOrder.invoices.map((i: any) => [i.number, i.kind]),
      [
        ['1001', 'sale'],
        ['D-1001', 'return'],
      ],
    );
    assert.ok(shownOrder.notifications.every((n: any) => n.state === 'sent'));
  });

  test('partial invoices: each tells the platform; the last one invoices the order; the sum never passes the total', async () => {
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, {
      generate: 1,
      state: 'ready-for-handling',
      lines: 3,
      offset: 900,
    });
    await h.runImport(code);
    const orderId = orderIds[0];
    const { order_code: orderCode, id } = await db()('sales_orders').where({ external_order_id: orderId }).first('order_code', 'id');
    const detail = await cli(['orders', 'show', orderCode]);
    const [first, ...others] = detail.items;
    assertRefused(
      await run(['orders', 'invoice', orderCode, '--number', '2001', '--key', key(), '--value', '1.00']),
      /a partial invoice .* needs --items/,
    );
    const part = await cli([
      'orders',
      'invoice',
      orderCode,
      '--number',
      '2001',
      '--key',
      key(),
      '--items',
      `${first.sku}:${first.quantity}`,
    ]);
    assert.equal(part.valueCents, first.quantity * first.unitPriceCents, 'default value of a partial invoice: its items');
    await until(async () => (await platform(orderId)).packageAttachment.packages.length === 1, 'the first invoice on the platform');
    assert.equal((await platform(orderId)).status, 'handling', 'partly invoiced');
    assertRefused(
      await run(['orders', 'invoice', orderCode, '--number', '2002', '--key', key(), '--items', `${first.sku}:1`]),
      /only 0 left/,
    );
    const left = detail.totalCents - part.valueCents;
    assertRefused(
      await run(['orders', 'invoice', orderCode, '--number', '2002', '--key', key(), '--value', ((left + 1) / 100).toFixed(2)]),
      /above what is left to invoice on order .*: R\$ /,
    );
    const rest = await cli(['orders', 'invoice', orderCode, '--number', '2002', '--key', key()]);
    assert.equal(rest.valueCents, left, 'default: what is left, shipping included');
    await until(async () => (await platform(orderId)).status === 'invoiced', 'the order invoiced on the platform');
    const packages = (await platform(orderId)).packageAttachment.packages;
    assert.deepStrictEqual(
      packages.map((p: any) => p.items.length),
      [1, others.length],
    );
    assertRefused(await run(['orders', 'invoice', orderCode, '--number', '2003', '--key', key()]), /is fully invoiced/);
    // The database holds the line too, for rows another program writes.
    await assert.rejects(
      db()('sales_order_invoices').insert({
        sales_order_id: id,
        kind: 'sale',
        number: '2004',
        access_key: key(),
        issued_at: new Date(),
        value_cents: 1,
      }),
      /above its total/,
    );
    const [{ orderCode: fresh }] = await importOrders(1);
    const freshId = (await db()('sales_orders').where({ order_code: fresh }).first('id')).id;
    await assert.rejects(
      db()('sales_order_invoices').insert({
        sales_order_id: freshId,
        kind: 'sale',
        number: '2005',
        access_key: '1'.repeat(44),
        issued_at: new Date(),
        value_cents: 1,
      }),
      /sales_order_invoices_access_key_valid/,
    );
  });

  test('bad input gets one clear line, exit 2 and no change', async () => {
    const [{ orderCode }] = await importOrders(1);
    const before = await snapshot(orderCode);
    const good = key();
    const wrongDigit = good.slice(0, 43) + String((Number(good[43]) + 1) % 10);
    const cases: Array<[string[], RegExp]> = [
      [['orders', 'invoice', orderCode, '--number', '1', '--key', wrongDigit], /invalid --key: has a wrong check digit/],
      [['orders', 'invoice', orderCode, '--number', '1', '--key', good.slice(1)], /invalid --key: must have 44 digits, not 43/],
      [['orders', 'invoice', orderCode, '--number', '1', '--key', good, '--value', '99999999.99'], /above what is left to invoice/],
      [['orders', 'invoice', orderCode, '--number', '1', '--key', good, '--value', '12.345'], /invalid --value/],
      [['orders', 'invoice', orderCode, '--number', '1', '--key', good, '--items', 'NO-SUCH-SKU:1'], /has no sku "NO-SUCH-SKU"/],
      [
        ['orders', 'invoice', orderCode, '--number', '1', '--key', good, '--issued-at', '2026-13-01'],
        /invalid --issued-at: must be a date/,
      ],
      [['orders', 'invoice', orderCode, '--number', '1', '--key', good, '--url', 'javascript:alert(1)'], /invalid --url/],
      [
        ['orders', 'invoice', orderCode, '--number', '1', '--key', good, '--xml', '/no/such/file.xml'],
        /--xml \/no\/such\/file.xml: cannot read it \(ENOENT\)/,
      ],
      [['orders', 'invoice', orderCode, '--number', "1'; drop table sales_orders; --", '--key', good], /invalid --number/],
      [['orders', 'invoice', 'VT-NOPE', '--number', '1', '--key', good], /order "VT-NOPE" does not exist/],
      [['orders', 'tracking', orderCode, '--number', 'BR1'], /has no invoice yet: tracking comes after it/],
      [
        ['orders', 'tracking-event', orderCode, '--at', '2026-12-01', '--city', 'X', '--state', 'SP', '--description', 'x'],
        /has no invoice yet/,
      ],
      [
        ['orders', 'tracking-event', orderCode, '--at', 'yesterday', '--city', 'X', '--state', 'SP', '--description', 'x'],
        /invalid --at: must be a date/,
      ],
      [
        ['orders', 'tracking-event', orderCode, '--at', '2026-12-01', '--city', 'X', '--state', 'XX', '--description', 'x'],
        /invalid --state: must be a Brazilian state/,
      ],
      [['orders', 'deliver', orderCode], /has no invoice yet: delivery comes after it/],
      [['orders', 'deliver', orderCode, '--at', '31/12/2026'], /invalid --at/],
      [['orders', 'cancel', orderCode], /required option '--reason <text>' not specified/],
      [['orders', 'cancel', orderCode, '--reason', '  '], /invalid --reason: must not be empty/],
      [['orders', 'return', orderCode, '--number', 'D1', '--key', good], /has no sale invoice to return/],
      [['orders', 'set-status', orderCode, 'cancelado'], /to cancel an order use: vitrine orders cancel/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      if (/required option/.test(message.source)) {
        assert.equal(result.code, 2, args.join(' '));
        assert.match(result.stderr, message);
      } else assertRefused(result, message);
    }
    assert.deepStrictEqual(await snapshot(orderCode), before, 'nothing changed');

    // An invoiced order cannot be cancelled (VTEX refuses it too): the message says what to do instead.
    await cli(['orders', 'invoice', orderCode, '--number', '3001', '--key', key()]);
    assertRefused(
      await run(['orders', 'cancel', orderCode, '--reason', 'x']),
      /is invoiced \(invoice 3001\).*send a return invoice instead: vitrine orders return/,
    );
    assertRefused(
      await run(['orders', 'invoice', orderCode, '--number', '3001', '--key', key()]),
      /already has invoice 3001|is fully invoiced/,
    );
    assertRefused(
      await run(['orders', 'tracking', orderCode, '--number', 'BR1', '--invoice', '9999']),
      /has no sale invoice 9999 \(it has 3001\)/,
    );
    const used = (await db()('sales_order_invoices').where({ number: '3001' }).first('access_key')).access_key;
    const [{ orderCode: other }] = await importOrders(1);
    assertRefused(await run(['orders', 'invoice', other, '--number', '3002', '--key', used]), /access key .* already used/);
  });

  test('cancel: the platform cancels the order, once; an invoice on a cancelled order is refused', async () => {
    const [{ orderCode, orderId }] = await importOrders(1);
    const done = await cli(['orders', 'cancel', orderCode, '--reason', 'Cliente desistiu da compra']);
    assert.deepStrictEqual([done.status, done.queued], ['Cancelado', ['cancel']]);
    const doc = await until(async () => {
      const d = await platform(orderId);
      return d.status === 'canceled' && d;
    }, 'the platform to cancel the order');
    assert.equal(doc.cancelReason, 'Cliente desistiu da compra');
    const again = await cli(['orders', 'cancel', orderCode, '--reason', 'again']);
    assert.equal(again.changed, false);
    assertRefused(await run(['orders', 'invoice', orderCode, '--number', '4001', '--key', key()]), /is cancelled: it cannot be invoiced/);
    await until(() => allSent(orderCode), 'the cancel sent');
    assert.equal((await stats()).cancelsApplied, 1);
  });

  test('rows another program writes (a billing module) reach the platform too', async () => {
    const [{ orderCode, orderId }] = await importOrders(1);
    const order = await db()('sales_orders').where({ order_code: orderCode }).first('id', 'total_cents');
    const item = await db()('sales_order_items').where({ sales_order_id: order.id }).first('sku', 'quantity', 'unit_price_cents');
    await db().transaction(async (trx) => {
      const [{ id }] = await trx('sales_order_invoices')
        .insert({
          sales_order_id: order.id,
          kind: 'sale',
          number: '5001',
          access_key: key(),
          issued_at: new Date(),
          value_cents: order.total_cents,
        })
        .returning('id');
      await trx('sales_order_invoice_items').insert({
        invoice_id: id,
        sku: item.sku,
        quantity: item.quantity,
        unit_price_cents: item.unit_price_cents,
      });
      await trx('sales_order_tracking').insert({ invoice_id: id, tracking_number: 'TRK-5001', carrier: 'Jadlog' });
    });
    const pkg = await until(async () => {
      const d = await platform(orderId);
      return d.status === 'invoiced' && d.packageAttachment.packages[0].trackingNumber === 'TRK-5001' && d.packageAttachment.packages[0];
    }, 'the platform to show the invoice and tracking the billing module wrote');
    assert.equal(pkg.courier, 'Jadlog');
    // A status set straight in the table: Cancelado is told; one the import brings from the platform is not told back.
    const [{ orderCode: second, orderId: secondId }] = await importOrders(1);
    await db()('sales_orders').where({ order_code: second }).update({ status: 'Cancelado', cancel_reason: 'Sem estoque' });
    await until(
      async () => (await platform(secondId)).status === 'canceled',
      'the platform to cancel the order set Cancelado in the table',
    );
    const before = (await stats()).cancelCalls;
    const [{ orderCode: third, orderId: thirdId }] = await importOrders(1);
    await h.sim('POST', `/_sim/${code}/orders/${thirdId}/state`, { state: 'canceled', reason: 'Pagamento recusado' });
    await h.runImport(code);
    assert.equal((await db()('sales_orders').where({ order_code: third }).first('status')).status, 'Cancelado');
    assert.equal(
      await db()('platform_notifications as n')
        .join('sales_orders as o', 'o.id', 'n.sales_order_id')
        .where('o.order_code', third)
        .first('n.id'),
      undefined,
    );
    assert.equal((await stats()).cancelCalls, before, 'a cancellation that came from the platform is not sent back');
  });

  test('a refusal is a blocked notification with the reason; later ones of that order wait; retry sends them after the fix', async () => {
    const [{ orderCode, orderId }] = await importOrders(1);
    // The platform cancelled the order meanwhile (the ERP has not read that yet): start-handling and the invoice are refused.
    await h.sim('POST', `/_sim/${code}/orders/${orderId}/state`, { state: 'canceled' });
    await cli(['orders', 'invoice', orderCode, '--number', '6001', '--key', key()]);
    await cli(['orders', 'tracking', orderCode, '--number', 'BR6001']);
    const blocked = await until(async () => {
      const rows = await cli(['notifications', 'list', '--vitrine', code, '--blocked']);
      return rows.find((r: any) => r.orderCode === orderCode) && rows.filter((r: any) => r.orderCode === orderCode);
    }, 'a blocked notification');
    assert.equal(blocked.length, 1, 'the first refusal blocks; the later ones of the order wait behind it');
    assert.equal(blocked[0].action, 'start-handling');
    assert.match(blocked[0].lastError, /HTTP 409.*ready-for-handling/);
    const all = await cli(['notifications', 'list', '--vitrine', code]);
    assert.deepStrictEqual(
      all
        .filter((r: any) => r.orderCode === orderCode)
        .map((r: any) => [r.action, r.state])
        .reverse(),
      [
        ['start-handling', 'blocked'],
        ['invoice', 'pending'],
        ['tracking-number', 'pending'],
      ],
    );
    const status = await runCli(['status', code, '--json'], h.cliEnv);
    const attention = JSON.parse(status.stdout).attention;
    assert.ok(
      attention.some((a: any) => a.kind === 'notifications-blocked'),
      JSON.stringify(attention),
    );
    // The ones waiting behind it are due: after 5 minutes they are late too (status --all, exit 3).
    await db()('platform_notifications as n')
      .whereIn('n.sales_order_id', db()('sales_orders').where({ order_code: orderCode }).select('id'))
      .whereNull('n.blocked_at')
      .update({ created_at: db().raw("now() - interval '10 minutes'") });
    const all3 = await runCli(['status', '--all', '--json'], h.cliEnv);
    assert.equal(all3.code, 3);
    const mine = JSON.parse(all3.stdout).attention.find((v: any) => v.code === code);
    assert.deepEqual(mine.attention.map((a: any) => a.kind).sort(), ['notifications-blocked', 'notifications-late']);
    const log = await db()('integration_log').where({ external_order_id: orderId, level: 'error' }).pluck('message');
    assert.ok(
      log.some((m: string) => /start-handling refused by the platform, kept as a blocked notification/.test(m)),
      log.join('\n'),
    );

    assertRefused(
      await run(['notifications', 'retry', String(all.find((r: any) => r.orderCode === orderCode && r.action === 'invoice').id)]),
      /is not blocked \(it is pending\)/,
    );
    assertRefused(await run(['notifications', 'retry', '99999999']), /notification 99999999 does not exist/);
    assertRefused(await run(['notifications', 'retry']), /give a notification id or --all/);
    assertRefused(await run(['notifications', 'retry', 'abc']), /invalid notification id/);

    // The cause fixed on the platform (the order back in ready-for-handling), the operator retries.
    await h.sim('POST', `/_sim/${code}/orders/${orderId}/state`, { state: 'ready-for-handling' });
    const retried = await cli(['notifications', 'retry', String(blocked[0].id)]);
    assert.equal(retried.retried, 1);
    await until(() => allSent(orderCode), 'every notification of the order sent after the retry');
    const pkg = (await platform(orderId)).packageAttachment.packages[0];
    assert.deepStrictEqual([pkg.invoiceNumber, pkg.trackingNumber], ['6001', 'BR6001']);
  });

  test('platform faults (5xx, 429) leave every invoice applied once', async () => {
    const orders = await importOrders(12);
    await h.sim('POST', `/_sim/${code}/faults`, { errorRate: 0.3, rateLimitRate: 0.15 });
    const before = await stats();
    try {
      for (const [i, o] of orders.entries())
        await cli(['orders', 'invoice', o.orderCode, '--number', `7${String(i).padStart(3, '0')}`, '--key', key()]);
      for (const o of orders) await until(() => allSent(o.orderCode), `the notifications of ${o.orderCode}`, 60_000);
    } finally {
      await h.sim('POST', `/_sim/${code}/faults`, {});
    }
    const after = await stats();
    assert.equal(after.invoicesApplied - before.invoicesApplied, 12);
    assert.equal(after.startHandlingCalls - before.startHandlingCalls, 12);
    assert.ok(after.faultErrors + after.faultRateLimited > before.faultErrors + before.faultRateLimited, 'faults were injected');
    for (const o of orders) assert.equal((await platform(o.orderId)).packageAttachment.packages.length, 1);
  });

  test('a cancellation asked on the platform waits for an admin: Problemas, no invoice; vitrine orders cancel accepts it', async () => {
    const [{ orderCode, orderId }] = await importOrders(1);
    await h.sim('POST', `/_sim/${code}/orders/${orderId}/state`, { state: 'request-cancel', reason: 'Comprei por engano' });
    await h.runImport(code);
    const order = await cli(['orders', 'show', orderCode]);
    assert.equal(order.status, 'Problemas');
    assert.equal(order.cancellationRequest.reason, 'Comprei por engano');
    assertRefused(
      await run(['orders', 'invoice', orderCode, '--number', '8001', '--key', key()]),
      /the platform asked to cancel it \(Comprei por engano\); accept with: vitrine orders cancel/,
    );
    const accepted = await cli(['orders', 'cancel', orderCode, '--reason', 'Cancelamento aceito']);
    assert.equal(accepted.status, 'Cancelado');
    await until(async () => (await platform(orderId)).status === 'canceled', 'the platform to cancel the order');
    assert.equal((await cli(['orders', 'show', orderCode])).cancellationRequest, null);
  });

  test('with Importar Pedidos off the notifications wait, and go when it is on again', async () => {
    const other = await h.addVitrine({ enable: true });
    const [{ orderCode, orderId }] = await importOrders(1, 'ready-for-handling', other);
    await cli(['disable', other]);
    await cli(['orders', 'invoice', orderCode, '--number', '9001', '--key', key()]);
    // A negative can only be checked after a while: the waker reads the switch at once, 1.5 s is ample.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await platform(orderId, other)).status, 'ready-for-handling', 'switched off: the platform heard nothing');
    await cli(['enable', other]);
    await until(async () => (await platform(orderId, other)).status === 'invoiced', 'the platform to hear once switched on');
  });

  test('the feed configuration: shown, missing (a run says so), configured', async () => {
    const vitrine = await h.addVitrine({ enable: true });
    const shown = await cli(['feed', vitrine, 'show']);
    assert.equal(shown.configured, true);
    await h.sim('POST', `/_sim/${vitrine}/feed/config/expire`);
    const missing = await run(['feed', vitrine, 'show']);
    assert.equal(missing.code, 3);
    assert.match(missing.stdout, /the platform has no feed configuration/);

    const summary = await run(['run', vitrine, '--wait', '--json']);
    assert.notEqual(summary.code, 0);
    assert.match(summary.stdout + summary.stderr, /FeedNotConfigured|no feed configuration/);
    const status = JSON.parse((await run(['status', vitrine, '--json'])).stdout);
    assert.ok(
      status.attention.some((a: any) => /no feed configuration/.test(a.reason)),
      JSON.stringify(status.attention),
    );
    const log = await db()('integration_log as l').join('vitrines as v', 'v.id', 'l.vitrine_id').where('v.code', vitrine).pluck('message');
    assert.ok(
      log.some((m: string) => /FeedNotConfigured/.test(m)),
      log.join('\n'),
    );

    const enabled = await cli(['enable', vitrine]);
    assert.equal(enabled.feed.configured, false);
    assert.match((await run(['enable', vitrine])).stdout, /no feed configuration.*vitrine enable .* --configure-feed/);
    const configured = await cli(['enable', vitrine, '--configure-feed']);
    assert.equal(configured.feed.configuredNow, true);
    const after = await cli(['feed', vitrine, 'show']);
    assert.ok(after.states.includes('ready-for-handling') && after.states.includes('request-cancel'));
    assert.deepStrictEqual(after.missingStates, []);
    await cli(['feed', vitrine, 'configure', '--visibility-timeout', '120', '--retention', '86400']);
    assert.deepStrictEqual([(await cli(['feed', vitrine, 'show'])).visibilityTimeoutSeconds], [120]);
    assertRefused(await run(['feed', vitrine, 'configure', '--retention', '5']), /invalid --retention: must be at least 60/);
    assertRefused(await run(['feed', vitrine, 'reset']), /unknown feed action "reset": show or configure/);
    // Orders flow again.
    const [{ orderCode }] = await importOrders(1, 'ready-for-handling', vitrine);
    assert.ok(orderCode);
  });

  test('the delivery runs through Temporal, visible by VitrineCode; its history holds ids and counts, no NF-e XML, customer data or token', async () => {
    const [{ orderCode, orderId }] = await importOrders(1);
    const dir = await mkdtemp(path.join(tmpdir(), 'nfe-'));
    const marker = `NFE-XML-${Date.now()}`;
    const xmlFile = path.join(dir, 'nfe.xml');
    await writeFile(xmlFile, `<?xml version="1.0" encoding="UTF-8"?><nfeProc><NFe><infNFe Id="${marker}"/></NFe></nfeProc>`);
    await cli(['orders', 'invoice', orderCode, '--number', '10001', '--key', key(), '--xml', xmlFile]);
    const pkg = await until(async () => (await platform(orderId)).packageAttachment.packages[0], 'the invoice on the platform');
    assert.match(pkg.embeddedInvoice, new RegExp(marker), 'the XML reached the platform');

    const handle = h.temporal.client.workflow.getHandle(`vitrine-notifications-${code}`);
    const description = await handle.describe();
    assert.equal(description.type, 'deliverPlatformNotifications');
    assert.deepStrictEqual(description.searchAttributes.VitrineCode, [code]);
    const listed = [];
    for await (const w of h.temporal.client.workflow.list({
      query: `VitrineCode = '${code}' AND WorkflowType = 'deliverPlatformNotifications'`,
    }))
      listed.push(w.workflowId);
    assert.ok(listed.length >= 1, 'operators find the delivery by VitrineCode');
    // Payload data decoded (the history gives it as base64), so that what it says is searched.
    const history = JSON.stringify(await handle.fetchHistory(), (key, value) =>
      key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value,
    );
    assert.match(history, /vitrineId\\":\d+/, 'the payloads are read as text');
    const customer = (await cli(['orders', 'show', orderCode])).customer;
    for (const secret of [marker, customer.name, customer.document, `token-${code}-secret`]) {
      assert.ok(!history.includes(secret), `history holds no ${secret}`);
    }
  });

  test('a burst of commits (a billing batch) wakes the delivery about once a second, not once per commit', async () => {
    const orders = await importOrders(60);
    const ids = await db()('sales_orders')
      .whereIn(
        'order_code',
        orders.map((o) => o.orderCode),
      )
      .select('id', 'total_cents');
    const started = Date.now();
    for (const order of ids) {
      await db().transaction(async (trx) => {
        const [{ id }] = await trx('sales_order_invoices')
          .insert({
            sales_order_id: order.id,
            kind: 'sale',
            number: `B-${order.id}`,
            access_key: key(),
            issued_at: new Date(),
            value_cents: order.total_cents,
          })
          .returning('id');
        const item = await trx('sales_order_items').where({ sales_order_id: order.id }).first('sku', 'quantity', 'unit_price_cents');
        await trx('sales_order_invoice_items').insert({
          invoice_id: id,
          sku: item.sku,
          quantity: item.quantity,
          unit_price_cents: item.unit_price_cents,
        });
      });
    }
    const ended = Date.now();
    for (const o of orders) await until(() => allSent(o.orderCode), `the notifications of ${o.orderCode}`, 30_000);
    const history = await h.temporal.client.workflow.getHandle(`vitrine-notifications-${code}`).fetchHistory();
    const signals = (history.events ?? []).filter((e) => {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      return e.workflowExecutionSignaledEventAttributes && at >= started && at <= ended + 1000;
    }).length;
    const seconds = Math.ceil((ended - started) / 1000);
    assert.ok(signals <= seconds + 2, `${signals} signals for ${ids.length} commits in ${seconds} s`);
    assert.ok(signals >= 1, 'the burst woke the delivery');
  });
});
