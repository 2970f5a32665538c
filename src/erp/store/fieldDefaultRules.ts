import type { Knex } from 'knex';
import type { DefaultTarget } from '../../importing/rules/fieldDefaults';
import type { FieldDefaultRow } from '../tables';

/**
 * Campos Padrões de Cliente / de Pedido as stored: one row per (vitrine, target, field). These
 * functions store what they are given; rules are checked with validateFieldDefault before saving.
 */
export async function listFieldDefaultRules(
  db: Knex | Knex.Transaction,
  vitrineId: number,
  target: DefaultTarget,
): Promise<FieldDefaultRow[]> {
  return db<FieldDefaultRow>('field_defaults').where({ vitrine_id: vitrineId, target }).orderBy('id');
}

/** Adds the rule, or replaces the expression of the vitrine's rule for that field. */
export async function setFieldDefaultRule(
  db: Knex | Knex.Transaction,
  rule: { vitrineId: number; target: DefaultTarget; field: string; expression: string },
): Promise<FieldDefaultRow> {
  const [row] = await db<FieldDefaultRow>('field_defaults')
    .insert({ vitrine_id: rule.vitrineId, target: rule.target, field: rule.field, expression: rule.expression })
    .onConflict(['vitrine_id', 'target', 'field'])
    .merge(['expression'])
    .returning('*');
  return row;
}

/** Removes the vitrine's rule for a field; false when it had none. */
export async function removeFieldDefaultRule(
  db: Knex | Knex.Transaction,
  rule: { vitrineId: number; target: DefaultTarget; field: string },
): Promise<boolean> {
  const removed = await db('field_defaults').where({ vitrine_id: rule.vitrineId, target: rule.target, field: rule.field }).delete();
  return removed > 0;
}

/** Transportadoras: the records an order default's `carrier_code` names. */
export interface CarrierRow {
  id: number;
  code: string;
  name: string;
}

export async function listCarriers(db: Knex): Promise<CarrierRow[]> {
  return db<CarrierRow>('carriers').orderBy('code');
}

/** Adds a carrier; undefined when one with that code exists already (it is left as it is). */
export async function addCarrier(db: Knex, carrier: { code: string; name: string }): Promise<CarrierRow | undefined> {
  const [row] = await db<CarrierRow>('carriers').insert(carrier).onConflict('code').ignore().returning('*');
  return row;
}
