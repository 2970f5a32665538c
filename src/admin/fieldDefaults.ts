/**
 * Campos Padrões de Cliente / de Pedido as an admin edits them, from the CLI or the backoffice:
 * a rule is checked on the sample order before it is saved, and previewed on a real platform order.
 */
import type { Knex } from 'knex';
import { listFieldDefaultRules, removeFieldDefaultRule, setFieldDefaultRule } from '../erp/store/fieldDefaultRules';
import { columnTypes, idByCode } from '../erp/store/schemaColumns';
import type { FieldDefaultRow, VitrineRow } from '../erp/tables';
import { previewDefaults, sampleExpressionContext, type PreviewDependencies } from '../importing/defaultsPreview';
import { OrderRejectedError } from '../importing/orderRules';
import { TARGET_TABLE, validateFieldDefault, type DefaultTarget, type EvaluatedRule } from '../importing/rules/fieldDefaults';
import { OrderMappingError } from '../mapping';
import { PlatformError } from '../platform/types';
import type { ChangeLog } from './audit';
import { AdminInputError } from './errors';

/**
 * Saves a rule after checking it (FieldDefaultError, one line, for a field that is not a writable
 * column, bad syntax, or a value that does not fit the column on the sample order).
 */
export async function saveFieldDefault(
  db: Knex,
  log: ChangeLog,
  vitrine: VitrineRow,
  rule: { target: DefaultTarget; field: string; expression: string },
): Promise<FieldDefaultRow> {
  await checkFieldDefault(db, rule.target, rule.field, rule.expression, sampleExpressionContext(vitrine));
  const before = (await listFieldDefaultRules(db, vitrine.id, rule.target)).find((row) => row.field === rule.field);
  const saved = await setFieldDefaultRule(db, { vitrineId: vitrine.id, ...rule });
  log.record({
    vitrine,
    action: `${rule.target}-defaults.set`,
    before: before ? { field: before.field, expression: before.expression } : null,
    after: { field: saved.field, expression: saved.expression },
  });
  return saved;
}

/** Removes the vitrine's rule for a field; false (nothing recorded) when it had none. */
export async function removeFieldDefault(
  db: Knex,
  log: ChangeLog,
  vitrine: VitrineRow,
  rule: { target: DefaultTarget; field: string },
): Promise<boolean> {
  const before = (await listFieldDefaultRules(db, vitrine.id, rule.target)).find((row) => row.field === rule.field);
  if (!before || !(await removeFieldDefaultRule(db, { vitrineId: vitrine.id, ...rule }))) return false;
  log.record({
    vitrine,
    action: `${rule.target}-defaults.remove`,
    before: { field: before.field, expression: before.expression },
    after: null,
  });
  return true;
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
