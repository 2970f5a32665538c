/**
 * The importer's rules as pure code: the status and payment DE-PARA, order codes, forward-only
 * status moves, default-field values and expressions, and the chunking that keeps every
 * statement under Postgres's bind parameter limit. Orders come from VTEX's own Get order example
 * of the contract, mapped by the real mapper.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { chunksOf, MAX_BIND_PARAMETERS, rowsPerStatement } from '../../src/erp/store/chunks';
import type { ImportSettings } from '../../src/erp/store/importSettings';
import type { MarketplaceMappingRow, PaymentTypeMappingRow, VitrineRow } from '../../src/erp/tables';
import { decideOrder, keptCustomerColumns, orderCodeOf, OrderRejectedError } from '../../src/importing/orderRules';
import { compileExpression, ExpressionError } from '../../src/importing/rules/expressions';
import { evaluateExpression } from '../../src/importing/rules/expressionSandbox';
import {
  evaluateRules,
  expressionContext,
  FieldDefaultError,
  fitValue,
  refusedField,
  type ColumnTypes,
} from '../../src/importing/rules/fieldDefaults';
import { resolvePayment, VTEX_DEFAULT_PAYMENT_MAPPINGS } from '../../src/importing/rules/payments';
import { isForwardTransition, VTEX_DEFAULT_STATUS_MAPPINGS, type ErpStatus } from '../../src/importing/rules/statuses';
import type { ErpOrder } from '../../src/mapping/erpOrder';
import { mapVtexOrder } from '../../src/mapping/vtexOrderMapper';

const REPO = path.resolve(__dirname, '..', '..');
const spec = JSON.parse(readFileSync(path.join(REPO, 'contracts/vtex/orders-api.openapi.json'), 'utf8'));
const example = spec.paths['/api/oms/pvt/orders/{orderId}'].get.responses['200'].content['application/json'].example;

function order(change: (raw: any) => void = () => undefined): ErpOrder {
  const raw = structuredClone(example);
  change(raw);
  return mapVtexOrder(raw);
}

const VITRINE = {
  id: 1,
  code: 'agro',
  name: 'Loja Agro',
  platform: 'vtex',
  order_code_prefix: 'AG',
  currency: 'BRL',
  import_interval_minutes: 15,
  keep_customer_identity: false,
} as VitrineRow;

/** A new vitrine's settings: the DE-PARA rows it starts with (payment type ids by position). */
function settings(change: Partial<ImportSettings> = {}): ImportSettings {
  const types = [...new Set(VTEX_DEFAULT_PAYMENT_MAPPINGS.map((m) => m.paymentType))];
  const paymentMappings: PaymentTypeMappingRow[] = VTEX_DEFAULT_PAYMENT_MAPPINGS.map((m, i) => ({
    id: i + 1,
    vitrine_id: 1,
    platform_payment: m.platformPayment,
    payment_type_id: types.indexOf(m.paymentType) + 1,
    payment_condition: m.condition,
  }));
  return {
    vitrine: VITRINE,
    paymentMappings,
    // The contract's example order comes through affiliate GHB.
    marketplaceMappings: [
      {
        id: 1,
        vitrine_id: 1,
        affiliate_id: 'GHB',
        channel: 'GHB Marketplace',
        order_code_prefix: null,
        payment_type_id: null,
        payment_condition: null,
        created_at: new Date(0),
      },
    ],
    statusMappings: new Map(Object.entries(VTEX_DEFAULT_STATUS_MAPPINGS)),
    customerRules: [],
    orderRules: [],
    customerColumns: new Map(),
    orderColumns: new Map(),
    ...change,
  };
}

