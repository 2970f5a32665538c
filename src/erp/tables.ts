/** Row types of the ERP tables, as knex returns them (bigint columns parsed to numbers in db.ts). */
export interface VitrineRow {
  id: number;
  code: string;
  name: string;
  platform: string;
  base_url: string;
  app_key: string;
  app_token: string;
  import_orders: boolean;
  import_interval_minutes: number;
  order_code_prefix: string;
  keep_customer_identity: boolean;
  log_level: 'errors' | 'all';
  created_at: Date;
  updated_at: Date;
}

export interface CustomerRow {
  id: number;
  document: string;
  document_type: 'cpf' | 'cnpj';
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
}

export interface SalesOrderRow {
  id: number;
  vitrine_id: number;
  external_order_id: string;
  order_code: string;
  origin: string;
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
}

export interface PaymentTypeMappingRow {
  id: number;
  vitrine_id: number;
  platform_payment: string;
  payment_type_id: number;
  payment_condition: string;
}

export interface FieldDefaultRow {
  id: number;
  vitrine_id: number;
  target: 'customer' | 'order';
  field: string;
  expression: string;
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
  started_at: Date;
  finished_at: Date | null;
}
