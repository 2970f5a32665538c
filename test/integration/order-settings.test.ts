/**
 * Configurações de Pedido end to end (simulator -> Temporal -> Postgres, driven through the CLI):
 * customer and order default fields, the order code prefix, "Não atualiza dados do cliente" and
 * the integration log, with the bad inputs of each refused in one line and the database unchanged.
 */
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { after, before, describe, test } from 'node:test';
import { checkFieldDefault } from '../../src/admin/fieldDefaults';
import { FieldDefaultError, type DefaultTarget } from '../../src/importing/rules/fieldDefaults';
import { sampleExpressionContext } from '../../src/importing/defaultsPreview';
import { cliJson, runCli, type CliResult } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';

const digits = (text: string) => text.replace(/\D/g, '');
const orderNumber = (orderId: string) => orderId.replace(/-\d+$/, '');
const documentOf = (raw: any) =>
  digits(raw.clientProfileData.isCorporate ? raw.clientProfileData.corporateDocument : raw.clientProfileData.document);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** Every row of every ERP table, as one hash and a count per table. */
async function snapshot(db: Knex): Promise<Record<string, { n: number; hash: string }>> {
  const tables: string[] = await db('information_schema.tables')
    .where({ table_schema: 'public', table_type: 'BASE TABLE' })
    .whereNot('table_name', 'like', 'knex_migrations%')
    .orderBy('table_name')
    .pluck('table_name');
  const out: Record<string, { n: number; hash: string }> = {};
  for (const table of tables) {
    const { rows } = await db.raw(
      `select count(*)::int as n, coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as hash from ?? t`,
      [table],
    );
    out[table] = rows[0];
  }
  return out;
}

/** Runs at most `limit` promises at once (each CLI call is a node process). */
async function inBatches<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    }),
  );
  return results;
}

function assertRefused(result: CliResult, error: RegExp | string, what: string): void {
  assert.equal(result.code, 2, `${what}: exit code (stderr: ${result.stderr})`);
  assert.equal(result.stdout, '', `${what}: nothing on stdout`);
  const lines = result.stderr.split('\n');
  assert.equal(lines.length, 2, `${what}: one line on stderr, got ${JSON.stringify(result.stderr)}`);
  assert.equal(lines[1], '');
  if (typeof error === 'string') assert.equal(lines[0], error, what);
  else assert.match(lines[0], error, what);
}

