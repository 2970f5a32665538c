import type { Knex } from 'knex';

/**
 * Atualização de Status: the ERP's invoices (NF-e), their tracking and delivery, cancellation
 * requests from the platform, and the notification outbox that tells the platform of each.
 *
 * The outbox is filled by triggers, in the transaction that writes the invoice, tracking row or
 * status, so that a billing module writing these tables itself is heard by the platform too; each
 * trigger also wakes the workers (pg_notify on commit). docs/STATUS-UPDATES.md.
 */
export async function up(knex: Knex): Promise<void> {
  // NF-e chave de acesso: 44 digits, the last a modulo-11 check digit over the other 43 (weights 2..9 from the right).
  await knex.raw(`
    create function nfe_access_key_valid(access_key text) returns boolean language plpgsql immutable as $$
    declare
      total int := 0;
      weight int := 2;
      digit int;
    begin
      if access_key is null or access_key !~ '^[0-9]{44}$' then return false; end if;
      for i in reverse 43..1 loop
        total := total + substr(access_key, i, 1)::int * weight;
        weight := case when weight = 9 then 2 else weight + 1 end;
      end loop;
      digit := 11 - (total % 11);
      if digit >= 10 then digit := 0; end if;
      return digit = substr(access_key, 44, 1)::int;
    end $$`);
  await knex.raw(`comment on function nfe_access_key_valid(text) is 'Whether an NF-e access key has 44 digits and a right check digit'`);

  await knex.schema.alterTable('sales_orders', (t) => {
    t.timestamp('cancellation_requested_at', { useTz: true }).comment('When the platform asked to cancel the order; cleared once decided');
    t.text('cancellation_request_reason').comment('The reason the platform gave with the cancellation request');
    t.text('cancel_reason').comment('Why the ERP cancelled the order (sent to the platform)');
  });

  await knex.schema.alterTable('queue_page_orders', (t) => {
    t.text('cancel_reason').comment("The platform's cancellation reason (or the customer's request), for the status step");
  });

  await knex.schema.createTable('sales_order_invoices', (t) => {
    t.comment('Notas fiscais (NF-e) of a sales order: sale invoices, partial ones included, and return invoices');
    t.bigIncrements('id').primary();
    t.bigInteger('sales_order_id').notNullable().references('id').inTable('sales_orders').onDelete('CASCADE');
    t.text('kind').notNullable().comment('sale (VTEX Output) or return (VTEX Input)');
    t.text('number').notNullable().comment('Invoice number, unique per order');
    t.text('series').comment('NF-e série');
    t.text('access_key').notNullable().comment('NF-e chave de acesso, 44 digits');
    t.timestamp('issued_at', { useTz: true }).notNullable();
    t.bigInteger('value_cents').notNullable();
    t.bigInteger('refers_to_invoice_id')
      .references('id')
      .inTable('sales_order_invoices')
      .comment('The sale invoice a return invoice returns');
    t.text('xml').comment('The NF-e XML, when the ERP has it');
    t.text('url').comment('Where the NF-e (DANFE or XML) can be read');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['sales_order_id', 'number'], { indexName: 'sales_order_invoices_order_number_unique' });
    t.unique(['access_key'], { indexName: 'sales_order_invoices_access_key_unique' });
    t.check("kind in ('sale', 'return')", [], 'sales_order_invoices_kind_known');
    t.check('value_cents > 0', [], 'sales_order_invoices_value_positive');
    t.check('nfe_access_key_valid(access_key)', [], 'sales_order_invoices_access_key_valid');
    t.check("(kind = 'return') = (refers_to_invoice_id is not null)", [], 'sales_order_invoices_return_refers_to_sale');
  });

  await knex.schema.createTable('sales_order_invoice_items', (t) => {
    t.comment('The items an invoice covers: sku, quantity and unit price');
    t.bigIncrements('id').primary();
    t.bigInteger('invoice_id').notNullable().references('id').inTable('sales_order_invoices').onDelete('CASCADE');
    t.text('sku').notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price_cents').notNullable();
    t.unique(['invoice_id', 'sku'], { indexName: 'sales_order_invoice_items_invoice_sku_unique' });
    t.check('quantity > 0', [], 'sales_order_invoice_items_quantity_positive');
    t.check('unit_price_cents >= 0', [], 'sales_order_invoice_items_price_not_negative');
  });

  await knex.schema.createTable('sales_order_tracking', (t) => {
    t.comment('How an invoiced package travels: carrier, tracking number, dispatch and delivery');
    t.bigInteger('invoice_id').primary().references('id').inTable('sales_order_invoices').onDelete('CASCADE');
    t.text('carrier');
    t.text('tracking_number');
    t.text('tracking_url');
    t.timestamp('dispatched_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('sales_order_tracking_events', (t) => {
    t.comment('What the carrier reported on the way: date, city, state (UF) and description');
    t.bigIncrements('id').primary();
    t.bigInteger('invoice_id').notNullable().references('id').inTable('sales_order_invoices').onDelete('CASCADE');
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.text('city').notNullable();
    t.text('state').notNullable();
    t.text('description').notNullable();
    t.unique(['invoice_id', 'occurred_at', 'description'], { indexName: 'sales_order_tracking_events_unique' });
  });

  // Partial invoices never add up to more than the order's total, whoever writes them.
  await knex.raw(`
    create function sales_order_invoices_within_total() returns trigger language plpgsql as $$
    declare
      order_total bigint;
      invoiced bigint;
    begin
      select total_cents into order_total from sales_orders where id = new.sales_order_id for update;
      select coalesce(sum(value_cents), 0) into invoiced from sales_order_invoices
        where sales_order_id = new.sales_order_id and kind = new.kind and id <> new.id;
      if invoiced + new.value_cents > order_total then
        raise exception 'the % invoices of sales order % would add up to % cents, above its total of % cents',
          new.kind, new.sales_order_id, invoiced + new.value_cents, order_total
          using errcode = 'check_violation', constraint = 'sales_order_invoices_within_total';
      end if;
      return new;
    end $$`);
  await knex.raw(`
    create trigger sales_order_invoices_within_total before insert or update of value_cents, kind on sales_order_invoices
    for each row execute function sales_order_invoices_within_total()`);

  await knex.schema.alterTable('platform_notifications', (t) => {
    t.bigInteger('invoice_id')
      .references('id')
      .inTable('sales_order_invoices')
      .onDelete('CASCADE')
      .comment('The invoice the notification is about');
    t.timestamp('blocked_at', { useTz: true }).comment('Set when the platform refused it for good; cleared by vitrine notifications retry');
    t.integer('revision').notNullable().defaultTo(1).comment('Bumped by each change told by this notification while it waits');
    t.dropUnique(['sales_order_id', 'action'], 'platform_notifications_order_action_unique');
  });
  // Refused before this migration (they were tried again each run): blocked now, for an operator.
  await knex('platform_notifications').whereNull('sent_at').whereNotNull('last_error').update({ blocked_at: knex.fn.now() });
  await knex.raw(`comment on column platform_notifications.action is
    'start-handling, invoice, tracking-number, tracking-status (events and delivery) or cancel'`);
  await knex.raw(`alter table platform_notifications add constraint platform_notifications_action_known
    check (action in ('start-handling', 'invoice', 'tracking-number', 'tracking-status', 'cancel'))`);
  await knex.raw(`alter table platform_notifications add constraint platform_notifications_invoice_when_needed
    check ((action in ('invoice', 'tracking-number', 'tracking-status')) = (invoice_id is not null))`);
  // Start-handling, an invoice and a cancellation are told once ever; tracking is told again
  // after each change, but one notification waiting is enough (it sends the state of then).
  await knex.raw(`create unique index platform_notifications_once_unique on platform_notifications
    (sales_order_id, action, coalesce(invoice_id, 0)) where action in ('start-handling', 'invoice', 'cancel')`);
  await knex.raw(`create unique index platform_notifications_pending_unique on platform_notifications
    (sales_order_id, action, coalesce(invoice_id, 0)) where sent_at is null`);
  await knex.raw(`create index platform_notifications_pending_idx on platform_notifications (sales_order_id, id) where sent_at is null`);

  // The outbox: one function queues a notification and wakes the workers when the transaction commits.
  await knex.raw(`
    create function queue_platform_notification(order_id bigint, notification_action text, notified_invoice_id bigint)
    returns void language plpgsql as $$
    begin
      if notification_action in ('start-handling', 'invoice', 'cancel') then
        insert into platform_notifications (sales_order_id, action, invoice_id)
          values (order_id, notification_action, notified_invoice_id)
          on conflict do nothing;
      else
        -- A change while one is waiting, or being sent, bumps its revision: the sender sends again
        -- unless the revision it sent is still the last.
        insert into platform_notifications (sales_order_id, action, invoice_id)
          values (order_id, notification_action, notified_invoice_id)
          on conflict (sales_order_id, action, coalesce(invoice_id, 0)) where sent_at is null
          do update set revision = platform_notifications.revision + 1;
      end if;
      perform pg_notify('platform_notifications', (select vitrine_id::text from sales_orders where id = order_id));
    end $$`);

  await knex.raw(`
    create function sales_order_invoices_notify() returns trigger language plpgsql as $$
    begin
      -- VTEX takes an invoice only from an order in handling: start-handling goes first (once).
      if new.kind = 'sale' then perform queue_platform_notification(new.sales_order_id, 'start-handling', null); end if;
      perform queue_platform_notification(new.sales_order_id, 'invoice', new.id);
      return null;
    end $$`);
  await knex.raw(`create trigger sales_order_invoices_notify after insert on sales_order_invoices
    for each row execute function sales_order_invoices_notify()`);

  await knex.raw(`
    create function sales_order_tracking_notify() returns trigger language plpgsql as $$
    declare
      order_id bigint;
    begin
      select sales_order_id into order_id from sales_order_invoices where id = new.invoice_id;
      if new.tracking_number is not null and (tg_op = 'INSERT' or (new.tracking_number, new.tracking_url, new.carrier, new.dispatched_at)
          is distinct from (old.tracking_number, old.tracking_url, old.carrier, old.dispatched_at)) then
        perform queue_platform_notification(order_id, 'tracking-number', new.invoice_id);
      end if;
      if new.delivered_at is not null and (tg_op = 'INSERT' or new.delivered_at is distinct from old.delivered_at) then
        perform queue_platform_notification(order_id, 'tracking-status', new.invoice_id);
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger sales_order_tracking_notify after insert or update on sales_order_tracking
    for each row execute function sales_order_tracking_notify()`);

  await knex.raw(`
    create function sales_order_tracking_events_notify() returns trigger language plpgsql as $$
    begin
      perform queue_platform_notification(i.sales_order_id, 'tracking-status', new.invoice_id)
        from sales_order_invoices i where i.id = new.invoice_id;
      return null;
    end $$`);
  await knex.raw(`create trigger sales_order_tracking_events_notify after insert on sales_order_tracking_events
    for each row execute function sales_order_tracking_events_notify()`);

  // A status the ERP sets (not one the import brings from the platform, which says so with
  // erp.change_source = 'platform') is told when the vitrine's status DE-PARA maps it to
  // VTEX's handling (start-handling) or canceled (cancel).
  await knex.raw(`
    create function sales_orders_status_notify() returns trigger language plpgsql as $$
    begin
      if coalesce(current_setting('erp.change_source', true), '') = 'platform' then return null; end if;
      if exists (select 1 from status_mappings m where m.vitrine_id = new.vitrine_id and m.platform_state = 'handling' and m.erp_status = new.status) then
        perform queue_platform_notification(new.id, 'start-handling', null);
      end if;
      if exists (select 1 from status_mappings m where m.vitrine_id = new.vitrine_id and m.platform_state = 'canceled' and m.erp_status = new.status) then
        perform queue_platform_notification(new.id, 'cancel', null);
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger sales_orders_status_notify after update of status on sales_orders
    for each row when (old.status is distinct from new.status) execute function sales_orders_status_notify()`);

  // The package steps the ERP moves an order through, in every vitrine's status DE-PARA.
  await knex.raw(`
    insert into status_mappings (vitrine_id, platform_state, erp_status)
    select v.id, d.platform_state, d.erp_status
    from vitrines v cross join (values ${NEW_DEFAULT_ROWS}) as d(platform_state, erp_status)
    on conflict do nothing`);
}

