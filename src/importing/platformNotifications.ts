import { markNotification, pendingNotifications } from '../erp/store/orderStatus';
import { PlatformError } from '../platform/types';
import type { VitrineImport } from './context';

/** ERP to platform: sends the notifications owed (VTEX start-handling), each once. */
export async function sendPlatformNotifications(vi: VitrineImport): Promise<{ sent: number; failed: number }> {
  const vitrineId = vi.settings.vitrine.id;
  const outcome = { sent: 0, failed: 0 };
  for (const notification of await pendingNotifications(vi.db, vitrineId)) {
    try {
      if (notification.action === 'start-handling') await vi.connector.startHandling(notification.externalOrderId);
      await markNotification(vi.db, notification.id, { sent: true });
      vi.log.push({ level: 'info', externalOrderId: notification.externalOrderId, message: `platform told: ${notification.action}` });
      outcome.sent += 1;
    } catch (error) {
      if (!(error instanceof PlatformError) || error.retryable) throw error;
      // The platform refuses (e.g. the order is not ready for handling): kept with the reason, retried next run.
      await markNotification(vi.db, notification.id, { error: error.message });
      vi.log.push({
        level: 'error',
        externalOrderId: notification.externalOrderId,
        message: `${notification.action} refused: ${error.message}`,
      });
      outcome.failed += 1;
    }
    vi.run.onProgress?.(outcome.sent + outcome.failed);
  }
  return outcome;
}
