/**
 * The corpus of VTEX order documents (test/fixtures/vtex-orders, each described in its README):
 * every document goes through the real stack (simulator feed -> Temporal -> importer -> Postgres)
 * and is either imported with the values checked field by field, or blocked with a reason an admin
 * can act on. The marketplace DE-PARA rows are set through the CLI, as an admin would.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliJson, runCli } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { REPO } from '../support/services';

const CORPUS = path.join(REPO, 'test/fixtures/vtex-orders');
const documentOf = (file: string) => JSON.parse(readFileSync(path.join(CORPUS, file), 'utf8'));

/** What the ERP must hold for an imported document. Amounts in cents; payments as [type, condition, value, installments]. */
interface Imported {
  code: string;
  origin: string;
  marketplace: [affiliate: string, name: string | null, marketplaceOrderId: string | null] | null;
  platformOrigin: string | null;
  status: string;
  platformState: string;
  customer: {
    document: string | null;
    documentType: 'cpf' | 'cnpj' | null;
    name: string;
    corporate: boolean;
    city: string | null;
    street?: string | null;
  };
  carrier: string | null;
  /** [sku, quantity, unit price, line total] */
  items: Array<[string, number, number, number]>;
  /** [items, discounts, shipping, total] */
  totals: [number, number, number, number];
  payments: Array<[string, string, number, number]>;
  paymentDifference: number | null;
  /** What the import let through, kept on the order. */
  warnings?: string[];
  /** creationDate as Postgres keeps it, where the document writes it unusually. */
  placedAt?: string;
}

/** What most documents share (the store's own site, ready-for-handling, paid exactly); each entry says where it differs. */
const SITE = {
  origin: 'website',
  marketplace: null,
  platformOrigin: 'Marketplace',
  status: 'Pagamento confirmado',
  platformState: 'ready-for-handling',
  paymentDifference: null,
} as const;
const importedAs = (expected: Omit<Imported, keyof typeof SITE> & Partial<Imported>): Imported => ({ ...SITE, ...expected });

