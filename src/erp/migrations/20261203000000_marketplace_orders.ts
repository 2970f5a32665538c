import type { Knex } from 'knex';

/**
 * Marketplace orders: the DE-PARA of marketplaces (a VTEX affiliate to the ERP's channel, its own
 * order code prefix and the payment its orders get), where each order came from, its currency, and
 * payments that do not add up to the order's value. docs/MARKETPLACES.md.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('marketplace_mappings', (t) => {
    t.comment('DE-PARA de marketplaces: a platform affiliate (VTEX affiliateId) to the ERP channel its orders come from, per vitrine');
    t.bigIncrements('id').primary();
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines').onDelete('CASCADE');
    t.text('affiliate_id')
      .notNullable()
      .comment('The affiliate id as the platform sends it (VTEX: 3 letters, e.g. MGZ); matched without regard to case');
    t.text('channel').notNullable().comment('The ERP origin (canal) of its orders, e.g. Magazine Luiza');
    t.text('order_code_prefix').comment("Prefix of its orders' codes instead of the vitrine's; null keeps the vitrine's");
    t.bigInteger('payment_type_id')
      .references('id')
      .inTable('payment_types')
      .comment('Payment type of its orders (the marketplace settles them); null: the payment DE-PARA');
    t.text('payment_condition').comment('Payment condition with payment_type_id; {n} stands for the installments');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('(payment_type_id is null) = (payment_condition is null)', [], 'marketplace_mappings_payment_pair');
  });
  await knex.raw(
    'create unique index marketplace_mappings_vitrine_affiliate_unique on marketplace_mappings (vitrine_id, upper(affiliate_id))',
  );

  await knex.schema.alterTable('vitrines', (t) => {
    t.text('currency').notNullable().defaultTo('BRL').comment('Currency of orders whose document does not say (ISO 4217)');
    t.check("currency ~ '^[A-Z]{3}$'", [], 'vitrines_currency_iso');
  });

  await knex.schema.alterTable('sales_orders', (t) => {
    t.text('platform_origin').comment("The platform's own origin field (VTEX: Marketplace, Fulfillment, Chain), as sent");
    t.text('affiliate_id').comment("The marketplace (VTEX affiliateId) the order came through; null for the store's own site");
    t.text('marketplace_name').comment("The marketplace's name as the platform sent it");
    t.text('marketplace_order_id').comment("The order's id on the marketplace");
    t.text('currency').notNullable().defaultTo('BRL').comment("ISO 4217 code of the order's amounts");
    t.bigInteger('payment_difference_cents').comment('Payments total minus the order total, when they differ (the order is kept, flagged)');
    t.index(['vitrine_id', 'affiliate_id'], 'sales_orders_vitrine_affiliate_idx');
  });
  // Orders imported before: VTEX's origin field was the ERP origin. An order id with a letter
  // prefix (MGZ-123...-01) came through that affiliate; the others are the site's.
  await knex.raw(`
    update sales_orders set
      platform_origin = origin,
      affiliate_id = substring(external_order_id from '^([A-Za-z]+)-[0-9]'),
      origin = coalesce(upper(substring(external_order_id from '^([A-Za-z]+)-[0-9]')), 'website')`);

  await knex.schema.alterTable('sales_order_payments', (t) => {
    t.text('payment_system').nullable().alter();
    t.text('payment_system_name').nullable().alter();
    t.text('payment_group').comment('Platform payment group (VTEX group: creditCard, instantPayment...)');
  });

  await knex.schema.alterTable('integration_log', (t) => {
    t.dropChecks(['integration_log_level_known']);
    t.check("level in ('error', 'warning', 'info')", [], 'integration_log_level_known');
  });

  // States a marketplace seller's orders pass through, for vitrines created before.
  await knex.raw(`
    insert into status_mappings (vitrine_id, platform_state, erp_status)
    select id, 'waiting-ffmt-authorization', 'Aguardando pagamento' from vitrines
    on conflict (vitrine_id, platform_state) do nothing`);
  // Payment groups, for vitrines without a default row (with one, an unknown payment already maps
  // there, and a new group row would change what it maps to).
  await knex.raw(
    `
    insert into payment_type_mappings (vitrine_id, platform_payment, payment_type_id, payment_condition)
    select v.id, g.platform_payment, t.id, g.condition
    from vitrines v
    cross join (values ${GROUP_ROWS}) as g(platform_payment, payment_type, condition)
    join payment_types t on t.code = g.payment_type
    where not exists (select 1 from payment_type_mappings m where m.vitrine_id = v.id and m.platform_payment = '*')
    on conflict (vitrine_id, platform_payment) do nothing`,
  );
}

const GROUP_ROWS = `
  ('creditCard', 'CARTAO_CREDITO', 'Cartão {n}x'),
  ('debitCard', 'CARTAO_DEBITO', 'Débito à vista'),
  ('instantPayment', 'PIX', 'Pix à vista'),
  ('bankInvoice', 'BOLETO', 'Boleto à vista'),
  ('giftCard', 'VALE_PRESENTE', 'Vale-presente'),
  ('promissory', 'OUTROS', 'Promissória')`;

export async function down(knex: Knex): Promise<void> {
  await knex('integration_log').where({ level: 'warning' }).update({ level: 'info' });
  await knex.schema.alterTable('integration_log', (t) => {
    t.dropChecks(['integration_log_level_known']);
    t.check("level in ('error', 'info')", [], 'integration_log_level_known');
  });
  await knex('sales_order_payments').whereNull('payment_system').update({ payment_system: '' });
  await knex('sales_order_payments').whereNull('payment_system_name').update({ payment_system_name: '' });
  await knex.schema.alterTable('sales_order_payments', (t) => {
    t.dropColumn('payment_group');
    t.text('payment_system').notNullable().alter();
    t.text('payment_system_name').notNullable().alter();
  });
  await knex.raw('update sales_orders set origin = coalesce(platform_origin, origin)');
  await knex.schema.alterTable('sales_orders', (t) => {
    t.dropIndex([], 'sales_orders_vitrine_affiliate_idx');
    for (const column of [
      'platform_origin',
      'affiliate_id',
      'marketplace_name',
      'marketplace_order_id',
      'currency',
      'payment_difference_cents',
    ])
      t.dropColumn(column);
  });
  await knex.schema.alterTable('vitrines', (t) => {
    t.dropChecks(['vitrines_currency_iso']);
    t.dropColumn('currency');
  });
  await knex.schema.dropTable('marketplace_mappings');
}
