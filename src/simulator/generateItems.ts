/**
 * Item and shipping parts of generated orders (items, itemMetadata, shippingData.logisticsInfo),
 * field for field like the contract's Get order example.
 */
import { type Carrier, type Product, PRODUCTS } from './data';
import { DAY, ean13, hash32, type Rng, slug, vtexDate } from './random';

export interface GeneratedItem {
  /** Index in PRODUCTS: the catalogue is fixed, so a product has one SKU, EAN and refId everywhere. */
  pi: number;
  product: Product;
  quantity: number;
  price: number;
  listPrice: number;
  sellingPrice: number;
}

const skuOf = (pi: number) => String(1000 + pi * 7);
const refIdOf = (pi: number) => `${slug(PRODUCTS[pi].brand, '').slice(0, 3).toUpperCase()}-${2000 + pi}`;
const eanOf = (pi: number) => ean13(`7891000${String(10_000 + pi * 37).padStart(5, '0')}`);
const urlOf = (pi: number) => slug(PRODUCTS[pi].name);
const imageUrl = (account: string, pi: number) => `https://${account}.vteximg.com.br/arquivos/ids/${155_000 + pi}-55-55/${urlOf(pi)}.jpg`;

/** The assembly option VTEX lists for a subscription SKU (as in the contract's example). */
const assemblyOptions = (account: string) => [
  {
    Id: `${account}.subscription.weekly`,
    Name: `${account}.subscription.weekly`,
    Required: false,
    InputValues: {
      [`${account}.subscription.key.frequency`]: { MaximumNumberOfCharacters: 7, Domain: ['1 week', '2 week', '3 week', '4 week'] },
    },
    Composition: {},
  },
];

export function itemMetadata(items: GeneratedItem[], account: string, full = false): Record<string, unknown> {
  return {
    Items: items.map(({ pi, product }) => ({
      Id: skuOf(pi),
      Seller: '1',
      Name: product.name,
      SkuName: product.name,
      ProductId: String(100 + pi),
      RefId: refIdOf(pi),
      Ean: eanOf(pi),
      ImageUrl: imageUrl(account, pi),
      DetailUrl: `/${urlOf(pi)}/p`,
      AssemblyOptions: full ? assemblyOptions(account) : [],
    })),
  };
}

interface ItemContext {
  rng: Rng;
  account: string;
  orderGroup: string;
  createdMs: number;
  /** VTEX's full item shape, as B2B documents come: attachments, price tags, components, offerings. */
  full?: boolean;
}

/** The blocks of a line in VTEX's full shape (the contract's Get order example, filled in). */
function fullItemBlocks(item: GeneratedItem, ctx: ItemContext): Record<string, unknown> {
  const { pi, product, sellingPrice, listPrice, quantity } = item;
  const discount = Math.max(0, listPrice - sellingPrice);
  return {
    itemAttachment: {
      content: {
        'Nome na embalagem': product.name.slice(0, 20),
        'Pedido de compra': `PC-${ctx.orderGroup.slice(-6)}`,
        Observacao: 'Entregar na doca 3',
      },
      name: 'Personalização B2B',
    },
    attachments: [
      {
        name: 'Personalização B2B',
        content: { 'Nome na embalagem': product.name.slice(0, 20), 'Centro de custo': `CC-${1000 + (pi % 90)}` },
      },
    ],
    priceTags: [
      {
        name: 'DISCOUNT@MARKETPLACE',
        value: -discount * quantity,
        rawValue: -(discount * quantity) / 100,
        isPercentual: false,
        identifier: `${ctx.rng.hex(8)}-${ctx.rng.hex(4)}-${ctx.rng.hex(4)}-${ctx.rng.hex(4)}-${ctx.rng.hex(12)}`,
        owner: ctx.account,
      },
      {
        name: 'discount@price-b2b-tabela-atacado',
        value: 0,
        rawValue: 0,
        isPercentual: false,
        identifier: `${ctx.rng.hex(8)}-${ctx.rng.hex(4)}-${ctx.rng.hex(4)}-${ctx.rng.hex(4)}-${ctx.rng.hex(12)}`,
        owner: ctx.account,
      },
    ],
    components: [
      {
        id: skuOf(pi),
        quantity: 1,
        seller: '1',
        name: `${product.name} (embalagem)`,
        refId: refIdOf(pi),
        price: 0,
        listPrice: 0,
        sellingPrice: 0,
        measurementUnit: 'un',
        unitMultiplier: 1,
        isGift: false,
      },
    ],
    offerings: [{ type: 'Garantia', id: '5', name: 'Garantia estendida 12 meses', price: 0 }],
    assemblies: [{ id: `${ctx.account}.subscription.weekly`, inputValues: { [`${ctx.account}.subscription.key.frequency`]: '2 week' } }],
  };
}

