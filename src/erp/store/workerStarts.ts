import type { Knex } from 'knex';

/**
 * Worker process starts (table worker_starts): a worker that dies and is started again by its
 * supervisor shows as restarts in vitrine status and the worker metrics. A worker that shuts down
 * by itself (SIGTERM, a deployment) marks its start stopped, so that only deaths count.
 */

/** The window restarts are counted over. */
export const RESTART_WINDOW_HOURS = 1;

const inWindow = (db: Knex) => db.raw(`now() - interval '${RESTART_WINDOW_HOURS} hour'`);

/** Records that a worker process started: its id, for stopped, and the restarts of its identity in the window. */
export async function recordWorkerStart(
  db: Knex,
  start: { identity: string; taskQueue: string; pid: number },
): Promise<{ id: number; restarts: number }> {
  // Starts older than a week tell nobody anything.
  await db('worker_starts').where('started_at', '<', db.raw("now() - interval '7 days'")).delete();
  const [row] = await db('worker_starts').insert({ identity: start.identity, task_queue: start.taskQueue, pid: start.pid }).returning('id');
  const id = Number(row.id);
  const [deaths] = await db('worker_starts')
    .where({ identity: start.identity })
    .whereNull('stopped_at')
    .whereNot({ id })
    .where('started_at', '>', inWindow(db))
    .count({ count: '*' });
  return { id, restarts: Number(deaths.count) };
}

/** The worker shut down by itself: its start is no death. */
export async function recordWorkerStopped(db: Knex, id: number): Promise<void> {
  await db('worker_starts').where({ id }).update({ stopped_at: db.fn.now() });
}

export interface WorkerRestarts {
  identity: string;
  taskQueue: string;
  /** Starts in the window that followed a death of the same worker. */
  restarts: number;
  lastStartedAt: Date;
}

/** Each worker identity that died and was started again in the window, the most restarted first. */
export async function recentWorkerRestarts(db: Knex): Promise<WorkerRestarts[]> {
  // A start whose worker is neither stopped nor the latest of its identity died.
  const rows: Array<{ identity: string; task_queue: string; restarts: number; last: Date }> = await db
    .with('starts', (q) =>
      q
        .from('worker_starts')
        .where('started_at', '>', inWindow(db))
        .select(
          'identity',
          'task_queue',
          'started_at',
          'stopped_at',
          db.raw('row_number() over (partition by identity order by id desc) as newest'),
        ),
    )
    .from('starts')
    .groupBy('identity', 'task_queue')
    .select(
      'identity',
      'task_queue',
      db.raw('(count(*) filter (where stopped_at is null and newest > 1))::int as restarts'),
      db.raw('max(started_at) as last'),
    )
    .havingRaw('count(*) filter (where stopped_at is null and newest > 1) > 0')
    .orderBy([{ column: 'restarts', order: 'desc' }, 'identity']);
  return rows.map((row) => ({ identity: row.identity, taskQueue: row.task_queue, restarts: row.restarts, lastStartedAt: row.last }));
}
