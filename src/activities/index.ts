import { ApplicationFailure, heartbeat, log } from '@temporalio/activity';
import type { Knex } from 'knex';
import { applyCustomerDefaults } from '../erp/fieldDefaults';
import { recordBlockedOrder } from '../erp/store/blockedOrders';
import { openImportRun, saveImportRun, type RunCounts } from '../erp/store/importRuns';
import { findExistingOrderIds, importOrder, loadPaymentMappings, OrderRejectedError } from '../erp/store/orderImport';
import { applyPlatformState } from '../erp/store/orderStatus';
import { findVitrineByCode, getVitrineById } from '../erp/store/vitrines';
import type { VitrineRow } from '../erp/tables';
import { mapPlatformOrder, OrderMappingError } from '../mapping';
import { connectorFor as defaultConnectorFor } from '../platform/connectors';
import { PlatformError, type PlatformConnector } from '../platform/types';
import type { ImportOrdersResult, OpenedRun, QueueItem, StatusUpdateResult } from '../shared/importTypes';
import { mapWithConcurrency } from './concurrency';

export interface ActivityDependencies {
  db: Knex;
  connectorFor?: (vitrine: VitrineRow) => PlatformConnector;
  /** Orders fetched from the platform at once, per vitrine. */
  orderFetchConcurrency?: number;
}

/** Error types the workflow and operators see in the Temporal UI. */
export const FAILURE_TYPES = {
  unknownVitrine: 'UnknownVitrine',
  platformRejected: 'PlatformRejected',
  platformUnavailable: 'PlatformUnavailable',
} as const;

/**
 * The import's activities: thin wrappers around the platform connector and the ERP store. Each
 * one is idempotent, so Temporal may retry it after a crash anywhere.
 */
