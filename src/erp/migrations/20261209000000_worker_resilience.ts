import type { Knex } from 'knex';

/**
 * What real documents and large pages need:
 * - customers whose platform document is missing or not a CPF/CNPJ: imported without one (a
 *   warning on the order) unless the vitrine requires documents; customers are keyed by
 *   customer_key (the document, else the e-mail, else the order) instead of the document alone;
 * - an order fetch that the worker died in the middle of: the orders it was reading are kept for
 *   the vitrine (whichever page announces them next), so the next attempt reads them one at a
 *   time, and blocks the one that kills a worker on its own;
 * - worker starts, so that restarts are seen (vitrine status, metrics).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => {
    t.text('customer_key').comment('cpf:<digits> or cnpj:<digits>; email:<address> or order:<vitrine>:<order id> without a document');
  });
  await knex.raw(`update customers set customer_key = document_type || ':' || document`);
  // Other writers of the ERP's customers (its own screens) do not know the key: a customer written
  // without one is keyed by its document, or by its id when it has none.
  await knex.raw(`
    create function customers_default_key() returns trigger language plpgsql as $$
    begin
      if new.customer_key is null then
        new.customer_key := case when new.document is not null then coalesce(new.document_type, 'doc') || ':' || new.document
                                 else 'customer:' || new.id end;
      end if;
      return new;
    end $$`);
  await knex.raw(
    `create trigger customers_default_key before insert or update on customers for each row execute function customers_default_key()`,
  );
  await knex.schema.alterTable('customers', (t) => {
    t.text('customer_key').notNullable().alter();
    t.unique(['customer_key'], { indexName: 'customers_customer_key_unique' });
    t.text('document').nullable().alter();
    t.text('document_type').nullable().alter();
  });

  await knex.schema.alterTable('vitrines', (t) => {
    t.boolean('require_document')
      .notNullable()
      .defaultTo(false)
      .comment('Block orders whose customer has no valid CPF/CNPJ (otherwise imported without one, with a warning)');
  });
  await knex.schema.alterTable('sales_orders', (t) => {
    t.specificType('import_warnings', 'text[]').notNullable().defaultTo('{}').comment('What the import noticed and let through');
  });

  await knex.schema.createTable('order_fetches_in_flight', (t) => {
    t.comment(
      'The orders an order fetch attempt of a vitrine is reading: a row still set when the next attempt starts means its worker died',
    );
    t.integer('vitrine_id').primary().references('vitrines.id').onDelete('CASCADE');
    t.specificType('order_ids', 'text[]').comment('Orders being read; null between attempts');
    t.integer('worker_deaths').notNullable().defaultTo(0).comment('Attempts in a row that ended with their worker gone');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.alterTable('queue_page_orders', (t) => {
    t.integer('erp_order_bytes').comment('Size of erp_order as JSON: the steps work through a page in slices of a few MB');
  });

  await knex.schema.createTable('worker_starts', (t) => {
    t.comment('One row per worker process start: restarts show in vitrine status and the metrics');
    t.bigIncrements('id').primary();
    t.text('identity').notNullable().comment('host and task queue: the same for a worker and its restarts');
    t.text('task_queue').notNullable();
    t.integer('pid').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('stopped_at', { useTz: true }).comment('Set when the worker shut down by itself: a start without it died');
    t.index(['started_at'], 'worker_starts_started_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('worker_starts');
  await knex.schema.alterTable('queue_page_orders', (t) => {
    t.dropColumn('erp_order_bytes');
  });
  await knex.schema.dropTable('order_fetches_in_flight');
  await knex.schema.alterTable('sales_orders', (t) => {
    t.dropColumn('import_warnings');
  });
  await knex.schema.alterTable('vitrines', (t) => {
    t.dropColumn('require_document');
  });
  // Customers without a document cannot go back to a schema that needs one: their orders keep them.
  await knex.raw(
    `delete from customers c where c.document is null and not exists (select 1 from sales_orders o where o.customer_id = c.id)`,
  );
  await knex.raw(`update customers set document = 'sem-documento-' || id, document_type = 'cpf' where document is null`);
  await knex.raw(`drop trigger customers_default_key on customers`);
  await knex.raw(`drop function customers_default_key()`);
  await knex.schema.alterTable('customers', (t) => {
    t.dropUnique(['customer_key'], 'customers_customer_key_unique');
    t.dropColumn('customer_key');
    t.text('document').notNullable().alter();
    t.text('document_type').notNullable().alter();
  });
}
