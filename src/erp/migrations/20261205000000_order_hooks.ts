import type { Knex } from 'knex';

/**
 * Push mode: the platform's orders hook. A vitrine's hook (its URL and the hash of the secret the
 * platform sends), the notifications the hook receiver accepted and the import has not served yet
 * (one row per order: a newer notification replaces an older one), and the queue pages they make.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('vitrine_hooks', (t) => {
    t.bigInteger('vitrine_id').primary().references('id').inTable('vitrines').onDelete('CASCADE');
    t.text('url').notNullable().comment('The URL the platform calls (the receiver base URL + /hooks/vtex/<code>)');
    t.text('account').notNullable().comment('The platform account the notifications must come from (Origin.Account)');
    t.specificType('secret_hash', 'bytea').notNullable().comment('SHA-256 of the secret the platform sends; the secret itself is not kept');
    t.specificType('previous_secret_hash', 'bytea').comment('The secret before the last enable, accepted until previous_secret_until');
    t.timestamp('previous_secret_until', { useTz: true });
    t.specificType('states', 'text[]').notNullable().comment('The states the hook filter asks the platform for');
    t.timestamp('enabled_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_notification_at', { useTz: true });
    t.bigInteger('notifications').notNullable().defaultTo(0).comment('Notifications accepted since enabled');
    t.timestamp('last_ping_at', { useTz: true });
  });

  await knex.schema.alterTable('queue_pages', (t) => {
    t.text('source').notNullable().defaultTo('feed').comment('feed: the platform queue; hook: notifications of the orders hook');
    t.check("source in ('feed', 'hook')", [], 'queue_pages_source_check');
  });

  await knex.schema.createTable('hook_notifications', (t) => {
    t.bigInteger('vitrine_id').notNullable().references('id').inTable('vitrines').onDelete('CASCADE');
    t.text('order_id').notNullable();
    t.text('state').notNullable();
    t.timestamp('last_change', { useTz: true }).comment("The platform's LastChange of the notification");
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Set while a run's page serves the notification; a page that goes without committing frees it.
    t.bigInteger('queue_page_id').references('id').inTable('queue_pages').onDelete('SET NULL');
    t.primary(['vitrine_id', 'order_id']);
    t.index(['vitrine_id', 'received_at'], 'hook_notifications_waiting_idx', { predicate: knex.whereNull('queue_page_id') });
  });

  await knex.schema.alterTable('import_runs', (t) => {
    t.integer('hooked').notNullable().defaultTo(0).comment('Orders of hook notifications the run served');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('import_runs', (t) => t.dropColumn('hooked'));
  await knex.schema.dropTable('hook_notifications');
  await knex.schema.alterTable('queue_pages', (t) => {
    t.dropChecks(['queue_pages_source_check']);
    t.dropColumn('source');
  });
  await knex.schema.dropTable('vitrine_hooks');
}
