/**
 * Backoffice users: e-mail, role and password rules, and the changes `vitrine users` makes. A new
 * password or a disabled user ends the user's sessions.
 */
import type { Knex } from 'knex';
import { z } from 'zod';
import { deleteUserSessions, findUserByEmail, insertUser, listUsers, updateUser, type Role, type UserRow } from '../erp/store/users';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../shared/passwords';
import type { ChangeLog } from './audit';
import { AdminInputError } from './errors';
import { parseSetting } from './vitrineSettings';

export const ROLES: Role[] = ['admin', 'operator'];

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .transform((value) => value.toLowerCase())
  .pipe(z.email({ message: 'must be an e-mail address' }));

export const roleSchema = z.enum(ROLES, { message: 'must be admin or operator' });

export function checkPassword(password: string): string {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AdminInputError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new AdminInputError(`the password must have at most ${MAX_PASSWORD_LENGTH} characters`);
  return password;
}

/** What is shown of a user: never the hash. */
export function publicUser(user: UserRow) {
  return {
    email: user.email,
    role: user.role,
    disabled: user.disabled_at !== null,
    createdAt: user.created_at,
    lastLoginAt: user.last_login_at,
  };
}

async function existingUser(db: Knex, email: string): Promise<UserRow> {
  const user = await findUserByEmail(db, parseSetting(emailSchema, email, 'e-mail'));
  if (!user) throw new AdminInputError(`there is no user ${JSON.stringify(email.slice(0, 254))} (see: vitrine users list)`);
  return user;
}

export async function addUser(db: Knex, log: ChangeLog, input: { email: string; role: string; password: string }): Promise<UserRow> {
  const email = parseSetting(emailSchema, input.email, 'e-mail');
  const role = parseSetting(roleSchema, input.role, 'role');
  const password = checkPassword(input.password);
  if (await findUserByEmail(db, email)) throw new AdminInputError(`user ${email} already exists`);
  const user = await insertUser(db, { email, role, passwordHash: await hashPassword(password) });
  log.record({ action: 'user.add', after: publicUser(user) });
  return user;
}

export { listUsers };

export async function setUserRole(db: Knex, log: ChangeLog, email: string, roleText: string): Promise<UserRow> {
  const user = await existingUser(db, email);
  const role = parseSetting(roleSchema, roleText, 'role');
  const updated = await updateUser(db, user.id, { role });
  log.record({ action: 'user.set-role', before: { email: user.email, role: user.role }, after: { email: user.email, role } });
  return updated;
}

export async function setUserDisabled(db: Knex, log: ChangeLog, email: string, disabled: boolean): Promise<UserRow> {
  const user = await existingUser(db, email);
  const updated = await updateUser(db, user.id, { disabled_at: disabled ? (user.disabled_at ?? new Date()) : null });
  if (disabled) await deleteUserSessions(db, user.id);
  log.record({
    action: disabled ? 'user.disable' : 'user.enable',
    before: { email: user.email, disabled: user.disabled_at !== null },
    after: { email: user.email, disabled },
  });
  return updated;
}

export async function resetUserPassword(db: Knex, log: ChangeLog, email: string, password: string): Promise<UserRow> {
  const user = await existingUser(db, email);
  const updated = await updateUser(db, user.id, {
    password_hash: await hashPassword(checkPassword(password)),
    password_changed_at: new Date(),
  });
  await deleteUserSessions(db, user.id);
  log.record({
    action: 'user.reset-password',
    before: { email: user.email, password: 'set' },
    after: { email: user.email, password: 'changed' },
  });
  return updated;
}
