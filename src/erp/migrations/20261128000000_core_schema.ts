import type { Knex } from 'knex';

/**
 * The ERP tables the order import reads and writes. Money is integer cents (bigint), as the
 * platform sends it. External ids are text.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('vitrines', (t) => {
    t.comment('Storefronts on e-commerce platforms whose orders the ERP imports');
    t.bigIncrements('id').primary();
    t.text('code').notNullable().unique({ indexName: 'vitrines_code_unique' }).comment('Short code used in schedule ids');
    t.text('name').notNullable();
    t.text('platform').notNullable().comment('Platform connector, e.g. vtex');
    t.text('base_url').notNullable().comment('Root of the platform account API');
    t.text('app_key').notNullable();
    t.text('app_token').notNullable().comment('Secret: never printed, logged or sent to Temporal');
    t.boolean('import_orders').notNullable().defaultTo(false).comment('The "Importar Pedidos" switch');
    t.integer('import_interval_minutes').notNullable().defaultTo(15);
    t.text('order_code_prefix').notNullable().defaultTo('VT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("platform in ('vtex')", [], 'vitrines_platform_known');
    t.check('import_interval_minutes between 1 and 1440', [], 'vitrines_interval_range');
  });

  await knex.schema.createTable('customers', (t) => {
    t.comment('ERP customers, one per CPF/CNPJ');
    t.bigIncrements('id').primary();
    t.text('document').notNullable().unique({ indexName: 'customers_document_unique' }).comment('CPF or CNPJ, digits only');
    t.text('document_type').notNullable();
    t.text('name').notNullable();
    t.text('email');
    t.text('phone');
    t.boolean('is_corporate').notNullable().defaultTo(false);
    t.text('state_registration').comment('Inscrição estadual');
    t.text('street');
    t.text('number');
    t.text('complement');
    t.text('neighborhood');
    t.text('city');
    t.text('state');
    t.text('postal_code');
    t.text('country');
    t.boolean('produtor_rural').notNullable().defaultTo(false).comment('Rural producer, usually set by a vitrine default rule');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("document_type in ('cpf', 'cnpj')", [], 'customers_document_type_known');
  });

  await knex.schema.createTable('products', (t) => {
    t.comment('Products known to the ERP, by SKU');
    t.bigIncrements('id').primary();
    t.text('sku').notNullable().unique({ indexName: 'products_sku_unique' });
    t.text('name').notNullable();
    t.text('ean');
    t.text('ref_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('carriers', (t) => {
    t.comment('Transportadoras');
    t.bigIncrements('id').primary();
    t.text('code').notNullable().unique({ indexName: 'carriers_code_unique' });
    t.text('name').notNullable();
  });

  await knex.schema.createTable('payment_types', (t) => {
    t.comment('Payment types of the ERP itself');
    t.bigIncrements('id').primary();
    t.text('code').notNullable().unique({ indexName: 'payment_types_code_unique' });
    t.text('name').notNullable();
  });
  await knex('payment_types').insert([
    { code: 'CARTAO_CREDITO', name: 'Cartão de crédito' },
    { code: 'CARTAO_DEBITO', name: 'Cartão de débito' },
    { code: 'PIX', name: 'Pix' },
    { code: 'BOLETO', name: 'Boleto bancário' },
    { code: 'VALE_PRESENTE', name: 'Vale-presente' },
    { code: 'OUTROS', name: 'Outros' },
  ]);

  await knex.schema.createTable('payment_type_mappings', (t) => {
    t.comment('DE-PARA de tipos de pagamento: platform payment system to ERP payment type, per vitrine');
    t.bigIncrements('id').primary();
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines').onDelete('CASCADE');
    t.text('platform_payment').notNullable().comment('Payment system id or name as the platform sends it, or * for the default');
    t.bigInteger('payment_type_id').notNullable().references('id').inTable('payment_types');
    t.text('payment_condition').notNullable().comment('ERP payment condition; {n} stands for the installments');
    t.unique(['vitrine_id', 'platform_payment'], { indexName: 'payment_type_mappings_vitrine_payment_unique' });
  });

  await knex.schema.createTable('field_defaults', (t) => {
    t.comment('Campos Padrões de Cliente/Pedido: per-vitrine expressions that fill customer and order fields');
    t.bigIncrements('id').primary();
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines').onDelete('CASCADE');
    t.text('target').notNullable().comment('customer or order');
    t.text('field').notNullable().comment('Column of customers or sales_orders');
    t.text('expression').notNullable().comment('JSONata over { order, customer, vitrine }');
    t.unique(['vitrine_id', 'target', 'field'], { indexName: 'field_defaults_vitrine_target_field_unique' });
    t.check("target in ('customer', 'order')", [], 'field_defaults_target_known');
  });

  await knex.schema.createTable('sales_orders', (t) => {
    t.comment('Pedidos de venda imported from the vitrines');
    t.bigIncrements('id').primary();
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines');
    t.text('external_order_id').notNullable().comment('Order id on the platform');
    t.text('order_code').notNullable().unique({ indexName: 'sales_orders_order_code_unique' }).comment('<prefix>-<platform order number>');
    t.text('origin').notNullable();
    t.bigInteger('customer_id').notNullable().references('id').inTable('customers');
    t.bigInteger('carrier_id').references('id').inTable('carriers');
    t.text('payment_condition').notNullable();
    t.text('status').notNullable().comment('ERP status, e.g. Pagamento confirmado');
    t.text('platform_state').notNullable().comment('Last state seen on the platform');
    t.bigInteger('items_total_cents').notNullable();
    t.bigInteger('shipping_total_cents').notNullable();
    t.bigInteger('discount_total_cents').notNullable();
    t.bigInteger('total_cents').notNullable();
    t.timestamp('placed_at', { useTz: true }).notNullable();
    t.timestamp('approved_at', { useTz: true });
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['vitrine_id', 'external_order_id'], { indexName: 'sales_orders_vitrine_external_unique' });
    t.index(['customer_id'], 'sales_orders_customer_idx');
  });

  await knex.schema.createTable('sales_order_items', (t) => {
    t.comment('Product lines of a sales order');
    t.bigIncrements('id').primary();
    t.bigInteger('sales_order_id').notNullable().references('id').inTable('sales_orders').onDelete('CASCADE');
    t.integer('line_number').notNullable();
    t.bigInteger('product_id').notNullable().references('id').inTable('products');
    t.text('sku').notNullable();
    t.text('name').notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price_cents').notNullable();
    t.bigInteger('list_price_cents').notNullable();
    t.bigInteger('total_cents').notNullable();
    t.unique(['sales_order_id', 'line_number'], { indexName: 'sales_order_items_line_unique' });
  });

  await knex.schema.createTable('sales_order_payments', (t) => {
    t.comment('Payments of a sales order, one row per platform payment');
    t.bigIncrements('id').primary();
    t.bigInteger('sales_order_id').notNullable().references('id').inTable('sales_orders').onDelete('CASCADE');
    t.integer('line_number').notNullable();
    t.bigInteger('payment_type_id').notNullable().references('id').inTable('payment_types');
    t.text('payment_condition').notNullable();
    t.text('platform_payment_id');
    t.text('payment_system').notNullable();
    t.text('payment_system_name').notNullable();
    t.integer('installments').notNullable();
    t.bigInteger('value_cents').notNullable();
    t.unique(['sales_order_id', 'line_number'], { indexName: 'sales_order_payments_line_unique' });
  });

  await knex.schema.createTable('sales_order_status_history', (t) => {
    t.comment('Every ERP status a sales order went through');
    t.bigIncrements('id').primary();
    t.bigInteger('sales_order_id').notNullable().references('id').inTable('sales_orders').onDelete('CASCADE');
    t.text('status').notNullable();
    t.text('platform_state').notNullable();
    t.text('source').notNullable().comment('import or platform-update');
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['sales_order_id'], 'sales_order_status_history_order_idx');
  });

  await knex.schema.createTable('blocked_orders', (t) => {
    t.comment('Orders that could not be imported, with the reason, kept for retry');
    t.bigIncrements('id').primary();
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines');
    t.text('external_order_id').notNullable();
    t.text('reason').notNullable();
    t.jsonb('payload').comment('The platform order as received, when there was one');
    t.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('attempts').notNullable().defaultTo(1);
    t.unique(['vitrine_id', 'external_order_id'], { indexName: 'blocked_orders_vitrine_external_unique' });
  });

  await knex.schema.createTable('import_runs', (t) => {
    t.comment('One row per import workflow execution of a vitrine, with its counts');
    t.bigIncrements('id').primary();
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines');
    t.text('workflow_id').notNullable().unique({ indexName: 'import_runs_workflow_id_unique' });
    t.text('status').notNullable().comment('running, completed or failed');
    t.integer('fetched').notNullable().defaultTo(0);
    t.integer('imported').notNullable().defaultTo(0);
    t.integer('updated').notNullable().defaultTo(0);
    t.integer('blocked').notNullable().defaultTo(0);
    t.integer('unchanged').notNullable().defaultTo(0);
    t.integer('committed').notNullable().defaultTo(0);
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.index(['vitrine_id', 'started_at'], 'import_runs_vitrine_started_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'import_runs',
    'blocked_orders',
    'sales_order_status_history',
    'sales_order_payments',
    'sales_order_items',
    'sales_orders',
    'field_defaults',
    'payment_type_mappings',
    'payment_types',
    'carriers',
    'products',
    'customers',
    'vitrines',
  ]) {
    await knex.schema.dropTable(table);
  }
}
