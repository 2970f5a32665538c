/**
 * The reliability suite's Atualização de Status phase: orders already imported are invoiced,
 * tracked and delivered in the ERP (the admin functions the CLI runs, as a billing module would
 * drive them) while the platform fails (5xx, 429, timeouts) and the worker is killed at random
 * moments; then every change must be on the platform once: nothing lost, nothing applied twice.
 */
import type { Knex } from 'knex';
import { deliverOrder, invoiceOrder, trackOrder } from '../../src/admin/statusUpdates';
import type { RunningSimulator } from '../../src/simulator/server';
import type { Rng } from '../../src/simulator/random';
import { check, type Check } from './checks';
import type { Restart } from './suite';
import { sleep, type WorkerSupervisor } from './worker';
import { validKey } from '../support/nfe';

export interface StatusUpdatesPhaseOptions {
  db: Knex;
  sim: RunningSimulator;
  worker: WorkerSupervisor;
  vitrineId: number;
  code: string;
  orders: number;
  kills: number;
  rng: Rng;
  faults: { errorRate: number; timeoutRate: number; rateLimitRate: number };
  timeoutMs: number;
  log: (line: string) => void;
  /** Switches the vitrine's Importar Pedidos on (through the CLI, as an admin does). */
  enable: () => Promise<void>;
  /** Service restarts (Temporal, Postgres): the n-th runs after the n-th kill, while the platform is being told. */
  restarts?: Array<Pick<Restart, 'service' | 'restart'>>;
}

/** An ERP call through a Postgres restart; a write that committed before its answer was lost is found done. */
async function writing<T>(what: () => Promise<T>, deadlineMs = 180_000): Promise<T | 'done'> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await what();
    } catch (error) {
      if (/already has invoice/.test((error as Error).message)) return 'done';
      if (Date.now() > deadline) throw error;
      await sleep(1000);
    }
  }
}

export interface StatusUpdatesPhaseRecord {
  orders: number;
  kills: Array<{ n: number; atMs: number; sent: number }>;
  restarts: Array<{ service: string; atMs: number; tookMs: number; outcome?: { ok: boolean; detail: string } }>;
  tookMs: number;
  stats: Record<string, number>;
}

