import type { Knex } from 'knex';
import { FieldDefaultError } from './rules/fieldDefaults';
import { recordBlockedOrder } from '../erp/store/blockedOrders';
import { loadImportSettings, type ImportSettings } from '../erp/store/importSettings';
import { writeLog, type LogEntry } from '../erp/store/integrationLog';
import {
  currentStatuses,
  findExistingOrderIds,
  importOrderBatch,
  OrderRejectedError,
  prepareOrder,
  type PreparedOrder,
} from '../erp/store/orderImport';
import { applyPlatformState, markNotification, pendingNotifications } from '../erp/store/orderStatus';
import { setExistingEvents, type QueuePage } from '../erp/store/queuePages';
import type { VitrineRow } from '../erp/tables';
import { mapPlatformOrder, OrderMappingError } from '../mapping';
import { connectorFor as defaultConnectorFor } from '../platform/connectors';
import { PlatformError, type PlatformConnector } from '../platform/types';
import type { ImportOrdersResult, OrderEvent, StatusUpdateResult } from '../shared/importTypes';
import { erpStatusFor, isForwardTransition } from './rules/statuses';
import { mapWithConcurrency } from './concurrency';

export interface ImporterDependencies {
  db: Knex;
  connectorFor?: (vitrine: VitrineRow) => PlatformConnector;
  /** Orders fetched from the platform at once, per vitrine. */
  orderFetchConcurrency?: number;
}

export interface RunContext {
  /** The import run, named in the integration log. */
  workflowId?: string;
  /** Called after each order (activities heartbeat with it). */
  onProgress?: (done: number) => void;
}

/** Errors that no retry can fix: the order goes to blocked_orders with the message as its reason. */
export function isPermanentOrderError(error: unknown): boolean {
  return (
    error instanceof OrderMappingError ||
    error instanceof OrderRejectedError ||
    error instanceof FieldDefaultError ||
    (error instanceof PlatformError && !error.retryable)
  );
}

/**
 * Importar Pedido and Processar Pedido Aprovado for a batch of one vitrine's orders: connector,
 * mapper and ERP store put together. Temporary errors propagate (the caller retries the batch);
 * orders the ERP cannot take are kept in blocked_orders and the batch goes on.
 */
