/**
 * Default fields outside an import: the sample order a rule is checked against before it is saved,
 * and the preview of what a vitrine's rules would write for one real platform order. Both evaluate
 * rules exactly as the import does (evaluateRules over expressionContext) and write nothing.
 */
import type { Knex } from 'knex';
import { evaluateRules, expressionContext, type DefaultTarget, type EvaluatedRule } from './rules/fieldDefaults';
import { loadImportSettings } from '../erp/store/importSettings';
import type { ErpStatus } from './rules/statuses';
import { decideOrder, orderCodeOf } from './orderRules';
import { SITE_ORIGIN } from './rules/marketplaces';
import { idByCode } from '../erp/store/schemaColumns';
import type { VitrineRow } from '../erp/tables';
import { mapPlatformOrder } from '../mapping';
import { connectorFor as defaultConnectorFor } from '../platform/connectors';
import type { PlatformConnector } from '../platform/types';

/**
 * A VTEX Get order document with every field the mapper reads, shaped like the platform's (the
 * contract's example order, a pessoa física buying one item with a credit card).
 */
const SAMPLE_VTEX_ORDER = {
  orderId: '1172452900788-01',
  sequence: '452900788',
  origin: 'Marketplace',
  status: 'ready-for-handling',
  value: 4290,
  creationDate: '2024-02-04T20:09:43.899958+00:00',
  authorizedDate: '2024-02-04T20:46:11.7010747+00:00',
  totals: [
    { id: 'Items', name: 'Total dos Itens', value: 3990 },
    { id: 'Discounts', name: 'Total dos Descontos', value: 0 },
    { id: 'Shipping', name: 'Total do Frete', value: 300 },
    { id: 'Tax', name: 'Total da Taxa', value: 0 },
  ],
  clientProfileData: {
    id: 'clientProfileData',
    email: 'rodrigo.smith@email.com',
    firstName: 'Rodrigo',
    lastName: 'Smith',
    documentType: 'cpf',
    document: '845.134.270-19',
    phone: '+5561992227222',
    corporateName: null,
    tradeName: null,
    corporateDocument: null,
    stateInscription: null,
    corporatePhone: null,
    isCorporate: false,
    userProfileId: '5660c55f-714d-4b14-88a7-b03e9bfbdd2a',
    userProfileVersion: null,
    customerClass: null,
    customerCode: null,
  },
  shippingData: {
    id: 'shippingData',
    address: {
      addressType: 'residential',
      receiverName: 'Rodrigo Smith',
      addressId: '3206601248910',
      postalCode: '22630-011',
      city: 'Rio de Janeiro',
      state: 'RJ',
      country: 'BRA',
      street: 'Avenida Lúcio Costa',
      number: '126',
      neighborhood: 'Barra da Tijuca',
      complement: 'Apto 10',
      reference: null,
      geoCoordinates: [-43.3373718, -23.0105873],
    },
    logisticsInfo: [{ itemIndex: 0, selectedSla: 'Normal', deliveryCompany: 'Correios PAC', price: 300 }],
  },
  items: [
    {
      id: '18',
      name: 'Bay Max L',
      ean: '3256873',
      refId: 'BIGBML',
      quantity: 1,
      price: 3990,
      sellingPrice: 3990,
      listPrice: 3990,
    },
  ],
  paymentData: {
    transactions: [
      {
        isActive: true,
        payments: [
          {
            id: 'A536832D9B95439DB73A11558B6F2C2C',
            paymentSystem: '2',
            paymentSystemName: 'Visa',
            group: 'creditCard',
            installments: 1,
            value: 4290,
          },
        ],
      },
    ],
  },
};

const SAMPLE_STATUS: ErpStatus = 'Pagamento confirmado';

/** What a rule's expression sees for the sample order of a vitrine: `{ order, customer, vitrine }`. */
export function sampleExpressionContext(vitrine: VitrineRow) {
  const order = mapPlatformOrder('vtex', SAMPLE_VTEX_ORDER);
  return expressionContext(
    order,
    { orderCode: orderCodeOf(vitrine, order.platformOrderNumber), status: SAMPLE_STATUS, origin: SITE_ORIGIN },
    vitrine,
  );
}

export interface PreviewDependencies {
  db: Knex;
  connectorFor?: (vitrine: VitrineRow) => PlatformConnector;
}

/**
 * The values the vitrine's `target` rules would write for one platform order, rule by rule, as
 * the import would compute them now. Reads the order from the platform; writes nothing anywhere.
 * Throws what the import would block the order for (FieldDefaultError, OrderMappingError,
 * OrderRejectedError for an unmapped state or payment) and PlatformError when the order cannot be read.
 */
export async function previewDefaults(
  deps: PreviewDependencies,
  vitrineId: number,
  target: DefaultTarget,
  externalOrderId: string,
): Promise<EvaluatedRule[]> {
  const { db } = deps;
  const settings = await loadImportSettings(db, vitrineId);
  const connector = (deps.connectorFor ?? defaultConnectorFor)(settings.vitrine);
  const order = mapPlatformOrder(settings.vitrine.platform, await connector.getOrder(externalOrderId));
  const { orderCode, status, origin } = decideOrder(settings, order);
  const context = expressionContext(order, { orderCode, status, origin }, settings.vitrine);
  const rules = target === 'customer' ? settings.customerRules : settings.orderRules;
  const columns = target === 'customer' ? settings.customerColumns : settings.orderColumns;
  return evaluateRules(target, rules, context, columns, (table, code) => idByCode(db, table, code));
}
