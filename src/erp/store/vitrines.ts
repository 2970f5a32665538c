import type { Knex } from 'knex';
import { VTEX_DEFAULT_PAYMENT_MAPPINGS } from '../../importing/rules/payments';
import { VTEX_DEFAULT_STATUS_MAPPINGS } from '../../importing/rules/statuses';
import type { VitrineRow } from '../tables';

export interface NewVitrine {
  code: string;
  name: string;
  platform: 'vtex';
  baseUrl: string;
  appKey: string;
  /** Sealed by the caller (src/shared/secrets.ts): the store never sees the token in clear. */
  appTokenEncrypted: string;
  orderCodePrefix: string;
  importIntervalMinutes: number;
}

/** Creates a vitrine, switched off, with the platform's usual payment and status DE-PARA. */
export async function addVitrine(db: Knex, input: NewVitrine): Promise<VitrineRow> {
  return db.transaction(async (trx) => {
    const [vitrine] = await trx<VitrineRow>('vitrines')
      .insert({
        code: input.code,
        name: input.name,
        platform: input.platform,
        base_url: input.baseUrl,
        app_key: input.appKey,
        app_token_encrypted: input.appTokenEncrypted,
        order_code_prefix: input.orderCodePrefix,
        import_interval_minutes: input.importIntervalMinutes,
      })
      .returning('*');
    const types = await trx('payment_types').select('id', 'code');
    const typeId = new Map(types.map((row: { id: number; code: string }) => [row.code, row.id]));
    await trx('payment_type_mappings').insert(
      VTEX_DEFAULT_PAYMENT_MAPPINGS.map((mapping) => ({
        vitrine_id: vitrine.id,
        platform_payment: mapping.platformPayment,
        payment_type_id: typeId.get(mapping.paymentType),
        payment_condition: mapping.condition,
      })),
    );
    await trx('status_mappings').insert(
      Object.entries(VTEX_DEFAULT_STATUS_MAPPINGS).map(([platformState, erpStatus]) => ({
        vitrine_id: vitrine.id,
        platform_state: platformState,
        erp_status: erpStatus,
      })),
    );
    return vitrine;
  });
}

export async function findVitrineByCode(db: Knex | Knex.Transaction, code: string): Promise<VitrineRow | undefined> {
  return db<VitrineRow>('vitrines').where({ code }).first();
}

export async function getVitrineById(db: Knex | Knex.Transaction, id: number): Promise<VitrineRow> {
  const vitrine = await db<VitrineRow>('vitrines').where({ id }).first();
  if (!vitrine) throw new Error(`vitrine ${id} does not exist`);
  return vitrine;
}

export async function listVitrines(db: Knex): Promise<VitrineRow[]> {
  return db<VitrineRow>('vitrines').orderBy('code');
}

export async function updateVitrineSettings(
  db: Knex | Knex.Transaction,
  id: number,
  patch: Partial<
    Pick<
      VitrineRow,
      | 'import_orders'
      | 'import_interval_minutes'
      | 'order_code_prefix'
      | 'keep_customer_identity'
      | 'log_level'
      | 'currency'
      | 'get_order_limit_per_minute'
      | 'require_document'
    >
  >,
): Promise<VitrineRow> {
  const [vitrine] = await db<VitrineRow>('vitrines')
    .where({ id })
    .update({ ...patch, updated_at: db.fn.now() })
    .returning('*');
  return vitrine;
}

/** The vitrines' sealed app tokens, locked for a re-encryption in `trx`. */
export async function lockSealedTokens(trx: Knex.Transaction): Promise<Array<{ id: number; code: string; sealed: string }>> {
  return trx('vitrines').select('id', 'code', { sealed: 'app_token_encrypted' }).orderBy('id').forUpdate();
}

export async function saveSealedToken(trx: Knex.Transaction, vitrineId: number, sealed: string): Promise<void> {
  await trx('vitrines').where({ id: vitrineId }).update({ app_token_encrypted: sealed, updated_at: trx.fn.now() });
}

/** How many app tokens are sealed under each key id. */
export async function sealedTokenKeys(db: Knex): Promise<Map<string, number>> {
  const rows: Array<{ key_id: string | null; count: string }> = await db('vitrines')
    .select(db.raw("substring(app_token_encrypted from '^v1\\.([0-9a-f]{12})\\.') as key_id"))
    .count({ count: '*' })
    .groupBy('key_id');
  return new Map(rows.map((row) => [row.key_id ?? 'not encrypted', Number(row.count)]));
}
