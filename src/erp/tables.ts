/**
 * Row types of the ERP tables, one per table, as knex returns them (bigint columns parsed to
 * numbers in db.ts; jsonb columns parsed by pg). The migrations under ./migrations define them.
 */

export interface VitrineRow {
  id: number;
  code: string;
  name: string;
  platform: string;
  base_url: string;
  app_key: string;
  /** The platform app token, sealed (src/shared/secrets.ts); openSecret reads it. */
  app_token_encrypted: string;
  import_orders: boolean;
  import_interval_minutes: number;
  order_code_prefix: string;
  /** ISO 4217 code of orders whose document does not say. */
  currency: string;
  /** Get order calls a minute the platform allows the account; the connector paces at 95% of it. */
  get_order_limit_per_minute: number;
  keep_customer_identity: boolean;
  /** Block orders whose customer has no valid CPF/CNPJ; otherwise they import without one, with a warning. */
  require_document: boolean;
  log_level: 'errors' | 'all';
  created_at: Date;
  updated_at: Date;
}

export interface CustomerRow {
  id: number;
  /** cpf:<digits> or cnpj:<digits>; email:<address> or order:<vitrine id>:<order id> without a document. */
  customer_key: string;
  document: string | null;
  document_type: 'cpf' | 'cnpj' | null;
  name: string;
  email: string | null;
  phone: string | null;
  is_corporate: boolean;
  state_registration: string | null;
  street: string | null;
  number: string | null;
  complement: string | null;
  neighborhood: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
  produtor_rural: boolean;
  rg: string | null;
  tipo_pessoa: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ProductRow {
  id: number;
  sku: string;
  name: string;
  ean: string | null;
  ref_id: string | null;
  created_at: Date;
}

export interface CarrierRow {
  id: number;
  code: string;
  name: string;
}

export interface PaymentTypeRow {
  id: number;
  code: string;
  name: string;
}

export interface PaymentTypeMappingRow {
  id: number;
  vitrine_id: number;
  platform_payment: string;
  payment_type_id: number;
  payment_condition: string;
}

export interface MarketplaceMappingRow {
  id: number;
  vitrine_id: number;
  affiliate_id: string;
  channel: string;
  order_code_prefix: string | null;
  payment_type_id: number | null;
  payment_condition: string | null;
  created_at: Date;
}

export interface StatusMappingRow {
  id: number;
  vitrine_id: number;
  platform_state: string;
  erp_status: string;
}

export interface FieldDefaultRow {
  id: number;
  vitrine_id: number;
  target: 'customer' | 'order';
  field: string;
  expression: string;
}

export interface SalesOrderRow {
  id: number;
  vitrine_id: number;
  external_order_id: string;
  order_code: string;
  /** The ERP origin: "website", or the marketplace's channel. */
  origin: string;
  platform_origin: string | null;
  affiliate_id: string | null;
  marketplace_name: string | null;
  marketplace_order_id: string | null;
  currency: string;
  payment_difference_cents: number | null;
  /** What the import noticed and let through (a customer without a valid document). */
  import_warnings: string[];
  customer_id: number;
  carrier_id: number | null;
  payment_condition: string;
  status: string;
  platform_state: string;
  items_total_cents: number;
  shipping_total_cents: number;
  discount_total_cents: number;
  total_cents: number;
  placed_at: Date;
  approved_at: Date | null;
  imported_at: Date;
  updated_at: Date;
  cancellation_requested_at: Date | null;
  cancellation_request_reason: string | null;
  cancel_reason: string | null;
}

export interface SalesOrderItemRow {
  id: number;
  sales_order_id: number;
  line_number: number;
  product_id: number;
  sku: string;
  name: string;
  quantity: number;
  unit_price_cents: number;
  list_price_cents: number;
  total_cents: number;
}

export interface SalesOrderPaymentRow {
  id: number;
  sales_order_id: number;
  line_number: number;
  payment_type_id: number;
  payment_condition: string;
  platform_payment_id: string | null;
  payment_system: string | null;
  payment_system_name: string | null;
  payment_group: string | null;
  installments: number;
  value_cents: number;
}

export interface SalesOrderStatusHistoryRow {
  id: number;
  sales_order_id: number;
  status: string;
  platform_state: string;
  source: 'import' | 'platform-update' | 'erp';
  changed_at: Date;
}

export interface BlockedOrderRow {
  id: number;
  vitrine_id: number;
  external_order_id: string;
  reason: string;
  payload: unknown;
  first_seen_at: Date;
  last_seen_at: Date;
  attempts: number;
}

export interface ImportRunRow {
  id: number;
  vitrine_id: number;
  workflow_id: string;
  status: 'running' | 'completed' | 'failed';
  fetched: number;
  imported: number;
  updated: number;
  blocked: number;
  unchanged: number;
  committed: number;
  /** Orders of hook notifications the run served. */
  hooked: number;
  malformed: number;
  started_at: Date;
  finished_at: Date | null;
  workflow_run_id: string | null;
  failure_type: string | null;
  failure_message: string | null;
}

export interface PlatformNotificationRow {
  id: number;
  sales_order_id: number;
  action: 'start-handling' | 'invoice' | 'tracking-number' | 'tracking-status' | 'cancel';
  invoice_id: number | null;
  revision: number;
  created_at: Date;
  sent_at: Date | null;
  blocked_at: Date | null;
  attempts: number;
  last_error: string | null;
}

export interface SalesOrderInvoiceRow {
  id: number;
  sales_order_id: number;
  kind: 'sale' | 'return';
  number: string;
  series: string | null;
  access_key: string;
  issued_at: Date;
  value_cents: number;
  refers_to_invoice_id: number | null;
  xml: string | null;
  url: string | null;
  created_at: Date;
}

export interface SalesOrderInvoiceItemRow {
  id: number;
  invoice_id: number;
  sku: string;
  quantity: number;
  unit_price_cents: number;
}

export interface SalesOrderTrackingRow {
  invoice_id: number;
  carrier: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  dispatched_at: Date | null;
  delivered_at: Date | null;
  updated_at: Date;
}

export interface SalesOrderTrackingEventRow {
  id: number;
  invoice_id: number;
  occurred_at: Date;
  city: string;
  state: string;
  description: string;
}

export interface IntegrationLogRow {
  id: number;
  vitrine_id: number;
  workflow_id: string | null;
  level: 'error' | 'info';
  external_order_id: string | null;
  message: string;
  created_at: Date;
}

export interface QueuePageRow {
  id: number;
  import_run_id: number;
  vitrine_id: number;
  /** The queue items as the platform listed them: { handle, orderId, state }[]. */
  items: Array<{ handle: string; orderId: string; state: string }>;
  /** feed: the platform queue; hook: notifications of the orders hook (their items have no handle). */
  source: 'feed' | 'hook';
  fetched_at: Date;
  committed_at: Date | null;
}

export interface WorkerStartRow {
  id: number;
  identity: string;
  task_queue: string;
  pid: number;
  started_at: Date;
  /** Set when the worker shut down by itself; a start without it died (or still runs). */
  stopped_at: Date | null;
}

/** The step of a page's import that settled an order of the page (queue_page_orders.step). */
export type PageStep = 'fetch' | 'defaults' | 'import' | 'status';

/** What became of an order of a page (queue_page_orders.outcome). */
export type PageOutcome = 'imported' | 'updated' | 'unchanged' | 'blocked';

export interface QueuePageOrderRow {
  queue_page_id: number;
  external_order_id: string;
  kind: 'new' | 'existing';
  platform_state: string;
  /** The mapped order (src/mapping/erpOrder.ts), for an order new to the ERP. */
  erp_order: unknown;
  /** Size of erp_order as JSON (rows of an earlier version: null). */
  erp_order_bytes: number | null;
  approved_at: string | null;
  cancel_reason: string | null;
  customer_defaults: Record<string, unknown> | null;
  order_defaults: Record<string, unknown> | null;
  defaults_at: Date | null;
  outcome: PageOutcome | null;
  step: PageStep | null;
}

/** A vitrine's orders hook as the ERP configured it on the platform (table vitrine_hooks). */
export interface VitrineHookRow {
  vitrine_id: number;
  url: string;
  account: string;
  secret_hash: Buffer;
  previous_secret_hash: Buffer | null;
  previous_secret_until: Date | null;
  states: string[];
  enabled_at: Date;
  last_notification_at: Date | null;
  notifications: string | number;
  last_ping_at: Date | null;
}

/** A notification of the orders hook the import has not served yet (table hook_notifications). */
export interface HookNotificationRow {
  vitrine_id: number;
  order_id: string;
  state: string;
  last_change: Date | null;
  received_at: Date;
  queue_page_id: number | null;
}
