/**
 * Wakes the delivery of Atualização de Status: the outbox triggers NOTIFY on commit with the
 * vitrine's id; the waker LISTENs and signals (or starts) that vitrine's delivery workflow, so the
 * platform hears of an invoice within seconds of its commit. Losing a NOTIFY (the waker was
 * reconnecting, no worker ran) loses nothing: on (re)connecting the waker wakes every vitrine with
 * notifications due, and every import run does the same for its vitrine.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { Client as PgClient } from 'pg';
import { NOTIFICATION_CHANNEL, notificationBacklog } from '../erp/store/notifications';
import { NOTIFICATIONS_TIMEOUT, notificationsWorkflowIdFor, SEARCH_ATTRIBUTES } from '../shared/ids';
import { deliverPlatformNotifications, notificationsQueuedSignal } from '../workflows/deliverPlatformNotifications';

export interface NotificationWakerOptions {
  databaseUrl: string;
  db: Knex;
  client: Client;
  taskQueue: string;
  onError: (error: unknown) => void;
}

/** Signals the vitrine's delivery workflow, starting it when none runs. */
export async function wakeDelivery(client: Client, taskQueue: string, vitrine: { id: number; code: string }): Promise<void> {
  await client.workflow.signalWithStart(deliverPlatformNotifications, {
    workflowId: notificationsWorkflowIdFor(vitrine.code),
    taskQueue,
    args: [{ vitrineId: vitrine.id, vitrineCode: vitrine.code }],
    signal: notificationsQueuedSignal,
    signalArgs: [],
    workflowExecutionTimeout: NOTIFICATIONS_TIMEOUT,
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.vitrineCode, value: vitrine.code }],
  });
}

/**
 * A vitrine is signalled at most once per THROTTLE_MS: a billing batch committing thousands of
 * invoices a minute makes one signal a second, not one per commit (each signal is an event in the
 * delivery workflow's history). The first change after a quiet spell is signalled at once.
 */
export const THROTTLE_MS = 1000;

export function startNotificationWaker(options: NotificationWakerOptions): { stop(): Promise<void> } {
  const { db, client, taskQueue, onError } = options;
  let stopped = false;
  let pg: PgClient | undefined;
  let retryDelayMs = 1000;
  let retryTimer: NodeJS.Timeout | undefined;
  const lastSignal = new Map<number, number>();
  const timers = new Map<number, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();

  const signal = async (vitrineId: number) => {
    const vitrine: { id: number; code: string; import_orders: boolean } | undefined = await db('vitrines')
      .where({ id: vitrineId })
      .first('id', 'code', 'import_orders');
    // Switched off (or gone): its notifications wait; switching on, or its next import run, sends them.
    if (vitrine?.import_orders) await wakeDelivery(client, taskQueue, vitrine);
  };
  const wake = (vitrineId: number) => {
    if (stopped || !Number.isSafeInteger(vitrineId) || timers.has(vitrineId)) return;
    const wait = Math.max(0, (lastSignal.get(vitrineId) ?? 0) + THROTTLE_MS - Date.now());
    timers.set(
      vitrineId,
      setTimeout(() => {
        timers.delete(vitrineId);
        lastSignal.set(vitrineId, Date.now());
        const done: Promise<void> = signal(vitrineId)
          .catch(onError)
          .finally(() => inFlight.delete(done));
        inFlight.add(done);
      }, wait),
    );
  };

  const connect = async () => {
    const connection = new PgClient({ connectionString: options.databaseUrl });
    connection.on('error', (error) => {
      onError(error);
      reconnect(connection);
    });
    connection.on('end', () => reconnect(connection));
    connection.on('notification', (message) => wake(Number(message.payload)));
    await connection.connect();
    await connection.query(`listen ${NOTIFICATION_CHANNEL}`);
    pg = connection;
    retryDelayMs = 1000;
    // What was queued while nobody listened.
    for (const row of await notificationBacklog(db)) if (row.due > 0 && row.importOrders) wake(row.vitrineId);
  };
  const reconnect = (connection: PgClient) => {
    if (stopped || pg !== connection || retryTimer) return;
    pg = undefined;
    connection.removeAllListeners();
    connection.end().catch(() => undefined);
    schedule();
  };
  const schedule = () => {
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().catch((error: unknown) => {
        onError(error);
        retryDelayMs = Math.min(retryDelayMs * 2, 30_000);
        if (!stopped) schedule();
      });
    }, retryDelayMs);
  };
  connect().catch((error: unknown) => {
    onError(error);
    if (!stopped) schedule();
  });

  return {
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      const connection = pg;
      pg = undefined;
      connection?.removeAllListeners();
      await connection?.end().catch(() => undefined);
      await Promise.all(inFlight);
    },
  };
}
