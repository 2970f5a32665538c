import type { ColumnTypes } from '../../erp/store/schemaColumns';
import type { FieldDefaultRow, VitrineRow } from '../../erp/tables';
import type { ErpOrder } from '../../mapping/erpOrder';
import { compileExpression, type ExpressionError } from './expressions';
import { evaluateExpression } from './expressionSandbox';

export type { ColumnTypes };

/**
 * Campos Padrões de Cliente / de Pedido: per-vitrine rules `{ field, expression }` whose JSONata
 * expression, evaluated against `{ order, customer, vitrine }`, gives the value of a column of
 * `customers` or `sales_orders` for every order the vitrine imports.
 */
export type DefaultTarget = 'customer' | 'order';

export const TARGET_TABLE: Record<DefaultTarget, string> = { customer: 'customers', order: 'sales_orders' };
const TABLE = TARGET_TABLE;

// Identity, bookkeeping and import-owned columns are never written by a rule.
const PROTECTED: Record<DefaultTarget, Set<string>> = {
  customer: new Set(['id', 'customer_key', 'document', 'document_type', 'created_at', 'updated_at']),
  order: new Set([
    'id',
    'vitrine_id',
    'external_order_id',
    'order_code',
    'customer_id',
    'status',
    'platform_state',
    'items_total_cents',
    'shipping_total_cents',
    'discount_total_cents',
    'total_cents',
    'placed_at',
    'approved_at',
    'imported_at',
    'updated_at',
  ]),
};

/** Order fields that name a record by its code: `carrier_code` sets carrier_id from carriers.code. */
const CODE_FIELDS: Record<string, { column: string; table: 'carriers' }> = {
  carrier_code: { column: 'carrier_id', table: 'carriers' },
};

export class FieldDefaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldDefaultError';
  }
}

/** Finds the id of a record by its code, for code fields (`carrier_code`). */
export type CodeLookup = (table: 'carriers', code: string) => Promise<number | undefined>;

/** Why `field` cannot be a default of `target`, or undefined when it can. */
export function refusedField(target: DefaultTarget, field: string, types: ColumnTypes): string | undefined {
  if (target === 'order' && field in CODE_FIELDS) return undefined;
  const known = types.has(field);
  if (!known) return `${JSON.stringify(field)} is not a column of ${TABLE[target]}`;
  if (PROTECTED[target].has(field)) return `${field} of ${TABLE[target]} cannot be set by a default rule`;
  // An id column is set through its code field, so that a rule can only name a record that exists.
  if (target === 'order') {
    const code = Object.entries(CODE_FIELDS).find(([, codeField]) => codeField.column === field)?.[0];
    if (code) return `${field} of ${TABLE[target]} is set by its code: use ${code}`;
  }
  return undefined;
}

/** Checks that a value fits the column (or code field) it is meant for; returns the value to write. */
export function fitValue(target: DefaultTarget, field: string, value: unknown, types: ColumnTypes): unknown {
  const type = field in CODE_FIELDS ? { dataType: 'text', nullable: true } : types.get(field);
  if (!type) throw new FieldDefaultError(`${JSON.stringify(field)} is not a column of ${TABLE[target]}`);
  const mismatch = (what: string) => new FieldDefaultError(`${field} expects ${what}, the expression gave ${describeValue(value)}`);
  if (value === null) {
    if (!type.nullable) throw mismatch(`a ${type.dataType} value (not null)`);
    return null;
  }
  switch (type.dataType) {
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch('true or false');
      return value;
    case 'text':
    case 'character varying':
      if (typeof value !== 'string') throw mismatch('text');
      if (value.length > 1000) throw mismatch('text of at most 1000 characters');
      return value;
    case 'integer':
    case 'bigint':
    case 'smallint': {
      const limit = type.dataType === 'integer' ? 2 ** 31 - 1 : type.dataType === 'smallint' ? 32767 : Number.MAX_SAFE_INTEGER;
      if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > limit) throw mismatch('a whole number');
      return value;
    }
    case 'numeric':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch('a number');
      return String(value);
    case 'timestamp with time zone':
    case 'date':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw mismatch('a date');
      return value;
    default:
      throw new FieldDefaultError(`${field} has a column type (${type.dataType}) that default rules cannot write`);
  }
}

