/**
 * The ERP schema migrations on a fresh database: latest creates every table with its keys and named
 * constraints, money is bigint (no float column anywhere), the import's idempotency key is enforced,
 * rollback leaves nothing behind and latest works again.
 */
import { openSecret, sealSecret } from '../../src/shared/secrets';
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { after, before, describe, test } from 'node:test';
import { createDatabase, migrationConfig } from '../../src/erp/db';
import { uniqueSuffix } from '../support/services';

const TABLES = [
  'vitrines',
  'customers',
  'products',
  'carriers',
  'payment_types',
  'payment_type_mappings',
  'field_defaults',
  'sales_orders',
  'sales_order_items',
  'sales_order_payments',
  'sales_order_status_history',
  'blocked_orders',
  'import_runs',
  'queue_pages',
  'queue_page_orders',
  'sales_order_invoices',
  'sales_order_invoice_items',
  'sales_order_tracking',
  'sales_order_tracking_events',
  'platform_notifications',
  'marketplace_mappings',
  'users',
  'user_sessions',
  'audit_log',
  'worker_starts',
  'order_fetches_in_flight',
];

/** Key columns of each table, with their Postgres data type. */
const COLUMNS: Record<string, Record<string, string>> = {
  vitrines: {
    id: 'bigint',
    code: 'text',
    platform: 'text',
    base_url: 'text',
    app_key: 'text',
    app_token_encrypted: 'text',
    import_orders: 'boolean',
    import_interval_minutes: 'integer',
    order_code_prefix: 'text',
  },
  customers: { id: 'bigint', customer_key: 'text', document: 'text', document_type: 'text', name: 'text', produtor_rural: 'boolean' },
  products: { id: 'bigint', sku: 'text', name: 'text' },
  carriers: { id: 'bigint', code: 'text', name: 'text' },
  payment_types: { id: 'bigint', code: 'text', name: 'text' },
  payment_type_mappings: {
    id: 'bigint',
    vitrine_id: 'bigint',
    platform_payment: 'text',
    payment_type_id: 'bigint',
    payment_condition: 'text',
  },
  field_defaults: { id: 'bigint', vitrine_id: 'bigint', target: 'text', field: 'text', expression: 'text' },
  sales_orders: {
    id: 'bigint',
    vitrine_id: 'bigint',
    external_order_id: 'text',
    order_code: 'text',
    customer_id: 'bigint',
    carrier_id: 'bigint',
    status: 'text',
    platform_state: 'text',
    items_total_cents: 'bigint',
    shipping_total_cents: 'bigint',
    discount_total_cents: 'bigint',
    total_cents: 'bigint',
    placed_at: 'timestamp with time zone',
  },
  sales_order_items: {
    id: 'bigint',
    sales_order_id: 'bigint',
    line_number: 'integer',
    product_id: 'bigint',
    quantity: 'integer',
    unit_price_cents: 'bigint',
    list_price_cents: 'bigint',
    total_cents: 'bigint',
  },
  sales_order_payments: {
    id: 'bigint',
    sales_order_id: 'bigint',
    line_number: 'integer',
    payment_type_id: 'bigint',
    installments: 'integer',
    value_cents: 'bigint',
  },
  sales_order_status_history: { id: 'bigint', sales_order_id: 'bigint', status: 'text', platform_state: 'text', source: 'text' },
  blocked_orders: { id: 'bigint', vitrine_id: 'bigint', external_order_id: 'text', reason: 'text', payload: 'jsonb', attempts: 'integer' },
  import_runs: {
    id: 'bigint',
    vitrine_id: 'bigint',
    workflow_id: 'text',
    workflow_run_id: 'text',
    status: 'text',
    fetched: 'integer',
    committed: 'integer',
  },
  integration_log: { id: 'bigint', vitrine_id: 'bigint', import_run_id: 'bigint', level: 'text', message: 'text' },
  queue_pages: {
    id: 'bigint',
    import_run_id: 'bigint',
    vitrine_id: 'bigint',
    items: 'jsonb',
    committed_at: 'timestamp with time zone',
  },
  queue_page_orders: {
    queue_page_id: 'bigint',
    external_order_id: 'text',
    kind: 'text',
    platform_state: 'text',
    erp_order: 'jsonb',
    customer_defaults: 'jsonb',
    order_defaults: 'jsonb',
    defaults_at: 'timestamp with time zone',
    outcome: 'text',
    step: 'text',
    cancel_reason: 'text',
  },
  sales_order_invoices: {
    id: 'bigint',
    sales_order_id: 'bigint',
    kind: 'text',
    number: 'text',
    access_key: 'text',
    issued_at: 'timestamp with time zone',
    value_cents: 'bigint',
    refers_to_invoice_id: 'bigint',
    xml: 'text',
  },
  sales_order_invoice_items: { invoice_id: 'bigint', sku: 'text', quantity: 'integer', unit_price_cents: 'bigint' },
  sales_order_tracking: {
    invoice_id: 'bigint',
    tracking_number: 'text',
    dispatched_at: 'timestamp with time zone',
    delivered_at: 'timestamp with time zone',
  },
  sales_order_tracking_events: {
    invoice_id: 'bigint',
    occurred_at: 'timestamp with time zone',
    city: 'text',
    state: 'text',
    description: 'text',
  },
  platform_notifications: {
    sales_order_id: 'bigint',
    action: 'text',
    invoice_id: 'bigint',
    revision: 'integer',
    blocked_at: 'timestamp with time zone',
  },
};

