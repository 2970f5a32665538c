import type { Knex } from 'knex';
import { z } from 'zod';
import { findPaymentType, listPaymentTypes, type PaymentTypeView } from '../erp/store/deparaTables';
import { AdminInputError } from './errors';

/**
 * Input rules shared by the `vitrine` CLI and the backoffice, beyond the vitrine settings of
 * src/erp/vitrineSettings.ts: whatever the admin types is checked by the same schema everywhere.
 */

/** How many rows a list shows. */
export const listLimitSchema = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(10_000, 'must be at most 10000');

/** The id of a blocked order (blocked_orders.id). */
export const blockedOrderIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/, 'must be a positive whole number (see: vitrine blocked list)')
  .transform(Number);

/** An order id as the platform knows it, e.g. VTEX 1172452900788-01. */
export const platformOrderIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    'must be a platform order id (letters, digits, dots, dashes or underscores; e.g. 1172452900788-01)',
  );

/** The ERP payment type an admin named (exact code, else the only one of another case); refused with the known codes. */
export async function paymentTypeNamed(db: Knex, code: string, hint = ''): Promise<PaymentTypeView> {
  const type = await findPaymentType(db, code);
  if (type) return type;
  const known = (await listPaymentTypes(db)).map((t) => t.code).join(', ');
  throw new AdminInputError(`unknown ERP payment type ${JSON.stringify(code.slice(0, 60))} (expected one of: ${known}${hint})`);
}
