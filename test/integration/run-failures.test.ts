/**
 * Failure with an upper bound, through the real stack: a permanent error that is not the
 * platform's fails the run at once, marked failed with its type and message, and the vitrine
 * imports again on its next run; an order that fails on its own is blocked and the page goes on;
 * a run that times out is closed as failed by the next one; a vitrine stuck behind a long run, or
 * whose runs fail, is listed by `vitrine status --all`, which exits 3.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import { HEALTH_METRICS, recordHealth } from '../../src/observability/healthMetrics';
import { FAILURE_TYPES } from '../../src/shared/failureTypes';
import { workflowIdPrefixFor } from '../../src/shared/ids';
import { SMALL_PAGE_ITEMS } from '../../src/workflows/importVitrineOrders';
import { ATTENTION_EXIT_CODE } from '../../src/starter/commands/status';
import { cliJson, runCli } from '../support/cli';
import { startHarness, type Harness } from '../support/importHarness';
import { until } from '../support/until';

describe('runs that fail, and the vitrines that need attention', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  const runsOf = (code: string) =>
    h.database.db('import_runs as r').join('vitrines as v', 'v.id', 'r.vitrine_id').where('v.code', code).orderBy('r.id').select('r.*');
  const ordersOf = async (code: string) =>
    Number(
      (await h.database.db('sales_orders as o').join('vitrines as v', 'v.id', 'o.vitrine_id').where('v.code', code).count({ n: '*' }))[0].n,
    );
  /** `vitrine status --all --json`: its exit code and what it lists for one vitrine. */
  async function attentionOf(code: string): Promise<{ exit: number; kinds: string[]; reasons: string[] }> {
    const result = await runCli(['status', '--all', '--json'], h.cliEnv);
    assert.ok(result.code === 0 || result.code === ATTENTION_EXIT_CODE, result.stderr);
    const listed = JSON.parse(result.stdout).attention.find((v: any) => v.code === code);
    return {
      exit: result.code,
      kinds: listed?.attention.map((a: any) => a.kind) ?? [],
      reasons: listed?.attention.map((a: any) => a.reason) ?? [],
    };
  }

  /** One reading of the health gauges, into a map of `name|vitrine[|kind]` to value. */
  async function healthGauges(): Promise<Map<string, number>> {
    const values = new Map<string, number>();
    const gauge = (name: string) => ({
      set: (value: number, tags: Record<string, string | number | boolean> = {}) =>
        values.set([name, tags.vitrine, tags.kind].filter((x) => x !== undefined).join('|'), value),
    });
    const meter = { createGauge: gauge } as unknown as MetricMeter;
    await recordHealth({ db: h.database.db, meter });
    return values;
  }

  test('a missing table fails the run at once, typed; once it is back, the next run imports', async () => {
    const code = await h.addVitrine();
    // A page larger than a small one: its import step is an activity, whose tries the history shows.
    const orders = SMALL_PAGE_ITEMS + 10;
    await h.sim('POST', `/_sim/${code}/orders`, { generate: orders, seed: 13 });
    await h.database.db.raw('alter table carriers rename to carriers_away');
    let failure: unknown;
    try {
      failure = await cliJson(['run', code, '--wait'], h.cliEnv).then(
        () => undefined,
        (error: unknown) => error,
      );
    } finally {
      await h.database.db.raw('alter table carriers_away rename to carriers');
    }
    assert.match(String(failure), /failed: order import of vitrine \d+: the ERP database refused it with SQLSTATE 42P01/);

    const [run] = await runsOf(code);
    assert.deepEqual([run.status, run.failure_type], ['failed', FAILURE_TYPES.erpSchemaMissing]);
    assert.match(run.failure_message, /relation "carriers" does not exist/);
    // Tried once: the history has one attempt of the import step.
    const handle = h.temporal.client.workflow.getHandle(run.workflow_id, run.workflow_run_id);
    const history = await handle.fetchHistory();
    const failed = history.events!.filter((e) => e.activityTaskFailedEventAttributes);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].activityTaskFailedEventAttributes!.failure!.applicationFailureInfo!.type, FAILURE_TYPES.erpSchemaMissing);
    await assert.rejects(handle.result(), WorkflowFailedError);
    const [logged] = await h.database.db('integration_log').where({ import_run_id: run.id, level: 'error' });
    assert.match(
      logged.message,
      new RegExp(`^run failed: ErpSchemaMissing: order import of vitrine \\d+: .*42P01.*\\(fetched ${orders}, imported 0`),
    );

    const listed = await attentionOf(code);
    assert.equal(listed.exit, ATTENTION_EXIT_CODE);
    assert.deepEqual(listed.kinds, ['runs-failing']);
    assert.match(listed.reasons[0], /^the last run failed: ErpSchemaMissing: /);
    // The workers' gauges say the same (what recordHealth sets each minute).
    const gauges = await healthGauges();
    assert.equal(gauges.get(`${HEALTH_METRICS.consecutiveFailedRuns.name}|${code}`), 1);
    assert.equal(gauges.get(`${HEALTH_METRICS.attention.name}|${code}|runs-failing`), 1);
    assert.equal(gauges.get(`${HEALTH_METRICS.attention.name}|${code}|run-open-too-long`), 0);

    // The cause fixed, the next run imports what the failed one had not acknowledged (back on the
    // queue once its visibility timeout passed, made to pass now).
    await h.sim('POST', `/_sim/${code}/feed/expire`);
    const again = await h.runImport(code);
    assert.equal(again.imported, orders);
    assert.equal(await ordersOf(code), orders);
    assert.deepEqual((await attentionOf(code)).kinds, []);
  });

  test('an order that fails on its own, whatever the cause, is blocked; the rest of its page is imported', async () => {
    const code = await h.addVitrine();
    const { orderIds } = await h.sim<{ orderIds: string[] }>('POST', `/_sim/${code}/orders`, { generate: 4, seed: 14 });
    const [refused] = orderIds;
    // A rule of the ERP that refuses this one order with an error of its own kind (SQLSTATE P0001).
    await h.database.db.raw(`
      create function refuse_one_order() returns trigger language plpgsql as $$
      begin
        if new.external_order_id = '${refused}' then raise exception 'refused by an ERP rule'; end if;
        return new;
      end $$;
      create trigger refuse_one_order before insert on sales_orders for each row execute function refuse_one_order();`);
    try {
      const summary = await h.runImport(code);
      assert.deepEqual([summary.imported, summary.blocked, summary.committed], [3, 1, 4]);
    } finally {
      await h.database.db.raw('drop trigger refuse_one_order on sales_orders; drop function refuse_one_order()');
    }
    const [blocked] = await h.database.db('blocked_orders').where({ external_order_id: refused });
    assert.equal(blocked.reason, 'the ERP database refused it with SQLSTATE P0001 (see the Postgres error codes)');
    assert.equal(blocked.payload.orderId, refused, 'the platform document is kept with the blocked order');
    const retried = await cliJson(['blocked', 'retry', String(blocked.id)], h.cliEnv);
    assert.deepEqual([retried.imported, retried.orders[0].outcome], [1, 'imported']);
  });

  test('a run that outlives its time is ended by Temporal and closed as failed by the next run; stuck, it is listed', async () => {
    const code = await h.addVitrine();
    // More than a small page: a small page's steps are local activities, which the worker of a run
    // that timed out may still finish (the next run then finds the orders imported); here the
    // timed-out run can schedule nothing more.
    const orders = SMALL_PAGE_ITEMS + 10;
    await h.sim('POST', `/_sim/${code}/orders`, { generate: orders, seed: 15 });
    // The platform holds the run's queue fetch; the run may last 3 s (the schedule's own limit is RUN_TIMEOUT).
    await h.sim('POST', `/_sim/${code}/hold`, { hold: true });
    const handle = await h.temporal.client.workflow.start('importVitrineOrders', {
      taskQueue: h.taskQueue,
      workflowId: `${workflowIdPrefixFor(code)}-short`,
      args: [{ vitrineCode: code }],
      workflowExecutionTimeout: '3 seconds',
    });
    await h.sim('GET', `/_sim/${code}/held?atLeast=1`);

    // While it is stuck and older than the interval (its start moved back: the test does not wait
    // 15 minutes), status --all lists it with the ticks its schedule skips.
    const [open] = await runsOf(code);
    assert.equal(open.status, 'running');
    await h.database
      .db('import_runs')
      .where({ id: open.id })
      .update({ started_at: h.database.db.raw("now() - interval '47 minutes'") });
    const stuck = await attentionOf(code);
    assert.equal(stuck.exit, ATTENTION_EXIT_CODE);
    assert.deepEqual(stuck.kinds, ['run-open-too-long']);
    assert.match(stuck.reasons[0], /has been open for 47 min, longer than the 15-min interval: about 3 scheduled ticks skipped meanwhile$/);
    const gauges = await healthGauges();
    assert.equal(gauges.get(`${HEALTH_METRICS.skippedTicks.name}|${code}`), 3);
    assert.ok(gauges.get(`${HEALTH_METRICS.openRunAge.name}|${code}`)! >= 47 * 60);
    assert.equal(gauges.get(`${HEALTH_METRICS.attention.name}|${code}|run-open-too-long`), 1);

    await assert.rejects(
      handle.result(),
      (error: unknown) => error instanceof WorkflowFailedError && /timed out/i.test(String(error.cause ?? error)),
    );
    await h.sim('POST', `/_sim/${code}/hold`, { hold: false });
    // The timed-out run's worker still finishes its queue fetch (a local activity): once it has read
    // every item, they are made visible again for the next run.
    await until(async () => (await h.sim<any>('GET', `/_sim/${code}/stats`)).feedInFlight === orders, 'the held fetch finished');
    await h.sim('POST', `/_sim/${code}/feed/expire`);

    // The next run closes the timed-out one as failed, says so in the log, and imports the orders.
    const next = await h.runImport(code);
    assert.equal(next.imported, orders);
    const [closed] = await runsOf(code);
    assert.deepEqual([closed.status, closed.failure_type], ['failed', 'RunNotClosed']);
    assert.ok(closed.finished_at);
    const logged = await h.database.db('integration_log').where({ import_run_id: closed.id, level: 'error' });
    assert.match(logged[0].message, /^run failed: RunNotClosed: closed when run \d+ opened/);
    assert.equal(await h.database.db('queue_pages').where({ import_run_id: closed.id }).first(), undefined, 'its pages are gone');
    // The failed run is the last but one: the last completed, so nothing needs attention.
    assert.deepEqual((await attentionOf(code)).kinds, []);
  });

  test("the schedule's action has a run timeout; status of one vitrine shows its attention too", async () => {
    const code = await h.addVitrine({ enable: true });
    const schedule = await h.temporal.client.schedule.getHandle(`vitrine-orders-${code}`).describe();
    assert.equal(schedule.action.type, 'startWorkflow');
    assert.equal(schedule.action.type === 'startWorkflow' && schedule.action.workflowExecutionTimeout, 2 * 60 * 60 * 1000);
    const status = await cliJson(['status', code], h.cliEnv);
    assert.deepEqual([status.attention, status.consecutiveFailedRuns, status.skippedTicks], [[], 0, 0]);
    const bad = await runCli(['status'], h.cliEnv);
    assert.deepEqual([bad.code, bad.stderr], [2, 'vitrine: give a vitrine code, or --all for every vitrine that needs attention\n']);
  });
});
