import type { Knex } from 'knex';
import { columnTypes, type ColumnTypes } from './schemaColumns';
import type { ErpStatus } from '../../importing/rules/statuses';
import type { FieldDefaultRow, MarketplaceMappingRow, PaymentTypeMappingRow, VitrineRow } from '../tables';
import { getVitrineById } from './vitrines';

/** Everything the import of one vitrine's orders reads from its settings, loaded once per batch. */
export interface ImportSettings {
  vitrine: VitrineRow;
  paymentMappings: PaymentTypeMappingRow[];
  /** Marketplace DE-PARA: affiliate -> ERP channel, prefix and payment. */
  marketplaceMappings: MarketplaceMappingRow[];
  /** Status DE-PARA: platform state -> ERP status. */
  statusMappings: Map<string, ErpStatus>;
  customerRules: FieldDefaultRow[];
  orderRules: FieldDefaultRow[];
  customerColumns: ColumnTypes;
  orderColumns: ColumnTypes;
}

export async function loadImportSettings(db: Knex, vitrineId: number): Promise<ImportSettings> {
  const [vitrine, paymentMappings, marketplaceMappings, statusRows, rules] = await Promise.all([
    getVitrineById(db, vitrineId),
    db<PaymentTypeMappingRow>('payment_type_mappings').where({ vitrine_id: vitrineId }),
    db<MarketplaceMappingRow>('marketplace_mappings').where({ vitrine_id: vitrineId }),
    db('status_mappings').where({ vitrine_id: vitrineId }).select('platform_state', 'erp_status'),
    db<FieldDefaultRow>('field_defaults').where({ vitrine_id: vitrineId }).orderBy('id'),
  ]);
  const customerRules = rules.filter((rule) => rule.target === 'customer');
  const orderRules = rules.filter((rule) => rule.target === 'order');
  // The live schema is read (information_schema, a costly query) only for a target that has
  // rules to check against it: most runs of most vitrines have none.
  const [customerColumns, orderColumns] = await Promise.all([
    customerRules.length > 0 ? columnTypes(db, 'customers') : new Map(),
    orderRules.length > 0 ? columnTypes(db, 'sales_orders') : new Map(),
  ]);
  return {
    vitrine,
    paymentMappings,
    marketplaceMappings,
    statusMappings: new Map(
      statusRows.map((row: { platform_state: string; erp_status: ErpStatus }) => [row.platform_state, row.erp_status]),
    ),
    customerRules,
    orderRules,
    customerColumns,
    orderColumns,
  };
}
