/**
 * The audit trail: who changed what, from the CLI or the backoffice, with the value before and
 * after (secrets masked). A change records its entries as it goes and they are written in its
 * transaction: a change that is refused or fails writes none.
 */
import type { Knex } from 'knex';
import { insertAuditRecords, type AuditRecord } from '../erp/store/auditLog';
import type { VitrineRow } from '../erp/tables';
import { redact } from '../observability/logger';

/** Who acts: a backoffice user, or the CLI's `--as <email>` or OS user. */
export interface Actor {
  name: string;
  source: 'cli' | 'backoffice';
}

export interface Change {
  vitrine?: Pick<VitrineRow, 'id' | 'code'> | null;
  action: string;
  before?: unknown;
  after?: unknown;
}

/** The entries of one change, kept until its transaction writes them. */
export class ChangeLog {
  private readonly entries: Change[] = [];

  record(change: Change): void {
    this.entries.push(change);
  }

  async write(db: Knex, actor: Actor): Promise<void> {
    const records: AuditRecord[] = this.entries.map((change) => ({
      actor: actor.name,
      source: actor.source,
      vitrineId: change.vitrine?.id ?? null,
      vitrineCode: change.vitrine?.code ?? null,
      action: change.action,
      before: change.before === undefined ? undefined : redact(change.before),
      after: change.after === undefined ? undefined : redact(change.after),
    }));
    this.entries.length = 0;
    await insertAuditRecords(db, records);
  }
}

/** Runs `work` in a transaction that also writes the audit entries it recorded. */
export async function auditedChange<T>(db: Knex, actor: Actor, work: (trx: Knex.Transaction, log: ChangeLog) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    const log = new ChangeLog();
    const result = await work(trx, log);
    await log.write(trx, actor);
    return result;
  });
}
