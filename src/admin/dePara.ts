/**
 * DE-PARA changes as an admin makes them, from the CLI or the backoffice: each changes its rows
 * and records the change for the audit trail in the same transaction (the caller's `db`).
 */
import type { Knex } from 'knex';
import {
  listMarketplaceMappings,
  removeMarketplaceMapping,
  removePaymentMapping,
  setMarketplaceMapping,
  setPaymentMapping,
  setStatusMapping,
  type MarketplaceMappingInput,
  type MarketplaceMappingView,
} from '../erp/store/deparaTables';
import type { VitrineRow } from '../erp/tables';
import type { ErpStatus } from '../importing/rules/statuses';
import type { ChangeLog } from './audit';
import { paymentTypeNamed } from './inputs';

/** Maps a platform payment to an ERP payment type and condition (AdminInputError for an unknown type). */
export async function savePaymentMapping(
  db: Knex,
  log: ChangeLog,
  vitrine: VitrineRow,
  input: { platformPayment: string; paymentType: string; condition: string },
  unknownTypeHint = '',
) {
  const type = await paymentTypeNamed(db, input.paymentType, unknownTypeHint);
  const { created, previous } = await setPaymentMapping(db, vitrine.id, {
    platformPayment: input.platformPayment,
    paymentTypeId: type.id,
    condition: input.condition,
  });
  const mapping = {
    platformPayment: input.platformPayment,
    paymentType: type.code,
    paymentTypeName: type.name,
    condition: input.condition,
  };
  log.record({ vitrine, action: 'depara.payments.set', before: previous ?? null, after: mapping });
  return { mapping, created, previous };
}

/** Removes a payment row; undefined (nothing recorded) when the vitrine has none for it. */
export async function deletePaymentMapping(db: Knex, log: ChangeLog, vitrine: VitrineRow, platformPayment: string) {
  const removed = await removePaymentMapping(db, vitrine.id, platformPayment);
  if (removed !== undefined) log.record({ vitrine, action: 'depara.payments.remove', before: { platformPayment: removed }, after: null });
  return removed;
}

export async function saveStatusMapping(db: Knex, log: ChangeLog, vitrine: VitrineRow, platformState: string, erpStatus: ErpStatus) {
  const { previous } = await setStatusMapping(db, vitrine.id, platformState, erpStatus);
  log.record({
    vitrine,
    action: 'depara.statuses.set',
    before: previous === undefined ? null : { platformState, erpStatus: previous },
    after: { platformState, erpStatus },
  });
  return { previous };
}

export async function saveMarketplaceMapping(
  db: Knex,
  log: ChangeLog,
  vitrine: VitrineRow,
  input: MarketplaceMappingInput,
): Promise<{ row: MarketplaceMappingView; created: boolean; previous: MarketplaceMappingView | undefined }> {
  const { created, previous } = await setMarketplaceMapping(db, vitrine.id, input);
  const [row] = await listMarketplaceMappings(db, vitrine.id, input.affiliateId);
  log.record({ vitrine, action: 'marketplaces.set', before: previous ?? null, after: row });
  return { row, created, previous };
}

/** Removes a marketplace row; undefined (nothing recorded) when the vitrine has none for it. */
export async function deleteMarketplaceMapping(db: Knex, log: ChangeLog, vitrine: VitrineRow, affiliateId: string) {
  const removed = await removeMarketplaceMapping(db, vitrine.id, affiliateId);
  if (removed !== undefined) log.record({ vitrine, action: 'marketplaces.remove', before: { affiliateId: removed }, after: null });
  return removed;
}
