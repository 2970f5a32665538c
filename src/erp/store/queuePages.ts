import type { Knex } from 'knex';
import type { QueueItem } from '../../shared/importTypes';
import type { QueuePageRow } from '../tables';

/** A fetched page of a vitrine's platform queue (table queue_pages). */
export interface QueuePage {
  id: number;
  importRunId: number;
  vitrineId: number;
  items: QueueItem[];
  /** feed: items of the platform queue; hook: notifications of the orders hook (no handles). */
  source: 'feed' | 'hook';
  committed: boolean;
}

/** Pages left behind by runs that never closed (terminated by hand, say) go after this long. */
const ABANDONED_AFTER = '1 day';

export class QueuePageMissingError extends Error {}

export async function saveQueuePage(db: Knex, page: { importRunId: number; vitrineId: number; items: QueueItem[] }): Promise<number> {
  const [row] = await db('queue_pages')
    .insert({ import_run_id: page.importRunId, vitrine_id: page.vitrineId, items: JSON.stringify(page.items) })
    .returning('id');
  return Number(row.id);
}

export async function loadQueuePage(db: Knex, pageId: number): Promise<QueuePage> {
  const row = await db<QueuePageRow>('queue_pages').where({ id: pageId }).first();
  if (!row) throw new QueuePageMissingError(`queue page ${pageId} does not exist (its import run was closed)`);
  return {
    id: Number(row.id),
    importRunId: Number(row.import_run_id),
    vitrineId: Number(row.vitrine_id),
    items: row.items as QueueItem[],
    source: row.source,
    committed: row.committed_at !== null,
  };
}

export async function markQueuePageCommitted(db: Knex, pageId: number): Promise<void> {
  await db('queue_pages').where({ id: pageId }).whereNull('committed_at').update({ committed_at: db.fn.now() });
}

/**
 * A run's pages once it is closed; while it goes on (it continues as new), only the acknowledged
 * ones. Uncommitted items of a closed run reappear on the platform's queue after its visibility
 * timeout, so nothing is lost with their page.
 */
export async function deleteRunQueuePages(db: Knex, importRunId: number, closed: boolean): Promise<void> {
  const query = db('queue_pages').where({ import_run_id: importRunId });
  if (!closed) query.whereNotNull('committed_at');
  await query.delete();
}

/** Pages of the vitrine's runs that never closed, older than a day. */
export async function deleteAbandonedQueuePages(db: Knex, vitrineId: number): Promise<void> {
  await db('queue_pages')
    .where({ vitrine_id: vitrineId })
    .where('fetched_at', '<', db.raw(`now() - interval '${ABANDONED_AFTER}'`))
    .delete();
}