export function itemDocuments(items: GeneratedItem[], ctx: ItemContext): Array<Record<string, unknown>> {
  return items.map(({ pi, product, quantity, price, listPrice, sellingPrice }) => ({
    uniqueId: ctx.rng.hex(32),
    id: skuOf(pi),
    productId: String(100 + pi),
    ean: eanOf(pi),
    lockId: `00-${ctx.orderGroup}-01`,
    itemAttachment: { content: {}, name: null },
    attachments: [],
    quantity,
    seller: '1',
    name: product.name,
    refId: refIdOf(pi),
    price,
    listPrice,
    manualPrice: null,
    priceTags: [],
    imageUrl: imageUrl(ctx.account, pi),
    detailUrl: `/${urlOf(pi)}/p`,
    components: [],
    bundleItems: [],
    params: [],
    offerings: [],
    attachmentOfferings: [],
    sellerSku: skuOf(pi),
    priceValidUntil: vtexDate(ctx.createdMs + 365 * DAY),
    commission: 0,
    tax: 0,
    preSaleDate: null,
    additionalInfo: {
      brandName: product.brand,
      brandId: String(2_000_000 + (hash32(product.brand) % 1000)),
      categoriesIds: `/${10 + (hash32(product.category) % 90)}/`,
      categories: [{ id: 10 + (hash32(product.category) % 90), name: product.category }],
      productClusterId: '',
      commercialConditionId: '1',
      dimension: { cubicweight: 0.5, height: 10, length: 20, weight: 500, width: 15 },
      offeringInfo: null,
      offeringType: null,
      offeringTypeId: null,
    },
    measurementUnit: 'un',
    unitMultiplier: 1,
    sellingPrice,
    isGift: false,
    shippingPrice: null,
    rewardValue: 0,
    freightCommission: 0,
    priceDefinition: {
      sellingPrices: [{ value: sellingPrice, quantity }],
      calculatedSellingPrice: sellingPrice,
      total: sellingPrice * quantity,
      reason: null,
    },
    taxCode: null,
    parentItemIndex: null,
    parentAssemblyBinding: null,
    callCenterOperator: null,
    serialNumbers: null,
    assemblies: [],
    costPrice: Math.round(price * 0.55),
    ...(ctx.full ? fullItemBlocks({ pi, product, quantity, price, listPrice, sellingPrice }, ctx) : {}),
  }));
}

interface ShippingContext {
  /** The order's freight in cents, split over the items. */
  shipping: number;
  carrier: Carrier;
  days: number;
  createdMs: number;
  addressId: string;
  account: string;
  /** Two SLAs a line, as a B2B checkout offers them (the full shape). */
  full?: boolean;
}

/** The SLA a B2B checkout also offered for a line: a pickup at the distribution centre. */
function otherSlas(): Array<Record<string, unknown>> {
  return [
    {
      id: 'Retira no CD (1_cd-cajamar)',
      name: 'Retira no CD (1_cd-cajamar)',
      shippingEstimate: '2bd',
      deliveryWindow: null,
      price: 0,
      deliveryChannel: 'pickup-in-point',
      pickupStoreInfo: {
        additionalInfo: 'Retirada na doca 3, das 8h às 17h, com o número do pedido de compra',
        address: {
          addressType: 'pickup',
          receiverName: null,
          addressId: '1_cd-cajamar',
          postalCode: '07750-000',
          city: 'Cajamar',
          state: 'SP',
          country: 'BRA',
          street: 'Avenida Doutor Antonio João Abdalla',
          number: '3333',
          neighborhood: 'Empresarial Colina',
          complement: 'Galpão 4',
          reference: null,
          geoCoordinates: [-46.8761, -23.3556],
        },
        dockId: '1_cd-cajamar',
        friendlyName: 'CD Cajamar',
        isPickupStore: true,
      },
      polygonName: '',
      lockTTL: '10d',
      pickupPointId: '1_cd-cajamar',
      transitTime: '0d',
      pickupDistance: 12.4,
    },
  ];
}

/** One logisticsInfo per item, same carrier; the first item takes the rounding rest of the freight. */
export function logisticsInfos(items: GeneratedItem[], ctx: ShippingContext): Array<Record<string, unknown>> {
  const { shipping, carrier, days } = ctx;
  const sla = carrier.sla;
  return items.map(({ quantity }, itemIndex) => {
    const price = Math.floor(shipping / items.length) + (itemIndex === 0 ? shipping % items.length : 0);
    const pickupStoreInfo = { additionalInfo: null, address: null, dockId: null, friendlyName: null, isPickupStore: false };
    return {
      itemIndex,
      selectedSla: sla,
      lockTTL: '10d',
      price,
      listPrice: price,
      sellingPrice: price,
      deliveryWindow: null,
      deliveryCompany: carrier.name,
      shippingEstimate: `${days}bd`,
      shippingEstimateDate: vtexDate(ctx.createdMs + Math.ceil(days * 1.4) * DAY),
      slas: [
        {
          id: sla,
          name: sla,
          shippingEstimate: `${days}bd`,
          deliveryWindow: null,
          price,
          deliveryChannel: 'delivery',
          pickupStoreInfo: { ...pickupStoreInfo },
          polygonName: '',
          lockTTL: '10d',
          pickupPointId: '',
          transitTime: `${days}d`,
          pickupDistance: 0,
        },
        ...(ctx.full ? otherSlas() : []),
      ],
      shipsTo: ['BRA'],
      deliveryIds: [
        {
          courierId: slug(carrier.name),
          courierName: carrier.name,
          dockId: '1',
          quantity,
          warehouseId: '1_1',
          accountCarrierName: ctx.account,
          kitItemDetails: [],
        },
      ],
      deliveryChannels: [{ id: 'delivery', stockBalance: 0 }],
      deliveryChannel: 'delivery',
      pickupStoreInfo,
      addressId: ctx.addressId,
      versionId: null,
      entityId: null,
      polygonName: '',
      pickupPointId: null,
      transitTime: `${days}d`,
    };
  });
}
