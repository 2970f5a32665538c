import type { Knex } from 'knex';
import { openSecret, readSecretKeys, sealSecret } from '../../shared/secrets';

/**
 * Platform app tokens encrypted at rest (src/shared/secrets.ts): the tokens that exist are sealed
 * under the key of VITRINE_SECRET_KEY or VITRINE_SECRET_KEY_FILE, and the clear column goes. With
 * vitrines to seal and no key, the migration stops and says so: nothing is changed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('vitrines', (t) => {
    t.text('app_token_encrypted').comment('The platform app token, AES-256-GCM under VITRINE_SECRET_KEY: v1.<key id>.<base64>');
  });
  const rows: Array<{ id: number; code: string; app_token: string }> = await knex('vitrines').select('id', 'code', 'app_token');
  if (rows.length > 0) {
    const keys = readSecretKeys();
    for (const row of rows) {
      await knex('vitrines')
        .where({ id: row.id })
        .update({ app_token_encrypted: sealSecret(row.app_token, keys) });
    }
  }
  await knex.schema.alterTable('vitrines', (t) => {
    t.dropColumn('app_token');
  });
  await knex.raw('alter table vitrines alter column app_token_encrypted set not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('vitrines', (t) => {
    t.text('app_token').comment('Secret: never printed, logged or sent to Temporal');
  });
  const rows: Array<{ id: number; code: string; app_token_encrypted: string }> = await knex('vitrines').select(
    'id',
    'code',
    'app_token_encrypted',
  );
  if (rows.length > 0) {
    const keys = readSecretKeys();
    for (const row of rows) {
      await knex('vitrines')
        .where({ id: row.id })
        .update({ app_token: openSecret(row.app_token_encrypted, `the app token of vitrine ${row.code}`, keys) });
    }
  }
  await knex.schema.alterTable('vitrines', (t) => {
    t.dropColumn('app_token_encrypted');
  });
  await knex.raw('alter table vitrines alter column app_token set not null');
}