/** Named constraints: [table, type (u unique, c check), columns (unique) or undefined (check)]. */
const NAMED_CONSTRAINTS: Record<string, { table: string; type: 'u' | 'c'; columns?: string[] }> = {
  vitrines_code_unique: { table: 'vitrines', type: 'u', columns: ['code'] },
  vitrines_platform_known: { table: 'vitrines', type: 'c' },
  vitrines_interval_range: { table: 'vitrines', type: 'c' },
  customers_document_unique: { table: 'customers', type: 'u', columns: ['document'] },
  customers_customer_key_unique: { table: 'customers', type: 'u', columns: ['customer_key'] },
  customers_document_type_known: { table: 'customers', type: 'c' },
  products_sku_unique: { table: 'products', type: 'u', columns: ['sku'] },
  carriers_code_unique: { table: 'carriers', type: 'u', columns: ['code'] },
  payment_types_code_unique: { table: 'payment_types', type: 'u', columns: ['code'] },
  payment_type_mappings_vitrine_payment_unique: { table: 'payment_type_mappings', type: 'u', columns: ['vitrine_id', 'platform_payment'] },
  field_defaults_vitrine_target_field_unique: { table: 'field_defaults', type: 'u', columns: ['vitrine_id', 'target', 'field'] },
  field_defaults_target_known: { table: 'field_defaults', type: 'c' },
  sales_orders_vitrine_external_unique: { table: 'sales_orders', type: 'u', columns: ['vitrine_id', 'external_order_id'] },
  sales_orders_order_code_unique: { table: 'sales_orders', type: 'u', columns: ['order_code'] },
  sales_order_items_line_unique: { table: 'sales_order_items', type: 'u', columns: ['sales_order_id', 'line_number'] },
  sales_order_payments_line_unique: { table: 'sales_order_payments', type: 'u', columns: ['sales_order_id', 'line_number'] },
  blocked_orders_vitrine_external_unique: { table: 'blocked_orders', type: 'u', columns: ['vitrine_id', 'external_order_id'] },
  import_runs_workflow_run_unique: { table: 'import_runs', type: 'u', columns: ['workflow_id', 'workflow_run_id'] },
  queue_page_orders_kind_known: { table: 'queue_page_orders', type: 'c' },
  queue_page_orders_outcome_known: { table: 'queue_page_orders', type: 'c' },
  queue_page_orders_step_known: { table: 'queue_page_orders', type: 'c' },
  queue_page_orders_outcome_has_step: { table: 'queue_page_orders', type: 'c' },
  sales_order_invoices_order_number_unique: { table: 'sales_order_invoices', type: 'u', columns: ['sales_order_id', 'number'] },
  sales_order_invoices_access_key_unique: { table: 'sales_order_invoices', type: 'u', columns: ['access_key'] },
  sales_order_invoices_kind_known: { table: 'sales_order_invoices', type: 'c' },
  sales_order_invoices_value_positive: { table: 'sales_order_invoices', type: 'c' },
  sales_order_invoices_access_key_valid: { table: 'sales_order_invoices', type: 'c' },
  sales_order_invoices_return_refers_to_sale: { table: 'sales_order_invoices', type: 'c' },
  sales_order_invoice_items_invoice_sku_unique: { table: 'sales_order_invoice_items', type: 'u', columns: ['invoice_id', 'sku'] },
  sales_order_tracking_events_unique: {
    table: 'sales_order_tracking_events',
    type: 'u',
    columns: ['invoice_id', 'occurred_at', 'description'],
  },
  platform_notifications_action_known: { table: 'platform_notifications', type: 'c' },
  platform_notifications_invoice_when_needed: { table: 'platform_notifications', type: 'c' },
};

