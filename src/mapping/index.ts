import type { ErpOrder } from './erpOrder';
import { OrderMappingError } from './erpOrder';
import { mapVtexOrder } from './vtexOrderMapper';

/** Maps a platform order document to the ERP's order, with the mapper of the vitrine's platform. */
export function mapPlatformOrder(platform: string, raw: unknown): ErpOrder {
  switch (platform) {
    case 'vtex':
      return mapVtexOrder(raw);
    default:
      throw new OrderMappingError(`platform ${platform} has no order mapper`);
  }
}

export { OrderMappingError };
export type { ErpOrder };
