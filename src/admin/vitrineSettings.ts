import { z } from 'zod';
import { PLATFORMS } from '../platform/connectors';
import { VITRINE_CODE_PATTERN } from '../shared/ids';

/** The rules a vitrine's settings must follow, wherever they are entered (CLI, backoffice). */
export const vitrineCodeSchema = z
  .string()
  .regex(VITRINE_CODE_PATTERN, 'must be 1-40 lowercase letters, digits or dashes, starting with a letter or digit');

export const intervalMinutesSchema = z.coerce
  .number({ error: 'must be a whole number of minutes' })
  .int('must be a whole number of minutes')
  .min(1, 'must be at least 1 minute')
  .max(1440, 'must be at most 1440 minutes (one day)');

/** ISO 4217 currency code, for orders whose document does not say (VTEX storePreferencesData). */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code of 3 uppercase letters, e.g. BRL');

/** Get order calls a minute the platform allows the vitrine's account (VTEX: 6,000). */
export const getOrderLimitSchema = z.coerce
  .number({ error: 'must be a whole number of calls a minute' })
  .int('must be a whole number of calls a minute')
  .min(1, 'must be at least 1 call a minute')
  .max(1_000_000, 'must be at most 1000000 calls a minute');

/** Order code prefix: order codes are `<prefix>-<platform order number>`. */
export const orderCodePrefixSchema = z.string().regex(/^[A-Z0-9]{1,10}$/, 'must be 1-10 uppercase letters or digits');

/** A switch given on the command line. */
export const onOffSchema = z.enum(['on', 'off'], { error: 'must be on or off' }).transform((value) => value === 'on');

/** Integration log level: errors only (the default) or everything a run did. */
export const logLevelSchema = z.enum(['errors', 'all'], { error: 'must be errors or all' });

export const newVitrineSchema = z.object({
  code: vitrineCodeSchema,
  name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
  platform: z.enum(PLATFORMS, { error: `must be one of: ${PLATFORMS.join(', ')}` }),
  baseUrl: z
    .string()
    .max(500, 'must be at most 500 characters')
    .superRefine((value, ctx) => {
      // One issue naming what is wrong; the CLI shows the first issue only.
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not a URL (expected e.g. https://account.example.com)' });
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        ctx.addIssue({ code: 'custom', message: `must be an http or https URL, not ${url.protocol.slice(0, -1)}` });
      } else if (url.username || url.password) {
        ctx.addIssue({
          code: 'custom',
          message: 'must not contain credentials (user:password@); the app key and token are separate settings',
        });
      }
    }),
  appKey: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  appToken: z.string().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
  orderCodePrefix: orderCodePrefixSchema,
  importIntervalMinutes: intervalMinutesSchema,
});

/** Parses with a schema; the first problem becomes one line naming the setting. */
export function parseSetting<T>(schema: z.ZodType<T>, value: unknown, label: string, names: Record<string, string> = {}): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue.path.length ? String(issue.path[0]) : undefined;
  const field = key === undefined ? label : (names[key] ?? `${label} ${key}`);
  throw new InvalidSettingError(`invalid ${field}: ${issue.message}`);
}

export class InvalidSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSettingError';
  }
}
