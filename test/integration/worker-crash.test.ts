/**
 * A worker killed with SIGKILL in the middle of an import and started again leaves no duplicate
 * and no gap: Temporal resumes the run, the activities are idempotent and the queue is
 * acknowledged only after the ERP commit.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliJson } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { validKey } from '../support/nfe';
import { REPO } from '../support/services';
import { until } from '../support/until';

/** Every worker process a test started: each is killed at the end, or the test process would wait for it. */
const started: ChildProcess[] = [];

function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [path.join(REPO, 'dist/worker/main.js')], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  started.push(child);
  return child;
}

async function stopWorkers(): Promise<void> {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
}

describe('worker crash', () => {
  let h: Harness;
  let worker: ChildProcess | undefined;
  before(async () => {
    h = await startHarness({ withWorker: false });
  });
  after(async () => {
    await stopWorkers();
    await h?.close();
  });

  test('SIGKILL mid-run, restart: every order exactly once, items and payments complete, queue empty', async () => {
    const code = await h.addVitrine();
    const total = 700; // more than one page (PAGE_SIZE), so that the kill lands between pages
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: total, seed: 42 });
    // Mid-run: the platform answers the first page (50 feed reads, 500 orders, its commit) and the
    // start of the second, then holds the worker's next request; the worker is killed while that
    // request is in flight, with one page in the ERP and the other read but not imported.
    await h.sim('POST', `/_sim/${code}/hold`, { hold: true, after: 600 });
    const imported = async () =>
      Number(
        (
          await h.database
            .db('sales_orders')
            .join('vitrines', 'vitrines.id', 'sales_orders.vitrine_id')
            .where('vitrines.code', code)
            .count({ n: '*' })
        )[0].n,
      );

    worker = startWorker(h.cliEnv);
    const { workflowId } = await cliJson(['run', code], h.cliEnv);
    await h.sim('GET', `/_sim/${code}/held?atLeast=1&timeoutMs=120000`);
    const atKill = await imported();
    worker.kill('SIGKILL');
    await once(worker, 'exit');
    await h.sim('POST', `/_sim/${code}/hold`, { hold: false });
    assert.ok(atKill > 0 && atKill < total, `the kill came mid-import (${atKill} of ${total} orders in)`);

    worker = startWorker(h.cliEnv);
    const summary = await h.temporal.client.workflow.getHandle(workflowId).result();
    assert.ok(summary.imported <= total);
    // Items the dead worker had read but not acknowledged come back after the visibility timeout
    // (made to pass now): the next run takes them.
    await h.sim('POST', `/_sim/${code}/feed/expire`);
    await cliJson(['run', code, '--wait'], h.cliEnv);

    const rows = await h.database
      .db('sales_orders as o')
      .join('vitrines as v', 'v.id', 'o.vitrine_id')
      .where('v.code', code)
      .select('o.id', 'o.external_order_id');
    assert.equal(rows.length, total);
    assert.deepEqual(new Set(rows.map((r) => r.external_order_id)), new Set(orderIds));

    const raws = await Promise.all(orderIds.map((id) => h.platformOrder(code, id)));
    const expectedItems = raws.reduce((sum, raw) => sum + raw.items.length, 0);
    const expectedPayments = raws.reduce((sum, raw) => sum + raw.paymentData.transactions.flatMap((t: any) => t.payments).length, 0);
    const ids = rows.map((r) => r.id);
    const count = async (table: string) => Number((await h.database.db(table).whereIn('sales_order_id', ids).count({ n: '*' }))[0].n);
    assert.equal(await count('sales_order_items'), expectedItems);
    assert.equal(await count('sales_order_payments'), expectedPayments);
    assert.equal(await count('sales_order_status_history'), total);

    const stats = await h.sim('GET', `/_sim/${code}/stats`);
    assert.equal(stats.feedPending, 0);
    assert.equal(stats.feedInFlight, 0);
    assert.equal(stats.committed, total);
  });

  test('SIGKILL between the platform call and its record: the invoice is sent again and applied once', async () => {
    await stopWorkers();
    const code = await h.addVitrine({ enable: true });
    worker = startWorker(h.cliEnv);
    const [orderId] = (await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 1, state: 'ready-for-handling' }))
      .orderIds;
    await cliJson(['run', code, '--wait'], h.cliEnv);
    const { order_code: orderCode } = await h.database.db('sales_orders').where({ external_order_id: orderId }).first('order_code');

    // start-handling goes through; the invoice call reaches the platform and is held there while the worker dies.
    await h.sim('POST', `/_sim/${code}/hold`, { hold: true, after: 1 });
    await cliJson(['orders', 'invoice', orderCode, '--number', '777', '--key', validKey(777)], h.cliEnv);
    await h.sim('GET', `/_sim/${code}/held?atLeast=1&timeoutMs=30000`);
    worker.kill('SIGKILL');
    await once(worker, 'exit');
    await h.sim('POST', `/_sim/${code}/hold`, { hold: false });
    // The platform applied the held call; the ERP never heard its answer.
    await until(async () => (await h.platformOrder(code, orderId)).status === 'invoiced', 'the held invoice applied on the platform');
    const unsent = await h.database.db('platform_notifications').where({ action: 'invoice' }).whereNull('sent_at').first('id');
    assert.ok(unsent, 'the invoice notification is not recorded as sent');

    worker = startWorker(h.cliEnv);
    await until(
      async () => (await h.database.db('platform_notifications').where({ id: unsent.id }).first('sent_at')).sent_at,
      'the invoice recorded as sent by the new worker',
      60_000,
    );
    const stats = await h.sim('GET', `/_sim/${code}/stats`);
    assert.equal(stats.invoiceCalls, 2, 'sent again after the kill');
    assert.equal(stats.invoicesApplied, 1, 'applied once');
    assert.equal((await h.platformOrder(code, orderId)).packageAttachment.packages.length, 1);
  });
});
