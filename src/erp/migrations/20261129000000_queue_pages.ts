import type { Knex } from 'knex';

/**
 * Pages of a vitrine's platform queue, as an import run fetched them, until the run closes. The
 * page import, the approved-order processing and the acknowledgement read a page by its id, so
 * Temporal history carries page ids and counts instead of every queue handle (about 100 KB a page).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('queue_pages', (t) => {
    t.comment('Pages of platform queue items fetched by an import run, kept until the run closes');
    t.bigIncrements('id').primary();
    t.bigInteger('import_run_id').notNullable().references('id').inTable('import_runs').onDelete('CASCADE');
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines').onDelete('CASCADE');
    t.jsonb('items').notNullable().comment('Queue items as the platform listed them: handle, orderId, state');
    t.jsonb('existing_events').comment('Orders of the page already in the ERP, with their latest state: set by the order import');
    t.timestamp('fetched_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('committed_at', { useTz: true }).comment('When the platform acknowledged the page');
    t.index(['import_run_id'], 'queue_pages_import_run_idx');
    t.index(['vitrine_id', 'fetched_at'], 'queue_pages_vitrine_fetched_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('queue_pages');
}