export function createActivities(deps: ActivityDependencies) {
  const { db } = deps;
  const connectorFor = deps.connectorFor ?? defaultConnectorFor;
  const concurrency = deps.orderFetchConcurrency ?? 8;

  async function platformCall<T>(vitrine: VitrineRow, what: string, call: (connector: PlatformConnector) => Promise<T>): Promise<T> {
    try {
      return await call(connectorFor(vitrine));
    } catch (error) {
      throw asFailure(error, `${what} for vitrine ${vitrine.code}`);
    }
  }

  return {
    async openImportRun(input: { vitrineCode: string; workflowId: string }): Promise<OpenedRun> {
      const vitrine = await findVitrineByCode(db, input.vitrineCode);
      if (!vitrine) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.unknownVitrine,
          message: `vitrine ${input.vitrineCode} does not exist`,
          nonRetryable: true,
        });
      }
      return { vitrineId: vitrine.id, importRunId: await openImportRun(db, vitrine.id, input.workflowId) };
    },

    async fetchQueuePage(input: { vitrineId: number; maxItems: number }): Promise<QueueItem[]> {
      const vitrine = await getVitrineById(db, input.vitrineId);
      const items = await platformCall(vitrine, 'queue fetch', (c) => c.fetchQueue(input.maxItems));
      return items.map(({ handle, orderId, state }) => ({ handle, orderId, state }));
    },

    /** Importar Pedido for the orders new to the ERP; reports the ones already there. */
    async importOrders(input: { vitrineId: number; orderIds: string[] }): Promise<ImportOrdersResult> {
      const vitrine = await getVitrineById(db, input.vitrineId);
      const existing = await findExistingOrderIds(db, vitrine.id, input.orderIds);
      const result: ImportOrdersResult = { imported: [], existing: [...existing], blocked: [] };
      const mappings = await loadPaymentMappings(db, vitrine.id);
      const connector = connectorFor(vitrine);
      let done = 0;
      await mapWithConcurrency(
        input.orderIds.filter((id) => !existing.has(id)),
        concurrency,
        async (orderId) => {
          const outcome = await importOne(vitrine, connector, orderId, async (raw) => {
            const order = mapPlatformOrder(vitrine.platform, raw);
            return (await importOrder(db, vitrine, order, mappings)).outcome;
          });
          if (outcome === 'imported') result.imported.push(orderId);
          else if (outcome === 'existing') result.existing.push(orderId);
          else result.blocked.push(orderId);
          heartbeat({ done: ++done });
        },
      );
      return result;
    },

    /** Processar Pedido Aprovado: applies the platform's current state to orders in the ERP. */
    async processApprovedOrders(input: { vitrineId: number; orderIds: string[] }): Promise<StatusUpdateResult> {
      const vitrine = await getVitrineById(db, input.vitrineId);
      const connector = connectorFor(vitrine);
      const result: StatusUpdateResult = { updated: 0, unchanged: 0, blocked: 0 };
      await mapWithConcurrency(input.orderIds, concurrency, async (orderId) => {
        const outcome = await importOne(vitrine, connector, orderId, async (raw) => {
          const order = mapPlatformOrder(vitrine.platform, raw);
          const applied = await applyPlatformState(db, {
            vitrineId: vitrine.id,
            externalOrderId: orderId,
            platformState: order.platformState,
            approvedAt: order.approvedAt,
          });
          if (!applied) throw new OrderRejectedError(`unmapped platform state ${order.platformState}`);
          return applied;
        });
        result[outcome === 'updated' ? 'updated' : outcome === 'blocked' ? 'blocked' : 'unchanged'] += 1;
        heartbeat();
      });
      return result;
    },

    async applyCustomerDefaults(input: { vitrineId: number; orderIds: string[] }): Promise<{ customersUpdated: number; failed: number }> {
      const vitrine = await getVitrineById(db, input.vitrineId);
      const outcome = await applyCustomerDefaults(db, vitrine, input.orderIds);
      for (const failure of outcome.failures) {
        await recordBlockedOrder(db, { vitrineId: vitrine.id, externalOrderId: failure.externalOrderId, reason: failure.reason, payload: undefined });
        log.warn('customer default failed', { vitrine: vitrine.code, orderId: failure.externalOrderId, reason: failure.reason });
      }
      return { customersUpdated: outcome.customersUpdated, failed: outcome.failures.length };
    },

    /** Acknowledges queue items; called only after the ERP committed what they announced. */
    async commitQueueItems(input: { vitrineId: number; handles: string[] }): Promise<{ committed: number }> {
      const vitrine = await getVitrineById(db, input.vitrineId);
      await platformCall(vitrine, 'queue commit', (c) => c.commitQueue(input.handles));
      return { committed: input.handles.length };
    },

    async saveImportRun(input: { importRunId: number; counts: RunCounts; finished: boolean }): Promise<void> {
      await saveImportRun(db, input.importRunId, input.counts, input.finished);
    },
  };

  /**
   * Fetches one order and hands it to `write`. Orders the ERP cannot take (malformed data, missing
   * DE-PARA row, gone from the platform) are kept in blocked_orders and reported as 'blocked';
   * temporary platform and database errors propagate, so Temporal retries the activity.
   */
  async function importOne<T extends string>(
    vitrine: VitrineRow,
    connector: PlatformConnector,
    orderId: string,
    write: (raw: unknown) => Promise<T>,
  ): Promise<T | 'blocked'> {
    let raw: unknown;
    try {
      raw = await connector.getOrder(orderId);
      return await write(raw);
    } catch (error) {
      const permanent =
        error instanceof OrderMappingError ||
        error instanceof OrderRejectedError ||
        (error instanceof PlatformError && !error.retryable);
      if (!permanent) throw asFailure(error, `order ${orderId} of vitrine ${vitrine.code}`);
      const reason = (error as Error).message;
      await recordBlockedOrder(db, { vitrineId: vitrine.id, externalOrderId: orderId, reason, payload: raw });
      log.warn('order blocked', { vitrine: vitrine.code, orderId, reason });
      return 'blocked';
    }
  }
}

/** Turns a platform error into the Temporal failure that says whether to retry, and when. */
function asFailure(error: unknown, context: string): Error {
  if (!(error instanceof PlatformError)) return error as Error;
  return ApplicationFailure.create({
    type: error.retryable ? FAILURE_TYPES.platformUnavailable : FAILURE_TYPES.platformRejected,
    message: `${context}: ${error.message}`,
    nonRetryable: !error.retryable,
    nextRetryDelay: error.retryAfterSeconds ? `${error.retryAfterSeconds}s` : undefined,
  });
}

export type ImportActivities = ReturnType<typeof createActivities>;
