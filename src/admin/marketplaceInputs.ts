import type { Knex } from 'knex';
import { affiliateIdSchema, channelSchema, paymentConditionSchema, type MarketplaceMappingInput } from '../erp/store/deparaTables';
import { AdminInputError } from './errors';
import { paymentTypeNamed } from './inputs';
import { orderCodePrefixSchema, parseSetting } from './vitrineSettings';

/** A marketplace row as typed in the CLI or the backoffice's form: blank optional fields are absent. */
export interface MarketplaceFields {
  affiliateId?: string;
  channel?: string;
  prefix?: string;
  paymentType?: string;
  condition?: string;
}

const blank = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** Checks a marketplace row: one line naming the first field that is wrong. */
export async function marketplaceInputOf(db: Knex, fields: MarketplaceFields): Promise<MarketplaceMappingInput> {
  const affiliateId = parseSetting(affiliateIdSchema, fields.affiliateId ?? '', 'affiliate id');
  const channel = parseSetting(channelSchema, fields.channel ?? '', 'channel');
  const prefix = blank(fields.prefix);
  const orderCodePrefix = prefix === undefined ? null : parseSetting(orderCodePrefixSchema, prefix, 'order code prefix');
  const typeCode = blank(fields.paymentType);
  const condition = blank(fields.condition);
  if ((typeCode === undefined) !== (condition === undefined)) {
    throw new AdminInputError('a payment type and a condition go together: give both, or neither (the payment DE-PARA then applies)');
  }
  if (typeCode === undefined) return { affiliateId, channel, orderCodePrefix, payment: null };
  const type = await paymentTypeNamed(db, typeCode);
  return {
    affiliateId,
    channel,
    orderCodePrefix,
    payment: { paymentTypeId: type.id, condition: parseSetting(paymentConditionSchema, condition, 'condition') },
  };
}
