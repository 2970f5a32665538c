import jsonata from 'jsonata';
import type { Knex } from 'knex';
import type { CustomerRow, FieldDefaultRow, SalesOrderRow, VitrineRow } from './tables';

/**
 * Campos Padrões de Cliente: per-vitrine JSONata expressions evaluated against
 * `{ order, customer, vitrine }` whose results fill customer columns.
 */

// Identity and bookkeeping columns are never written by a rule.
const PROTECTED_CUSTOMER_COLUMNS = new Set(['id', 'document', 'document_type', 'created_at', 'updated_at']);

export interface ExpressionContext {
  order: Record<string, unknown>;
  customer: Record<string, unknown>;
  vitrine: Record<string, unknown>;
}

function camelCase(row: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), value]),
  );
}

/** The data an expression sees. The vitrine's credentials are left out. */
export function expressionContext(order: SalesOrderRow, customer: CustomerRow, vitrine: VitrineRow): ExpressionContext {
  const { app_key: _key, app_token: _token, base_url: _url, ...publicVitrine } = vitrine;
  return { order: camelCase(order), customer: camelCase(customer), vitrine: camelCase(publicVitrine) };
}

export async function evaluateRules(rules: FieldDefaultRow[], context: ExpressionContext): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const rule of rules) {
    let value: unknown;
    try {
      value = await jsonata(rule.expression).evaluate(context);
    } catch (error) {
      throw new Error(`default for ${rule.field} failed: ${(error as { message?: string }).message ?? String(error)}`);
    }
    // An expression that yields nothing leaves the field as it is.
    if (value !== undefined) values[rule.field] = value;
  }
  return values;
}

export interface DefaultsOutcome {
  customersUpdated: number;
  failures: Array<{ externalOrderId: string; reason: string }>;
}

/** Applies the vitrine's customer rules to the customers of the given orders, one transaction each. */
export async function applyCustomerDefaults(db: Knex, vitrine: VitrineRow, externalOrderIds: string[]): Promise<DefaultsOutcome> {
  const outcome: DefaultsOutcome = { customersUpdated: 0, failures: [] };
  const rules = await db<FieldDefaultRow>('field_defaults').where({ vitrine_id: vitrine.id, target: 'customer' }).orderBy('id');
  if (rules.length === 0 || externalOrderIds.length === 0) return outcome;
  const columns = Object.keys(await db('customers').columnInfo());
  const writable = rules.filter((rule) => columns.includes(rule.field) && !PROTECTED_CUSTOMER_COLUMNS.has(rule.field));
  for (const rule of rules) {
    if (!writable.includes(rule)) {
      for (const externalOrderId of externalOrderIds) {
        outcome.failures.push({ externalOrderId, reason: `customer default field ${JSON.stringify(rule.field)} is not a writable customer column` });
      }
      return outcome;
    }
  }
  const orders = await db<SalesOrderRow>('sales_orders').where({ vitrine_id: vitrine.id }).whereIn('external_order_id', externalOrderIds);
  for (const order of orders) {
    try {
      await db.transaction(async (trx) => {
        const customer = await trx<CustomerRow>('customers').where({ id: order.customer_id }).forUpdate().first();
        if (!customer) return;
        const values = await evaluateRules(writable, expressionContext(order, customer, vitrine));
        if (Object.keys(values).length === 0) return;
        await trx('customers').where({ id: customer.id }).update({ ...values, updated_at: trx.fn.now() });
        outcome.customersUpdated += 1;
      });
    } catch (error) {
      outcome.failures.push({ externalOrderId: order.external_order_id, reason: (error as Error).message });
    }
  }
  return outcome;
}
