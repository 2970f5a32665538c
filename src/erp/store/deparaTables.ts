import type { Knex } from 'knex';
import { z } from 'zod';
import { DEFAULT_PAYMENT_KEY } from '../../importing/rules/payments';
import { ERP_STATUSES, matchErpStatus, type ErpStatus } from '../../importing/rules/statuses';

/**
 * The vitrine's DE-PARA tables as an admin edits them: payment systems to ERP payment types and
 * conditions (`payment_type_mappings`), platform states to ERP statuses (`status_mappings`).
 * Imports read them per batch (loadImportSettings), so a change applies to the next batch.
 */

const oneLine = (label: string) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(60, 'must be at most 60 characters')
    .regex(/^[^\p{Cc}]*$/u, `must be one line of text (a ${label})`);

/** A payment system as the platform names it (VTEX id "2" or name "Visa"), or "*" for the vitrine's default row. */
export const platformPaymentSchema = oneLine('payment system id or name, or * for the default');
/** ERP payment condition; "{n}" stands for the installments (e.g. "Cartão {n}x"). */
export const paymentConditionSchema = oneLine('payment condition such as "Cartão {n}x"');
export const platformStateSchema = z
  .string()
  .regex(/^[a-z][a-z-]{1,40}$/, 'must be 2-41 lowercase letters or dashes, starting with a letter (e.g. ready-for-handling)');
/** One of the ERP's statuses, matched regardless of case and accents and returned as the ERP writes it. */
export const erpStatusSchema = z.string().transform((value, ctx): ErpStatus => {
  const status = matchErpStatus(value);
  if (!status) {
    ctx.addIssue({ code: 'custom', message: `must be one of: ${ERP_STATUSES.join(', ')}` });
    return z.NEVER;
  }
  return status;
});

export interface PaymentTypeView {
  id: number;
  code: string;
  name: string;
}

export async function listPaymentTypes(db: Knex): Promise<PaymentTypeView[]> {
  return db('payment_types').orderBy('code').select('id', 'code', 'name');
}

