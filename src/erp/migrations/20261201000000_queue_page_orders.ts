import type { Knex } from 'knex';

/**
 * The orders of a queue page between the import steps of its run. The page's steps are activities
 * of their own (order fetch, client-field defaulting, order import, approved-status processing);
 * each reads what the step before it kept here and records what became of each order, in the
 * transaction that did it, so that a retried step takes up exactly where its last attempt stopped.
 * The rows go with their page when the run closes. Replaces queue_pages.existing_events.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('queue_page_orders', (t) => {
    t.comment('Orders of a queue page on their way through the import steps of its run; deleted with the page');
    t.bigInteger('queue_page_id').notNullable().references('id').inTable('queue_pages').onDelete('CASCADE');
    t.text('external_order_id').notNullable().comment('Order id on the platform');
    t.text('kind').notNullable().comment('new: Importar Pedido takes it; existing: the ERP has it, Processar Pedido Aprovado takes it');
    t.text('platform_state')
      .notNullable()
      .comment('State of the order on the platform: from its document when fetched, else the queue event');
    t.jsonb('erp_order').comment('The mapped order (new orders), as the mapper made it from the platform document');
    t.text('approved_at').comment('Payment approval time from the platform document (existing orders)');
    t.jsonb('customer_defaults').comment('Customer column values from the vitrine default rules');
    t.jsonb('order_defaults').comment('Order column values from the vitrine default rules');
    t.timestamp('defaults_at', { useTz: true }).comment('When the default rules were evaluated for the order');
    t.text('outcome').comment('imported, updated, unchanged or blocked; null while a step is still to take the order');
    t.text('step').comment('The step that settled the order: fetch, defaults, import or status');
    t.primary(['queue_page_id', 'external_order_id'], { constraintName: 'queue_page_orders_pkey' });
    t.check("kind in ('new', 'existing')", [], 'queue_page_orders_kind_known');
    t.check("outcome is null or outcome in ('imported', 'updated', 'unchanged', 'blocked')", [], 'queue_page_orders_outcome_known');
    t.check("step is null or step in ('fetch', 'defaults', 'import', 'status')", [], 'queue_page_orders_step_known');
    t.check('(outcome is null) = (step is null)', [], 'queue_page_orders_outcome_has_step');
  });
  await knex.schema.alterTable('queue_pages', (t) => {
    t.dropColumn('existing_events');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('queue_pages', (t) => {
    t.jsonb('existing_events').comment('Orders of the page already in the ERP, with their latest state: set by the order import');
  });
  await knex.schema.dropTable('queue_page_orders');
}