/** Rows added to the status DE-PARA defaults (src/importing/rules/statuses.ts) by this migration. */
const NEW_DEFAULT_ROWS = [
  ['dispatched', 'Embarcado'],
  ['delivered', 'Entregue'],
  ['request-cancel', 'Problemas'],
  ['cancellation-requested', 'Problemas'],
]
  .map(([state, status]) => `('${state}', '${status}')`)
  .join(', ');

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`delete from status_mappings where (platform_state, erp_status) in (values ${NEW_DEFAULT_ROWS})`);
  await knex.raw('drop trigger sales_orders_status_notify on sales_orders');
  await knex.raw('drop function sales_orders_status_notify()');
  await knex('platform_notifications').whereNot('action', 'start-handling').delete();
  await knex.raw('drop index platform_notifications_pending_idx');
  await knex.raw('drop index platform_notifications_pending_unique');
  await knex.raw('drop index platform_notifications_once_unique');
  await knex.raw('alter table platform_notifications drop constraint platform_notifications_invoice_when_needed');
  await knex.raw('alter table platform_notifications drop constraint platform_notifications_action_known');
  await knex.schema.alterTable('platform_notifications', (t) => {
    t.dropColumn('revision');
    t.dropColumn('blocked_at');
    t.dropColumn('invoice_id');
    t.unique(['sales_order_id', 'action'], { indexName: 'platform_notifications_order_action_unique' });
  });
  await knex.schema.dropTable('sales_order_tracking_events');
  await knex.schema.dropTable('sales_order_tracking');
  await knex.schema.dropTable('sales_order_invoice_items');
  await knex.schema.dropTable('sales_order_invoices');
  await knex.raw('drop function sales_order_tracking_events_notify()');
  await knex.raw('drop function sales_order_tracking_notify()');
  await knex.raw('drop function sales_order_invoices_notify()');
  await knex.raw('drop function sales_order_invoices_within_total()');
  await knex.raw('drop function queue_platform_notification(bigint, text, bigint)');
  await knex.raw('drop function nfe_access_key_valid(text)');
  await knex.schema.alterTable('queue_page_orders', (t) => {
    t.dropColumn('cancel_reason');
  });
  await knex.schema.alterTable('sales_orders', (t) => {
    t.dropColumn('cancel_reason');
    t.dropColumn('cancellation_request_reason');
    t.dropColumn('cancellation_requested_at');
  });
}
