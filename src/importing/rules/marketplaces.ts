import type { MarketplaceMappingRow } from '../../erp/tables';

/**
 * DE-PARA de marketplaces: the affiliate an order came through (VTEX affiliateId) to the ERP's
 * channel, which is the order's origin ("origem do pedido"), and optionally its own order code
 * prefix and the payment type its orders get (the marketplace settles them, so their payments
 * name no payment system of the store). An affiliate with no row blocks its orders.
 */

/** The ERP origin of an order placed on the store's own site. */
export const SITE_ORIGIN = 'website';

/** The vitrine's row for an affiliate, matched without regard to case (VTEX sends "MGZ" and "mgz"). */
export function marketplaceRowFor(rows: MarketplaceMappingRow[], affiliateId: string): MarketplaceMappingRow | undefined {
  const key = affiliateId.toUpperCase();
  return rows.find((row) => row.affiliate_id.toUpperCase() === key);
}

/** `MGZ-1177760560851` → `1177760560851`: the number without its affiliate's prefix, for a prefix of the marketplace's own. */
export function withoutAffiliatePrefix(platformOrderNumber: string, affiliateId: string): string {
  const prefix = `${affiliateId}-`;
  return platformOrderNumber.toUpperCase().startsWith(prefix.toUpperCase())
    ? platformOrderNumber.slice(prefix.length)
    : platformOrderNumber;
}