describe('the order DE-PARA', () => {
  it("gives VTEX's example order its code, status, payment type and condition", () => {
    const o = order();
    const decision = decideOrder(settings(), o);
    assert.equal(decision.orderCode, `AG-${o.platformOrderNumber}`);
    assert.equal(decision.orderCode, orderCodeOf(VITRINE, o.platformOrderNumber));
    assert.equal(decision.status, VTEX_DEFAULT_STATUS_MAPPINGS[o.platformState]);
    assert.equal(decision.payments.length, o.payments.length);
    assert.ok(decision.payments.every((p) => p.paymentTypeId > 0));
    assert.equal(decision.paymentCondition, [...new Set(decision.payments.map((p) => p.condition))].join(' + '));
  });

  it('matches a payment by system id, then by name (any case), then by the * row; {n} is the installments', () => {
    const payment = { ...order().payments[0], paymentSystem: '2', paymentSystemName: 'VISA', installments: 3 };
    const rows = (entries: Array<[string, number, string]>): PaymentTypeMappingRow[] =>
      entries.map(([platform_payment, payment_type_id, payment_condition], i) => ({
        id: i,
        vitrine_id: 1,
        platform_payment,
        payment_type_id,
        payment_condition,
      }));
    assert.deepEqual(
      resolvePayment(
        payment,
        rows([
          ['2', 10, 'by id {n}x'],
          ['visa', 20, 'by name'],
        ]),
      ),
      { paymentTypeId: 10, condition: 'by id 3x' },
    );
    assert.deepEqual(
      resolvePayment(
        payment,
        rows([
          ['visa', 20, 'by name {n}x'],
          ['*', 30, 'any'],
        ]),
      ),
      { paymentTypeId: 20, condition: 'by name 3x' },
    );
    assert.deepEqual(
      resolvePayment(
        payment,
        rows([
          ['Pix', 40, 'pix'],
          ['*', 30, 'any'],
        ]),
      ),
      { paymentTypeId: 30, condition: 'any' },
    );
    assert.equal(resolvePayment(payment, rows([['Pix', 40, 'pix']])), undefined);
  });

  it('refuses an order whose state or payment has no row, saying which', () => {
    const unmappedState = order((raw) => (raw.status = 'awaiting-new-step'));
    assert.throws(
      () => decideOrder(settings(), unmappedState),
      (e: Error) => e instanceof OrderRejectedError && e.message === 'unmapped platform state awaiting-new-step',
    );
    const noPayments = settings({ paymentMappings: [] });
    const site = order((raw) => (raw.affiliateId = ''));
    assert.throws(
      () => decideOrder(noPayments, site),
      (e: Error) => e instanceof OrderRejectedError && e.message === `unmapped payment type ${site.payments[0].paymentSystemName}`,
    );
    // Through a marketplace, the reason also says that the marketplace's row can give the payment type.
    assert.throws(
      () => decideOrder(noPayments, order()),
      (e: Error) =>
        e instanceof OrderRejectedError &&
        e.message === 'unmapped payment type Visa (or give marketplace GHB a payment type: vitrine marketplaces agro set)',
    );
  });

  it('"Não atualiza dados do cliente" keeps name, state registration and RG', () => {
    assert.deepEqual([...keptCustomerColumns({ keep_customer_identity: true })].sort(), ['name', 'rg', 'state_registration']);
    assert.equal(keptCustomerColumns({ keep_customer_identity: false }).size, 0);
  });
});

