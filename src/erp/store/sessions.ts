import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/** The backoffice's sessions (table user_sessions), keyed by a hash of their id. */
const idHash = (sessionId: string) => createHash('sha256').update(sessionId).digest();

export async function readSession(db: Knex, sessionId: string): Promise<unknown | undefined> {
  const row = await db('user_sessions')
    .where({ id_hash: idHash(sessionId) })
    .where('expires_at', '>', db.fn.now())
    .first('data');
  return row?.data;
}

export async function writeSession(
  db: Knex,
  sessionId: string,
  session: { userId?: number; data: unknown; expiresAt: Date },
): Promise<void> {
  await db('user_sessions')
    .insert({
      id_hash: idHash(sessionId),
      user_id: session.userId ?? null,
      data: JSON.stringify(session.data),
      expires_at: session.expiresAt,
    })
    .onConflict('id_hash')
    .merge(['user_id', 'data', 'expires_at']);
}

export async function deleteSession(db: Knex, sessionId: string): Promise<void> {
  await db('user_sessions')
    .where({ id_hash: idHash(sessionId) })
    .delete();
}

/** Sessions past their expiry go (now and then, from the backoffice). */
export async function deleteExpiredSessions(db: Knex): Promise<number> {
  return db('user_sessions').where('expires_at', '<=', db.fn.now()).delete();
}
