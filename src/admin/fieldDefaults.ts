/**
 * Campos Padrões de Cliente / de Pedido as an admin edits them, from the CLI or the backoffice:
 * a rule is checked on the sample order before it is saved, and previewed on a real platform order.
 */
import type { Knex } from 'knex';
import { setFieldDefaultRule } from '../erp/store/fieldDefaultRules';
import { columnTypes, idByCode } from '../erp/store/schemaColumns';
import type { FieldDefaultRow, VitrineRow } from '../erp/tables';
import { previewDefaults, sampleExpressionContext, type PreviewDependencies } from '../importing/defaultsPreview';
import { OrderRejectedError } from '../importing/orderRules';
import { TARGET_TABLE, validateFieldDefault, type DefaultTarget, type EvaluatedRule } from '../importing/rules/fieldDefaults';
import { OrderMappingError } from '../mapping';
import { PlatformError } from '../platform/types';
import { AdminInputError } from './errors';

/**
 * Saves a rule after checking it (FieldDefaultError, one line, for a field that is not a writable
 * column, bad syntax, or a value that does not fit the column on the sample order).
 */
export async function saveFieldDefault(
  db: Knex,
  vitrine: VitrineRow,
  rule: { target: DefaultTarget; field: string; expression: string },
): Promise<FieldDefaultRow> {
  await checkFieldDefault(db, rule.target, rule.field, rule.expression, sampleExpressionContext(vitrine));
  return setFieldDefaultRule(db, { vitrineId: vitrine.id, ...rule });
}

/** Checks a rule against the live schema and an order's expression context; throws FieldDefaultError. */
export async function checkFieldDefault(
  db: Knex,
  target: DefaultTarget,
  field: string,
  expression: string,
  context: unknown,
): Promise<void> {
  const types = await columnTypes(db, TARGET_TABLE[target]);
  await validateFieldDefault(target, field, expression, context, types, (table, code) => idByCode(db, table, code));
}

/**
 * What the vitrine's `target` rules would write for one platform order; writes nothing. An order
 * that cannot be read, or that the import would block, is an AdminInputError of one line.
 */
export async function previewFieldDefaults(
  deps: PreviewDependencies,
  vitrine: VitrineRow,
  target: DefaultTarget,
  orderId: string,
): Promise<EvaluatedRule[]> {
  try {
    return await previewDefaults(deps, vitrine.id, target, orderId);
  } catch (error) {
    if (error instanceof PlatformError) {
      const missing = error.status === 404 ? ` (no order ${orderId} on the platform)` : '';
      throw new AdminInputError(`cannot read order ${orderId} of vitrine ${vitrine.code}: ${error.message}${missing}`);
    }
    if (error instanceof OrderMappingError || error instanceof OrderRejectedError) {
      throw new AdminInputError(`order ${orderId} would be blocked: ${error.message}`);
    }
    throw error;
  }
}
