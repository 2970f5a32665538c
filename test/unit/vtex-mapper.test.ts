import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type ErpOrder, OrderMappingError } from '../../src/mapping/erpOrder';
import { carrierCodeOf, mapVtexOrder, orderNumberOf } from '../../src/mapping/vtexOrderMapper';

const spec = JSON.parse(readFileSync(join(__dirname, '..', '..', 'contracts', 'vtex', 'orders-api.openapi.json'), 'utf8'));
const getOrderExample = spec.paths['/api/oms/pvt/orders/{orderId}'].get.responses['200'].content['application/json'].example;

/** A fresh copy of VTEX's own "Get order" 200 example from the contract. */
function specExample(): any {
  return structuredClone(getOrderExample);
}

/** The example with `change` applied to a copy. */
function exampleWith(change: (order: any) => void): any {
  const order = specExample();
  change(order);
  return order;
}

function mappingError(raw: unknown): OrderMappingError {
  try {
    mapVtexOrder(raw);
  } catch (err) {
    assert.ok(err instanceof OrderMappingError, `expected OrderMappingError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected mapVtexOrder to throw');
}

describe('mapVtexOrder', () => {
  it("maps the contract's Get order example field by field", () => {
    // The example is VTEX's documentation data and is not self-consistent: `totals` Items is 99
    // while the only item sells for 990, the Visa payment is 3990 and `value` is 1160, Shipping is
    // 300 while logisticsInfo says 3000. The mapper copies what VTEX says; it does not fix data.
    const expected: ErpOrder = {
      externalOrderId: '1172452900788-01',
      platformOrderNumber: '1172452900788',
      platformOrigin: 'Marketplace',
      // The example is an affiliate's order (affiliateId GHB) placed on the luxstore account.
      marketplace: { affiliateId: 'GHB', name: 'luxstore', orderId: '1172452900788-01' },
      currency: 'BRL',
      platformState: 'handling',
      placedAt: '2024-02-04T20:09:43.899958+00:00',
      approvedAt: '2024-02-04T20:46:11.7010747+00:00',
      cancelReason: 'Item size was too large.',
      customer: {
        document: '84513427019',
        documentType: 'cpf',
        documentIssue: null,
        name: 'Rodrigo Smith',
        email: 'rodrigo.smith@email.com',
        phone: '+5561992227222',
        isCorporate: false,
        stateRegistration: null,
        street: 'Avenida Lúcio Costa',
        number: '126',
        complement: '10',
        neighborhood: 'Barra da Tijuca',
        city: 'Rio de Janeiro',
        state: 'RJ',
        postalCode: '22630-011',
        country: 'BRA',
      },
      platformCustomer: { ...getOrderExample.clientProfileData, address: getOrderExample.shippingData.address },
      carrier: { code: 'ALL-CEPS', name: 'All CEPs' },
      items: [
        {
          lineNumber: 1,
          sku: '18',
          name: 'Bay Max L',
          ean: '3256873',
          refId: 'BIGBML',
          quantity: 1,
          unitPriceCents: 990,
          listPriceCents: 1990,
          totalCents: 990,
        },
      ],
      payments: [
        {
          lineNumber: 1,
          platformPaymentId: 'A536832D9B95439DB73A11558B6F2C2C',
          paymentSystem: '2',
          paymentSystemName: 'Visa',
          paymentGroup: 'creditCard',
          installments: 1,
          valueCents: 3990,
        },
      ],
      itemsTotalCents: 99,
      shippingTotalCents: 300,
      discountTotalCents: 0,
      totalCents: 1160,
    };
    assert.deepStrictEqual(mapVtexOrder(specExample()), expected);
  });

  it('does not change its input', () => {
    const raw = specExample();
    const copy = structuredClone(raw);
    mapVtexOrder(raw);
    assert.deepStrictEqual(raw, copy);
  });

  it('maps a corporate customer from the corporate fields', () => {
    const order = mapVtexOrder(
      exampleWith((o) => {
        Object.assign(o.clientProfileData, {
          isCorporate: true,
          corporateName: 'Lux Comércio de Rações Ltda',
          tradeName: 'Lux Pets',
          corporateDocument: '11.222.333/0001-81',
          stateInscription: '110.042.490.114',
          corporatePhone: '+551130000000',
        });
      }),
    );
    assert.deepStrictEqual(
      {
        document: order.customer.document,
        documentType: order.customer.documentType,
        name: order.customer.name,
        isCorporate: order.customer.isCorporate,
        stateRegistration: order.customer.stateRegistration,
        phone: order.customer.phone,
        email: order.customer.email,
      },
      {
        document: '11222333000181',
        documentType: 'cnpj',
        name: 'Lux Comércio de Rações Ltda',
        isCorporate: true,
        stateRegistration: '110.042.490.114',
        phone: '+551130000000',
        email: 'rodrigo.smith@email.com',
      },
    );
  });

  it('applies the documented defaults and fallbacks', () => {
    const order = mapVtexOrder(
      exampleWith((o) => {
        delete o.origin;
        o.authorizedDate = null;
        o.clientProfileData.email = 'a1b2c3d4e5f6@ct.vtex.com.br'; // VTEX's masked e-mail: kept as given
        o.clientProfileData.phone = '';
        o.items[0].sellingPrice = null;
        o.items[0].quantity = 3;
        o.items[0].ean = null;
        o.shippingData.logisticsInfo[0].deliveryCompany = null;
        o.shippingData.logisticsInfo[0].selectedSla = 'Sedex Rápido';
        const visa = o.paymentData.transactions[0].payments[0];
        delete visa.installments;
        o.paymentData.transactions.unshift({ isActive: false, payments: [{ ...visa, id: 'OLD' }] });
        o.paymentData.transactions.push({
          payments: [{ ...visa, id: 'P2', paymentSystem: 6, group: 'bankInvoice', installments: 3, value: 500 }],
        });
        o.totals.find((t: any) => t.id === 'Discounts').value = -250;
      }),
    );
    assert.equal(order.platformOrigin, null);
    assert.equal(order.approvedAt, null);
    assert.equal(order.customer.email, 'a1b2c3d4e5f6@ct.vtex.com.br');
    assert.equal(order.customer.phone, null);
    assert.deepStrictEqual([order.items[0].unitPriceCents, order.items[0].totalCents, order.items[0].ean], [990, 2970, null]);
    assert.deepStrictEqual(order.carrier, { code: 'SEDEX-RAPIDO', name: 'Sedex Rápido' });
    assert.deepStrictEqual(
      order.payments.map((p) => [p.lineNumber, p.platformPaymentId, p.paymentSystem, p.paymentGroup, p.installments, p.valueCents]),
      [
        [1, 'A536832D9B95439DB73A11558B6F2C2C', '2', 'creditCard', 1, 3990],
        [2, 'P2', '6', 'bankInvoice', 3, 500],
      ],
    );
    assert.equal(order.discountTotalCents, -250);
  });

  it('accepts what real documents leave out or send otherwise', () => {
    const order = mapVtexOrder(
      exampleWith((o) => {
        for (const block of ['storePreferencesData', 'marketingData', 'ratesAndBenefitsData', 'giftRegistryData', 'invoiceData'])
          delete o[block];
        o.status = '';
        o.authorizedDate = '04/02/2024 20:46';
        o.totals = o.totals.filter((t: any) => t.id === 'Items');
        o.items[0].priceTags = { discount: -100 };
        o.items[0].unitMultiplier = 0.5;
        o.items[0].listPrice = null;
        o.shippingData.address.complement = null;
        o.shippingData.logisticsInfo[0].pickupStoreInfo = 'not an object';
        o.clientProfileData.id = null;
        const visa = o.paymentData.transactions[0].payments[0];
        Object.assign(visa, { id: null, tid: null, installments: 0 });
      }),
    );
    assert.equal(order.currency, null);
    assert.equal(order.platformState, '');
    assert.equal(order.approvedAt, null);
    assert.deepStrictEqual([order.shippingTotalCents, order.discountTotalCents], [0, 0]);
    assert.equal(order.items[0].listPriceCents, order.items[0].unitPriceCents);
    assert.deepStrictEqual([order.payments[0].platformPaymentId, order.payments[0].installments], [null, 0]);
    // A marketplace settles: no payments at all, and the importer decides.
    assert.deepStrictEqual(mapVtexOrder(exampleWith((o) => (o.paymentData = null))).payments, []);
    assert.deepStrictEqual(mapVtexOrder(exampleWith((o) => (o.paymentData.transactions[0].isActive = false))).payments, []);
    // No Items entry: the lines' sum.
    const noTotals = mapVtexOrder(exampleWith((o) => delete o.totals));
    assert.equal(
      noTotals.itemsTotalCents,
      noTotals.items.reduce((sum, item) => sum + item.totalCents, 0),
    );
  });

  it('maps a company sent with a null document, and a pickup point as carrier', () => {
    const order = mapVtexOrder(
      exampleWith((o) => {
        Object.assign(o.clientProfileData, {
          isCorporate: false,
          document: null,
          corporateDocument: '11.222.333/0001-81',
          corporateName: null,
          tradeName: 'Lux Materiais',
        });
        o.shippingData.address.addressType = 'pickup';
        Object.assign(o.shippingData.logisticsInfo[0], {
          deliveryChannel: 'pickup-in-point',
          deliveryCompany: null,
          pickupStoreInfo: { isPickupStore: true, friendlyName: 'Loja Barra Shopping', address: { street: 'Av. das Américas' } },
        });
      }),
    );
    assert.deepStrictEqual(
      [order.customer.isCorporate, order.customer.document, order.customer.documentType, order.customer.name],
      [true, '11222333000181', 'cnpj', 'Lux Materiais'],
    );
    // The pickup point's address is not the customer's.
    assert.deepStrictEqual([order.customer.street, order.customer.city], [null, null]);
    assert.deepStrictEqual(order.carrier, { code: 'LOJA-BARRA-SHOPPING', name: 'Loja Barra Shopping' });
  });

  it('tells a site order from an affiliate order and from a VTEX marketplace order', () => {
    assert.equal(mapVtexOrder(exampleWith((o) => (o.affiliateId = ''))).marketplace, null);
    assert.deepStrictEqual(
      mapVtexOrder(exampleWith((o) => Object.assign(o, { affiliateId: '', origin: 'Fulfillment', marketplaceOrderId: '1234-01' })))
        .marketplace,
      { affiliateId: 'luxstore', name: 'luxstore', orderId: '1234-01' },
    );
  });

  it('has no carrier without logistics info', () => {
    assert.equal(mapVtexOrder(exampleWith((o) => (o.shippingData.logisticsInfo = []))).carrier, null);
    assert.equal(mapVtexOrder(exampleWith((o) => delete o.shippingData)).carrier, null);
  });

  it('derives order numbers and carrier codes', () => {
    assert.equal(orderNumberOf('1172452900788-01'), '1172452900788');
    assert.equal(orderNumberOf('v502556llux-02'), 'v502556llux');
    assert.equal(orderNumberOf('1172452900788'), '1172452900788');
    // Marketplace ids: two orders of one affiliate never share a number.
    assert.equal(orderNumberOf('MGZ-49204204203-01'), 'MGZ-49204204203');
    assert.equal(orderNumberOf('MGZ-436463463463-01'), 'MGZ-436463463463');
    assert.equal(orderNumberOf('MGZ-49204204203'), 'MGZ-49204204203');
    assert.equal(orderNumberOf('MGZ-436463463463'), 'MGZ-436463463463');
    assert.equal(carrierCodeOf('All CEPs'), 'ALL-CEPS');
    assert.equal(carrierCodeOf('Correios PAC'), 'CORREIOS-PAC');
    assert.equal(carrierCodeOf('  Transportadora São João / Expresso  '), 'TRANSPORTADORA-SAO-JOAO-EXPRESSO');
  });

  const badInputs: Array<[string, unknown, string]> = [
    ['not an object', 'order 1172452900788-01', 'invalid platform order: order must be an object'],
    ['null', null, 'invalid platform order: order must be an object'],
    ['missing items', exampleWith((o) => delete o.items), 'invalid platform order: items is required'],
    ['items not an array', exampleWith((o) => (o.items = { 0: o.items[0] })), 'invalid platform order: items must be an array'],
    ['no items', exampleWith((o) => (o.items = [])), 'invalid platform order: items must have at least one item'],
    [
      'quantity 0',
      exampleWith((o) => o.items.push({ ...o.items[0], quantity: 0 })),
      'invalid platform order: items[1].quantity must be a positive integer',
    ],
    [
      'float money',
      exampleWith((o) => (o.items[0].sellingPrice = 9.9)),
      'invalid platform order: items[0].sellingPrice must be an integer amount of cents',
    ],
    ['money as text', exampleWith((o) => (o.value = '1160')), 'invalid platform order: value must be an integer amount of cents'],
    [
      'float total',
      exampleWith((o) => (o.totals[2].value = 300.5)),
      'invalid platform order: totals[2].value must be an integer amount of cents',
    ],
    ['missing clientProfileData', exampleWith((o) => delete o.clientProfileData), 'invalid platform order: clientProfileData is required'],
    [
      'no customer name',
      exampleWith((o) => Object.assign(o.clientProfileData, { firstName: ' ', lastName: null })),
      'invalid platform order: clientProfileData.firstName and lastName must not be empty',
    ],
    [
      'an affiliate id that is not one',
      exampleWith((o) => (o.affiliateId = 'MGZ; drop table sales_orders')),
      'invalid platform order: affiliateId must be at most 60 letters, digits, dots, dashes or underscores',
    ],
    [
      'a marketplace order id of a page',
      exampleWith((o) => (o.marketplaceOrderId = 'x'.repeat(201))),
      'invalid platform order: marketplaceOrderId must be one line of at most 200 characters',
    ],
    [
      'a marketplace name on two lines',
      exampleWith((o) => (o.marketplace.name = 'Magazine\nLuiza')),
      'invalid platform order: marketplace.name must be one line of at most 200 characters',
    ],
    [
      'bad creation date',
      exampleWith((o) => (o.creationDate = '04/02/2024')),
      'invalid platform order: creationDate must be a date-time as VTEX writes them (ISO 8601)',
    ],
    ['missing order id', exampleWith((o) => delete o.orderId), 'invalid platform order: orderId is required'],
  ];

  for (const [name, raw, reason] of badInputs) {
    it(`refuses ${name}`, () => {
      assert.equal(mappingError(raw).message, reason);
    });
  }

  const documentIssues: Array<[string, unknown, string]> = [
    [
      'an invalid document',
      exampleWith((o) => (o.clientProfileData.document = '845.134.270-18')),
      'invalid customer document: clientProfileData.document is not a CPF (11 digits) or CNPJ (14 digits) with valid check digits',
    ],
    [
      'a company without a CNPJ',
      exampleWith((o) =>
        Object.assign(o.clientProfileData, {
          isCorporate: true,
          corporateName: 'Lux Ltda',
          corporateDocument: o.clientProfileData.document,
        }),
      ),
      'invalid customer document: clientProfileData.corporateDocument is not a CNPJ (14 digits) with valid check digits',
    ],
    [
      'no document at all',
      exampleWith((o) => Object.assign(o.clientProfileData, { document: null, corporateDocument: '' })),
      'the customer has no document (clientProfileData.document and corporateDocument are empty)',
    ],
    [
      'an empty document',
      exampleWith((o) => (o.clientProfileData.document = '')),
      'the customer has no document (clientProfileData.document and corporateDocument are empty)',
    ],
    [
      'a foreign document',
      exampleWith((o) => (o.clientProfileData.document = 'X1234567')),
      'invalid customer document: clientProfileData.document is not a CPF (11 digits) or CNPJ (14 digits) with valid check digits (it is not 11 or 14 digits: a foreign document?)',
    ],
  ];
  for (const [name, raw, issue] of documentIssues) {
    it(`maps a customer with ${name} without a document, saying why`, () => {
      const { customer } = mapVtexOrder(raw);
      assert.equal(customer.document, null);
      assert.equal(customer.documentType, null);
      assert.equal(customer.documentIssue, issue);
      assert.ok(customer.name.length > 0);
    });
  }

  it('takes every date-time VTEX writes', () => {
    const cases: Array<[string, string]> = [
      ['2019-03-27T17:13:49.0000000+00:00', '2019-03-27T17:13:49.0000000+00:00'],
      ['2019-03-27T17:13:49.1234567-03:00', '2019-03-27T17:13:49.1234567-03:00'],
      ['2019-03-27T17:13:49.899958+00:00', '2019-03-27T17:13:49.899958+00:00'],
      ['2019-03-27T17:13:49Z', '2019-03-27T17:13:49Z'],
      ['2019-03-27T17:13:49+0000', '2019-03-27T17:13:49+00:00'],
      ['2019-03-27 17:13:49.5', '2019-03-27T17:13:49.5Z'],
      ['2019-03-27T17:13:49.0000000', '2019-03-27T17:13:49.0000000Z'],
      ['2019-03-27T17:13', '2019-03-27T17:13:00Z'],
    ];
    for (const [written, taken] of cases) {
      const order = mapVtexOrder(exampleWith((o) => (o.creationDate = written)));
      assert.equal(order.placedAt, taken, written);
      assert.equal(Date.parse(order.placedAt), Date.parse(taken));
    }
    for (const bad of ['04/02/2024', '2019-13-45T17:13:49Z', '2019-03-27', 'yesterday']) {
      assert.match(mappingError(exampleWith((o) => (o.creationDate = bad))).message, /creationDate must be a date-time/, bad);
    }
  });

  it('never puts customer data in an error message', () => {
    const customerValues = [
      'rodrigo.smith@email.com',
      '845.134.270-19',
      '84513427019',
      '845134270',
      'Rodrigo',
      'Smith',
      '+5561992227222',
      'Lúcio',
    ];
    for (const [, raw] of documentIssues) {
      const issue = mapVtexOrder(raw).customer.documentIssue!;
      for (const value of customerValues) assert.ok(!issue.includes(value), `"${issue}" contains customer data`);
    }
    const cases = [
      ...badInputs.map(([, raw]) => raw),
      exampleWith((o) => (o.clientProfileData.email = { value: 'rodrigo.smith@email.com' })),
      exampleWith((o) => (o.clientProfileData.email = { value: 'rodrigo.smith@email.com' })),
      exampleWith((o) => (o.clientProfileData.firstName = ['Rodrigo'])),
      exampleWith((o) => (o.clientProfileData.isCorporate = 'Rodrigo Smith')),
      exampleWith((o) => (o.shippingData.address.street = 84513427019)),
    ];
    for (const raw of cases) {
      const { message } = mappingError(raw);
      for (const value of customerValues) assert.ok(!message.includes(value), `"${message}" contains customer data`);
    }
  });
});
