import type { Knex } from 'knex';
import { marketplaceInputOf } from '../../src/admin/marketplaceInputs';
import { setMarketplaceMapping } from '../../src/erp/store/deparaTables';
import { SIMULATED_MARKETPLACES } from '../../src/simulator/generate';

/** The affiliate of the contract's Get order example (VTEX's documentation order 1172452900788-01). */
export const EXAMPLE_MARKETPLACE = { affiliateId: 'GHB', channel: 'GHB Marketplace' } as const;

/**
 * The marketplace DE-PARA rows an admin would add for the simulator's affiliates (a share of
 * every generated batch comes through them; their payment is settled as OUTROS) and for the
 * contract example's (its Visa payment goes through the payment DE-PARA).
 */
export async function addSimulatedMarketplaces(db: Knex, vitrineId: number): Promise<void> {
  const rows = [
    ...SIMULATED_MARKETPLACES.map((m) => ({
      affiliateId: m.affiliateId,
      channel: m.channel,
      paymentType: 'OUTROS',
      condition: 'Marketplace',
    })),
    EXAMPLE_MARKETPLACE,
  ];
  for (const row of rows) await setMarketplaceMapping(db, vitrineId, await marketplaceInputOf(db, row));
}
