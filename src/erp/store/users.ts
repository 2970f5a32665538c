import type { Knex } from 'knex';

export type Role = 'admin' | 'operator';

export interface UserRow {
  id: number;
  email: string;
  role: Role;
  password_hash: string;
  disabled_at: Date | null;
  password_changed_at: Date;
  created_at: Date;
  last_login_at: Date | null;
}

export async function insertUser(db: Knex, user: { email: string; role: Role; passwordHash: string }): Promise<UserRow> {
  const [row] = await db<UserRow>('users').insert({ email: user.email, role: user.role, password_hash: user.passwordHash }).returning('*');
  return row;
}

export async function findUserByEmail(db: Knex, email: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ email }).first();
}

export async function findUserById(db: Knex, id: number): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).first();
}

export async function listUsers(db: Knex): Promise<UserRow[]> {
  return db<UserRow>('users').orderBy('email');
}

export async function updateUser(
  db: Knex,
  id: number,
  patch: Partial<Pick<UserRow, 'role' | 'disabled_at' | 'password_hash' | 'password_changed_at' | 'last_login_at'>>,
): Promise<UserRow> {
  const [row] = await db<UserRow>('users').where({ id }).update(patch).returning('*');
  return row;
}

/** Ends every backoffice session of the user (disabled, or a new password). */
export async function deleteUserSessions(db: Knex, userId: number): Promise<number> {
  return db('user_sessions').where({ user_id: userId }).delete();
}