/** The ERP payment type with this code (exact, else the only case-insensitive match). */
export async function findPaymentType(db: Knex, code: string): Promise<PaymentTypeView | undefined> {
  const types = await listPaymentTypes(db);
  const exact = types.find((type) => type.code === code);
  if (exact) return exact;
  const folded = types.filter((type) => type.code.toLowerCase() === code.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

export interface PaymentMappingView {
  platformPayment: string;
  paymentType: string;
  paymentTypeName: string;
  condition: string;
}

/** The vitrine's payment DE-PARA, the default row "*" last. */
export async function listPaymentMappings(db: Knex, vitrineId: number): Promise<PaymentMappingView[]> {
  const rows: PaymentMappingView[] = await db('payment_type_mappings as m')
    .join('payment_types as t', 't.id', 'm.payment_type_id')
    .where('m.vitrine_id', vitrineId)
    .orderBy('m.id')
    .select({ platformPayment: 'm.platform_payment', paymentType: 't.code', paymentTypeName: 't.name', condition: 'm.payment_condition' });
  const isDefault = (row: PaymentMappingView) => (row.platformPayment === DEFAULT_PAYMENT_KEY ? 1 : 0);
  return rows.sort((a, b) => isDefault(a) - isDefault(b) || a.platformPayment.localeCompare(b.platformPayment, 'pt-BR'));
}

// Payments match case-insensitively (resolvePayment), so "visa" and "Visa" are one row. Compared
// in JavaScript, as resolvePayment does: Postgres' lower() depends on the database's locale.
async function findPaymentRow(trx: Knex.Transaction, vitrineId: number, platformPayment: string) {
  const rows: Array<{ id: number; platform_payment: string }> = await trx('payment_type_mappings')
    .where({ vitrine_id: vitrineId })
    .forUpdate()
    .select('id', 'platform_payment');
  return rows.find((row) => row.platform_payment.toLowerCase() === platformPayment.toLowerCase());
}

/** Creates or replaces the row of one platform payment; says which, with the row it replaced. */
export async function setPaymentMapping(
  db: Knex,
  vitrineId: number,
  mapping: { platformPayment: string; paymentTypeId: number; condition: string },
): Promise<{ created: boolean; previous?: PaymentMappingView }> {
  return db.transaction(async (trx) => {
    const existing = await findPaymentRow(trx, vitrineId, mapping.platformPayment);
    const values = {
      platform_payment: mapping.platformPayment,
      payment_type_id: mapping.paymentTypeId,
      payment_condition: mapping.condition,
    };
    if (!existing) {
      await trx('payment_type_mappings').insert({ vitrine_id: vitrineId, ...values });
      return { created: true };
    }
    const previous = await trx('payment_type_mappings as m')
      .join('payment_types as t', 't.id', 'm.payment_type_id')
      .where('m.id', existing.id)
      .first({ platformPayment: 'm.platform_payment', paymentType: 't.code', paymentTypeName: 't.name', condition: 'm.payment_condition' });
    await trx('payment_type_mappings').where({ id: existing.id }).update(values);
    return { created: false, previous };
  });
}

/** Removes the row of one platform payment; returns its key as stored, or undefined when the vitrine has none. */
export async function removePaymentMapping(db: Knex, vitrineId: number, platformPayment: string): Promise<string | undefined> {
  return db.transaction(async (trx) => {
    const existing = await findPaymentRow(trx, vitrineId, platformPayment);
    if (!existing) return undefined;
    await trx('payment_type_mappings').where({ id: existing.id }).delete();
    return existing.platform_payment;
  });
}

export interface StatusMappingView {
  platformState: string;
  erpStatus: ErpStatus;
}

/** The vitrine's status DE-PARA, in the order of the ERP's statuses. */
export async function listStatusMappings(db: Knex, vitrineId: number): Promise<StatusMappingView[]> {
  const rows: StatusMappingView[] = await db('status_mappings')
    .where({ vitrine_id: vitrineId })
    .orderBy('id')
    .select({ platformState: 'platform_state', erpStatus: 'erp_status' });
  const rank = (status: string) => (ERP_STATUSES as readonly string[]).indexOf(status);
  return rows.sort((a, b) => rank(a.erpStatus) - rank(b.erpStatus));
}

export async function statusMappingsOf(db: Knex, vitrineId: number): Promise<Map<string, ErpStatus>> {
  return new Map((await listStatusMappings(db, vitrineId)).map((row) => [row.platformState, row.erpStatus]));
}

/** Maps a platform state to an ERP status (creates or replaces its row); returns the status it had. */
export async function setStatusMapping(
  db: Knex,
  vitrineId: number,
  platformState: string,
  erpStatus: ErpStatus,
): Promise<{ previous?: string }> {
  return db.transaction(async (trx) => {
    const existing = await trx('status_mappings')
      .where({ vitrine_id: vitrineId, platform_state: platformState })
      .forUpdate()
      .first('erp_status');
    await trx('status_mappings')
      .insert({ vitrine_id: vitrineId, platform_state: platformState, erp_status: erpStatus })
      .onConflict(['vitrine_id', 'platform_state'])
      .merge(['erp_status']);
    return { previous: existing?.erp_status };
  });
}

/** A marketplace as the platform names it: VTEX affiliateId (MGZ) or a VTEX marketplace's account name. */
export const affiliateIdSchema = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/,
    'must be the affiliate id the platform sends (VTEX: e.g. MGZ): up to 60 letters, digits, dots, dashes or underscores',
  );
/** The ERP channel ("origem do pedido") of a marketplace's orders. */
export const channelSchema = oneLine('channel name such as "Magazine Luiza"');

/** A marketplace's row, its affiliate id matched without regard to case (the unique index is on upper(affiliate_id)). */
const ofAffiliate = (affiliateId: string) => (query: Knex.QueryBuilder) => query.whereRaw('upper(affiliate_id) = upper(?)', [affiliateId]);

export interface MarketplaceMappingView {
  affiliateId: string;
  channel: string;
  orderCodePrefix: string | null;
  paymentType: string | null;
  condition: string | null;
}

/** The vitrine's marketplace DE-PARA (or one marketplace's row), by affiliate id. */
export async function listMarketplaceMappings(
  db: Knex | Knex.Transaction,
  vitrineId: number,
  affiliateId?: string,
): Promise<MarketplaceMappingView[]> {
  const query = db('marketplace_mappings as m')
    .leftJoin('payment_types as t', 't.id', 'm.payment_type_id')
    .where('m.vitrine_id', vitrineId);
  if (affiliateId !== undefined) query.where(ofAffiliate(affiliateId));
  return query.orderByRaw('upper(m.affiliate_id)').select({
    affiliateId: 'm.affiliate_id',
    channel: 'm.channel',
    orderCodePrefix: 'm.order_code_prefix',
    paymentType: 't.code',
    condition: 'm.payment_condition',
  });
}

export interface MarketplaceMappingInput {
  affiliateId: string;
  channel: string;
  orderCodePrefix: string | null;
  /** Both or neither. */
  payment: { paymentTypeId: number; condition: string } | null;
}

/** Creates or replaces the row of one marketplace (matched without regard to case); says which, with the row it replaced. */
export async function setMarketplaceMapping(
  db: Knex,
  vitrineId: number,
  input: MarketplaceMappingInput,
): Promise<{ created: boolean; previous?: MarketplaceMappingView }> {
  return db.transaction(async (trx) => {
    const existing: { id: number } | undefined = await trx('marketplace_mappings')
      .where({ vitrine_id: vitrineId })
      .where(ofAffiliate(input.affiliateId))
      .forUpdate()
      .first('id');
    const [previous] = existing ? await listMarketplaceMappings(trx, vitrineId, input.affiliateId) : [];
    const values = {
      affiliate_id: input.affiliateId,
      channel: input.channel,
      order_code_prefix: input.orderCodePrefix,
      payment_type_id: input.payment?.paymentTypeId ?? null,
      payment_condition: input.payment?.condition ?? null,
    };
    if (existing) await trx('marketplace_mappings').where({ id: existing.id }).update(values);
    else await trx('marketplace_mappings').insert({ vitrine_id: vitrineId, ...values });
    return { created: !existing, previous };
  });
}

/** Removes one marketplace's row; returns its affiliate id as stored, or undefined when the vitrine has none. */
export async function removeMarketplaceMapping(db: Knex, vitrineId: number, affiliateId: string): Promise<string | undefined> {
  const [removed]: Array<{ affiliate_id: string }> = await db('marketplace_mappings')
    .where({ vitrine_id: vitrineId })
    .where(ofAffiliate(affiliateId))
    .delete()
    .returning('affiliate_id');
  return removed?.affiliate_id;
}
