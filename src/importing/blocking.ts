import { databaseErrorClass, describeDatabaseError, isPostgresError } from '../erp/databaseErrors';
import type { BlockedOrderEntry } from '../erp/store/blockedOrders';
import { FieldDefaultError } from './rules/fieldDefaults';
import { OrderMappingError } from '../mapping';
import { PlatformError } from '../platform/types';
import { mapWithConcurrency } from './concurrency';
import type { VitrineImport } from './context';
import { OrderRejectedError } from './orderRules';

/**
 * Blocked orders: an order the ERP cannot take is kept in blocked_orders with the reason and the
 * platform's document, its queue item is acknowledged, and an admin retries it once the cause is
 * fixed (`vitrine blocked retry`). Reasons name fields and settings, never customer data.
 */

/** An order to block; without a payload the platform's document is fetched again for it. */
export interface OrderToBlock {
  externalOrderId: string;
  reason: string;
  payload?: unknown;
}

/** Errors that no retry can fix: the order is blocked with the message as its reason. */
export function isPermanentOrderError(error: unknown): error is Error {
  return (
    error instanceof OrderMappingError ||
    error instanceof OrderRejectedError ||
    error instanceof FieldDefaultError ||
    (error instanceof PlatformError && !error.retryable)
  );
}

/**
 * The platform's documents of orders blocked after their fetch (a default field, a clashing order
 * code), so that every blocked order keeps what the platform sent. An order the platform no
 * longer has keeps none; a platform that does not answer fails the step, which is retried.
 */
export async function withPayloads(vi: VitrineImport, orders: OrderToBlock[]): Promise<BlockedOrderEntry[]> {
  const entries: BlockedOrderEntry[] = orders.map((o) => ({
    externalOrderId: o.externalOrderId,
    reason: o.reason,
    payload: o.payload ?? null,
  }));
  const missing = entries.filter((_, i) => orders[i].payload === undefined);
  await mapWithConcurrency(missing, vi.concurrency, async (entry) => {
    try {
      entry.payload = await vi.connector.getOrder(entry.externalOrderId);
    } catch (error) {
      if (!(error instanceof PlatformError) || error.retryable) throw error;
      entry.reason = `${entry.reason} (the platform no longer serves the order: ${error.message})`;
    }
  });
  return entries;
}

/**
 * Why an order is blocked: the message of an error that names fields and settings (mapping,
 * DE-PARA, default fields, the platform), the database's reason (never a value), or for an error
 * the import did not expect its kind and message, which name code, not data.
 */
export function blockReason(error: unknown): string {
  if (isPermanentOrderError(error)) return error.message;
  if (isPostgresError(error) || databaseErrorClass(error)) return describeDatabaseError(error);
  const err = error instanceof Error ? error : new Error(String(error));
  return `the import failed on this order (${err.name}: ${err.message.split('\n')[0].slice(0, 200)})`;
}

/** The log lines of orders blocked, once their transaction committed. */
export function logBlocked(vi: VitrineImport, entries: Array<{ externalOrderId: string; reason: string }>): void {
  for (const entry of entries)
    vi.log.push({ level: 'error', externalOrderId: entry.externalOrderId, message: `order blocked: ${entry.reason}` });
}
