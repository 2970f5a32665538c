/**
 * B2B-sized orders through the real stack: a page of 500 orders of 40 product lines each (20,000
 * item rows, far more bind parameters than one Postgres statement takes) and one order of 1,000
 * lines. Every row arrives, once, with the values of the platform's documents.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../support/importHarness';

describe('large orders and pages', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  const count = async (code: string, table: string): Promise<number> => {
    const [{ n }] = await h.database
      .db(`${table} as t`)
      .join('sales_orders as o', 'o.id', 't.sales_order_id')
      .join('vitrines as v', 'v.id', 'o.vitrine_id')
      .where('v.code', code)
      .count({ n: '*' });
    return Number(n);
  };

  test('a page of 500 orders of 40 lines each is imported in full, once', async () => {
    const code = await h.addVitrine();
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 500, seed: 4040, lines: 40 });
    const summary = await h.runImport(code);
    assert.deepEqual([summary.fetched, summary.imported, summary.blocked, summary.committed], [500, 500, 0, 500]);
    assert.equal(await count(code, 'sales_order_items'), 500 * 40);
    const docs = await Promise.all(orderIds.slice(0, 5).map((id) => h.platformOrder(code, id)));
    for (const doc of docs) {
      const [order] = await h.database
        .db('sales_orders')
        .where({ external_order_id: doc.orderId })
        .select('id', 'items_total_cents', 'total_cents');
      assert.equal(order.total_cents, doc.value);
      const lines = await h.database.db('sales_order_items').where({ sales_order_id: order.id }).orderBy('line_number');
      assert.equal(lines.length, 40);
      assert.deepEqual(
        lines.map((l: any) => [l.sku, l.quantity]),
        doc.items.map((i: any) => [i.id, i.quantity]),
      );
    }
    assert.equal((await h.sim('GET', `/_sim/${code}/stats`)).committed, 500);
  });

  test('an order of 1,000 lines is imported with every line', async () => {
    const code = await h.addVitrine();
    const {
      orderIds: [orderId],
    } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 1, seed: 1000, lines: 1000 });
    const doc = await h.platformOrder(code, orderId);
    assert.equal(doc.items.length, 1000);
    const summary = await h.runImport(code);
    assert.deepEqual([summary.imported, summary.blocked], [1, 0]);
    assert.equal(await count(code, 'sales_order_items'), 1000);
    const [{ total }] = await h.database
      .db('sales_order_items as i')
      .join('sales_orders as o', 'o.id', 'i.sales_order_id')
      .where('o.external_order_id', orderId)
      .sum({ total: 'i.total_cents' });
    const expected = doc.items.reduce((sum: number, i: any) => sum + i.sellingPrice * i.quantity, 0);
    assert.equal(Number(total), expected);
  });
});