describe('vitrine order settings', () => {
  let h: Harness;
  let cli: (args: string[]) => Promise<CliResult>;
  let json: <T = any>(args: string[]) => Promise<T>;
  /** The agricultural vitrine of the first test, with customer and order defaults. */
  let agro: string;

  before(async () => {
    h = await startHarness();
    cli = (args) => runCli(args, h.cliEnv);
    json = (args) => cliJson(args, h.cliEnv);
  });
  after(async () => {
    await h?.close();
  });

  const vitrineOrders = (code: string) =>
    h.database
      .db('sales_orders as o')
      .join('vitrines as v', 'v.id', 'o.vitrine_id')
      .join('customers as c', 'c.id', 'o.customer_id')
      .leftJoin('carriers as k', 'k.id', 'o.carrier_id')
      .where('v.code', code)
      .select('o.external_order_id', 'o.order_code', 'c.document', 'c.produtor_rural', 'c.tipo_pessoa', 'c.is_corporate', {
        carrier: 'k.code',
      });

  test('customer and order default fields are applied on import, and the order code prefix names new orders', async () => {
    [agro] = await Promise.all([h.addVitrine({ prefix: 'AG' }), json(['carriers', 'add', 'TRANSP01', 'Transportadora Um'])]);
    const other = await h.addVitrine({ prefix: 'OT' });
    const saved = await Promise.all([
      json(['customer-defaults', agro, 'set', 'produtor_rural', 'true']),
      json(['customer-defaults', agro, 'set', 'tipo_pessoa', 'customer.isCorporate ? "J" : "F"']),
      json(['order-defaults', agro, 'set', 'carrier_code', '"TRANSP01"']),
    ]);
    assert.deepEqual(saved, [
      { field: 'produtor_rural', expression: 'true' },
      { field: 'tipo_pessoa', expression: 'customer.isCorporate ? "J" : "F"' },
      { field: 'carrier_code', expression: '"TRANSP01"' },
    ]);
    const [customerRules, orderRules, carriers, settings] = await Promise.all([
      json(['customer-defaults', agro, 'list']),
      json(['order-defaults', agro, 'list']),
      json(['carriers', 'list']),
      json(['settings', agro]),
    ]);
    assert.deepEqual(customerRules.map((r: any) => r.field).sort(), ['produtor_rural', 'tipo_pessoa']);
    assert.deepEqual(orderRules, [{ field: 'carrier_code', expression: '"TRANSP01"' }]);
    assert.deepEqual(carriers, [{ code: 'TRANSP01', name: 'Transportadora Um' }]);
    assert.equal(settings.orderCodePrefix, 'AG');
    assert.equal(settings.keepCustomerIdentity, false);
    assert.equal(settings.logLevel, 'errors');
    assert.equal(settings.customerDefaults.length, 2);
    assert.deepEqual(settings.orderDefaults, orderRules);
    // The settings never show the credentials, masked or not.
    const text = await cli(['settings', agro]);
    assert.equal(text.code, 0, text.stderr);
    for (const output of [text.stdout, JSON.stringify(settings)]) {
      assert.ok(!/token|secret|key-/i.test(output), `settings output shows a credential: ${output}`);
    }
    assert.match(text.stdout, /^order code prefix: +AG$/m);
    assert.match(text.stdout, /^tipo_pessoa +customer\.isCorporate \? "J" : "F"$/m);

    const { orderIds } = await h.sim('POST', `/_sim/${agro}/orders`, { generate: 30, seed: 41 });
    const { orderIds: otherIds } = await h.sim('POST', `/_sim/${other}/orders`, { generate: 6, seed: 61 });
    const [summary, otherSummary] = await Promise.all([h.runImport(agro), h.runImport(other)]);
    assert.deepEqual([summary.imported, summary.blocked], [30, 0]);
    assert.deepEqual([otherSummary.imported, otherSummary.blocked], [6, 0]);

    const raws = new Map<string, any>();
    for (const [account, ids] of [
      [agro, orderIds],
      [other, otherIds],
    ] as const) {
      for (const id of ids) raws.set(id, await h.platformOrder(account, id));
    }
    const rows = await vitrineOrders(agro);
    assert.equal(rows.length, 30);
    for (const row of rows) {
      const raw = raws.get(row.external_order_id);
      assert.equal(row.document, documentOf(raw));
      assert.equal(row.produtor_rural, true, `customer of ${row.external_order_id} is a produtor rural`);
      assert.equal(row.tipo_pessoa, raw.clientProfileData.isCorporate ? 'J' : 'F', `tipo_pessoa of ${row.external_order_id}`);
      assert.equal(row.carrier, 'TRANSP01');
      assert.equal(row.order_code, `AG-${orderNumber(row.external_order_id)}`);
    }
    assert.deepEqual([...new Set(rows.map((row) => row.tipo_pessoa))].sort(), ['F', 'J'], 'both kinds of customer were imported');

    // The vitrine without rules: its customers are not rural producers, its orders keep their carriers.
    const otherRows = await vitrineOrders(other);
    assert.equal(otherRows.length, 6);
    const agroDocuments = new Set(rows.map((row) => row.document));
    for (const row of otherRows) {
      const raw = raws.get(row.external_order_id);
      assert.ok(!agroDocuments.has(row.document), 'the two vitrines have different customers');
      assert.equal(row.produtor_rural, false);
      assert.equal(row.tipo_pessoa, null);
      assert.notEqual(row.carrier, 'TRANSP01');
      assert.equal(row.carrier, raw.shippingData.logisticsInfo[0].deliveryCompany.toUpperCase().replace(/[^A-Z0-9]+/g, '-'));
    }

    // Order code prefix: orders imported from now on are AGRO-<number>; the earlier ones keep theirs.
    const changed = await json(['settings', agro, '--prefix', 'AGRO']);
    assert.equal(changed.orderCodePrefix, 'AGRO');
    const { orderIds: newIds } = await h.sim('POST', `/_sim/${agro}/orders`, { generate: 2, seed: 41, offset: 30 });
    assert.equal((await h.runImport(agro)).imported, 2);
    const codes = new Map((await vitrineOrders(agro)).map((row) => [row.external_order_id, row.order_code]));
    assert.equal(codes.size, 32);
    for (const id of newIds) assert.equal(codes.get(id), `AGRO-${orderNumber(id)}`);
    for (const id of orderIds) assert.equal(codes.get(id), `AG-${orderNumber(id)}`);
    const shown = await json(['orders', 'show', `AGRO-${orderNumber(newIds[0])}`]);
    assert.equal(shown.externalOrderId, newIds[0]);
    assert.equal(shown.carrier.code, 'TRANSP01');
    assert.equal(shown.customer.produtor_rural, true);
  });

  test('bad settings are refused with one line and exit 2, and nothing changes in the database', async () => {
    assert.ok(agro, 'runs after the first test');
    const USAGE =
      /; use: vitrine customer-defaults <code> list \| set <field> <expression> \| remove <field> \| preview --order <platform order id>$/;
    // Through the CLI, as an admin types them (each is a process: the list is kept to the cases that matter).
    const cases: Array<{ args: string[]; error: RegExp | string }> = [
      // customer defaults
      {
        args: ['customer-defaults', agro, 'set', 'produtor_rural', '$$$('],
        error: /^vitrine: syntax error in expression: .+ \(at character \d+\)$/,
      },
      { args: ['customer-defaults', agro, 'set', 'nope', 'true'], error: 'vitrine: invalid field: "nope" is not a column of customers' },
      {
        args: ['customer-defaults', agro, 'set', 'id', '1'],
        error: 'vitrine: invalid field: id of customers cannot be set by a default rule',
      },
      {
        args: ['customer-defaults', agro, 'set', 'document', '"84513427019"'],
        error: 'vitrine: invalid field: document of customers cannot be set by a default rule',
      },
      {
        args: ['customer-defaults', agro, 'set', 'created_at', '"2024-01-01"'],
        error: 'vitrine: invalid field: created_at of customers cannot be set by a default rule',
      },
      {
        args: ['customer-defaults', agro, 'set', 'produtor_rural = true; drop table customers; --', 'true'],
        error:
          'vitrine: invalid field "produtor_rural = true; drop table customers; --": a field is a column name (lowercase letters, digits, _)',
      },
      {
        args: ['customer-defaults', agro, 'set', 'produtor_rural', '"yes"'],
        error: 'vitrine: customer default produtor_rural: produtor_rural expects true or false, the expression gave text of 3 characters',
      },
      { args: ['customer-defaults', agro, 'set', 'produtor_rural', ''], error: 'vitrine: expression is empty' },
      { args: ['customer-defaults', agro, 'set', 'produtor_rural'], error: USAGE },
      {
        args: ['customer-defaults', agro, 'remove', 'nope'],
        error: `vitrine: vitrine ${agro} has no customer default for "nope" (see: vitrine customer-defaults ${agro} list)`,
      },
      { args: ['customer-defaults', agro, 'drop', 'tipo_pessoa'], error: /^vitrine: unknown action "drop"; use: / },
      { args: ['customer-defaults', agro, 'preview'], error: /^vitrine: preview needs --order <platform order id>; use: / },
      {
        args: ['customer-defaults', agro, 'preview', '--order', '5550000000000-01'],
        error: `vitrine: cannot read order 5550000000000-01 of vitrine ${agro}: VTEX getOrder 5550000000000-01: HTTP 404: Order not found (no order 5550000000000-01 on the platform)`,
      },
      {
        args: ['customer-defaults', 'nao-existe', 'set', 'produtor_rural', 'true'],
        error: 'vitrine: vitrine "nao-existe" does not exist (see: vitrine list)',
      },
      // order defaults
      {
        args: ['order-defaults', agro, 'set', 'status', '"Cancelado"'],
        error: 'vitrine: invalid field: status of sales_orders cannot be set by a default rule',
      },
      {
        args: ['order-defaults', agro, 'set', 'carrier_code', '"NOPE99"'],
        error: 'vitrine: order default carrier_code: there is no carriers row with code "NOPE99"',
      },
      {
        args: ['order-defaults', agro, 'remove', 'origin'],
        error: `vitrine: vitrine ${agro} has no order default for "origin" (see: vitrine order-defaults ${agro} list)`,
      },
      // carriers
      { args: ['carriers', 'add', 'TRANSP01', 'Outra'], error: 'vitrine: carrier TRANSP01 already exists (see: vitrine carriers list)' },
      { args: ['carriers', 'add', 'transp 02', 'Outra'], error: /^vitrine: invalid carrier code: must be uppercase letters and digits/ },
      // settings: one bad option and nothing is saved, not even the good ones
      { args: ['settings', agro, '--prefix', 'agro'], error: 'vitrine: invalid --prefix: must be 1-10 uppercase letters or digits' },
      {
        args: ['settings', agro, '--prefix', 'OK', '--keep-customer-identity', 'sim'],
        error: 'vitrine: invalid --keep-customer-identity: must be on or off',
      },
      { args: ['settings', agro, '--log-level', 'debug'], error: 'vitrine: invalid --log-level: must be errors or all' },
      {
        args: ['settings', agro, '--currency', 'real'],
        error: 'vitrine: invalid --currency: must be an ISO 4217 code of 3 uppercase letters, e.g. BRL',
      },
      {
        args: ['settings', agro, '--prefix', 'OK', '--get-order-limit', '0'],
        error: 'vitrine: invalid --get-order-limit: must be at least 1 call a minute',
      },
      {
        args: ['settings', agro, '--get-order-limit', 'many'],
        error: 'vitrine: invalid --get-order-limit: must be a whole number of calls a minute',
      },
      // log
      { args: ['log', agro, '--level', 'warn'], error: 'vitrine: invalid --level: must be error, warning or info' },
      { args: ['log', agro, '--limit', '0'], error: 'vitrine: invalid --limit: must be at least 1' },
    ];
    // The check `set` runs, in-process, for more rules (no process per case).
    const vitrine = await h.database.db('vitrines').where({ code: agro }).first();
    const sample = sampleExpressionContext(vitrine);
    const rules: Array<[DefaultTarget, string, string, string | RegExp]> = [
      ['customer', 'tipo_pessoa', 'customer.isCorporate ? "J" :', /^syntax error in expression: .+ \(at character \d+\)$/],
      ['customer', 'Produtor_Rural', 'true', 'invalid field "Produtor_Rural": a field is a column name (lowercase letters, digits, _)'],
      ['customer', 'x'.repeat(64), 'true', `invalid field "${'x'.repeat(64)}": a field is a column name (lowercase letters, digits, _)`],
      ['customer', 'updated_at', '$now()', 'invalid field: updated_at of customers cannot be set by a default rule'],
      ['customer', 'document_type', '"cnpj"', 'invalid field: document_type of customers cannot be set by a default rule'],
      [
        'customer',
        'tipo_pessoa',
        'customer.isCorporate',
        'customer default tipo_pessoa: tipo_pessoa expects text, the expression gave a boolean',
      ],
      ['customer', 'tipo_pessoa', '1', 'customer default tipo_pessoa: tipo_pessoa expects text, the expression gave a whole number'],
      [
        'customer',
        'produtor_rural',
        'null',
        'customer default produtor_rural: produtor_rural expects a boolean value (not null), the expression gave null',
      ],
      ['customer', 'produtor_rural', '$error("nunca")', 'customer default produtor_rural: nunca (at character 7)'],
      [
        'customer',
        'produtor_rural',
        '$count(order.items) > 0 ? "sim"',
        'customer default produtor_rural: produtor_rural expects true or false, the expression gave text of 3 characters',
      ],
      ['customer', 'produtor_rural', 'x'.repeat(2001), 'expression is longer than 2000 characters'],
      ['customer', 'name', '($f := function($n){ $f($n + 1) }; $f(0))', /^customer default name: expression ran longer than 200 ms/],
      [
        'customer',
        'name',
        '($f := function($n){ 1 + $f($n + 1) }; $f(0))',
        /^customer default name: expression nests deeper than 200 levels/,
      ],
      ['order', 'order_code', '"X-1"', 'invalid field: order_code of sales_orders cannot be set by a default rule'],
      ['order', 'customer_id', '1', 'invalid field: customer_id of sales_orders cannot be set by a default rule'],
      ['order', 'total_cents', '0', 'invalid field: total_cents of sales_orders cannot be set by a default rule'],
      ['order', 'vitrine_id', '1', 'invalid field: vitrine_id of sales_orders cannot be set by a default rule'],
      ['order', 'carrier_id', '1', 'invalid field: carrier_id of sales_orders is set by its code: use carrier_code'],
      ['order', 'produtor_rural', 'true', 'invalid field: "produtor_rural" is not a column of sales_orders'],
      ['order', 'carrier_code', '42', 'order default carrier_code: carrier_code expects text, the expression gave a whole number'],
      ['order', 'origin', 'order.totalCents', 'order default origin: origin expects text, the expression gave a whole number'],
    ];
    const before = await snapshot(h.database.db);
    for (const [target, field, expression, message] of rules) {
      await assert.rejects(checkFieldDefault(h.database.db, target, field, expression, sample), (error: Error) => {
        assert.ok(error instanceof FieldDefaultError, `${target} ${field} = ${expression}: ${error.name}`);
        if (typeof message === 'string') assert.equal(error.message, message);
        else assert.match(error.message, message);
        assert.ok(!error.message.includes('\n'));
        return true;
      });
    }
    const results = await inBatches(cases, 4, (c) => cli(c.args));
    for (const [index, c] of cases.entries()) assertRefused(results[index], c.error, c.args.join(' '));
    assert.deepEqual(await snapshot(h.database.db), before, 'no table changed');
    // The rules of the vitrine are as they were.
    assert.deepEqual((await json(['customer-defaults', agro, 'list'])).map((r: any) => [r.field, r.expression]).sort(), [
      ['produtor_rural', 'true'],
      ['tipo_pessoa', 'customer.isCorporate ? "J" : "F"'],
    ]);
  });

  test('a rule that fails for one order blocks that order only; preview writes nothing; remove; integration log', async () => {
    const code = await h.addVitrine({ prefix: 'RT' });
    const { orderIds } = await h.sim('POST', `/_sim/${code}/orders`, { generate: 4, seed: 51 });
    const bad = orderIds[2];
    const REASON = /^customer default tipo_pessoa: sem tipo de pessoa para este pedido \(at character \d+\)$/;
    await json([
      'customer-defaults',
      code,
      'set',
      'tipo_pessoa',
      `order.externalOrderId = "${bad}" ? $error("sem tipo de pessoa para este pedido") : (customer.isCorporate ? "J" : "F")`,
    ]);
    await json(['customer-defaults', code, 'set', 'produtor_rural', 'vitrine.orderCodePrefix = "RT"']);

    // Preview: the values for one order, from the platform's document, with nothing written.
    const raws = await Promise.all(orderIds.map((id: string) => h.platformOrder(code, id)));
    const dbBefore = await snapshot(h.database.db);
    const statsBefore = await h.sim('GET', `/_sim/${code}/stats`);
    const [preview, previewText, previewBad, previewOrder] = await Promise.all([
      json(['customer-defaults', code, 'preview', '--order', orderIds[0]]),
      cli(['customer-defaults', code, 'preview', '--order', orderIds[1]]),
      cli(['customer-defaults', code, 'preview', '--order', bad]),
      json(['order-defaults', code, 'preview', '--order', orderIds[0]]),
    ]);
    assert.deepEqual(preview, { tipo_pessoa: raws[0].clientProfileData.isCorporate ? 'J' : 'F', produtor_rural: true });
    assert.equal(previewText.code, 0, previewText.stderr);
    assert.equal(previewText.stdout, `tipo_pessoa:    ${raws[1].clientProfileData.isCorporate ? 'J' : 'F'}\nprodutor_rural: true\n`);
    assertRefused(previewBad, new RegExp(`^vitrine: ${REASON.source.slice(1)}`), 'preview of the order the rule fails for');
    assert.deepEqual(previewOrder, {});
    assert.deepEqual(await snapshot(h.database.db), dbBefore, 'preview wrote nothing');
    const statsAfter = await h.sim('GET', `/_sim/${code}/stats`);
    assert.deepEqual(
      [statsAfter.feedPending, statsAfter.committed, statsAfter.feedRetrievals],
      [statsBefore.feedPending, statsBefore.committed, statsBefore.feedRetrievals],
    );

    // The import: that order is blocked with the field in its reason, the others are imported.
    const summary = await h.runImport(code);
    assert.deepEqual([summary.fetched, summary.imported, summary.blocked, summary.committed], [4, 3, 1, 4]);
    const blocked = await h.database.db('blocked_orders').where({ external_order_id: bad });
    assert.equal(blocked.length, 1);
    assert.match(blocked[0].reason, REASON);
    const reason = blocked[0].reason;
    assert.equal(previewBad.stderr, `vitrine: ${reason}\n`, 'the preview said why the import blocks it');
    assert.equal(blocked[0].payload.orderId, bad);
    const rows = await vitrineOrders(code);
    assert.deepEqual(rows.map((row) => row.external_order_id).sort(), orderIds.filter((id: string) => id !== bad).sort());
    for (const row of rows) {
      const raw = raws[orderIds.indexOf(row.external_order_id)];
      assert.equal(row.tipo_pessoa, raw.clientProfileData.isCorporate ? 'J' : 'F');
      assert.equal(row.produtor_rural, true);
    }
    // Nothing of the blocked order was written, its customer included.
    assert.equal(
      await h.database
        .db('customers')
        .where({ document: documentOf(raws[2]) })
        .first(),
      undefined,
    );

    // Log at the default level: the blocked order only.
    const errorsOnly = await json(['log', code]);
    assert.deepEqual(
      errorsOnly.map((e: any) => [e.level, e.orderId, e.message]),
      [['error', bad, `order blocked: ${reason}`]],
    );
    assert.equal(errorsOnly[0].workflowId, summary.workflowId);

    // Remove the rule: the next run imports the blocked order, without a tipo_pessoa.
    assert.deepEqual(await json(['customer-defaults', code, 'remove', 'tipo_pessoa']), { removed: 'tipo_pessoa' });
    assert.deepEqual(await json(['customer-defaults', code, 'list']), [
      { field: 'produtor_rural', expression: 'vitrine.orderCodePrefix = "RT"' },
    ]);
    const rules = await h.database
      .db('field_defaults as f')
      .join('vitrines as v', 'v.id', 'f.vitrine_id')
      .where('v.code', code)
      .pluck('f.field');
    assert.deepEqual(rules, ['produtor_rural']);

    // Log level "all": imported orders and the run summary are logged too.
    assert.equal((await json(['settings', code, '--log-level', 'all'])).logLevel, 'all');
    await h.sim('POST', `/_sim/${code}/orders/${bad}/state`, { state: 'ready-for-handling' });
    const {
      orderIds: [fresh],
    } = await h.sim('POST', `/_sim/${code}/orders`, { generate: 1, seed: 51, offset: 4 });
    const second = await h.runImport(code);
    assert.deepEqual([second.fetched, second.imported, second.blocked], [2, 2, 0]);
    assert.equal(
      await h.database.db('blocked_orders').where({ external_order_id: bad }).first(),
      undefined,
      'an imported order leaves the blocked list',
    );
    const unblocked = (await vitrineOrders(code)).find((row) => row.external_order_id === bad);
    assert.equal(unblocked?.tipo_pessoa, null);
    assert.equal(unblocked?.produtor_rural, true);

    const all = await json(['log', code]);
    assert.deepEqual(all[0], {
      at: all[0].at,
      level: 'info',
      orderId: null,
      message: 'run completed: fetched 2, imported 2, updated 0, unchanged 0, blocked 0, committed 2',
      workflowId: second.workflowId,
      importRunId: second.importRunId,
    });
    // By import run: a run started within the second of the last one has the same workflow id.
    const secondRun = all.filter((e: any) => e.importRunId === second.importRunId);
    assert.deepEqual(
      secondRun
        .filter((e: any) => e.message === 'order imported')
        .map((e: any) => [e.level, e.orderId])
        .sort(),
      [
        ['info', bad],
        ['info', fresh],
      ].sort(),
    );
    assert.ok(
      secondRun.every((e: any) => e.level === 'info'),
      'the second run logged no error',
    );
    assert.deepEqual(all.at(-1), errorsOnly[0], 'oldest last');
    assert.ok(
      all.every((e: any, i: number) => i === 0 || Date.parse(all[i - 1].at) >= Date.parse(e.at)),
      'newest first',
    );
    const [errorsFilter, latest, text] = await Promise.all([
      json(['log', code, '--level', 'error']),
      json(['log', code, '--limit', '1']),
      cli(['log', code, '--limit', '3']),
    ]);
    assert.deepEqual(errorsFilter, errorsOnly);
    assert.deepEqual(latest, [all[0]]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^at +level +order +message$/m);
    assert.match(text.stdout, /info +- +run completed: fetched 2/);
    assert.match(text.stdout, /info +\d+-01 +order imported/);
  });

  test('Não atualiza dados do cliente: existing customers keep their identity data, contact data still updates', async () => {
    const code = await h.addVitrine({ prefix: 'KC' });
    assert.equal((await json(['settings', code, '--keep-customer-identity', 'on'])).keepCustomerIdentity, true);
    const { orderIds } = await h.sim('POST', `/_sim/${code}/orders`, { generate: 5, seed: 42 });
    assert.equal((await h.runImport(code)).imported, 5);
    const raws = await Promise.all(orderIds.map((id: string) => h.platformOrder(code, id)));
    const person = raws.find((raw) => !raw.clientProfileData.isCorporate);
    const company = raws.find((raw) => raw.clientProfileData.isCorporate);
    assert.ok(person && company, 'seed 42 has a pessoa física and a pessoa jurídica among its first 5 orders');
    const customer = (raw: any) =>
      h.database
        .db('customers')
        .where({ document: documentOf(raw) })
        .first();
    const original = { person: await customer(person), company: await customer(company) };
    assert.equal(original.company.state_registration, company.clientProfileData.stateInscription);

    /** The same buyer again, on a new order, with other identity and contact data. */
    function again(
      raw: any,
      orderId: string,
      changes: { name: string; stateInscription: string; email: string; phone: string; street: string },
    ) {
      const doc = clone(raw);
      doc.orderId = orderId;
      const profile = doc.clientProfileData;
      if (profile.isCorporate) {
        profile.corporateName = changes.name;
        profile.corporatePhone = changes.phone;
      } else {
        [profile.firstName, profile.lastName] = changes.name.split(' ');
        profile.phone = changes.phone;
      }
      profile.stateInscription = changes.stateInscription;
      profile.email = changes.email;
      doc.shippingData.address.street = changes.street;
      return doc;
    }
    const changes = (n: number) => ({
      name: `Nome${n} Trocado${n}`,
      stateInscription: `99988877${n}`,
      email: `novo${n}@exemplo.com.br`,
      phone: `+55119888877${n}${n}`,
      street: `Rua Nova ${n}`,
    });
    await h.sim('POST', `/_sim/${code}/orders`, [
      again(person, '9990000000001-01', changes(1)),
      again(company, '9990000000002-01', changes(2)),
    ]);
    const {
      orderIds: [newcomerId],
    } = await h.sim('POST', `/_sim/${code}/orders`, { generate: 1, seed: 'novo-cliente' });
    const newcomer = await h.platformOrder(code, newcomerId);
    assert.equal(await customer(newcomer), undefined, 'the third buyer is new to the ERP');
    // A default rule on an identity column does not override the setting either.
    await json(['customer-defaults', code, 'set', 'rg', '"RG-" & customer.email']);
    const customersBefore = Number((await h.database.db('customers').count({ n: '*' }))[0].n);
    assert.equal((await h.runImport(code)).imported, 3);

    const kept = { person: await customer(person), company: await customer(company) };
    for (const [who, n] of [
      ['person', 1],
      ['company', 2],
    ] as const) {
      const row = kept[who];
      assert.equal(row.id, original[who].id);
      assert.equal(row.name, original[who].name, `${who}: the name is kept`);
      assert.equal(row.state_registration, original[who].state_registration, `${who}: the state registration is kept`);
      assert.equal(row.rg, original[who].rg);
      assert.equal(row.document, original[who].document);
      assert.equal(row.email, changes(n).email, `${who}: the e-mail is updated`);
      assert.equal(row.phone, changes(n).phone, `${who}: the phone is updated`);
      assert.equal(row.street, changes(n).street, `${who}: the address is updated`);
    }
    const created = await customer(newcomer);
    assert.ok(created, 'a new customer is still created');
    assert.equal(
      created.name,
      newcomer.clientProfileData.isCorporate
        ? newcomer.clientProfileData.corporateName
        : `${newcomer.clientProfileData.firstName} ${newcomer.clientProfileData.lastName}`,
    );
    assert.equal(Number((await h.database.db('customers').count({ n: '*' }))[0].n), customersBefore + 1);
    assert.equal(created.rg, `RG-${newcomer.clientProfileData.email}`, 'a new customer gets the rule value');

    // Switched off: the next order of the same buyers updates their identity data too.
    assert.equal((await json(['settings', code, '--keep-customer-identity', 'off'])).keepCustomerIdentity, false);
    await h.sim('POST', `/_sim/${code}/orders`, [
      again(person, '9990000000003-01', changes(3)),
      again(company, '9990000000004-01', changes(4)),
    ]);
    assert.equal((await h.runImport(code)).imported, 2);
    const updated = { person: await customer(person), company: await customer(company) };
    assert.equal(updated.person.name, changes(3).name);
    assert.equal(updated.person.email, changes(3).email);
    assert.equal(updated.person.rg, `RG-${changes(3).email}`, 'switched off, the rule writes identity columns too');
    assert.equal(updated.person.state_registration, null, 'a pessoa física has no state registration');
    assert.equal(updated.company.name, changes(4).name);
    assert.equal(updated.company.state_registration, changes(4).stateInscription);
    assert.equal(updated.company.street, changes(4).street);
  });
});