const IMPORTED: Record<string, Imported> = {
  'spec-get-order-example.json': importedAs({
    code: 'VT-1172452900788',
    origin: 'GHB Marketplace',
    marketplace: ['GHB', 'luxstore', '1172452900788-01'],
    status: 'Em preparação',
    platformState: 'handling',
    customer: { document: '84513427019', documentType: 'cpf', name: 'Rodrigo Smith', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'ALL-CEPS',
    items: [['18', 1, 990, 990]],
    totals: [99, 0, 300, 1160],
    payments: [['CARTAO_CREDITO', 'Cartão 1x', 3990, 1]],
    // VTEX's own example: a Visa payment of 39.90 on an order of 11.60.
    paymentDifference: 2830,
  }),
  'marketplace-affiliate-mgz.json': importedAs({
    code: 'MGZ-1348290517391',
    origin: 'Magazine Luiza',
    marketplace: ['MGZ', 'Magazine Luiza', '1348290517391'],
    customer: { document: '52998224725', documentType: 'cpf', name: 'Mariana Albuquerque', corporate: false, city: 'São Paulo' },
    carrier: 'MAGALU-ENTREGAS',
    items: [
      ['2101', 1, 38990, 38990],
      ['2250', 2, 4990, 9980],
    ],
    totals: [48970, 0, 2290, 51260],
    payments: [['OUTROS', 'Marketplace', 51260, 0]],
  }),
  // Two orders of one affiliate whose ids have no split suffix: each its own code.
  'marketplace-mgz-id-without-suffix.json': importedAs({
    code: 'MGZ-49204204203',
    origin: 'Magazine Luiza',
    marketplace: ['MGZ', 'Magazine Luiza', '49204204203'],
    customer: { document: '52998224725', documentType: 'cpf', name: 'Mariana Albuquerque', corporate: false, city: 'São Paulo' },
    carrier: 'MAGALU-ENTREGAS',
    items: [
      ['2101', 1, 38990, 38990],
      ['2250', 2, 4990, 9980],
    ],
    totals: [48970, 0, 2290, 51260],
    payments: [['OUTROS', 'Marketplace', 51260, 0]],
    placedAt: '2019-03-27T17:13:49.000Z',
  }),
  'marketplace-mgz-id-without-suffix-no-offset.json': importedAs({
    code: 'MGZ-436463463463',
    origin: 'Magazine Luiza',
    marketplace: ['MGZ', 'Magazine Luiza', '436463463463'],
    customer: { document: '52998224725', documentType: 'cpf', name: 'Mariana Albuquerque', corporate: false, city: 'São Paulo' },
    carrier: 'MAGALU-ENTREGAS',
    items: [
      ['2101', 1, 38990, 38990],
      ['2250', 2, 4990, 9980],
    ],
    totals: [48970, 0, 2290, 51260],
    payments: [['OUTROS', 'Marketplace', 51260, 0]],
    placedAt: '2019-03-28T09:01:02.500Z',
  }),
  // Customers without a valid CPF/CNPJ: imported without one, with a warning (the vitrine does not require documents).
  'customer-without-document.json': importedAs({
    code: 'VT-1460011112222',
    customer: { document: null, documentType: null, name: 'Sem Documento', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'ALL-CEPS',
    items: [['18', 1, 990, 990]],
    totals: [99, 0, 300, 1160],
    payments: [['CARTAO_CREDITO', 'Cartão 1x', 3990, 1]],
    paymentDifference: 2830,
    warnings: [
      'the customer has no document (clientProfileData.document and corporateDocument are empty): the customer was imported without a document',
    ],
  }),
  'customer-foreign-document.json': importedAs({
    code: 'VT-1460033334444',
    customer: { document: null, documentType: null, name: 'John Doe', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'ALL-CEPS',
    items: [['18', 1, 990, 990]],
    totals: [99, 0, 300, 1160],
    payments: [['CARTAO_CREDITO', 'Cartão 1x', 3990, 1]],
    paymentDifference: 2830,
    warnings: [
      'invalid customer document: clientProfileData.document is not a CPF (11 digits) or CNPJ (14 digits) with valid check digits (it is not 11 or 14 digits: a foreign document?): the customer was imported without a document',
    ],
  }),
  'marketplace-affiliate-mlb-lowercase-no-payment-data.json': importedAs({
    code: 'VT-mlb-2000009876543210',
    origin: 'Mercado Livre',
    marketplace: ['MLB', 'Mercado Livre', '2000009876543210'],
    customer: { document: '11144477735', documentType: 'cpf', name: 'José da Silva Neto', corporate: false, city: 'Belo Horizonte' },
    carrier: 'MERCADO-ENVIOS',
    items: [['880', 1, 23900, 23900]],
    totals: [25900, -2000, 0, 23900],
    // paymentData null: the marketplace settles the whole order.
    payments: [['OUTROS', 'Marketplace', 23900, 1]],
  }),
  'marketplace-vtex-fulfillment-seller.json': importedAs({
    code: 'CB-1389660213045',
    origin: 'Casas Bahia',
    marketplace: ['casasbahiamarketplace', 'casasbahiamarketplace', 'v50213045cbm-01'],
    platformOrigin: 'Fulfillment',
    customer: { document: '93541134780', documentType: 'cpf', name: 'Ana Paula Ferreira', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'TRANSPORTADORA-CASAS-BAHIA',
    items: [['3301', 1, 52990, 52990]],
    totals: [52990, 0, 3590, 56580],
    payments: [['OUTROS', 'Marketplace', 56580, 1]],
  }),
  'marketplace-waiting-ffmt-authorization.json': importedAs({
    code: 'VT-AMZ-7023456789012',
    origin: 'Amazon',
    marketplace: ['AMZ', 'Amazon', '702-3456789-0123456'],
    status: 'Aguardando pagamento',
    platformState: 'waiting-ffmt-authorization',
    customer: { document: '16180339805', documentType: 'cpf', name: 'Beatriz Nogueira', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'AMAZON-LOGISTICS',
    items: [['1500', 1, 31990, 31990]],
    totals: [31990, 0, 1990, 33980],
    payments: [['OUTROS', 'Marketplace', 33980, 0]],
  }),
  'pickup-in-point.json': importedAs({
    code: 'VT-1402550334871',
    // The invoice address, not the pickup point's.
    customer: {
      document: '12345678909',
      documentType: 'cpf',
      name: 'Paulo Rocha',
      corporate: false,
      city: 'Rio de Janeiro',
      street: 'Rua da Assembleia',
    },
    carrier: 'LOJA-BARRA-SHOPPING',
    items: [['512', 1, 19990, 19990]],
    totals: [19990, 0, 0, 19990],
    payments: [['PIX', 'Pix à vista', 19990, 1]],
  }),
  'corporate-null-document-b2b.json': importedAs({
    code: 'VT-1415900456123',
    customer: {
      document: '11222333000181',
      documentType: 'cnpj',
      name: 'Agropecuária Santa Luzia Ltda',
      corporate: true,
      city: 'Goiânia',
      street: 'Avenida Goiás',
    },
    carrier: 'TRANSPORTADORA-RODONAVES',
    items: [
      ['4001', 12, 28990, 347880],
      ['4002', 40, 2190, 87600],
      ['4003', 150, 3490, 523500],
      ['4004', 24, 1590, 38160],
      ['4005', 200, 120, 24000],
      ['4006', 8, 45900, 367200],
      ['4007', 2, 89900, 179800],
      ['4008', 6, 3990, 23940],
      ['4009', 30, 1490, 44700],
      ['4010', 5, 4990, 24950],
    ],
    totals: [1661730, 0, 18000, 1679730],
    payments: [['BOLETO', 'Boleto à vista', 1679730, 1]],
  }),
  'gift-card-and-credit-card.json': importedAs({
    code: 'VT-1420011122334',
    customer: { document: '98765432100', documentType: 'cpf', name: 'Helena Castro', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'ALL-CEPS',
    items: [
      ['77', 1, 14391, 14391],
      ['78', 1, 8990, 8990],
    ],
    totals: [24980, -1599, 1500, 24881],
    // "Cartão Presente Loja" has no row of its own: its group (giftCard) maps it.
    payments: [
      ['VALE_PRESENTE', 'Vale-presente', 4000, 1],
      ['CARTAO_CREDITO', 'Cartão 3x', 20881, 3],
    ],
  }),
  'inactive-transaction-then-pix.json': importedAs({
    code: 'VT-1425566778899',
    customer: { document: '24681357928', documentType: 'cpf', name: 'Ricardo Tavares', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'ALL-CEPS',
    items: [['910', 1, 32990, 32990]],
    totals: [32990, 0, 4990, 37980],
    payments: [['PIX', 'Pix à vista', 37980, 1]],
  }),
  'optional-blocks-absent.json': importedAs({
    code: 'VT-1430099887766',
    customer: { document: '31415926590', documentType: 'cpf', name: 'Lucas Moreira', corporate: false, city: 'Fortaleza' },
    carrier: 'ALL-CEPS',
    items: [['6060', 10, 3890, 38900]],
    totals: [38900, 0, 7500, 46400],
    payments: [['CARTAO_CREDITO', 'Cartão 2x', 46400, 2]],
  }),
  'old-state-cancel.json': importedAs({
    code: 'VT-1300044455566',
    status: 'Cancelado',
    platformState: 'cancel',
    customer: { document: '27182818205', documentType: 'cpf', name: 'Fábio Lima', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'ALL-CEPS',
    items: [['101', 1, 1990, 1990]],
    totals: [1990, 0, 1200, 3190],
    payments: [['BOLETO', 'Boleto à vista', 3190, 1]],
  }),
  'empty-status-and-non-iso-dates.json': importedAs({
    code: 'VT-1440012345678',
    // The document's status is empty: the feed's state says.
    customer: { document: '57721566401', documentType: 'cpf', name: 'Simone Prado', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'ALL-CEPS',
    items: [['2020', 2, 2490, 4980]],
    totals: [4980, 0, 990, 5970],
    payments: [['CARTAO_CREDITO', 'Cartão 1x', 5970, 1]],
  }),
  'payments-differ-from-value.json': importedAs({
    code: 'VT-1450098765432',
    customer: { document: '14142135651', documentType: 'cpf', name: 'Otávio Ribeiro', corporate: false, city: 'Rio de Janeiro' },
    carrier: 'ALL-CEPS',
    items: [['3030', 1, 18990, 18990]],
    totals: [18990, 0, 3000, 21990],
    payments: [['CARTAO_CREDITO', 'Cartão 4x', 21700, 4]],
    paymentDifference: -290,
  }),
};

/** What an admin reads for a document the ERP cannot take (`<code>` is the vitrine's). */
const BLOCKED: Record<string, string> = {
  'blocked-money-not-cents.json': 'invalid platform order: items[0].price must be an integer amount of cents (and 1 more problem)',
  'blocked-no-items.json': 'invalid platform order: items must have at least one item',
  'blocked-unknown-marketplace.json': 'marketplace XYZ has no DE-PARA row: add it with: vitrine marketplaces <code> set XYZ <channel>',
};

describe('the corpus of VTEX order documents', () => {
  let h: Harness;
  let code: string;
  const db = () => h.database.db;
  const cli = (args: string[]) => cliJson(args, h.cliEnv);
  const files = readdirSync(CORPUS).filter((file) => file.endsWith('.json'));
  const idOf = new Map(files.map((file) => [file, String(documentOf(file).orderId)]));

  before(async () => {
    h = await startHarness();
    // Rows for the simulator's affiliates and the contract example's (GHB) come with the harness.
    code = await h.addVitrine();
    await cli([
      'marketplaces',
      code,
      'set',
      'MGZ',
      'Magazine Luiza',
      '--prefix',
      'MGZ',
      '--payment-type',
      'OUTROS',
      '--condition',
      'Marketplace',
    ]);
    await cli([
      'marketplaces',
      code,
      'set',
      'casasbahiamarketplace',
      'Casas Bahia',
      '--prefix',
      'CB',
      '--payment-type',
      'OUTROS',
      '--condition',
      'Marketplace',
    ]);
    await h.sim('POST', `/_sim/${code}/orders`, files.map(documentOf));
    const summary = await h.runImport(code);
    assert.deepEqual(
      [summary.fetched, summary.imported, summary.blocked, summary.committed],
      [files.length, Object.keys(IMPORTED).length, Object.keys(BLOCKED).length, files.length],
      JSON.stringify(summary),
    );
  });
  after(() => h?.close());

  test('every document of the corpus has an expectation, and its README a line', () => {
    const readme = readFileSync(path.join(CORPUS, 'README.md'), 'utf8');
    for (const file of files) {
      assert.ok(file in IMPORTED || file in BLOCKED, `${file} has no expectation`);
      assert.ok(readme.includes(`\`${file}\``), `${file} is not described in the README`);
    }
    assert.equal(files.length, Object.keys(IMPORTED).length + Object.keys(BLOCKED).length);
  });

  for (const [file, expected] of Object.entries(IMPORTED)) {
    test(`imports ${file} with its values`, async () => {
      const externalOrderId = idOf.get(file)!;
      const order = await db()('sales_orders as o')
        .join('customers as c', 'c.id', 'o.customer_id')
        .leftJoin('carriers as k', 'k.id', 'o.carrier_id')
        .where({ 'o.external_order_id': externalOrderId })
        .first('o.*', {
          customerDocument: 'c.document',
          documentType: 'c.document_type',
          customerName: 'c.name',
          corporate: 'c.is_corporate',
          city: 'c.city',
          street: 'c.street',
          carrierCode: 'k.code',
        });
      assert.ok(order, `${externalOrderId} was not imported`);
      assert.deepEqual(
        {
          code: order.order_code,
          origin: order.origin,
          marketplace: order.affiliate_id ? [order.affiliate_id, order.marketplace_name, order.marketplace_order_id] : null,
          platformOrigin: order.platform_origin,
          status: order.status,
          platformState: order.platform_state,
          currency: order.currency,
          carrier: order.carrierCode,
          totals: [order.items_total_cents, order.discount_total_cents, order.shipping_total_cents, order.total_cents],
          paymentDifference: order.payment_difference_cents,
          warnings: order.import_warnings,
          ...(expected.placedAt ? { placedAt: order.placed_at.toISOString() } : {}),
        },
        {
          code: expected.code,
          origin: expected.origin,
          marketplace: expected.marketplace,
          platformOrigin: expected.platformOrigin,
          status: expected.status,
          platformState: expected.platformState,
          currency: 'BRL',
          carrier: expected.carrier,
          totals: expected.totals,
          paymentDifference: expected.paymentDifference,
          warnings: expected.warnings ?? [],
          ...(expected.placedAt ? { placedAt: expected.placedAt } : {}),
        },
      );
      const customer: Record<string, unknown> = {
        document: order.customerDocument,
        documentType: order.documentType,
        name: order.customerName,
        corporate: order.corporate,
        city: order.city,
      };
      if ('street' in expected.customer) customer.street = order.street;
      assert.deepEqual(customer, expected.customer);
      const items = await db()('sales_order_items').where({ sales_order_id: order.id }).orderBy('line_number');
      assert.deepEqual(
        items.map((i) => [i.sku, i.quantity, i.unit_price_cents, i.total_cents]),
        expected.items,
      );
      const payments = await db()('sales_order_payments as p')
        .join('payment_types as t', 't.id', 'p.payment_type_id')
        .where('p.sales_order_id', order.id)
        .orderBy('p.line_number')
        .select('t.code', 'p.payment_condition', 'p.value_cents', 'p.installments');
      assert.deepEqual(
        payments.map((p) => [p.code, p.payment_condition, p.value_cents, p.installments]),
        expected.payments,
      );
      assert.equal(order.payment_condition, [...new Set(expected.payments.map((p) => p[1]))].join(' + '));
    });
  }

  for (const [file, reason] of Object.entries(BLOCKED)) {
    test(`blocks ${file}, saying why`, async () => {
      const externalOrderId = idOf.get(file)!;
      const blocked = await db()('blocked_orders').where({ external_order_id: externalOrderId }).first();
      assert.ok(blocked, `${externalOrderId} was not blocked`);
      assert.equal(blocked.reason, reason.replace('<code>', code));
      // The document is kept for the retry, and nothing of the order was written.
      assert.equal(blocked.payload.orderId, externalOrderId);
      assert.equal(await db()('sales_orders').where({ external_order_id: externalOrderId }).first(), undefined);
    });
  }

  test('a vitrine that requires documents blocks the customers without one, saying why', async () => {
    // A prefix of its own: the first vitrine holds these documents' VT codes.
    const strict = await h.addVitrine({ prefix: 'VX' });
    const settings = await cli(['settings', strict, '--require-document']);
    assert.equal(settings.requireDocument, true);
    const files = ['customer-without-document.json', 'customer-foreign-document.json'];
    await h.sim('POST', `/_sim/${strict}/orders`, files.map(documentOf));
    const summary = await h.runImport(strict);
    assert.deepEqual([summary.imported, summary.blocked], [0, 2], JSON.stringify(summary));
    const vitrine = await db()('vitrines').where({ code: strict }).first('id');
    const reasons = await db()('blocked_orders').where({ vitrine_id: vitrine.id }).orderBy('external_order_id').pluck('reason');
    const requires = `; the vitrine requires a CPF or CNPJ (vitrine settings ${strict} --no-require-document imports such orders without one)`;
    assert.deepEqual(reasons, [
      `the customer has no document (clientProfileData.document and corporateDocument are empty)${requires}`,
      `invalid customer document: clientProfileData.document is not a CPF (11 digits) or CNPJ (14 digits) with valid check digits (it is not 11 or 14 digits: a foreign document?)${requires}`,
    ]);
    // Switched off, a retry imports them without a document.
    assert.equal((await cli(['settings', strict, '--no-require-document'])).requireDocument, false);
    const retried = await cli(['blocked', 'retry', '--all', '--vitrine', strict]);
    assert.equal(retried.imported, 2, JSON.stringify(retried));
  });

  test('customers without a document are shown so, with the warning', async () => {
    const text = await runCli(['orders', 'show', 'VT-1460033334444'], h.cliEnv);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\ncustomer: +John Doe \(sem documento\)\n/);
    assert.match(text.stdout, /\nwarnings: +invalid customer document: .* the customer was imported without a document\n/);
    // Two document-less customers are two rows, each keyed by its e-mail.
    const keys = await db()('customers')
      .whereNull('document')
      .whereIn('email', ['sem.documento@example.com', 'john.doe@example.com'])
      .pluck('customer_key');
    assert.deepEqual(keys.sort(), ['email:john.doe@example.com', 'email:sem.documento@example.com']);
  });

  test('payments that do not add up are logged as a warning, and shown with the order', async () => {
    const log = await cli(['log', code, '--level', 'warning']);
    const ids = new Set(log.map((entry: { orderId: string }) => entry.orderId));
    assert.deepEqual(
      [...ids].sort(),
      [
        idOf.get('payments-differ-from-value.json'),
        idOf.get('spec-get-order-example.json'),
        idOf.get('customer-without-document.json'),
        idOf.get('customer-foreign-document.json'),
      ].sort(),
    );
    const line = log.find((entry: { orderId: string }) => entry.orderId === idOf.get('payments-differ-from-value.json'));
    assert.equal(
      line.message,
      'payments total R$ 217,00 but the order totals R$ 219,90 (difference -R$ 2,90, BRL); imported as sent: check order VT-1450098765432',
    );
    const shown = await cli(['orders', 'show', 'VT-1450098765432']);
    assert.equal(shown.paymentDifferenceCents, -290);
  });

  test('orders show names the marketplace and the marketplace order id', async () => {
    const shown = await cli(['orders', 'show', 'MGZ-1348290517391']);
    assert.deepEqual(
      [shown.origin, shown.marketplace, shown.platformOrigin],
      ['Magazine Luiza', { affiliateId: 'MGZ', name: 'Magazine Luiza', orderId: '1348290517391' }, 'Marketplace'],
    );
    assert.deepEqual(
      shown.payments.map((p: { paymentType: string; paymentSystemName: string | null; paymentSystem: string | null }) => [
        p.paymentType,
        p.paymentSystemName,
        p.paymentSystem,
      ]),
      [['OUTROS', 'Assumed value by affiliate MGZ', null]],
    );
    const text = await runCli(['orders', 'show', 'MGZ-1348290517391'], h.cliEnv);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\norigin: +Magazine Luiza\n/);
    assert.match(text.stdout, /\nmarketplace: +Magazine Luiza \(affiliate MGZ, marketplace order 1348290517391\)\n/);
    assert.match(text.stdout, /\n1 +Outros +Assumed value by affiliate MGZ +Marketplace +0 +R\$ 512,60\n/);
    const differs = await runCli(['orders', 'show', 'VT-1450098765432'], h.cliEnv);
    assert.match(differs.stdout, /\npayments differ: +payments total R\$ 217,00, -R\$ 2,90 from the total: check with the platform\n/);
    const listed = await cli(['orders', 'list', '--vitrine', code]);
    assert.equal(listed.find((o: { orderCode: string }) => o.orderCode === 'MGZ-1348290517391').origin, 'Magazine Luiza');
    const fromMagalu = await cli(['orders', 'list', '--vitrine', code, '--origin', 'Magazine Luiza']);
    assert.deepEqual(fromMagalu.map((o: { orderCode: string }) => o.orderCode).sort(), [
      'MGZ-1348290517391',
      'MGZ-436463463463',
      'MGZ-49204204203',
    ]);
    const site = await cli(['orders', 'list', '--vitrine', code, '--origin', 'website']);
    const siteExpected = Object.values(IMPORTED).filter((o) => o.origin === 'website');
    assert.deepEqual(site.map((o: { orderCode: string }) => o.orderCode).sort(), siteExpected.map((o) => o.code).sort());
  });

  test('an unknown marketplace imports once an admin adds its row and retries', async () => {
    const externalOrderId = idOf.get('blocked-unknown-marketplace.json')!;
    await cli(['marketplaces', code, 'set', 'xyz', 'Marketplace Novo']);
    const blocked = await db()('blocked_orders').where({ external_order_id: externalOrderId }).first('id');
    const retried = await cli(['blocked', 'retry', String(blocked.id)]);
    assert.equal(retried.imported, 1);
    const order = await db()('sales_orders').where({ external_order_id: externalOrderId }).first();
    // Matched without regard to case; no payment type on the row: its Visa payment goes through the payment DE-PARA.
    assert.deepEqual([order.order_code, order.origin, order.affiliate_id], ['VT-XYZ-9990001112223', 'Marketplace Novo', 'XYZ']);
    const [payment] = await db()('sales_order_payments as p')
      .join('payment_types as t', 't.id', 'p.payment_type_id')
      .where('p.sales_order_id', order.id)
      .select('t.code');
    assert.equal(payment.code, 'CARTAO_CREDITO');
  });
});