/**
 * What kind of value an expression gave, never the value itself: it is computed from customer
 * data, and error messages reach logs and the Temporal UI.
 */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `text of ${value.length} characters`;
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number with decimals';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The data an expression sees. The vitrine's credentials and address are left out. */
/** `order.origin` is the ERP origin ("website" or the marketplace's channel), as the order row has it. */
export function expressionContext(order: ErpOrder, extra: { orderCode: string; status: string; origin: string }, vitrine: VitrineRow) {
  const { platformCustomer, ...normalized } = order;
  return {
    order: { ...normalized, ...extra },
    customer: platformCustomer,
    vitrine: {
      code: vitrine.code,
      name: vitrine.name,
      platform: vitrine.platform,
      orderCodePrefix: vitrine.order_code_prefix,
      importIntervalMinutes: vitrine.import_interval_minutes,
    },
  };
}

/** One rule's outcome: the value for its field, and the column and value the import writes. */
export interface EvaluatedRule {
  field: string;
  /** The expression's value, checked against the field's type (a carrier code for carrier_code). */
  value: unknown;
  column: string;
  /** What is written to the column (for a code field, the id of the record with that code). */
  columnValue: unknown;
}

/**
 * Evaluates a target's rules for one order, rule by rule; any failure names the field and why.
 * A rule whose expression yields nothing is left out (the import keeps its own value).
 */
export async function evaluateRules(
  target: DefaultTarget,
  rules: FieldDefaultRow[],
  context: unknown,
  types: ColumnTypes,
  lookup: CodeLookup,
): Promise<EvaluatedRule[]> {
  const evaluated: EvaluatedRule[] = [];
  for (const rule of rules) {
    const label = `${target} default ${rule.field}`;
    const refused = refusedField(target, rule.field, types);
    if (refused) throw new FieldDefaultError(`${label}: ${refused}`);
    let value: unknown;
    try {
      value = await evaluateExpression(rule.expression, context);
    } catch (error) {
      throw new FieldDefaultError(`${label}: ${(error as Error).message}`);
    }
    // An expression that yields nothing leaves the field as the import set it.
    if (value === undefined) continue;
    try {
      const fitted = fitValue(target, rule.field, value, types);
      const codeField = CODE_FIELDS[rule.field];
      if (codeField && fitted !== null) {
        const id = await lookup(codeField.table, fitted as string);
        if (id === undefined) throw new FieldDefaultError(`there is no ${codeField.table} row with code ${JSON.stringify(fitted)}`);
        evaluated.push({ field: rule.field, value: fitted, column: codeField.column, columnValue: id });
      } else {
        evaluated.push({ field: rule.field, value: fitted, column: codeField?.column ?? rule.field, columnValue: fitted });
      }
    } catch (error) {
      throw new FieldDefaultError(`${label}: ${(error as Error).message}`);
    }
  }
  return evaluated;
}

/** Evaluates a target's rules for one order: the column values to write (code fields turned into ids). */
export async function evaluateDefaults(
  target: DefaultTarget,
  rules: FieldDefaultRow[],
  context: unknown,
  types: ColumnTypes,
  lookup: CodeLookup,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const rule of await evaluateRules(target, rules, context, types, lookup)) values[rule.column] = rule.columnValue;
  return values;
}

/**
 * Checks a rule before it is saved: the field is a writable column, the expression parses, and
 * on the sample order it gives a value that fits the column. Throws FieldDefaultError with one line.
 */
export async function validateFieldDefault(
  target: DefaultTarget,
  field: string,
  expression: string,
  sampleContext: unknown,
  types: ColumnTypes,
  lookup: CodeLookup,
): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(field)) {
    throw new FieldDefaultError(
      `invalid field ${JSON.stringify(field.slice(0, 80))}: a field is a column name (lowercase letters, digits, _)`,
    );
  }
  const refused = refusedField(target, field, types);
  if (refused) throw new FieldDefaultError(`invalid field: ${refused}`);
  try {
    compileExpression(expression);
  } catch (error) {
    throw new FieldDefaultError((error as ExpressionError).message);
  }
  await evaluateDefaults(target, [{ id: 0, vitrine_id: 0, target, field, expression }], sampleContext, types, lookup);
}
