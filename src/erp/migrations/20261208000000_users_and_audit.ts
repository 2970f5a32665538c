import type { Knex } from 'knex';

/**
 * Who may use the backoffice (users and their sessions) and what anyone changed (audit_log): the
 * backoffice's users by role, and one row per change made from the CLI or the backoffice, written
 * in the transaction of the change.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.bigIncrements('id').primary();
    t.text('email').notNullable().comment('Lower-case; the login name');
    t.text('role').notNullable().comment('admin: changes settings and users; operator: sees everything, triggers runs and retries');
    t.text('password_hash').notNullable().comment('scrypt: scrypt$<log2 N>$<r>$<p>$<salt>$<hash>, base64');
    t.timestamp('disabled_at', { useTz: true }).comment('Set: the user cannot log in and its sessions end');
    t.timestamp('password_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_login_at', { useTz: true });
    t.unique(['email'], { indexName: 'users_email_unique' });
    t.check("role in ('admin', 'operator')", [], 'users_role_check');
    t.check('email = lower(email)', [], 'users_email_lower_check');
  });

  await knex.schema.createTable('user_sessions', (t) => {
    t.specificType('id_hash', 'bytea').primary().comment('SHA-256 of the session id: a dump of this table opens no session');
    t.bigInteger('user_id').references('id').inTable('users').onDelete('CASCADE').comment('Null before the login');
    t.jsonb('data').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable().comment('The idle expiry, never after the absolute one');
    t.index(['expires_at'], 'user_sessions_expires_idx');
    t.index(['user_id'], 'user_sessions_user_idx');
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable().comment('The backoffice user (e-mail), or for the CLI --as <email> or the OS user');
    t.text('source').notNullable();
    t.bigInteger('vitrine_id').references('id').inTable('vitrines').onDelete('SET NULL');
    t.text('vitrine_code').comment('Kept when the vitrine goes');
    t.text('action').notNullable().comment('What was done, e.g. vitrine.enable, depara.payments.set, blocked.retry');
    t.jsonb('before').comment('The value before, secrets masked');
    t.jsonb('after').comment('The value after, secrets masked');
    t.check("source in ('cli', 'backoffice')", [], 'audit_log_source_check');
    t.index(['at'], 'audit_log_at_idx');
    t.index(['vitrine_id', 'at'], 'audit_log_vitrine_at_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('user_sessions');
  await knex.schema.dropTable('users');
}
