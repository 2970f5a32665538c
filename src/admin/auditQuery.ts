/** The audit trail's filter, as the CLI and the backoffice take it (bad values: one line). */
import { z } from 'zod';
import { parseSetting, vitrineCodeSchema } from './vitrineSettings';

const filterSchema = z.object({
  vitrine: vitrineCodeSchema.optional(),
  since: z
    .string()
    .trim()
    .regex(
      /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/,
      'must be a date or time in ISO 8601, e.g. 2026-12-01',
    )
    .transform((text) => new Date(text.length === 10 ? `${text}T00:00:00Z` : text.replace(' ', 'T')))
    .refine((date) => !Number.isNaN(date.getTime()), 'is not a real date')
    .optional(),
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(50),
});

export function auditFilterOf(input: { vitrine?: string; since?: string; limit?: string }) {
  const parsed = parseSetting(filterSchema, input, 'audit filter', { vitrine: '--vitrine', since: '--since', limit: '--limit' });
  return { vitrineCode: parsed.vitrine, since: parsed.since, limit: parsed.limit };
}
