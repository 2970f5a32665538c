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

export function startNotificationWaker(options: NotificationWakerOptions): { stop(): Promise<void> } {
  const { db, client, taskQueue, onError } = options;
  let stopped = false;
  let pg: PgClient | undefined;
  let retryDelayMs = 1000;
  let retryTimer: NodeJS.Timeout | undefined;
  // Vitrines to wake, coalesced: a thousand invoices in one transaction are one signal.
  const waiting = new Set<number>();
  let draining: Promise<void> | undefined;

  const drain = async () => {
    while (waiting.size > 0 && !stopped) {
      const ids = [...waiting];
      waiting.clear();
      const vitrines: Array<{ id: number; code: string; import_orders: boolean }> = await db('vitrines')
        .whereIn('id', ids)
        .select('id', 'code', 'import_orders');
      for (const vitrine of vitrines) {
        // Switched off: its notifications wait; the first import run after switching on sends them.
        if (!vitrine.import_orders) continue;
        await wakeDelivery(client, taskQueue, vitrine).catch(onError);
      }
    }
  };
  const wake = (vitrineId: number) => {
    if (!Number.isSafeInteger(vitrineId)) return;
    waiting.add(vitrineId);
    draining ??= drain()
      .catch(onError)
      .finally(() => {
        draining = undefined;
        if (waiting.size > 0) wake([...waiting][0]);
      });
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
      const connection = pg;
      pg = undefined;
      connection?.removeAllListeners();
      await connection?.end().catch(() => undefined);
      await draining;
    },
  };
}