export function createOrderImporter(deps: ImporterDependencies) {
  const { db } = deps;
  const connectorFor = deps.connectorFor ?? defaultConnectorFor;
  const concurrency = deps.orderFetchConcurrency ?? 8;

  async function fetchAndWrite<T extends string>(
    settings: ImportSettings,
    connector: PlatformConnector,
    orderId: string,
    log: LogEntry[],
    write: (raw: unknown) => Promise<T>,
  ): Promise<T | 'blocked'> {
    let raw: unknown;
    try {
      raw = await connector.getOrder(orderId);
      return await write(raw);
    } catch (error) {
      if (!isPermanentOrderError(error)) throw error;
      const reason = (error as Error).message;
      await recordBlockedOrder(db, { vitrineId: settings.vitrine.id, externalOrderId: orderId, reason, payload: raw });
      log.push({ level: 'error', externalOrderId: orderId, message: `order blocked: ${reason}` });
      return 'blocked';
    }
  }

  async function flushLog(vitrine: VitrineRow, log: LogEntry[], run: RunContext): Promise<void> {
    await writeLog(
      db,
      vitrine,
      log.map((entry) => ({ ...entry, workflowId: run.workflowId })),
    );
  }

  /**
   * Importar Pedido for the orders new to the ERP; reports the ones already there. The new
   * orders are fetched from the platform a few at a time, then written in one batch.
   */
  async function importOrders(vitrineId: number, orderIds: string[], run: RunContext = {}): Promise<ImportOrdersResult> {
    const settings = await loadImportSettings(db, vitrineId);
    const existing = await findExistingOrderIds(db, vitrineId, orderIds);
    const result: ImportOrdersResult = { imported: [], existing: [...existing], blocked: [] };
    const connector = connectorFor(settings.vitrine);
    const log: LogEntry[] = [];
    const block = async (orderId: string, error: Error, raw: unknown) => {
      await recordBlockedOrder(db, { vitrineId, externalOrderId: orderId, reason: error.message, payload: raw });
      log.push({ level: 'error', externalOrderId: orderId, message: `order blocked: ${error.message}` });
      result.blocked.push(orderId);
    };
    let done = 0;
    try {
      // Only the mapped orders are kept until the batch is written: a platform order's raw JSON
      // is several times its size, and a worker runs a page of several vitrines at once.
      const fetched = new Map<string, PreparedOrder>();
      await mapWithConcurrency([...new Set(orderIds.filter((id) => !existing.has(id)))], concurrency, async (orderId) => {
        let raw: unknown;
        try {
          raw = await connector.getOrder(orderId);
          // Mapped and checked against the DE-PARA tables and default fields here, while the
          // platform's order is at hand for a blocked order's payload.
          fetched.set(orderId, await prepareOrder(db, settings, mapPlatformOrder(settings.vitrine.platform, raw)));
        } catch (error) {
          if (!isPermanentOrderError(error)) throw error;
          await block(orderId, error as Error, raw);
        }
        run.onProgress?.(++done);
      });
      const outcomes = await importOrderBatch(db, settings, [...fetched.values()]);
      fetched.clear();
      for (const [orderId, outcome] of outcomes) {
        if (outcome.outcome === 'rejected') {
          // An order code another order holds (rare): the platform's order is kept with the reason.
          await block(orderId, outcome.error, await connector.getOrder(orderId).catch(() => undefined));
        } else {
          result[outcome.outcome].push(orderId);
          if (outcome.outcome === 'imported') log.push({ level: 'info', externalOrderId: orderId, message: 'order imported' });
        }
      }
      run.onProgress?.(done);
    } finally {
      await flushLog(settings.vitrine, log, run);
    }
    return result;
  }

  return {
    importOrders,

    /**
     * Importar Pedido for a page of the vitrine's queue (queue_pages): its orders, each once. The
     * orders already in the ERP are kept with the page, with their latest state, for
     * processApprovedOrders.
     */
    async importQueuePage(page: QueuePage, run: RunContext = {}): Promise<ImportOrdersResult> {
      const result = await importOrders(page.vitrineId, [...new Set(page.items.map((item) => item.orderId))], run);
      // The latest event of each order says which state it reached on the platform.
      const stateOf = new Map(page.items.map((item) => [item.orderId, item.state]));
      await setExistingEvents(
        db,
        page.id,
        result.existing.map((orderId) => ({ orderId, state: stateOf.get(orderId) ?? '' })),
      );
      return result;
    },

    /**
     * Processar Pedido Aprovado: applies the platform's current state to orders in the ERP. An
     * event whose state would not move the order forward (a repeat, a late event, an order this
     * run imported a moment ago) is settled without asking the platform again.
     */
    async processApprovedOrders(vitrineId: number, events: OrderEvent[], run: RunContext = {}): Promise<StatusUpdateResult> {
      const settings = await loadImportSettings(db, vitrineId);
      const connector = connectorFor(settings.vitrine);
      const result: StatusUpdateResult = { updated: 0, unchanged: 0, blocked: 0 };
      const current = await currentStatuses(
        db,
        vitrineId,
        events.map((event) => event.orderId),
      );
      const moving = events.filter((event) => {
        const announced = erpStatusFor(settings.statusMappings, event.state);
        const status = current.get(event.orderId);
        return !announced || status === undefined || isForwardTransition(status, announced);
      });
      result.unchanged += events.length - moving.length;
      const orderIds = moving.map((event) => event.orderId);
      const log: LogEntry[] = [];
      let done = 0;
      try {
        await mapWithConcurrency(orderIds, concurrency, async (orderId) => {
          const outcome = await fetchAndWrite(settings, connector, orderId, log, async (raw) => {
            const order = mapPlatformOrder(settings.vitrine.platform, raw);
            const applied = await applyPlatformState(db, settings.statusMappings, {
              vitrineId,
              externalOrderId: orderId,
              platformState: order.platformState,
              approvedAt: order.approvedAt,
            });
            if (!applied) throw new OrderRejectedError(`unmapped platform state ${order.platformState}`);
            if (applied === 'updated')
              log.push({ level: 'info', externalOrderId: orderId, message: `status updated from platform state ${order.platformState}` });
            return applied;
          });
          result[outcome] += 1;
          run.onProgress?.(++done);
        });
      } finally {
        await flushLog(settings.vitrine, log, run);
      }
      return result;
    },

    /** ERP to platform: sends the notifications owed (VTEX start-handling), each once. */
    async sendPlatformNotifications(vitrineId: number, run: RunContext = {}): Promise<{ sent: number; failed: number }> {
      const settings = await loadImportSettings(db, vitrineId);
      const connector = connectorFor(settings.vitrine);
      const log: LogEntry[] = [];
      const outcome = { sent: 0, failed: 0 };
      try {
        for (const notification of await pendingNotifications(db, vitrineId)) {
          try {
            if (notification.action === 'start-handling') await connector.startHandling(notification.externalOrderId);
            await markNotification(db, notification.id, { sent: true });
            log.push({ level: 'info', externalOrderId: notification.externalOrderId, message: `platform told: ${notification.action}` });
            outcome.sent += 1;
          } catch (error) {
            if (!(error instanceof PlatformError) || error.retryable) throw error;
            // The platform refuses (e.g. the order is not ready for handling): kept with the reason, retried next run.
            await markNotification(db, notification.id, { error: error.message });
            log.push({
              level: 'error',
              externalOrderId: notification.externalOrderId,
              message: `${notification.action} refused: ${error.message}`,
            });
            outcome.failed += 1;
          }
          run.onProgress?.(outcome.sent + outcome.failed);
        }
      } finally {
        await flushLog(settings.vitrine, log, run);
      }
      return outcome;
    },
  };
}

export type OrderImporter = ReturnType<typeof createOrderImporter>;
