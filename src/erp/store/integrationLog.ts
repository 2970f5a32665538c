import type { Knex } from 'knex';
import type { VitrineRow } from '../tables';

export interface LogEntry {
  /** warning: something the import kept but an admin should check (payments that do not add up). */
  level: 'error' | 'warning' | 'info';
  message: string;
  externalOrderId?: string;
  workflowId?: string;
  /** The import run that wrote it. */
  importRunId?: number;
}

/**
 * The vitrine's integration log: errors and warnings always, everything else only when the
 * vitrine's log level is "all". Messages name orders by id, never by customer data.
 */
export async function writeLog(db: Knex, vitrine: Pick<VitrineRow, 'id' | 'log_level'>, entries: LogEntry[]): Promise<void> {
  const kept = entries.filter((entry) => entry.level !== 'info' || vitrine.log_level === 'all');
  if (kept.length === 0) return;
  await db('integration_log').insert(
    kept.map((entry) => ({
      vitrine_id: vitrine.id,
      level: entry.level,
      message: entry.message,
      external_order_id: entry.externalOrderId ?? null,
      workflow_id: entry.workflowId ?? null,
      import_run_id: entry.importRunId ?? null,
    })),
  );
}

export async function readLog(db: Knex, vitrineId: number, options: { limit?: number; level?: 'error' | 'warning' | 'info' } = {}) {
  const query = db('integration_log')
    .where({ vitrine_id: vitrineId })
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50)
    .select({
      at: 'created_at',
      level: 'level',
      orderId: 'external_order_id',
      message: 'message',
      workflowId: 'workflow_id',
      importRunId: 'import_run_id',
    });
  if (options.level) query.where({ level: options.level });
  return query;
}
