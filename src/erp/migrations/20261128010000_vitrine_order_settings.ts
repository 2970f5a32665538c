import type { Knex } from 'knex';

/**
 * The vitrine's order settings ("Configurações de Pedido"): customer identity protection, the
 * status DE-PARA, platform notifications (ERP to platform) and the integration log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('vitrines', (t) => {
    t.boolean('keep_customer_identity')
      .notNullable()
      .defaultTo(false)
      .comment('Não atualiza dados do cliente: an import never overwrites the identity data of an existing customer');
    t.text('log_level').notNullable().defaultTo('errors').comment('Integration log level: errors or all');
    t.check("log_level in ('errors', 'all')", [], 'vitrines_log_level_known');
  });

  await knex.schema.alterTable('customers', (t) => {
    t.text('rg').comment('Registro geral (identity card number)');
    t.text('tipo_pessoa').comment('F (pessoa física) or J (pessoa jurídica), usually set by a default rule');
  });

  await knex.schema.createTable('status_mappings', (t) => {
    t.comment('DE-PARA de status: platform states and the ERP status each one means, per vitrine');
    t.bigIncrements('id').primary();
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines').onDelete('CASCADE');
    t.text('platform_state').notNullable();
    t.text('erp_status').notNullable();
    t.unique(['vitrine_id', 'platform_state'], { indexName: 'status_mappings_vitrine_state_unique' });
  });
  // Existing vitrines get the defaults that new ones are created with.
  await knex.raw(`
    insert into status_mappings (vitrine_id, platform_state, erp_status)
    select v.id, d.platform_state, d.erp_status
    from vitrines v cross join (values ${DEFAULT_ROWS}) as d(platform_state, erp_status)`);

  await knex.schema.createTable('platform_notifications', (t) => {
    t.comment('ERP-to-platform calls owed for an order (e.g. VTEX start-handling), each sent once');
    t.bigIncrements('id').primary();
    t.bigInteger('sales_order_id').notNullable().references('id').inTable('sales_orders').onDelete('CASCADE');
    t.text('action').notNullable().comment('start-handling');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.unique(['sales_order_id', 'action'], { indexName: 'platform_notifications_order_action_unique' });
  });

  await knex.schema.createTable('integration_log', (t) => {
    t.comment('What each import run did, per vitrine, at the vitrine log level');
    t.bigIncrements('id').primary();
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines').onDelete('CASCADE');
    t.text('workflow_id');
    t.text('level').notNullable().comment('error or info');
    t.text('external_order_id');
    t.text('message').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['vitrine_id', 'created_at'], 'integration_log_vitrine_created_idx');
    t.check("level in ('error', 'info')", [], 'integration_log_level_known');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('integration_log');
  await knex.schema.dropTable('platform_notifications');
  await knex.schema.dropTable('status_mappings');
  await knex.schema.alterTable('customers', (t) => {
    t.dropColumn('rg');
    t.dropColumn('tipo_pessoa');
  });
  await knex.schema.alterTable('vitrines', (t) => {
    t.dropChecks(['vitrines_log_level_known']);
    t.dropColumn('log_level');
    t.dropColumn('keep_customer_identity');
  });
}

// Kept literal here: a migration must not change when the application's defaults do.
const DEFAULT_ROWS = `
  ('order-created', 'Aguardando pagamento'),
  ('order-completed', 'Aguardando pagamento'),
  ('on-order-completed', 'Aguardando pagamento'),
  ('payment-pending', 'Aguardando pagamento'),
  ('waiting-for-order-authorization', 'Aguardando pagamento'),
  ('approve-payment', 'Aguardando pagamento'),
  ('waiting-for-seller-decision', 'Aguardando pagamento'),
  ('authorize-fulfillment', 'Aguardando pagamento'),
  ('window-to-cancel', 'Aguardando pagamento'),
  ('payment-approved', 'Pagamento confirmado'),
  ('ready-for-handling', 'Pagamento confirmado'),
  ('start-handling', 'Em preparação'),
  ('handling', 'Em preparação'),
  ('invoiced', 'Despachado'),
  ('payment-denied', 'Cancelado'),
  ('cancel', 'Cancelado'),
  ('canceled', 'Cancelado')`;
