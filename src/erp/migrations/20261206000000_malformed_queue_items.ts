import type { Knex } from 'knex';

/** Queue items that break the platform's contract: counted per run (the integration log says which). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.integer('malformed')
      .notNullable()
      .defaultTo(0)
      .comment('Queue items that broke the contract: acknowledged when they had a handle, logged');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => {
    t.dropColumn('malformed');
  });
}