/** Foreign keys that must exist: table.column -> referenced table. */
const FOREIGN_KEYS: Array<[string, string, string]> = [
  ['payment_type_mappings', 'vitrine_id', 'vitrines'],
  ['payment_type_mappings', 'payment_type_id', 'payment_types'],
  ['field_defaults', 'vitrine_id', 'vitrines'],
  ['sales_orders', 'vitrine_id', 'vitrines'],
  ['sales_orders', 'customer_id', 'customers'],
  ['sales_orders', 'carrier_id', 'carriers'],
  ['sales_order_items', 'sales_order_id', 'sales_orders'],
  ['sales_order_items', 'product_id', 'products'],
  ['sales_order_payments', 'sales_order_id', 'sales_orders'],
  ['sales_order_payments', 'payment_type_id', 'payment_types'],
  ['sales_order_status_history', 'sales_order_id', 'sales_orders'],
  ['blocked_orders', 'vitrine_id', 'vitrines'],
  ['import_runs', 'vitrine_id', 'vitrines'],
  ['integration_log', 'import_run_id', 'import_runs'],
  ['queue_page_orders', 'queue_page_id', 'queue_pages'],
  ['sales_order_invoices', 'sales_order_id', 'sales_orders'],
  ['sales_order_invoices', 'refers_to_invoice_id', 'sales_order_invoices'],
  ['sales_order_invoice_items', 'invoice_id', 'sales_order_invoices'],
  ['sales_order_tracking', 'invoice_id', 'sales_order_invoices'],
  ['sales_order_tracking_events', 'invoice_id', 'sales_order_invoices'],
  ['platform_notifications', 'invoice_id', 'sales_order_invoices'],
  ['order_fetches_in_flight', 'vitrine_id', 'vitrines'],
];

async function publicTables(db: Knex): Promise<string[]> {
  const rows = await db('information_schema.tables').where({ table_schema: 'public', table_type: 'BASE TABLE' }).select('table_name');
  return rows.map((row: { table_name: string }) => row.table_name).sort();
}

