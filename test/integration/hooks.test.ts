/**
 * Push mode through the real stack: the simulator's orders hook calls the hook receiver, which
 * keeps the notification in the ERP and triggers the vitrine's schedule; the run serves it through
 * the same steps as a queue page. The feed stays the source of truth: its items are still
 * acknowledged, and with the receiver down the orders still arrive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createImportWorker } from '../../src/worker/createWorker';
import { HOOK_SECRET_HEADER } from '../../src/hooks/secrets';
import { SEARCH_ATTRIBUTES } from '../../src/shared/ids';
import { cliJson, runCli } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { workflowBundle } from '../support/services';
import { until } from '../support/until';

describe('orders hook (push mode)', () => {
  let h: Harness;
  let source = 0;
  /** A new source address per call: the receiver limits refusals per source, and tests must not share one. */
  const nextSource = () => `203.0.113.${++source}`;

  before(async () => {
    h = await startHarness({ withHooks: true });
  });
  after(() => h?.close());

  const stats = (code: string) => h.sim<any>('GET', `/_sim/${code}/stats`);
  /** Rows of a table of the vitrine's (sales_orders, blocked_orders, hook_notifications). */
  const rowsOf = async (table: string, code: string): Promise<number> => {
    const row = await h.database
      .db(`${table} as t`)
      .join('vitrines as v', 'v.id', 't.vitrine_id')
      .where('v.code', code)
      .count({ n: '*' })
      .first();
    return Number(row?.n ?? 0);
  };
  const erpOrders = (code: string) => rowsOf('sales_orders', code);
  const runsOf = async (code: string) =>
    h.database
      .db('import_runs as r')
      .join('vitrines as v', 'v.id', 'r.vitrine_id')
      .where('v.code', code)
      .orderBy('r.started_at')
      .select('r.*');
  const waitingNotifications = (code: string) => rowsOf('hook_notifications', code);

  async function secretOf(code: string): Promise<string> {
    const response = await fetch(`${h.simulatorUrl}/${code}/api/orders/hook/config`, {
      headers: { 'x-vtex-api-appkey': `key-${code}`, 'x-vtex-api-apptoken': `token-${code}-secret` },
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { hook: { headers: Record<string, string> } }).hook.headers[HOOK_SECRET_HEADER];
  }

  /** A vitrine switched on with its hook enabled, the platform's Get order limit lifted. */
  async function hookedVitrine(prefix: string): Promise<string> {
    const code = await h.addVitrine({ prefix, enable: true });
    await h.sim('POST', `/_sim/${code}/settings`, { getOrderLimitPerMinute: 0, hookRetryInitialMs: 200, hookRetryMaxMs: 1000 });
    await cliJson(['settings', code, '--get-order-limit', '1000000'], h.cliEnv);
    const enabled = await cliJson(['hook', code, 'enable', '--url', h.hooks!.url], h.cliEnv);
    assert.equal(enabled.url, `${h.hooks!.url}/hooks/vtex/${code}`);
    return code;
  }

  /** Whatever else the platform notifies of the vitrine's orders (their start-handling, say) delivered and served. */
  async function quiet(code: string): Promise<void> {
    await until(
      async () =>
        (await stats(code)).hookPending === 0 &&
        (await waitingNotifications(code)) === 0 &&
        (await runsOf(code)).every((r) => r.status !== 'running'),
      'the vitrine quiet',
    );
  }

  async function assertRunsNeverOverlap(code: string): Promise<void> {
    const runs = await runsOf(code);
    // Each run named by a second of its own: two alike would confuse the schedule's account of which one runs.
    assert.equal(new Set(runs.map((r) => r.workflow_id)).size, runs.length, runs.map((r) => r.workflow_id).join(', '));
    for (let i = 1; i < runs.length; i++) {
      assert.ok(runs[i - 1].finished_at, `run ${runs[i - 1].id} closed`);
      assert.ok(runs[i].started_at >= runs[i - 1].finished_at, `run ${runs[i].id} started after run ${runs[i - 1].id} ended`);
    }
  }

  test('enabling pings the receiver; a receiver that does not answer makes the platform refuse, and the ERP keeps no hook', async () => {
    const code = await h.addVitrine({ prefix: 'HP' });
    await cliJson(['hook', code, 'enable', '--url', h.hooks!.url], h.cliEnv);
    const hook = await h.database.db('vitrine_hooks as k').join('vitrines as v', 'v.id', 'k.vitrine_id').where('v.code', code).first('k.*');
    assert.ok(hook.last_ping_at, 'the ping reached the receiver and passed its secret check');
    assert.equal(hook.account, code, "the simulator's account is the last segment of the vitrine's API root");
    assert.equal((await stats(code)).hookPings, 1);
    const shown = await cliJson(['hook', code, 'show'], h.cliEnv);
    assert.equal(shown.platform.url, hook.url);
    assert.deepEqual(shown.platform.headers, [HOOK_SECRET_HEADER], 'show names the header, never its value');

    const other = await h.addVitrine({ prefix: 'HQ' });
    const refused = await runCli(['hook', other, 'enable', '--url', 'http://127.0.0.1:9'], h.cliEnv);
    assert.notEqual(refused.code, 0);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /did not answer as expected/);
    assert.equal(
      await h.database.db('vitrine_hooks as k').join('vitrines as v', 'v.id', 'k.vitrine_id').where('v.code', other).first(),
      undefined,
    );

    const badUrl = await runCli(['hook', code, 'enable', '--url', 'ftp://x?y'], h.cliEnv);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /--url/);
  });

  test('an approved order is in the ERP within seconds of its notification; the run is marked as hook-triggered and the feed items are acknowledged', async () => {
    const code = await hookedVitrine('HK');
    const started = Date.now();
    const [orderId] = (await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 1, seed: 11 })).orderIds;
    await until(async () => (await erpOrders(code)) === 1, 'the hooked order in the ERP', 5000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 3000, `in the ERP ${elapsed} ms after the change`);
    const row = await h.database.db('sales_orders').where({ external_order_id: orderId }).first('order_code');
    assert.ok(row.order_code.startsWith('HK-'));

    const [run] = await runsOf(code);
    const handle = h.temporal.client.workflow.getHandle(run.workflow_id, run.workflow_run_id);
    await handle.result();
    // Search attributes reach Temporal's visibility store a moment after the run completes.
    const description = await until(async () => {
      const d = await handle.describe();
      return d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.importTrigger) !== undefined && d;
    }, "the run's search attributes in visibility");
    assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.importTrigger), 'hook');
    assert.equal((description.memo as any).summary.hooked, 1);
    await until(async () => (await stats(code)).committed >= 1, "the order's feed item acknowledged");
    await quiet(code);
    assert.equal(await waitingNotifications(code), 0);
    const status = await cliJson(['status', code], h.cliEnv);
    assert.ok(status.hook.erp.lastNotificationAt, 'vitrine status shows the last notification');
    assert.equal(status.hook.waiting, 0);
  });

  test('a burst of 1,000 notifications costs a few runs, none beside another, and imports each order once', async () => {
    const code = await hookedVitrine('HB');
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 1000, seed: 12 });
    await until(async () => (await stats(code)).hookDelivered === 1000, 'every notification delivered', 60_000);
    await until(
      async () => (await waitingNotifications(code)) === 0 && (await runsOf(code)).every((r) => r.status !== 'running'),
      'every notification served',
      60_000,
    );
    const runs = await runsOf(code);
    const blocked = await rowsOf('blocked_orders', code);
    assert.equal((await erpOrders(code)) + blocked, 1000, 'every order imported or blocked, once');
    assert.ok(runs.length <= 20, `${runs.length} runs for 1,000 notifications`);
    assert.equal(
      runs.reduce((sum, r) => sum + r.hooked, 0),
      1000,
      'each notification served once',
    );
    await assertRunsNeverOverlap(code);
  });

  test('a notification no run served for five minutes needs attention (vitrine status --all)', async () => {
    const code = await h.addVitrine({ prefix: 'HA', enable: true });
    const vitrine = await h.database.db('vitrines').where({ code }).first('id');
    // As if the trigger were lost and Temporal unreachable since: kept, never served.
    await h.database.db('hook_notifications').insert({
      vitrine_id: vitrine.id,
      order_id: '1234567890-01',
      state: 'ready-for-handling',
      received_at: h.database.db.raw("now() - interval '6 minutes'"),
    });
    const status = await cliJson(['status', code], h.cliEnv);
    assert.equal(status.hook.waiting, 1);
    const attention = status.attention.find((a: any) => a.kind === 'hook-notifications-waiting');
    assert.ok(attention, JSON.stringify(status.attention));
    assert.match(attention.reason, /1 hook notification has waited 6 min/);
    await h.database.db('hook_notifications').where({ vitrine_id: vitrine.id }).delete();
  });

  test('refused requests change nothing and start nothing; a source refused again and again is limited', async () => {
    const code = await hookedVitrine('HR');
    const noHook = await h.addVitrine({ prefix: 'HN', enable: true });
    const [orderId] = (await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 1, seed: 13 })).orderIds;
    await until(async () => (await erpOrders(code)) === 1, 'the real notification served');
    await quiet(code);
    const runsBefore = (await runsOf(code)).length;
    const notifications = async () =>
      Number(
        (
          await h.database
            .db('vitrine_hooks as k')
            .join('vitrines as v', 'v.id', 'k.vitrine_id')
            .where('v.code', code)
            .first('k.notifications')
        ).notifications,
      );
    const counted = await notifications();

    const good = {
      Domain: 'Fulfillment',
      OrderId: orderId,
      State: 'ready-for-handling',
      LastChange: '2026-12-01T10:00:00.0000000Z',
      Origin: { Account: code, Key: 'k' },
    };
    const post = async (path: string, body: string, headers: Record<string, string> = {}, from = nextSource()) => {
      const response = await fetch(`${h.hooks!.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...headers },
        body,
      });
      return { status: response.status, body: (await response.json()) as { error?: string } };
    };
    // The ERP keeps only the secret's hash: the platform's configuration has the secret itself.
    const secret = secretOf(code);
    const cases: Array<[string, number, Promise<{ status: number; body: { error?: string } }>]> = [
      ['unknown vitrine', 404, post('/hooks/vtex/no-such-vitrine', JSON.stringify(good), { [HOOK_SECRET_HEADER]: await secret })],
      ['a vitrine without a hook', 404, post(`/hooks/vtex/${noHook}`, JSON.stringify(good), { [HOOK_SECRET_HEADER]: await secret })],
      ['no secret', 401, post(`/hooks/vtex/${code}`, JSON.stringify(good))],
      ['a wrong secret', 401, post(`/hooks/vtex/${code}`, JSON.stringify(good), { [HOOK_SECRET_HEADER]: 'x'.repeat(43) })],
      [
        'another account',
        401,
        post(`/hooks/vtex/${code}`, JSON.stringify({ ...good, Origin: { Account: 'someone-else', Key: 'k' } }), {
          [HOOK_SECRET_HEADER]: await secret,
        }),
      ],
      ['malformed JSON', 400, post(`/hooks/vtex/${code}`, '{"OrderId": ', { [HOOK_SECRET_HEADER]: await secret })],
      [
        'not a notification',
        400,
        post(`/hooks/vtex/${code}`, JSON.stringify({ OrderId: "'; drop table sales_orders; --", State: 'x' }), {
          [HOOK_SECRET_HEADER]: await secret,
        }),
      ],
      [
        'an oversized body',
        413,
        post(`/hooks/vtex/${code}`, JSON.stringify({ ...good, padding: 'x'.repeat(20_000) }), { [HOOK_SECRET_HEADER]: await secret }),
      ],
    ];
    for (const [what, status, answer] of cases) {
      const { status: got, body } = await answer;
      assert.equal(got, status, `${what}: ${JSON.stringify(body)}`);
      assert.equal(typeof body.error, 'string', `${what}: says why`);
      assert.ok(body.error!.length < 300 && !body.error!.includes('\n'), `${what}: one short line`);
    }
    assert.equal(await waitingNotifications(code), 0, 'no refused notification kept');
    assert.equal(await notifications(), counted, 'none counted');
    assert.equal((await runsOf(code)).length, runsBefore, 'no run started');

    // One source refused 20 times in a row is answered 429 from then on, a good request included.
    const flooder = nextSource();
    for (let i = 0; i < 20; i++) assert.equal((await post(`/hooks/vtex/${code}`, JSON.stringify(good), {}, flooder)).status, 401);
    const limited = await post(`/hooks/vtex/${code}`, JSON.stringify(good), { [HOOK_SECRET_HEADER]: await secret }, flooder);
    assert.equal(limited.status, 429);
    // Another source is not limited by it: the platform's notifications keep coming.
    const accepted = await post(`/hooks/vtex/${code}`, JSON.stringify(good), { [HOOK_SECRET_HEADER]: await secret });
    assert.equal(accepted.status, 200);
  });

  test('receiver down: the platform retries with growing waits, the scheduled run imports the orders meanwhile, and nothing is imported twice', async () => {
    const code = await hookedVitrine('HD');
    await h.hooks!.stop();
    try {
      await h.sim('POST', `/_sim/${code}/orders`, { generate: 20, seed: 14 });
      await until(async () => (await stats(code)).hookFailures >= 40, 'two failed tries of each notification', 15_000);
      // The schedule's next run (here asked for at once) drains the feed: the orders arrive without the hook.
      const summary = await h.runImport(code);
      assert.equal(summary.imported + summary.blocked, 20);
      assert.equal(summary.hooked, 0);
    } finally {
      await h.hooks!.start();
    }
    await until(async () => (await stats(code)).hookDelivered === 20, 'the retries got through', 20_000);
    await until(
      async () => (await waitingNotifications(code)) === 0 && (await runsOf(code)).every((r) => r.status !== 'running'),
      'the late notifications served',
      20_000,
    );
    const s = await stats(code);
    assert.ok(s.hookAttempts > 40, `${s.hookAttempts} tries for 20 notifications`);
    const blocked = await rowsOf('blocked_orders', code);
    assert.equal((await erpOrders(code)) + blocked, 20, 'the late notifications found the orders there: none twice');
    await assertRunsNeverOverlap(code);
  });
});

describe('orders hook with no worker running', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ withWorker: false, withHooks: true });
  });
  after(() => h?.close());

  test('the receiver keeps accepting, and the orders are imported once a worker is back', async () => {
    const code = await h.addVitrine({ prefix: 'HW', enable: true });
    await cliJson(['hook', code, 'enable', '--url', h.hooks!.url], h.cliEnv);
    await h.sim('POST', `/_sim/${code}/orders`, { generate: 5, seed: 15 });
    await until(async () => (await h.sim<any>('GET', `/_sim/${code}/stats`)).hookDelivered === 5, 'the notifications accepted');
    const kept = await h.database.db('hook_notifications').count({ n: '*' }).first();
    assert.equal(Number(kept?.n), 5, 'kept in the ERP before the 200');
    assert.equal(Number((await h.database.db('sales_orders').count({ n: '*' }).first())?.n), 0);

    const worker = await createImportWorker({
      connection: h.temporal.nativeConnection,
      namespace: h.temporal.namespace ?? 'default',
      taskQueue: h.taskQueue,
      db: h.database.db,
      workflowBundle: workflowBundle(),
    });
    await worker.runUntil(async () => {
      await until(
        async () => Number((await h.database.db('hook_notifications').count({ n: '*' }).first())?.n) === 0,
        'the notifications served by the worker',
        30_000,
      );
    });
    const imported = Number((await h.database.db('sales_orders').count({ n: '*' }).first())?.n);
    const blocked = Number((await h.database.db('blocked_orders').count({ n: '*' }).first())?.n);
    assert.equal(imported + blocked, 5);
  });
});
