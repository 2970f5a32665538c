import { z } from 'zod';
import { parseSetting } from './vitrineSettings';

/**
 * What an admin types for Atualização de Status (invoices, tracking, delivery, cancellation),
 * checked by the same schemas in the CLI and the backoffice. Each message reads after the name of
 * the option ("--key must have 44 digits").
 */

/** The NF-e check digit of the first 43 digits of an access key (modulo 11, weights 2 to 9 from the right). */
export function nfeCheckDigit(first43: string): number {
  let total = 0;
  let weight = 2;
  for (let i = first43.length - 1; i >= 0; i--) {
    total += Number(first43[i]) * weight;
    weight = weight === 9 ? 2 : weight + 1;
  }
  const digit = 11 - (total % 11);
  return digit >= 10 ? 0 : digit;
}

/** Why a text is not an NF-e access key, or null when it is one. */
export function accessKeyProblem(key: string): string | null {
  if (!/^\d+$/.test(key)) return 'must be the NF-e access key: 44 digits, nothing else';
  if (key.length !== 44) return `must have 44 digits, not ${key.length}`;
  const expected = nfeCheckDigit(key.slice(0, 43));
  if (Number(key[43]) !== expected) return `has a wrong check digit (the last digit should be ${expected}): check the key`;
  return null;
}

export const accessKeySchema = z
  .string()
  .transform((text) => text.replace(/\s+/g, ''))
  .superRefine((key, ctx) => {
    const problem = accessKeyProblem(key);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const invoiceNumberSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9./-]{0,49}$/, 'must be an invoice number (letters, digits, dots, dashes or slashes; at most 50)');

export const seriesSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{1,10}$/, 'must be an NF-e series (letters or digits, at most 10)');

/** A date and time in ISO 8601 (2026-12-01, or 2026-12-01T14:30:00-03:00; without a zone: UTC). */
export const isoDateSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
    const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
    const day = new Date(Date.UTC(y, m - 1, d));
    // 2026-02-30 is not a date (Date would roll it over to March).
    const realDay = match !== null && day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
    const time = realDay
      ? Date.parse(match[4] === undefined ? `${text.slice(0, 10)}T00:00:00Z` : text.replace(' ', 'T') + (match[7] ? '' : 'Z'))
      : NaN;
    if (Number.isNaN(time) || Number(match?.[4] ?? 0) > 23 || Number(match?.[5] ?? 0) > 59) {
      ctx.addIssue({ code: 'custom', message: 'must be a date in ISO 8601, e.g. 2026-12-01 or 2026-12-01T14:30:00-03:00' });
      return z.NEVER;
    }
    return new Date(time);
  });

/** Money as a person writes it, "1486.70" or "1486,70": whole cents, never a float. */
export const moneySchema = z
  .string()
  .trim()
  .regex(/^\d{1,12}([.,]\d{1,2})?$/, 'must be an amount in reais with at most two decimals, e.g. 1486.70')
  .transform((text) => {
    const [whole, fraction = ''] = text.split(/[.,]/);
    return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  })
  .refine((cents) => cents > 0, 'must be more than zero');

/** "sku:qty,sku:qty": the items of an invoice or return. */
export const invoiceItemsSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const items = new Map<string, number>();
    for (const part of text.split(',')) {
      const match = /^\s*([A-Za-z0-9._-]{1,100})\s*:\s*(\d{1,6})\s*$/.exec(part);
      if (!match || Number(match[2]) < 1) {
        ctx.addIssue({
          code: 'custom',
          message: `must be sku:quantity pairs separated by commas, e.g. 2000304:2,2000305:1 (not ${JSON.stringify(part.slice(0, 40))})`,
        });
        return z.NEVER;
      }
      items.set(match[1], (items.get(match[1]) ?? 0) + Number(match[2]));
    }
    return items;
  });

export const urlSchema = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine((text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http or https URL');

/** Free text a person writes once (a reason, a description, a carrier, a city). */
export function textSchema(max: number) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((text) => !/\p{Cc}/u.test(text), 'must not contain control characters');
}

export const trackingNumberSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,79}$/, 'must be a tracking number (letters, digits, spaces, dots, dashes or slashes; at most 80)');

const UFS = 'AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO'.split(' ');
export const ufSchema = z
  .string()
  .trim()
  .transform((text) => text.toUpperCase())
  .refine((uf) => UFS.includes(uf), 'must be a Brazilian state (UF), e.g. SP');

/**
 * The fields of each Atualização de Status command as typed (CLI options, backoffice form fields),
 * parsed into what src/admin/statusUpdates.ts takes. `label` names a field the way its surface
 * does ("--issued-at", "issued at"); an empty field is one not given.
 */
export type RawFields = Record<string, string | undefined>;
export type FieldLabel = (field: string) => string;

function fieldReader(raw: RawFields, label: FieldLabel) {
  const given = (field: string) => {
    const value = raw[field];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  return {
    required: <T>(schema: z.ZodType<T>, field: string): T => parseSetting(schema, given(field) ?? '', label(field)),
    optional: <T>(schema: z.ZodType<T>, field: string): T | undefined => {
      const value = given(field);
      return value === undefined ? undefined : parseSetting(schema, value, label(field));
    },
  };
}

export function invoiceFieldsOf(raw: RawFields, label: FieldLabel) {
  const f = fieldReader(raw, label);
  return {
    number: f.required(invoiceNumberSchema, 'number'),
    accessKey: f.required(accessKeySchema, 'key'),
    series: f.optional(seriesSchema, 'series'),
    issuedAt: f.optional(isoDateSchema, 'issuedAt'),
    valueCents: f.optional(moneySchema, 'value'),
    items: f.optional(invoiceItemsSchema, 'items'),
    url: f.optional(urlSchema, 'url'),
  };
}

export function trackingFieldsOf(raw: RawFields, label: FieldLabel) {
  const f = fieldReader(raw, label);
  return {
    trackingNumber: f.required(trackingNumberSchema, 'number'),
    url: f.optional(urlSchema, 'url'),
    carrier: f.optional(textSchema(100), 'carrier'),
    invoiceNumber: f.optional(invoiceNumberSchema, 'invoice'),
  };
}

export function trackingEventFieldsOf(raw: RawFields, label: FieldLabel) {
  const f = fieldReader(raw, label);
  return {
    at: f.required(isoDateSchema, 'at'),
    city: f.required(textSchema(100), 'city'),
    state: f.required(ufSchema, 'state'),
    description: f.required(textSchema(500), 'description'),
    invoiceNumber: f.optional(invoiceNumberSchema, 'invoice'),
  };
}

export function deliveryFieldsOf(raw: RawFields, label: FieldLabel) {
  const f = fieldReader(raw, label);
  return { at: f.optional(isoDateSchema, 'at'), invoiceNumber: f.optional(invoiceNumberSchema, 'invoice') };
}

export function cancelFieldsOf(raw: RawFields, label: FieldLabel) {
  return { reason: fieldReader(raw, label).required(textSchema(500), 'reason') };
}

export function returnFieldsOf(raw: RawFields, label: FieldLabel) {
  const f = fieldReader(raw, label);
  return {
    number: f.required(invoiceNumberSchema, 'number'),
    accessKey: f.required(accessKeySchema, 'key'),
    items: f.optional(invoiceItemsSchema, 'items'),
    issuedAt: f.optional(isoDateSchema, 'issuedAt'),
  };
}
