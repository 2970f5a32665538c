import { idByCode } from '../erp/store/schemaColumns';
import type { ErpOrder } from '../mapping/erpOrder';
import { databaseErrorClass } from '../erp/databaseErrors';
import { blockReason, type OrderToBlock } from './blocking';
import { progress, type VitrineImport } from './context';
import { decideOrder } from './orderRules';
import { evaluateDefaults, expressionContext, type CodeLookup } from './rules/fieldDefaults';

/** The values the vitrine's default rules give one order's customer and the order itself. */
export interface DefaultValues {
  externalOrderId: string;
  customer: Record<string, unknown>;
  order: Record<string, unknown>;
}

/**
 * Client-field defaulting (Campos Padrões de Cliente / de Pedido): evaluates the vitrine's
 * default rules for new orders, over `{ order, customer, vitrine }`. An order whose rule fails, or
 * whose settings no longer take it, is to be blocked with the reason; the others get their values.
 */
export async function evaluateDefaultFields(
  vi: VitrineImport,
  orders: Array<{ externalOrderId: string; order: ErpOrder }>,
): Promise<{ values: DefaultValues[]; blocked: OrderToBlock[] }> {
  const { settings } = vi;
  const values: DefaultValues[] = [];
  const blocked: OrderToBlock[] = [];
  const lookup = cachedLookup(vi);
  const done = progress(vi.run);
  for (const { externalOrderId, order } of orders) {
    try {
      const { orderCode, status, origin } = decideOrder(settings, order);
      const context = expressionContext(order, { orderCode, status, origin }, settings.vitrine);
      values.push({
        externalOrderId,
        customer: await evaluateDefaults('customer', settings.customerRules, context, settings.customerColumns, lookup),
        order: await evaluateDefaults('order', settings.orderRules, context, settings.orderColumns, lookup),
      });
    } catch (error) {
      // The database away fails the step (it is retried); anything else failed on this order.
      if (databaseErrorClass(error) === 'unavailable') throw error;
      blocked.push({ externalOrderId, reason: blockReason(error) });
    }
    done();
  }
  return { values, blocked };
}

/** Code fields (carrier_code) name the same few records over a page: each is read once. */
function cachedLookup(vi: VitrineImport): CodeLookup {
  const cache = new Map<string, Promise<number | undefined>>();
  return (table, code) => {
    const key = `${table}\0${code}`;
    if (!cache.has(key)) cache.set(key, idByCode(vi.db, table, code));
    return cache.get(key)!;
  };
}
