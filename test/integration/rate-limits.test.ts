/**
 * Platform rate limits through the real stack: the simulator enforces a Get order limit per
 * account (429 with Retry-After), and an import drains a backlog within it, losing nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliJson } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';

describe('platform rate limits', () => {
  let h: Harness;
  const stats = (code: string) => h.sim<any>('GET', `/_sim/${code}/stats`);

  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  /** A vitrine whose account allows `platformLimit` Get orders a minute, which the ERP believes is `erpLimit`; 300 orders waiting. */
  async function backlog(platformLimit: number, erpLimit: number, seed: number) {
    const code = await h.addVitrine({ prefix: `R${seed}` });
    const settings = await cliJson(['settings', code, '--get-order-limit', String(erpLimit)], h.cliEnv);
    assert.equal(settings.getOrderLimitPerMinute, erpLimit);
    await h.sim('POST', `/_sim/${code}/settings`, { getOrderLimitPerMinute: platformLimit });
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 300, seed });
    return code;
  }

  test("a drain paced by the vitrine's limit gets no 429 and imports every order", async () => {
    const code = await backlog(1200, 1200, 77);
    const summary = await h.runImport(code);
    assert.deepEqual([summary.imported, summary.blocked, summary.committed], [300, 0, 300]);
    const s = await stats(code);
    assert.equal(s.getOrderCalls, 300, 'one Get order per order: none had to be asked again');
    assert.equal(s.rateLimited, 0);
  });

  test('an account already used up by someone else: the 429s are waited out and no order is blocked', async () => {
    // The ERP believes it may call far more often than the platform allows (another integration
    // shares the account): the platform says 429, and the connector waits what it asks.
    const code = await backlog(1200, 1_000_000, 78);
    const summary = await h.runImport(code);
    assert.deepEqual([summary.imported, summary.blocked, summary.committed], [300, 0, 300]);
    const s = await stats(code);
    assert.ok(s.rateLimited > 0, 'the platform did refuse calls');
    assert.equal(s.getOrderCalls - s.rateLimited, 300, 'each order was read once in the end');
  });
});
