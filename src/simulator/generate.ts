/**
 * Generated VTEX orders, a pure function of (account, seed, index, state): the store keeps only
 * those and builds the document on each GET, so 200,000 orders cost tens of megabytes, not gigabytes.
 * The shape copies the contract's Get order example (contracts/vtex), key for key.
 */
import { CARRIERS, CITIES, COMPANY_KINDS, COMPANY_WORDS, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, PRODUCTS } from './data';
import { type GeneratedItem, itemDocuments, itemMetadata, logisticsInfos } from './generateItems';
import { type BillingAddress, generatePaymentData, marketplacePaymentData } from './generatePayment';
import { DAY, hash32, mix32, randomCnpj, randomCpf, Rng, slug, vtexDate } from './random';
import { isAuthorizedState, statusDescription } from './states';

export type Seed = number | string;

/** Order ids have a 6-digit sequence, so one seed yields at most this many distinct orders. */
export const MAX_GENERATED_INDEX = 900_000;

/** Turns a seed into 32 bits; "7" and 7 are the same seed. */
export function seedHash(seed: Seed): number {
  return hash32(String(seed));
}

/**
 * VTEX-like id "<13 digits>-01" whose last 6 digits are the `sequence` (as in the contract:
 * order 1268540501456-01 has sequence 501456). The first 7 digits and the sequence start
 * depend on the seed; the index walks the sequence, so ids are unique per seed.
 */
export function generatedOrderNumber(hash: number, index: number): { orderGroup: string; sequence: string } {
  const prefix = 1_000_000 + (mix32(hash, 1) % 9_000_000);
  const sequence = 100_000 + (((mix32(hash, 2) % 500_000) + index) % MAX_GENERATED_INDEX);
  return { orderGroup: `${prefix}${sequence}`, sequence: String(sequence) };
}

/**
 * Marketplaces that reach the simulated store as VTEX affiliates. A share of every generated batch
 * comes through them, so that tests, demos and benchmarks carry marketplace orders.
 */
export const SIMULATED_MARKETPLACES = [
  { affiliateId: 'MGZ', channel: 'Magazine Luiza', account: 'magazineluiza' },
  { affiliateId: 'MLB', channel: 'Mercado Livre', account: 'mercadolivre' },
  { affiliateId: 'AMZ', channel: 'Amazon', account: 'amazonbr' },
] as const;
export type SimulatedMarketplace = (typeof SIMULATED_MARKETPLACES)[number];

/** Percent of generated orders that come through a marketplace. */
export const MARKETPLACE_PERCENT = 15;

/** The marketplace generated order `index` came through, or null for the store's own site: a pure function of seed and index. */
export function generatedMarketplace(hash: number, index: number): SimulatedMarketplace | null {
  const draw = mix32(hash, index * 2 + 11) % 100;
  return draw < MARKETPLACE_PERCENT ? SIMULATED_MARKETPLACES[draw % SIMULATED_MARKETPLACES.length] : null;
}

/** The id of generated order `index`: `<13 digits>-01`, or `MGZ-<13 digits>-01` for a marketplace's (VTEX prefixes the affiliate). */
export function generatedOrderIdOf(hash: number, index: number): string {
  const marketplace = generatedMarketplace(hash, index);
  const { orderGroup } = generatedOrderNumber(hash, index);
  return marketplace ? `${marketplace.affiliateId}-${orderGroup}-01` : `${orderGroup}-01`;
}

export function generatedOrderId(seed: Seed, index: number): string {
  return generatedOrderIdOf(seedHash(seed), index);
}

export interface LineRange {
  min: number;
  max: number;
}

/** The most product lines a generated order may have. */
export const MAX_GENERATED_LINES = 1000;

export interface GenerateParams {
  account: string;
  seed: Seed;
  index: number;
  state: string;
  /**
   * Product lines per order, drawn from this range: B2B-sized orders in VTEX's full item shape
   * (attachments, price tags, components, assembly options, two SLAs a line: about 4 KB a
   * line, as real B2B documents are; a line may repeat a product
   * of the catalogue, as a price or a delivery split does on VTEX). Default: 1 to 4 distinct products.
   */
  lines?: LineRange;
  /** Overrides for an order whose state changed after generation (ISO strings). */
  lastChange?: string;
  authorizedDate?: string | null;
  cancelReason?: string | null;
  cancellationDate?: string | null;
}

