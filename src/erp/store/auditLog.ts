import type { Knex } from 'knex';

/** One change, as the audit trail keeps it (values already masked by src/admin/audit.ts). */
export interface AuditRecord {
  actor: string;
  source: 'cli' | 'backoffice';
  vitrineId?: number | null;
  vitrineCode?: string | null;
  action: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  source: 'cli' | 'backoffice';
  vitrine_code: string | null;
  action: string;
  before: unknown;
  after: unknown;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export async function insertAuditRecords(db: Knex, records: AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db('audit_log').insert(
    records.map((r) => ({
      actor: r.actor,
      source: r.source,
      vitrine_id: r.vitrineId ?? null,
      vitrine_code: r.vitrineCode ?? null,
      action: r.action,
      before: json(r.before),
      after: json(r.after),
    })),
  );
}

export async function readAuditLog(db: Knex, filter: { vitrineCode?: string; since?: Date; limit: number }): Promise<AuditRow[]> {
  const query = db<AuditRow>('audit_log')
    .select('id', 'at', 'actor', 'source', 'vitrine_code', 'action', 'before', 'after')
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.vitrineCode !== undefined) query.where({ vitrine_code: filter.vitrineCode });
  if (filter.since !== undefined) query.where('at', '>=', filter.since);
  return query;
}