describe('ERP schema migrations', () => {
  const name = `vitrine_test_migrations_${uniqueSuffix()}`;
  let admin: Knex;
  let db: Knex;

  before(async () => {
    const serverUrl = process.env.DATABASE_URL;
    if (!serverUrl) throw new Error('DATABASE_URL is not set: run the tests with npm test');
    admin = createDatabase(serverUrl, { max: 1 });
    await admin.raw(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    db = createDatabase(url.toString(), { max: 2 });
  });

  after(async () => {
    await db?.destroy();
    await admin?.raw(`drop database if exists ${name} with (force)`);
    await admin?.destroy();
  });

  test('the database starts empty', async () => {
    assert.deepEqual(await publicTables(db), []);
  });

  test('latest creates every table with its key columns', async () => {
    const [, applied] = await db.migrate.latest(migrationConfig);
    assert.ok(applied.length >= 1, 'at least one migration applied');
    const [done, pending] = await db.migrate.list(migrationConfig);
    assert.equal(pending.length, 0);
    assert.equal(done.length, applied.length);

    const tables = await publicTables(db);
    for (const table of TABLES) assert.ok(tables.includes(table), `table ${table} exists`);

    const columns = await db('information_schema.columns')
      .where({ table_schema: 'public' })
      .select('table_name', 'column_name', 'data_type', 'is_nullable');
    const typeOf = new Map(columns.map((c: any) => [`${c.table_name}.${c.column_name}`, c.data_type]));
    for (const [table, expected] of Object.entries(COLUMNS)) {
      for (const [column, type] of Object.entries(expected)) {
        assert.equal(typeOf.get(`${table}.${column}`), type, `${table}.${column} is ${type}`);
      }
    }
    const primaryKeys = await db.raw(`
      select c.conrelid::regclass::text as table_name, array_agg(a.attname::text) as columns
      from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.contype = 'p' and c.connamespace = 'public'::regnamespace
      group by c.conrelid`);
    const pkOf = new Map(primaryKeys.rows.map((row: any) => [row.table_name, row.columns]));
    // A page's orders are keyed by page and order, an invoice's tracking by its invoice, a session by
    // the hash of its id; every other table by its id.
    const keyOf = (table: string) =>
      table === 'queue_page_orders'
        ? ['external_order_id', 'queue_page_id']
        : table === 'sales_order_tracking'
          ? ['invoice_id']
          : table === 'user_sessions'
            ? ['id_hash']
            : table === 'order_fetches_in_flight'
              ? ['vitrine_id']
              : ['id'];
    for (const table of TABLES)
      assert.deepEqual([...(pkOf.get(table) as string[])].sort(), keyOf(table), `${table} has primary key ${keyOf(table)}`);
  });

  test('named unique and check constraints and foreign keys exist', async () => {
    const { rows } = await db.raw(`
      select c.conname, c.contype, c.conrelid::regclass::text as table_name,
             array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, ord)
                   join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.ord) as columns,
             c.confrelid::regclass::text as referenced
      from pg_constraint c
      where c.connamespace = 'public'::regnamespace`);
    const byName = new Map(rows.map((row: any) => [row.conname, row]));
    for (const [constraint, expected] of Object.entries(NAMED_CONSTRAINTS)) {
      const found: any = byName.get(constraint);
      assert.ok(found, `constraint ${constraint} exists`);
      assert.equal(found.contype, expected.type, `${constraint} type`);
      assert.equal(found.table_name, expected.table, `${constraint} table`);
      if (expected.columns) assert.deepEqual(found.columns, expected.columns, `${constraint} columns`);
    }
    for (const [table, column, referenced] of FOREIGN_KEYS) {
      assert.ok(
        rows.some(
          (row: any) =>
            row.contype === 'f' &&
            row.table_name === table &&
            row.columns.length === 1 &&
            row.columns[0] === column &&
            row.referenced === referenced,
        ),
        `${table}.${column} references ${referenced}`,
      );
    }
  });

  test('money is bigint cents: no float or numeric column anywhere in the schema', async () => {
    const floats = await db('information_schema.columns')
      .where({ table_schema: 'public' })
      .whereIn('data_type', ['real', 'double precision', 'numeric', 'money'])
      .select('table_name', 'column_name', 'data_type');
    assert.deepEqual(floats, [], 'no real, double precision, numeric or money column');

    const money = await db('information_schema.columns')
      .where({ table_schema: 'public' })
      .where('column_name', 'like', '%\\_cents')
      .select('table_name', 'column_name', 'data_type');
    assert.ok(money.length >= 8, 'the money columns are found');
    for (const column of money) assert.equal(column.data_type, 'bigint', `${column.table_name}.${column.column_name} is bigint`);
  });

  test('UNIQUE (vitrine_id, external_order_id) is enforced on sales_orders', async () => {
    const [vitrine] = await db('vitrines')
      .insert({
        code: 'loja',
        name: 'Loja',
        platform: 'vtex',
        base_url: 'https://loja.example.com',
        app_key: 'k',
        app_token_encrypted: sealSecret('t'),
      })
      .returning('id');
    const [customer] = await db('customers').insert({ document: '12345678909', document_type: 'cpf', name: 'Maria' }).returning('id');
    const order = (orderCode: string) => ({
      vitrine_id: vitrine.id,
      external_order_id: '1000001-01',
      order_code: orderCode,
      origin: 'Marketplace',
      customer_id: customer.id,
      payment_condition: 'A VISTA',
      status: 'Pagamento confirmado',
      platform_state: 'ready-for-handling',
      items_total_cents: 9_007_199_254_740_000,
      shipping_total_cents: 0,
      discount_total_cents: 0,
      total_cents: 9_007_199_254_740_000,
      placed_at: new Date(),
    });
    await db('sales_orders').insert(order('VT-1000001'));
    await assert.rejects(db('sales_orders').insert(order('VT-1000001-again')), (error: any) => {
      assert.equal(error.code, '23505');
      assert.equal(error.constraint, 'sales_orders_vitrine_external_unique');
      return true;
    });
    const [stored] = await db('sales_orders').where({ vitrine_id: vitrine.id }).select('total_cents');
    assert.equal(stored.total_cents, 9_007_199_254_740_000, 'cents above 2^32 survive exactly');
    assert.equal((await db('sales_orders').count({ n: '*' }))[0].n, 1);

    // The same platform order id on another vitrine is another order.
    const [other] = await db('vitrines')
      .insert({
        code: 'outra',
        name: 'Outra',
        platform: 'vtex',
        base_url: 'https://outra.example.com',
        app_key: 'k',
        app_token_encrypted: sealSecret('t'),
      })
      .returning('id');
    await db('sales_orders').insert({ ...order('OU-1000001'), vitrine_id: other.id });
  });

  test('a customer written without its key (another writer of the ERP) is keyed by its document, or by its id', async () => {
    const keys = await db('customers')
      .insert([
        { document: '52998224725', document_type: 'cpf', name: 'Ana' },
        { document: null, document_type: null, name: 'Sem Documento' },
      ])
      .returning(['id', 'customer_key']);
    assert.equal(keys[0].customer_key, 'cpf:52998224725');
    assert.equal(keys[1].customer_key, `customer:${keys[1].id}`);
    await db('customers')
      .whereIn(
        'id',
        keys.map((k: { id: number }) => k.id),
      )
      .delete();
  });

  test('the worker resilience migration goes down with customers without a document in it, giving the others back their document as key', async () => {
    const [vitrine] = await db('vitrines').where({ code: 'loja' }).select('id');
    const [kept, dropped] = await db('customers')
      .insert([
        { customer_key: 'email:sem@example.com', name: 'Sem Documento', email: 'sem@example.com' },
        { customer_key: 'order:1:x', name: 'Sem Pedido' },
      ])
      .returning('id');
    await db('sales_orders').insert({
      vitrine_id: vitrine.id,
      external_order_id: '1000002-01',
      order_code: 'VT-1000002',
      origin: 'website',
      customer_id: kept.id,
      payment_condition: 'A VISTA',
      status: 'Pagamento confirmado',
      platform_state: 'ready-for-handling',
      items_total_cents: 100,
      shipping_total_cents: 0,
      discount_total_cents: 0,
      total_cents: 100,
      placed_at: new Date(),
      import_warnings: ['the customer has no document'],
    });
    await db('worker_starts').insert({ identity: 'host/q', task_queue: 'q', pid: 1 });
    await db('order_fetches_in_flight').insert({ vitrine_id: vitrine.id, order_ids: ['1000003-01'] });
    const [, down] = await db.migrate.down(migrationConfig);
    assert.deepEqual(
      down.map((name: string) => name.replace(/\.(ts|js)$/, '')),
      ['20261209000000_worker_resilience'],
    );
    const tables = await publicTables(db);
    assert.ok(!tables.includes('worker_starts') && !tables.includes('order_fetches_in_flight'));
    // The customer without a document whose order stays is kept with a stand-in; the other goes.
    const customers = await db('customers').whereIn('id', [kept.id, dropped.id]).select('id', 'document');
    assert.deepEqual(customers, [{ id: kept.id, document: `sem-documento-${kept.id}` }]);
    const columns = await db('information_schema.columns').where({ table_schema: 'public', table_name: 'customers' }).pluck('column_name');
    assert.ok(!columns.includes('customer_key'));
    await db('sales_orders').where({ external_order_id: '1000002-01' }).delete();
    await db('customers').where({ id: kept.id }).delete();
  });

  test('the users and audit migration goes down with users, sessions and audit rows in it', async () => {
    const [user] = await db('users')
      .insert({ email: 'ana@loja.example', role: 'admin', password_hash: 'scrypt$15$8$1$x$y' })
      .returning('id');
    await db('user_sessions').insert({
      id_hash: Buffer.alloc(32, 2),
      user_id: user.id,
      data: '{}',
      expires_at: new Date(Date.now() + 60_000),
    });
    await db('audit_log').insert({ actor: 'ana@loja.example', source: 'backoffice', action: 'vitrine.enable', before: '{}', after: '{}' });
    await assert.rejects(db('users').insert({ email: 'Upper@loja.example', role: 'admin', password_hash: 'x' }), /users_email_lower_check/);
    await assert.rejects(db('users').insert({ email: 'b@loja.example', role: 'root', password_hash: 'x' }), /users_role_check/);
    const [, down] = await db.migrate.down(migrationConfig);
    assert.deepEqual(
      down.map((name: string) => name.replace(/\.(ts|js)$/, '')),
      ['20261208000000_users_and_audit'],
    );
    const tables = await publicTables(db);
    assert.ok(!tables.includes('users') && !tables.includes('user_sessions') && !tables.includes('audit_log'));
  });

  test('the encrypted app tokens migration goes down giving the tokens back in clear, refuses to run without the key, and seals them going up', async () => {
    const downOne = async () => (await db.migrate.down(migrationConfig))[1].map((name: string) => name.replace(/\.(ts|js)$/, ''));
    const keyFile = process.env.VITRINE_SECRET_KEY_FILE;
    assert.ok(keyFile, 'the tests run with the stack key file');
    try {
      delete process.env.VITRINE_SECRET_KEY_FILE;
      await assert.rejects(db.migrate.down(migrationConfig), /no secret key: set VITRINE_SECRET_KEY or VITRINE_SECRET_KEY_FILE/);
    } finally {
      process.env.VITRINE_SECRET_KEY_FILE = keyFile;
    }
    const columnsOf = () => db('information_schema.columns').where({ table_schema: 'public', table_name: 'vitrines' }).pluck('column_name');
    assert.ok((await columnsOf()).includes('app_token_encrypted'), 'the refused migration changed nothing');

    assert.deepEqual(await downOne(), ['20261207000000_encrypted_app_tokens']);
    assert.deepEqual(await db('vitrines').orderBy('code').pluck('app_token'), ['t', 't']);
    assert.ok(!(await columnsOf()).includes('app_token_encrypted'));
    await db('vitrines').where({ code: 'loja' }).update({ app_token: 'token-of-an-older-release-1234' });
    await db.migrate.up(migrationConfig);
    assert.ok(!(await columnsOf()).includes('app_token'));
    const sealed = await db('vitrines').where({ code: 'loja' }).first('app_token_encrypted');
    assert.match(sealed.app_token_encrypted, /^v1\.[0-9a-f]{12}\./);
    assert.ok(!sealed.app_token_encrypted.includes('token-of-an-older-release'));
    assert.equal(openSecret(sealed.app_token_encrypted, 'the token'), 'token-of-an-older-release-1234');
    assert.deepEqual(await downOne(), ['20261207000000_encrypted_app_tokens']);
    assert.deepEqual(await downOne(), ['20261206000000_malformed_queue_items']);
    assert.ok(
      !(await db('information_schema.columns').where({ table_schema: 'public', table_name: 'import_runs' }).pluck('column_name')).includes(
        'malformed',
      ),
    );
  });

  test('the order hooks migration goes down with notifications in it, dropping the hook tables and columns', async () => {
    const order = await db('sales_orders').where({ order_code: 'VT-1000001' }).first('vitrine_id');
    await db('vitrine_hooks').insert({
      vitrine_id: order.vitrine_id,
      url: 'https://erp.example.com/hooks/vtex/loja',
      account: 'loja',
      secret_hash: Buffer.alloc(32, 1),
      states: ['ready-for-handling'],
    });
    await db('hook_notifications').insert({ vitrine_id: order.vitrine_id, order_id: '1000001-01', state: 'ready-for-handling' });
    const [, down] = await db.migrate.down(migrationConfig);
    assert.deepEqual(
      down.map((name: string) => name.replace(/\.(ts|js)$/, '')),
      ['20261205000000_order_hooks'],
    );
    const tables = await publicTables(db);
    assert.ok(!tables.includes('vitrine_hooks') && !tables.includes('hook_notifications'));
    const columnsOf = (table: string) =>
      db('information_schema.columns').where({ table_schema: 'public', table_name: table }).pluck('column_name');
    assert.ok(!(await columnsOf('queue_pages')).includes('source'));
    assert.ok(!(await columnsOf('import_runs')).includes('hooked'));
  });

  test("the rate limit migration goes down, dropping the vitrines' Get order limit", async () => {
    const [, down] = await db.migrate.down(migrationConfig);
    assert.deepEqual(
      down.map((name: string) => name.replace(/\.(ts|js)$/, '')),
      ['20261204000000_platform_rate_limit'],
    );
    const columns = await db('information_schema.columns').where({ table_schema: 'public', table_name: 'vitrines' }).pluck('column_name');
    assert.ok(!columns.includes('get_order_limit_per_minute'));
  });

  test('the marketplace migration goes down with marketplace orders in it, giving back the old origin, and up again', async () => {
    const order = await db('sales_orders').where({ order_code: 'VT-1000001' }).first('id', 'vitrine_id');
    const type = await db('payment_types').where({ code: 'OUTROS' }).first('id');
    await db('marketplace_mappings').insert({
      vitrine_id: order.vitrine_id,
      affiliate_id: 'MGZ',
      channel: 'Magazine Luiza',
      payment_type_id: type.id,
      payment_condition: 'Marketplace',
    });
    await assert.rejects(
      db('marketplace_mappings').insert({ vitrine_id: order.vitrine_id, affiliate_id: 'mgz', channel: 'Outro' }),
      (error: any) => error.constraint === 'marketplace_mappings_vitrine_affiliate_unique',
      'one row per affiliate, whatever its case',
    );
    await db('sales_orders')
      .where({ id: order.id })
      .update({ origin: 'Magazine Luiza', platform_origin: 'Marketplace', affiliate_id: 'MGZ', payment_difference_cents: -290 });
    await db('sales_order_payments').insert({
      sales_order_id: order.id,
      line_number: 1,
      payment_type_id: type.id,
      payment_condition: 'Marketplace',
      payment_system: null,
      payment_system_name: 'Assumed value by affiliate MGZ',
      installments: 0,
      value_cents: 100,
    });
    await db('integration_log').insert({ vitrine_id: order.vitrine_id, level: 'warning', message: 'payments total R$ 1,00' });

    const [, down] = await db.migrate.down(migrationConfig);
    assert.deepEqual(
      down.map((name: string) => name.replace(/\.(ts|js)$/, '')),
      ['20261203000000_marketplace_orders'],
    );
    assert.ok(!(await publicTables(db)).includes('marketplace_mappings'));
    assert.equal(
      (await db('sales_orders').where({ id: order.id }).first('origin')).origin,
      'Marketplace',
      "VTEX's origin is the origin again",
    );
    assert.deepEqual(await db('sales_order_payments').where({ sales_order_id: order.id }).pluck('payment_system'), ['']);
    assert.deepEqual(await db('integration_log').where({ vitrine_id: order.vitrine_id }).pluck('level'), ['info']);

    const template = await db('sales_orders').where({ id: order.id }).first();
    const { id: _id, ...columns } = template;
    const [affiliated] = await db('sales_orders')
      .insert({ ...columns, external_order_id: 'mgz-2000001-01', order_code: 'VT-mgz-2000001' })
      .returning('id');
    await db.migrate.up(migrationConfig);
    // Re-applied on orders of the older kind: the site's get "website", an affiliate's (its prefix
    // in the order id) the affiliate, and VTEX's origin is kept beside it.
    const originsOf = (id: number) => db('sales_orders').where({ id }).first('origin', 'platform_origin', 'affiliate_id', 'currency');
    assert.deepEqual(await originsOf(order.id), { origin: 'website', platform_origin: 'Marketplace', affiliate_id: null, currency: 'BRL' });
    assert.deepEqual(await originsOf(affiliated.id), {
      origin: 'MGZ',
      platform_origin: 'Marketplace',
      affiliate_id: 'mgz',
      currency: 'BRL',
    });
    await db('sales_orders').where({ id: affiliated.id }).delete();
    await db('sales_order_payments').where({ sales_order_id: order.id }).delete();
    await db('integration_log').where({ vitrine_id: order.vitrine_id }).delete();
    await db.migrate.down(migrationConfig);
  });

  test('the Atualização de Status migration goes down with data in it, keeping start-handling notifications, and up again', async () => {
    const order = await db('sales_orders').where({ order_code: 'VT-1000001' }).first('id', 'total_cents');
    const key = '52060433009911002506550120000007800267301615'; // the example key of SEFAZ's manual
    const [invoice] = await db('sales_order_invoices')
      .insert({ sales_order_id: order.id, kind: 'sale', number: '1', access_key: key, issued_at: new Date(), value_cents: 100 })
      .returning('id');
    await db('sales_order_tracking_events').insert({
      invoice_id: invoice.id,
      occurred_at: new Date(),
      city: 'Goiânia',
      state: 'GO',
      description: 'Postado',
    });
    assert.deepEqual(
      await db('platform_notifications').where({ sales_order_id: order.id }).orderBy('id').pluck('action'),
      ['start-handling', 'invoice', 'tracking-status'],
      'the triggers queued the notifications',
    );
    const [, down] = await db.migrate.down(migrationConfig);
    assert.deepEqual(
      down.map((name: string) => name.replace(/\.(ts|js)$/, '')),
      ['20261202000000_status_updates'],
    );
    const tables = await publicTables(db);
    for (const table of ['sales_order_invoices', 'sales_order_invoice_items', 'sales_order_tracking', 'sales_order_tracking_events']) {
      assert.ok(!tables.includes(table), `${table} dropped`);
    }
    assert.deepEqual(await db('platform_notifications').where({ sales_order_id: order.id }).pluck('action'), ['start-handling']);
    const functions = await db('pg_proc as p')
      .join('pg_namespace as n', 'n.oid', 'p.pronamespace')
      .where('n.nspname', 'public')
      .pluck('p.proname');
    assert.deepEqual(functions, [], 'its functions are gone');
    await db.migrate.up(migrationConfig);
    assert.equal((await db('sales_order_invoices').count({ n: '*' }))[0].n, 0);
  });

  test('rollback all leaves no project table behind', async () => {
    await db.migrate.rollback(migrationConfig, true);
    const left = await publicTables(db);
    for (const table of TABLES) assert.ok(!left.includes(table), `table ${table} was dropped`);
    assert.deepEqual(
      left.filter((table) => !table.startsWith('knex_migrations')),
      [],
      'only knex bookkeeping is left',
    );
    const [done] = await db.migrate.list(migrationConfig);
    assert.equal(done.length, 0, 'no migration recorded as applied');
  });

  test('latest works again after a rollback', async () => {
    const [, applied] = await db.migrate.latest(migrationConfig);
    assert.ok(applied.length >= 1);
    const tables = await publicTables(db);
    for (const table of TABLES) assert.ok(tables.includes(table), `table ${table} exists again`);
    assert.equal((await db('sales_orders').count({ n: '*' }))[0].n, 0, 'the tables are new and empty');
    assert.equal((await db('payment_types').count({ n: '*' }))[0].n, 6, 'the ERP payment types are seeded again');
  });
});