export function generateOrder(p: GenerateParams): Record<string, unknown> {
  const hash = seedHash(p.seed);
  const rng = new Rng(mix32(hash, p.index + 7));
  const { orderGroup, sequence } = generatedOrderNumber(hash, p.index);
  const orderId = generatedOrderIdOf(hash, p.index);
  const marketplace = generatedMarketplace(hash, p.index);
  const account = p.account;

  // Orders of one seed are spread over time in index order (about 45 s apart) from a seed-chosen day.
  const createdMs = Date.UTC(2025, 0, 1) + (hash % 180) * DAY + p.index * 45_000 + rng.int(0, 40_000);
  const creation = new Date(createdMs);
  const authorizedMs = createdMs + rng.int(60_000, 1_800_000);
  const readyMs = authorizedMs + rng.int(1_000, 120_000);

  // Customer
  const firstName = rng.pick(FIRST_NAMES);
  const surname = rng.pick(LAST_NAMES);
  const lastName = rng.chance(0.4) ? `${rng.pick(LAST_NAMES)} ${surname}` : surname;
  const email = `${slug(firstName, '.')}.${slug(surname, '.')}${rng.chance(0.5) ? rng.int(1, 99) : ''}@${rng.pick(EMAIL_DOMAINS)}`;
  const city = rng.pick(CITIES);
  const phone = `+55${city.ddd}9${rng.digits(8)}`;
  const document = randomCpf(rng);
  const isCorporate = rng.chance(0.1);
  const company = `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_KINDS)}`;
  const corporateDocument = randomCnpj(rng);
  const stateInscription = rng.chance(0.1) ? 'ISENTO' : rng.digits(rng.int(9, 12));
  const corporatePhone = `+55${city.ddd}3${rng.digits(7)}`;

  // Address
  const cep = `${String(rng.int(city.cep[0], city.cep[1])).padStart(5, '0')}-${rng.digits(3)}`;
  const street = rng.pick(city.streets);
  const number = String(rng.int(1, 3000));
  const neighborhood = rng.pick(city.neighborhoods);
  const complement = rng.chance(0.55) ? rng.pick(['Apto ', 'Casa ', 'Bloco B Apto ', 'Sala ']) + rng.int(1, 1200) : '';
  const geo = [round6(city.lon + (rng.next() - 0.5) / 20), round6(city.lat + (rng.next() - 0.5) / 20)];
  const addressId = rng.digits(13);
  const address = {
    addressType: 'residential',
    receiverName: `${firstName} ${lastName}`,
    addressId,
    versionId: rng.uuid(),
    entityId: rng.uuid(),
    postalCode: cep,
    city: city.name,
    state: city.uf,
    country: 'BRA',
    street,
    number,
    neighborhood,
    complement,
    reference: null,
    geoCoordinates: geo,
  };
  const billingAddress: BillingAddress = {
    country: 'BRA',
    street,
    number,
    complement,
    reference: null,
    geoCoordinates: geo,
    neighborhood,
    postalCode: cep.replace('-', ''),
    city: city.name,
    state: city.uf,
  };

  // Items: 1-4 distinct products (or `lines` of them, repeats allowed); a quarter of the orders
  // have a promotion.
  let productIndexes: number[];
  if (p.lines) {
    const count = rng.int(p.lines.min, p.lines.max);
    productIndexes = Array.from({ length: count }, () => rng.int(0, PRODUCTS.length - 1));
  } else {
    const itemCount = rng.weighted([
      [1, 55],
      [2, 25],
      [3, 12],
      [4, 8],
    ] as const);
    const distinct = new Set<number>();
    while (distinct.size < itemCount) distinct.add(rng.int(0, PRODUCTS.length - 1));
    productIndexes = [...distinct];
  }
  const discountPct = rng.chance(0.25) ? rng.pick([5, 10, 15]) : 0;
  const items: GeneratedItem[] = productIndexes.map((pi) => {
    const product = PRODUCTS[pi];
    const quantity = rng.weighted([
      [1, 80],
      [2, 15],
      [3, 5],
    ] as const);
    const price = product.price;
    const listPrice = rng.chance(0.3) ? Math.round((price * 1.2) / 100) * 100 - 10 : price;
    const sellingPrice = price - Math.round((price * discountPct) / 100);
    return { pi, product, quantity, price, listPrice, sellingPrice };
  });
  const itemsTotal = items.reduce((s, i) => s + i.price * i.quantity, 0);
  const discounts = items.reduce((s, i) => s + (i.sellingPrice - i.price) * i.quantity, 0);

  // Shipping: one carrier per order, split over the items' logisticsInfo.
  const carrier = rng.pick(CARRIERS);
  const freeShipping = itemsTotal >= 29_900 && rng.chance(0.5);
  const shipping = freeShipping ? 0 : Math.round(rng.int(carrier.price[0], carrier.price[1]) / 10) * 10;
  const days = rng.int(carrier.days[0], carrier.days[1]);
  const value = itemsTotal + discounts + shipping;

  const paymentContext = { rng, account, creation, billingAddress };
  // A marketplace settles its orders: the seller sees the value it assumed, not the customer's payment.
  const paymentData = marketplace
    ? marketplacePaymentData(paymentContext, marketplace.affiliateId, value)
    : generatePaymentData(paymentContext, value);

  const state = p.state;
  const authorizedDate = p.authorizedDate !== undefined ? p.authorizedDate : isAuthorizedState(state) ? vtexDate(authorizedMs) : null;
  const defaultLastChange = state === 'payment-pending' ? createdMs : state === 'payment-approved' ? authorizedMs : readyMs;
  const canceled = state === 'canceled';
  // A cancellation the customer asked for (VTEX request-cancel): the reason is there before the seller decides.
  const requested = state === 'request-cancel' || state === 'cancellation-requested';
  const cancelReason = canceled
    ? (p.cancelReason ?? 'Cancelado pelo vendedor')
    : requested
      ? (p.cancelReason ?? 'Desistência do cliente')
      : null;
  const storeName = account
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');

  return {
    orderId,
    sequence,
    marketplaceOrderId: marketplace ? orderGroup : '',
    marketplaceServicesEndpoint: `http://oms.vtexinternal.com.br/api/oms?an=${account}`,
    sellerOrderId: marketplace ? null : `00-${orderId}`,
    origin: 'Marketplace',
    affiliateId: marketplace?.affiliateId ?? '',
    salesChannel: '1',
    merchantName: null,
    status: state,
    workflowIsInError: false,
    statusDescription: statusDescription(state),
    value,
    creationDate: vtexDate(createdMs),
    lastChange: p.lastChange ?? vtexDate(defaultLastChange),
    orderGroup: marketplace ? null : orderGroup,
    followUpEmail: `${rng.hex(32).toLowerCase()}@ct.vtex.com.br`,
    lastMessage: null,
    hostname: account,
    isCompleted: true,
    roundingError: 0,
    orderFormId: rng.hex(32).toLowerCase(),
    allowCancellation: !canceled,
    allowEdition: false,
    isCheckedIn: false,
    authorizedDate,
    invoicedDate: null,
    cancelReason,
    checkedInPickupPointId: null,
    totals: [
      { id: 'Items', name: 'Total dos Itens', value: itemsTotal },
      { id: 'Discounts', name: 'Total dos Descontos', value: discounts },
      { id: 'Shipping', name: 'Total do Frete', value: shipping },
      { id: 'Tax', name: 'Total da Taxa', value: 0 },
    ],
    sellers: [
      { id: '1', name: storeName, logo: '', fulfillmentEndpoint: `http://fulfillment.vtexcommerce.com.br/api/fulfillment?an=${account}` },
    ],
    clientPreferencesData: { locale: 'pt-BR', optinNewsLetter: rng.chance(0.3) },
    cancellationData: requested
      ? {
          RequestedByUser: true,
          RequestedBySystem: false,
          RequestedBySellerNotification: false,
          RequestedByPaymentNotification: false,
          Reason: cancelReason,
          CancellationDate: null,
        }
      : canceled
        ? {
            RequestedByUser: false,
            RequestedBySystem: false,
            RequestedBySellerNotification: true,
            RequestedByPaymentNotification: false,
            Reason: cancelReason,
            CancellationDate: p.cancellationDate ?? p.lastChange ?? vtexDate(readyMs),
          }
        : null,
    taxData: null,
    subscriptionData: null,
    itemMetadata: itemMetadata(items, account, p.lines !== undefined),
    marketplace: marketplace
      ? { baseURL: `https://${marketplace.account}.vtexcommercestable.com.br/api/vtex/pvt`, isCertified: null, name: marketplace.account }
      : { baseURL: `http://oms.vtexinternal.com.br/api/oms?an=${account}`, isCertified: null, name: account },
    storePreferencesData: {
      countryCode: 'BRA',
      currencyCode: 'BRL',
      currencyFormatInfo: {
        CurrencyDecimalDigits: 2,
        CurrencyDecimalSeparator: ',',
        CurrencyGroupSeparator: '.',
        CurrencyGroupSize: 3,
        StartsWithCurrencySymbol: true,
      },
      currencyLocale: 1046,
      currencySymbol: 'R$',
      timeZone: 'E. South America Standard Time',
    },
    customData: null,
    commercialConditionData: null,
    openTextField: null,
    invoiceData: null,
    changesAttachment: null,
    callCenterOperatorData: null,
    packageAttachment: { packages: [] },
    paymentData,
    shippingData: {
      id: 'shippingData',
      address,
      logisticsInfo: logisticsInfos(items, { shipping, carrier, days, createdMs, addressId, account, full: p.lines !== undefined }),
      trackingHints: [],
      selectedAddresses: [{ ...address }],
      contactInformation: [
        {
          id: '0',
          email,
          firstName,
          lastName,
          phone: phone.slice(1),
          document,
          documentType: 'cpf',
          entityId: rng.uuid(),
          versionId: rng.uuid(),
        },
      ],
    },
    ratesAndBenefitsData: {
      id: 'ratesAndBenefitsData',
      rateAndBenefitsIdentifiers: discountPct
        ? [
            {
              id: rng.uuid(),
              name: `Promoção ${discountPct}% OFF`,
              featured: true,
              description: null,
              matchedParameters: {},
              additionalInfo: null,
            },
          ]
        : [],
    },
    marketingData: rng.chance(0.3)
      ? {
          id: 'marketingData',
          utmSource: rng.pick(['google', 'facebook', 'instagram', 'newsletter']),
          utmPartner: '',
          utmMedium: rng.pick(['cpc', 'social', 'email']),
          utmCampaign: rng.pick(['black-friday', 'dia-das-maes', 'natal', 'liquida']),
          coupon: discountPct ? `DESCONTO${discountPct}` : '',
          utmiCampaign: '',
          utmipage: '',
          utmiPart: '',
          marketingTags: [],
        }
      : null,
    giftRegistryData: null,
    clientProfileData: {
      id: 'clientProfileData',
      email,
      firstName,
      lastName,
      documentType: 'cpf',
      document,
      phone,
      corporateName: isCorporate ? `${company} Ltda` : null,
      tradeName: isCorporate ? company : null,
      corporateDocument: isCorporate ? corporateDocument : null,
      stateInscription: isCorporate ? stateInscription : null,
      corporatePhone: isCorporate ? corporatePhone : null,
      isCorporate,
      userProfileId: rng.uuid(),
      userProfileVersion: null,
      customerClass: null,
      customerCode: null,
    },
    items: itemDocuments(items, { rng, account, orderGroup, createdMs, full: p.lines !== undefined }),
    marketplaceItems: [],
  };
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