export async function runStatusUpdatesPhase(o: StatusUpdatesPhaseOptions): Promise<{ checks: Check[]; record: StatusUpdatesPhaseRecord }> {
  const account = o.sim.store.account(o.code);
  const rows: Array<{ order_code: string; external_order_id: string }> = await o
    .db('sales_orders')
    .where({ vitrine_id: o.vitrineId, status: 'Pagamento confirmado' })
    .orderBy('id')
    .limit(o.orders)
    .select('order_code', 'external_order_id');
  await o.enable();
  account.faults = { ...account.faults, latencyMs: 0, ...o.faults };
  const before = { ...account.counters };
  const started = Date.now();
  /** The vitrine's notifications with `column` set (sent_at, blocked_at). */
  const countWith = async (column: 'sent_at' | 'blocked_at'): Promise<number> =>
    Number(
      (
        await o
          .db('platform_notifications as n')
          .join('sales_orders as s', 's.id', 'n.sales_order_id')
          .where('s.vitrine_id', o.vitrineId)
          .whereNotNull(`n.${column}`)
          .count({ n: '*' })
      )[0].n,
    );
  o.log(
    `status updates: invoicing, tracking and delivering ${rows.length} orders of ${o.code}; the platform fails, the worker is killed ${o.kills} times`,
  );

  // The ERP's side: each order invoiced, tracked and delivered, one transaction each, while the killer runs.
  const kills: StatusUpdatesPhaseRecord['kills'] = [];
  const restarts: StatusUpdatesPhaseRecord['restarts'] = [];
  let busy = true;
  const sentNow = () => writing(() => countWith('sent_at')) as Promise<number>;
  const killer = (async () => {
    for (let n = 1; n <= o.kills; n++) {
      await o.worker.whenReady();
      // The kill must interrupt sending: wait until notifications move again (after a kill mid-batch,
      // Temporal first waits for the batch's heartbeat timeout), then a random moment.
      const before = await sentNow();
      for (const until = Date.now() + 120_000; (await sentNow()) === before && before < rows.length * 4 && Date.now() < until;)
        await sleep(200);
      await sleep(o.rng.int(500, 3000));
      if (!busy && (await sentNow()) >= rows.length * 4) break;
      await o.worker.kill();
      kills.push({ n, atMs: Date.now() - started, sent: await sentNow() });
      o.log(
        `status updates: kill ${n} at ${((Date.now() - started) / 1000).toFixed(1)} s (${kills[kills.length - 1].sent} notifications sent)`,
      );
      void o.worker.start().catch(() => undefined);
      const restart = o.restarts?.[n - 1];
      if (restart) {
        await o.worker.whenReady();
        const at = Date.now();
        o.log(`status updates: restarting ${restart.service}`);
        const outcome = await restart.restart({ progress: sentNow });
        restarts.push({ service: restart.service, atMs: at - started, tookMs: Date.now() - at, outcome: outcome ?? undefined });
        o.log(
          `status updates: ${restart.service} is back after ${((Date.now() - at) / 1000).toFixed(1)} s${outcome ? `: ${outcome.detail}` : ''}`,
        );
      }
    }
  })();
  const at = new Date('2026-12-02T12:00:00Z');
  for (const [i, row] of rows.entries()) {
    await writing(() => invoiceOrder(o.db, row.order_code, { number: `R${i + 1}`, accessKey: validKey(i + 1) }));
    await writing(() => trackOrder(o.db, row.order_code, { trackingNumber: `BR${String(i + 1).padStart(9, '0')}BR` }));
    await writing(() => deliverOrder(o.db, row.order_code, { at }));
  }
  busy = false;
  await killer;
  await o.worker.whenReady();

  // Everything sent, or the deadline.
  const expected = rows.length * 4; // start-handling, invoice, tracking number, tracking status (delivered)
  const deadline = Date.now() + o.timeoutMs;
  let sent = 0;
  let blocked = 0;
  while (Date.now() < deadline) {
    sent = await sentNow();
    blocked = (await writing(() => countWith('blocked_at'))) as number;
    if (sent + blocked >= expected) break;
    await sleep(500);
  }
  const tookMs = Date.now() - started;
  account.faults = { ...account.faults, errorRate: 0, timeoutRate: 0, rateLimitRate: 0 };
  const delta = (key: keyof typeof before) => account.counters[key] - before[key];
  const stats = {
    startHandlingApplied: delta('startHandlingCalls'),
    startHandlingRequests: delta('startHandlingRequests'),
    invoiceCalls: delta('invoiceCalls'),
    invoicesApplied: delta('invoicesApplied'),
    trackingCalls: delta('trackingCalls'),
    trackingApplied: delta('trackingApplied'),
    faultErrors: delta('faultErrors'),
    faultRateLimited: delta('faultRateLimited'),
    faultTimeouts: delta('faultTimeouts'),
  };
  o.log(
    `status updates: ${sent} of ${expected} notifications sent, ${blocked} blocked, in ${(tookMs / 1000).toFixed(1)} s; ${JSON.stringify(stats)}`,
  );

  const wrong: string[] = [];
  for (const [i, row] of rows.entries()) {
    const doc = account.document(row.external_order_id) as { status?: string; packageAttachment?: { packages?: any[] } } | undefined;
    const packages = doc?.packageAttachment?.packages ?? [];
    const pkg = packages[0];
    const ok =
      doc?.status === 'invoiced' &&
      packages.length === 1 &&
      pkg.invoiceNumber === `R${i + 1}` &&
      pkg.trackingNumber === `BR${String(i + 1).padStart(9, '0')}BR` &&
      pkg.courierStatus?.finished === true;
    if (!ok && wrong.length < 5) wrong.push(`${row.external_order_id}: ${doc?.status}, ${packages.length} packages`);
  }
  const n = rows.length;
  const checks = [
    check(`status updates: ${n} orders invoiced, tracked and delivered in the ERP`, n === o.orders, `${n} of ${o.orders} wanted`),
    check(
      `status updates: at least ${o.kills} SIGKILLs while the platform was told`,
      kills.length >= o.kills,
      kills.map((k) => `${(k.atMs / 1000).toFixed(1)} s`).join(', '),
    ),
    check(
      'status updates: every notification sent, none blocked, none left',
      sent === expected && blocked === 0,
      `${sent} of ${expected} sent, ${blocked} blocked, in ${(tookMs / 1000).toFixed(1)} s`,
    ),
    check(
      'status updates: each change applied once on the platform (start-handling, invoice, tracking, delivery)',
      stats.startHandlingApplied === n && stats.invoicesApplied === n && stats.trackingApplied === 2 * n,
      `start-handling ${stats.startHandlingApplied} (${stats.startHandlingRequests} requests), invoices ${stats.invoicesApplied} (${stats.invoiceCalls} calls), tracking ${stats.trackingApplied} (${stats.trackingCalls} calls), for ${n} orders`,
    ),
    check(
      'status updates: every order on the platform invoiced, tracked and delivered, one package each',
      wrong.length === 0,
      wrong.join('; ') || `${n} orders checked`,
    ),
    check(
      'status updates: the platform failed meanwhile (5xx, 429, timeouts)',
      stats.faultErrors > 0 && stats.faultRateLimited > 0,
      `5xx ${stats.faultErrors}, 429 ${stats.faultRateLimited}, timeouts ${stats.faultTimeouts}`,
    ),
  ];
  for (const restart of o.restarts ?? []) {
    const done = restarts.find((r) => r.service === restart.service);
    checks.push(
      check(
        `status updates: ${restart.service} restarted while the platform was told`,
        done !== undefined && done.outcome?.ok !== false,
        done
          ? `at ${(done.atMs / 1000).toFixed(1)} s, back in ${done.tookMs} ms${done.outcome ? `; ${done.outcome.detail}` : ''}`
          : 'not done (the phase ended before)',
      ),
    );
  }
  return { checks, record: { orders: n, kills, restarts, tookMs, stats } };
}
