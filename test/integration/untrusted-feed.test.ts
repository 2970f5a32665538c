/**
 * Queue data that cannot be trusted: feed items without a handle, without an order id, or with
 * values of the wrong type are acknowledged when they have a handle, written to the integration
 * log and counted in the run's summary; the orders around them import, and the queue never stalls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliJson } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { PAGE_SIZE } from '../../src/workflows/importVitrineOrders';

describe('malformed feed items', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  test('are set aside without stalling the vitrine, and the orders around them import', async () => {
    const code = await h.addVitrine({ prefix: 'UF' });
    const first = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 3, seed: 11 });
    const malformed = [
      { handle: null }, // no handle: cannot be acknowledged
      { orderId: null },
      { orderId: 42 },
      { state: { not: 'a string' } },
      { orderId: '../../etc/passwd with spaces' },
      { orderId: 'x'.repeat(500) },
      { handle: 12345 },
      { handle: '' },
    ];
    await h.sim('POST', `/_sim/${code}/feed/malformed`, { items: malformed });
    const second = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 3, seed: 12 });

    const summary = await h.runImport(code);
    assert.equal(summary.status ?? 'completed', 'completed');
    assert.equal(summary.imported, 6);
    assert.equal(summary.fetched, 6);
    assert.equal(summary.malformed, malformed.length);
    assert.equal(summary.committed, 6);

    // Every item with a usable handle left the queue; the three without one wait for their visibility timeout.
    const stats = await h.sim('GET', `/_sim/${code}/stats`);
    assert.equal(stats.committed, 6 + 5);
    assert.equal(stats.feedPending, 0);
    assert.equal(stats.feedInFlight, 3);

    const log: Array<{ level: string; message: string; orderId: string | null }> = await cliJson(
      ['log', code, '--level', 'error', '--limit', '50'],
      h.cliEnv,
    );
    const entries = log.filter((entry) => entry.message.startsWith('malformed queue item'));
    assert.equal(entries.length, malformed.length);
    assert.equal(entries.filter((entry) => entry.message.includes('without a handle')).length, 3);
    assert.ok(entries.some((entry) => entry.message.includes('orderId is too long')));
    assert.ok(entries.some((entry) => entry.message.includes('orderId is not printable text')));
    // No handle in the log: it embeds the platform app key.
    assert.ok(entries.every((entry) => !entry.message.includes('handle-') && !/[A-Za-z0-9+/=]{40,}/.test(entry.message)));

    const orders = await h.database
      .db('sales_orders')
      .whereIn('external_order_id', [...first.orderIds, ...second.orderIds])
      .count();
    assert.equal(Number(orders[0].count), 6);

    // The items without a handle come back after their visibility timeout: the next run logs them again and goes on.
    await h.sim('POST', `/_sim/${code}/feed/expire`);
    const more = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 2, seed: 13 });
    const again = await h.runImport(code);
    assert.equal(again.imported, more.orderIds.length);
    assert.equal(again.malformed, 3);
    const status = await cliJson(['status', code], h.cliEnv);
    assert.equal(status.lastRuns[0].malformed, 3);
  });

  test('a read of nothing but malformed items does not end the run: the orders behind them import', async () => {
    const code = await h.addVitrine({ prefix: 'UG' });
    // A whole page of the workflow (PAGE_SIZE items) of bad items, then the orders.
    await h.sim('POST', `/_sim/${code}/feed/malformed`, { items: Array.from({ length: PAGE_SIZE }, (_, i) => ({ orderId: i })) });
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 4, seed: 21 });
    const summary = await h.runImport(code);
    assert.equal(summary.malformed, PAGE_SIZE);
    assert.equal(summary.imported, orderIds.length);
    const stats = await h.sim('GET', `/_sim/${code}/stats`);
    assert.deepEqual([stats.feedPending, stats.feedInFlight, stats.committed], [0, 0, PAGE_SIZE + orderIds.length]);
  });
});
