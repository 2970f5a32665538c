/**
 * Atualização de Status, the platform side: sends the vitrine's due notifications from the outbox
 * (start-handling, invoice, tracking number, tracking status, cancel): each order's in their
 * order, several orders side by side, each notification marked sent only after the platform took it.
 *
 * Exactly once in effect: a call whose answer was lost (a worker killed between the call and its
 * record) is sent again, and every call is one the platform applies once however often it hears
 * it (the same invoice number, the same tracking, a cancelled order cancelled again).
 */
import {
  cancelReasonOf,
  dueNotifications,
  markBlocked,
  markSent,
  noteFailedAttempt,
  type OutboxNotification,
} from '../erp/store/notifications';
import { PlatformError, type PlatformConnector } from '../platform/types';
import { invoiceForNotification } from '../erp/store/invoices';
import { mapWithConcurrency } from './concurrency';
import type { VitrineImport } from './context';

export interface NotificationBatchResult {
  sent: number;
  blocked: number;
  /** True when the batch was full: more may be due. */
  more: boolean;
  /** The vitrine's "Importar Pedidos" is off: its notifications wait. */
  paused: boolean;
}

/** Notifications per activity: one batch is a few seconds of platform calls. */
export const NOTIFICATION_BATCH = 200;

/** Why a notification cannot be sent as the ERP has it now (its invoice gone, no reason): blocked, like a refusal. */
class NotSendable extends Error {}

export async function sendPlatformNotifications(vi: VitrineImport, limit = NOTIFICATION_BATCH): Promise<NotificationBatchResult> {
  const { db } = vi;
  const vitrine = vi.settings.vitrine;
  const outcome: NotificationBatchResult = { sent: 0, blocked: 0, more: false, paused: !vitrine.import_orders };
  if (outcome.paused) return outcome;
  const due = await dueNotifications(db, vitrine.id, limit);
  outcome.more = due.length === limit;
  // Orders side by side (vi.concurrency, as the order fetch), each order's notifications in their order.
  const byOrder = new Map<number, OutboxNotification[]>();
  for (const notification of due) {
    const ofOrder = byOrder.get(notification.salesOrderId) ?? [];
    ofOrder.push(notification);
    byOrder.set(notification.salesOrderId, ofOrder);
  }
  await mapWithConcurrency([...byOrder.values()], vi.concurrency, async (notifications) => {
    for (const notification of notifications) {
      const told = await sendOne(vi, notification);
      if (told === 'blocked') {
        outcome.blocked += 1;
        // Refused: the order is told nothing more until it is retried.
        break;
      }
      if (told === 'sent') outcome.sent += 1;
      else outcome.more = true; // changed while it was sent: sent again, with the change
      vi.run.onProgress?.(outcome.sent + outcome.blocked);
    }
  });
  return outcome;
}

/** Sends one notification and records the outcome; a platform away is thrown (the activity is retried). */
async function sendOne(vi: VitrineImport, notification: OutboxNotification): Promise<'sent' | 'changed' | 'blocked'> {
  const { db } = vi;
  try {
    await send(db, vi.connector, notification);
  } catch (error) {
    const refused = error instanceof NotSendable || (error instanceof PlatformError && !error.retryable);
    if (!refused) {
      await noteFailedAttempt(db, notification.id, (error as Error).message);
      throw error;
    }
    await markBlocked(db, notification.id, (error as Error).message);
    vi.log.push({
      level: 'error',
      externalOrderId: notification.externalOrderId,
      message: `${notification.action} refused by the platform, kept as a blocked notification (#${notification.id}): ${(error as Error).message}`,
    });
    return 'blocked';
  }
  const recorded = await markSent(db, notification);
  vi.log.push({ level: 'info', externalOrderId: notification.externalOrderId, message: `platform told: ${notification.action}` });
  return recorded ? 'sent' : 'changed';
}

async function send(db: VitrineImport['db'], connector: PlatformConnector, n: OutboxNotification): Promise<void> {
  const orderId = n.externalOrderId;
  switch (n.action) {
    case 'start-handling':
      return startHandling(connector, orderId);
    case 'cancel': {
      const reason = await cancelReasonOf(db, n.salesOrderId);
      return connector.cancelOrder(orderId, reason ?? 'Cancelado no ERP');
    }
    default: {
      const found = n.invoiceId === null ? undefined : await invoiceForNotification(db, n.invoiceId);
      if (!found) throw new NotSendable(`the invoice of notification #${n.id} is no longer in the ERP`);
      const { invoice, xml } = found;
      const tracking = invoice.tracking;
      if (n.action === 'invoice') {
        const { kind, number, series, accessKey, issuedAt, valueCents, items, url } = invoice;
        return connector.sendInvoice(orderId, { kind, number, series, accessKey, issuedAt, valueCents, items, xml, url });
      }
      if (n.action === 'tracking-number') {
        if (!tracking?.trackingNumber) throw new NotSendable(`invoice ${invoice.number} has no tracking number in the ERP`);
        const { trackingNumber, trackingUrl, carrier, dispatchedAt } = tracking;
        return connector.sendTracking(orderId, { invoiceNumber: invoice.number, trackingNumber, trackingUrl, carrier, dispatchedAt });
      }
      return connector.sendTrackingStatus(orderId, {
        invoiceNumber: invoice.number,
        delivered: Boolean(tracking?.deliveredAt),
        deliveredAt: tracking?.deliveredAt ?? null,
        events: tracking?.events ?? [],
      });
    }
  }
}

/**
 * VTEX takes start-handling only from ready-for-handling. A refusal because the order is already
 * past it (handled elsewhere, or this call's answer was lost) is no refusal: it is done.
 */
async function startHandling(connector: PlatformConnector, orderId: string): Promise<void> {
  try {
    await connector.startHandling(orderId);
  } catch (error) {
    if (!(error instanceof PlatformError) || error.status !== 409) throw error;
    const state = platformStateOf(await connector.getOrder(orderId));
    if (state === 'handling' || state === 'invoiced' || state === 'invoice') return;
    throw error;
  }
}

function platformStateOf(doc: unknown): string | undefined {
  const status = (doc as { status?: unknown } | null)?.status;
  return typeof status === 'string' ? status : undefined;
}