describe('the marketplace DE-PARA', () => {
  const row = (change: Partial<MarketplaceMappingRow> = {}): MarketplaceMappingRow => ({
    id: 9,
    vitrine_id: 1,
    affiliate_id: 'MGZ',
    channel: 'Magazine Luiza',
    order_code_prefix: null,
    payment_type_id: null,
    payment_condition: null,
    created_at: new Date(0),
    ...change,
  });
  const magalu = (change: (raw: any) => void = () => undefined) =>
    order((raw) => {
      Object.assign(raw, { orderId: 'mgz-1348290517391-01', affiliateId: 'MGZ', marketplaceOrderId: '1348290517391' });
      raw.marketplace.name = 'Magazine Luiza';
      change(raw);
    });
  const typeOf = (code: string) => [...new Set(VTEX_DEFAULT_PAYMENT_MAPPINGS.map((m) => m.paymentType)), 'OUTROS'].indexOf(code) + 1;

  it('blocks an order from a marketplace with no row, naming the command that adds it', () => {
    assert.throws(
      () => decideOrder(settings({ marketplaceMappings: [] }), magalu()),
      (e: Error) =>
        e instanceof OrderRejectedError &&
        e.message === 'marketplace MGZ has no DE-PARA row: add it with: vitrine marketplaces agro set MGZ <channel>',
    );
  });

  it("gives the order its channel as origin, the vitrine's prefix or its own (without the affiliate's)", () => {
    const own = decideOrder(settings({ marketplaceMappings: [row({ affiliate_id: 'mgz' })] }), magalu());
    assert.deepEqual([own.origin, own.orderCode], ['Magazine Luiza', 'AG-mgz-1348290517391']);
    const prefixed = decideOrder(settings({ marketplaceMappings: [row({ order_code_prefix: 'MAG' })] }), magalu());
    assert.equal(prefixed.orderCode, 'MAG-1348290517391');
    const site = decideOrder(
      settings(),
      order((raw) => (raw.affiliateId = '')),
    );
    assert.equal(site.origin, 'website');
  });

  it("maps every payment to the marketplace's type when it has one, and pays a payment-less order in full", () => {
    const settled = settings({ marketplaceMappings: [row({ payment_type_id: typeOf('OUTROS'), payment_condition: 'Marketplace {n}x' })] });
    const assumed = magalu((raw) => {
      const [payment] = raw.paymentData.transactions[0].payments;
      Object.assign(payment, {
        id: null,
        paymentSystem: null,
        paymentSystemName: 'Assumed value by affiliate MGZ',
        group: null,
        installments: 0,
      });
    });
    const decision = decideOrder(settled, assumed);
    assert.deepEqual(
      decision.payments.map((p) => [p.paymentTypeId, p.condition, p.payment.installments]),
      [[typeOf('OUTROS'), 'Marketplace 1x', 0]],
    );
    const none = decideOrder(
      settled,
      magalu((raw) => (raw.paymentData = null)),
    );
    assert.deepEqual(
      none.payments.map((p) => [p.paymentTypeId, p.payment.valueCents, p.payment.paymentSystem]),
      [[typeOf('OUTROS'), none.payments[0].payment.valueCents, null]],
    );
    assert.equal(none.payments[0].payment.valueCents, magalu().totalCents);
    assert.equal(none.paymentDifferenceCents, null);
    assert.throws(
      () =>
        decideOrder(
          settings({ marketplaceMappings: [row()] }),
          magalu((raw) => (raw.paymentData = null)),
        ),
      (e: Error) =>
        e instanceof OrderRejectedError &&
        e.message.startsWith('the order has no payment (the marketplace settles it): give marketplace MGZ a payment type'),
    );
  });

  it('matches a payment by its group when its id and name have no row', () => {
    const gift = order((raw) => {
      raw.affiliateId = '';
      Object.assign(raw.paymentData.transactions[0].payments[0], {
        paymentSystem: '901',
        paymentSystemName: 'Cartão Presente Loja',
        group: 'giftCard',
      });
    });
    const [payment] = decideOrder(settings(), gift).payments;
    assert.deepEqual([payment.paymentTypeId, payment.condition], [typeOf('VALE_PRESENTE'), 'Vale-presente']);
  });

  it("says by how much payments differ from the order's total, and takes the vitrine's currency when the order names none", () => {
    const site = order((raw) => (raw.affiliateId = ''));
    const decision = decideOrder(settings(), site);
    assert.equal(decision.paymentDifferenceCents, site.payments[0].valueCents - site.totalCents);
    assert.equal(decision.currency, 'BRL');
    const foreign = decideOrder(settings({ vitrine: { ...VITRINE, currency: 'USD' } }), { ...site, currency: null });
    assert.equal(foreign.currency, 'USD');
  });
});

describe('status moves', () => {
  const cases: Array<[string, ErpStatus, boolean]> = [
    ['Aguardando pagamento', 'Pagamento confirmado', true],
    ['Pagamento confirmado', 'Aguardando pagamento', false],
    ['Pagamento confirmado', 'Pagamento confirmado', false],
    ['Em preparação', 'Despachado', true],
    ['Despachado', 'Em preparação', false],
    ['Entregue', 'Cancelado', true],
    ['Cancelado', 'Pagamento confirmado', false],
    ['Cancelado', 'Cancelado', false],
    ['a status the ERP added itself', 'Pagamento confirmado', true],
  ];
  for (const [from, to, forward] of cases) {
    it(`${from} -> ${to}: ${forward ? 'applied' : 'not applied'}`, () => assert.equal(isForwardTransition(from, to), forward));
  }
});

