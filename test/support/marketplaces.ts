import type { Knex } from 'knex';
import { marketplaceInputOf } from '../../src/admin/marketplaceInputs';
import { setMarketplaceMapping } from '../../src/erp/store/deparaTables';
import { SIMULATED_MARKETPLACES } from '../../src/simulator/generate';

/** The affiliate of the contract's Get order example (VTEX's documentation order 1172452900788-01). */
export const EXAMPLE_MARKETPLACE = { affiliateId: 'GHB', channel: 'GHB Marketplace' } as const;

/** The simulator's affiliates as an admin maps them (a share of every generated batch comes through them): each its channel, its payment settled as OUTROS. */
const SIMULATED_ROWS = SIMULATED_MARKETPLACES.map((m) => ({
  affiliateId: m.affiliateId,
  channel: m.channel,
  paymentType: 'OUTROS',
  condition: 'Marketplace',
}));

/** The `vitrine marketplaces` command lines that add those rows to vitrine `code`. */
export function simulatedMarketplaceCommands(code: string): string[][] {
  return SIMULATED_ROWS.map((r) => [
    'marketplaces',
    code,
    'set',
    r.affiliateId,
    r.channel,
    '--payment-type',
    r.paymentType,
    '--condition',
    r.condition,
  ]);
}

/**
 * The same rows written through the store, and the contract example's (its Visa payment goes
 * through the payment DE-PARA), for tests that add many vitrines.
 */
export async function addSimulatedMarketplaces(db: Knex, vitrineId: number): Promise<void> {
  for (const row of [...SIMULATED_ROWS, EXAMPLE_MARKETPLACE]) {
    await setMarketplaceMapping(db, vitrineId, await marketplaceInputOf(db, row));
  }
}
