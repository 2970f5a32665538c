/**
 * The part of a VTEX order document (Orders API "Get order", see contracts/vtex) that the mapper
 * reads. Lenient about everything else: unknown fields are ignored and dropped.
 *
 * Error texts are fixed phrases ("is required", "must be a positive integer"...): they never quote
 * the input, so an error cannot leak a customer's name, e-mail or document into logs.
 */
import { z } from 'zod';

/** Schema-level error: "is required" when the field is absent, `text` when it has a wrong value. */
function expect(text: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : text) };
}

const text = z.string(expect('must be a string'));
const requiredText = text.trim().min(1, 'must not be empty');
/** Text the ERP may store as null: absent, null or blank (blank becomes null in the mapper). */
const optionalText = text.nullish();

const CENTS = 'must be an integer amount of cents';
const cents = z.number(expect(CENTS)).int(CENTS);
const nonNegativeCents = cents.min(0, 'must not be negative');

const POSITIVE_INT = 'must be a positive integer';
const positiveInt = z.number(expect(POSITIVE_INT)).int(POSITIVE_INT).min(1, POSITIVE_INT);
const COUNT = 'must be a whole number, 0 or more';
const count = z.number(expect(COUNT)).int(COUNT).min(0, COUNT);

/**
 * Dates as VTEX writes them: "2024-02-04T20:09:43.899958+00:00", "2019-03-27T17:13:49.0000000+00:00"
 * (seven fraction digits, .NET's), "...Z", "+0000", a space for the T, and, in old documents, no
 * offset at all (taken as UTC, which is what VTEX stores). Normalised to ISO 8601 with its offset and
 * its fraction as written (Postgres rounds it to microseconds), which every reader takes.
 */
const VTEX_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A VTEX date-time as ISO 8601, or null when it is not one. */
export function vtexDateTime(value: string): string | null {
  const match = VTEX_DATE_TIME.exec(value.trim());
  if (!match) return null;
  const [, date, hoursMinutes, seconds = '00', fraction = '', zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const millis = (fraction + '000').slice(0, 3);
  if (Number.isNaN(Date.parse(`${date}T${hoursMinutes}:${seconds}.${millis}${offset}`))) return null;
  return `${date}T${hoursMinutes}:${seconds}${fraction ? `.${fraction}` : ''}${offset}`;
}

const dateTime = requiredText.transform((value, ctx) => {
  const date = vtexDateTime(value);
  if (date === null) ctx.addIssue({ code: 'custom', message: 'must be a date-time as VTEX writes them (ISO 8601)' });
  return date ?? value;
});

/** A date of an optional field: kept when it is a date-time VTEX writes, otherwise ignored (null). */
const optionalDateTime = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === 'string' ? vtexDateTime(value) : null));

const object = expect('must be an object');
const array = expect('must be an array');
/** A block the mapper reads a little of: anything but an object (a string, a number) counts as absent. */
const lenientObject = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess(
    (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null),
    z.object(shape).nullable(),
  );
/** A text the mapper can do without: anything but a string counts as absent. */
const lenientText = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === 'string' ? value : null));

const addressSchema = z.object(
  {
    street: optionalText,
    number: optionalText,
    complement: optionalText,
    neighborhood: optionalText,
    city: optionalText,
    state: optionalText,
    postalCode: optionalText,
    country: optionalText,
    addressType: lenientText,
  },
  object,
);

const clientProfileSchema = z.object(
  {
    isCorporate: z.boolean(expect('must be a boolean')).nullish(),
    firstName: optionalText,
    lastName: optionalText,
    email: optionalText,
    phone: optionalText,
    document: optionalText,
    corporateName: optionalText,
    tradeName: optionalText,
    corporateDocument: optionalText,
    corporatePhone: optionalText,
    stateInscription: optionalText,
  },
  object,
);

const logisticsInfoSchema = z.object(
  {
    deliveryCompany: lenientText,
    selectedSla: lenientText,
    deliveryChannel: lenientText,
    // Seen both as an object and (in older documents) as text: only the point's name is read.
    pickupStoreInfo: lenientObject({ friendlyName: lenientText, isPickupStore: z.unknown() }),
  },
  object,
);

const itemSchema = z.object(
  {
    id: requiredText,
    name: requiredText,
    ean: optionalText,
    refId: optionalText,
    quantity: positiveInt,
    price: nonNegativeCents,
    sellingPrice: nonNegativeCents.nullish(),
    listPrice: nonNegativeCents.nullish(),
  },
  object,
);

const paymentSchema = z.object(
  {
    id: optionalText,
    // VTEX sends the payment system id as text ("2"); a number is accepted and becomes text. A
    // payment settled by a marketplace ("Assumed value by affiliate ...") may have none.
    paymentSystem: z.union([text, z.number().int()], expect('must be a string')).nullish(),
    paymentSystemName: optionalText,
    group: optionalText,
    // 0 on payments a marketplace settles.
    installments: count.nullish(),
    value: nonNegativeCents,
  },
  object,
);

const transactionSchema = z.object(
  {
    isActive: z.boolean(expect('must be a boolean')).nullish(),
    payments: z.array(paymentSchema, array).nullish(),
  },
  object,
);

const totalSchema = z.object({ id: requiredText, value: cents }, object);

export const vtexOrderSchema = z.object(
  {
    orderId: requiredText,
    origin: lenientText,
    // Old documents have unusual or empty states: the feed's state is what counts.
    status: lenientText,
    creationDate: dateTime,
    authorizedDate: optionalDateTime,
    value: cents,
    totals: z.array(totalSchema, array).nullish(),
    affiliateId: lenientText,
    marketplaceOrderId: z.union([z.string(), z.number()]).nullish().catch(null),
    marketplace: lenientObject({ name: lenientText, baseURL: lenientText }),
    storePreferencesData: lenientObject({ currencyCode: lenientText }),
    clientProfileData: clientProfileSchema,
    shippingData: z
      .object(
        {
          address: addressSchema.nullish(),
          logisticsInfo: z.array(logisticsInfoSchema, array).nullish(),
        },
        object,
      )
      .nullish(),
    invoiceData: lenientObject({ address: addressSchema.nullish().catch(null) }),
    items: z.array(itemSchema, array).min(1, 'must have at least one item'),
    // null on orders a marketplace settles (VTEX sends the seller no payment information then).
    paymentData: z.object({ transactions: z.array(transactionSchema, array).nullish() }, object).nullish(),
  },
  object,
);

export type VtexOrder = z.infer<typeof vtexOrderSchema>;
export type VtexClientProfile = VtexOrder['clientProfileData'];
export type VtexAddress = z.infer<typeof addressSchema>;

/** Fallback error text for issues without a schema-level message (unions, unexpected codes). */
export function describeIssue(issue: { code: string; input?: unknown }): string {
  if (issue.input === undefined) return 'is required';
  return issue.code === 'invalid_type' ? 'has the wrong type' : 'is invalid';
}

/** `["items", 1, "quantity"]` → `items[1].quantity`; the root is "order". */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  }
  return out || 'order';
}