describe('default fields', () => {
  const customerColumns: ColumnTypes = new Map([
    ['produtor_rural', { dataType: 'boolean', nullable: false }],
    ['tipo_pessoa', { dataType: 'text', nullable: true }],
    ['document', { dataType: 'text', nullable: false }],
  ]);
  const orderColumns: ColumnTypes = new Map([
    ['origin', { dataType: 'text', nullable: false }],
    ['carrier_id', { dataType: 'bigint', nullable: true }],
  ]);
  const context = () => {
    const o = order();
    return expressionContext(o, { orderCode: 'AG-1', status: 'Pagamento confirmado', origin: 'website' }, VITRINE);
  };

  it('evaluates rules over { order, customer, vitrine }; a code field becomes the id of its record', async () => {
    const lookups: string[] = [];
    const lookup = async (table: string, code: string) => (lookups.push(`${table}:${code}`), code === 'TRANSP01' ? 42 : undefined);
    const customer = await evaluateRules(
      'customer',
      [
        { id: 1, vitrine_id: 1, target: 'customer', field: 'produtor_rural', expression: 'true' },
        { id: 2, vitrine_id: 1, target: 'customer', field: 'tipo_pessoa', expression: 'customer.isCorporate ? "J" : "F"' },
      ],
      context(),
      customerColumns,
      lookup,
    );
    assert.deepEqual(
      customer.map((r) => [r.column, r.columnValue]),
      [
        ['produtor_rural', true],
        ['tipo_pessoa', example.clientProfileData.isCorporate ? 'J' : 'F'],
      ],
    );
    const carrier = await evaluateRules(
      'order',
      [{ id: 3, vitrine_id: 1, target: 'order', field: 'carrier_code', expression: '"TRANSP01"' }],
      context(),
      orderColumns,
      lookup,
    );
    assert.deepEqual(carrier, [{ field: 'carrier_code', value: 'TRANSP01', column: 'carrier_id', columnValue: 42 }]);
    await assert.rejects(
      evaluateRules(
        'order',
        [{ id: 4, vitrine_id: 1, target: 'order', field: 'carrier_code', expression: '"NOPE"' }],
        context(),
        orderColumns,
        lookup,
      ),
      (e: Error) => e instanceof FieldDefaultError && e.message === 'order default carrier_code: there is no carriers row with code "NOPE"',
    );
    assert.deepEqual(lookups, ['carriers:TRANSP01', 'carriers:NOPE']);
  });

  it('never quotes the value an expression computed from customer data', async () => {
    const email = example.clientProfileData.email as string;
    await assert.rejects(
      evaluateRules(
        'customer',
        [{ id: 1, vitrine_id: 1, target: 'customer', field: 'produtor_rural', expression: 'customer.email' }],
        context(),
        customerColumns,
        async () => undefined,
      ),
      (e: Error) => {
        assert.ok(e instanceof FieldDefaultError);
        assert.equal(
          e.message,
          `customer default produtor_rural: produtor_rural expects true or false, the expression gave text of ${email.length} characters`,
        );
        assert.ok(!e.message.includes(email));
        return true;
      },
    );
    assert.throws(
      () => fitValue('customer', 'tipo_pessoa', { cpf: '12345678909' }, customerColumns),
      (e: Error) => !e.message.includes('12345678909'),
    );
  });

  it('refuses identity columns, unknown columns and id columns set without their code', () => {
    assert.match(refusedField('customer', 'document', customerColumns) ?? '', /cannot be set by a default rule/);
    assert.match(refusedField('customer', 'nope', customerColumns) ?? '', /is not a column of customers/);
    assert.match(refusedField('order', 'carrier_id', orderColumns) ?? '', /use carrier_code/);
    assert.equal(refusedField('order', 'carrier_code', orderColumns), undefined);
  });

  it('bounds an expression in time and depth, and says where its syntax is wrong, in one line', async () => {
    await assert.rejects(
      evaluateExpression('($f := function($n) { $f($n + 1) }; $f(0))', {}),
      (e: Error) => e instanceof ExpressionError && /deeper than|longer than/.test(e.message),
    );
    await assert.rejects(evaluateExpression('$count([1..10000000].($ * 2))', {}), (e: Error) => e instanceof ExpressionError);
    assert.throws(
      () => compileExpression('customer.('),
      (e: Error) =>
        e instanceof ExpressionError && /^syntax error in expression: .*\(at character \d+\)$/.test(e.message) && !e.message.includes('\n'),
    );
    assert.throws(() => compileExpression('  '), /expression is empty/);
  });
});

describe('statements under the bind parameter limit', () => {
  it('cuts rows into statements of fewer than 65,535 parameters, whatever their width', () => {
    for (const columns of [1, 3, 9, 17, 200]) {
      const rows = Array.from({ length: 40_000 }, (_, i) => Object.fromEntries(Array.from({ length: columns }, (_, c) => [`c${c}`, i])));
      const chunks = chunksOf(rows);
      assert.equal(
        chunks.reduce((n, chunk) => n + chunk.length, 0),
        rows.length,
      );
      assert.ok(chunks.every((chunk) => chunk.length * columns < MAX_BIND_PARAMETERS));
      assert.equal(chunks[0].length, Math.min(rows.length, rowsPerStatement(columns)));
    }
    assert.deepEqual(chunksOf([]), []);
  });
});
