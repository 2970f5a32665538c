/**
 * Atualização de Status in VTEX's words (contracts/vtex/orders-api.openapi.json): the request
 * bodies of the invoice notification, the tracking number and the tracking status, and of the feed
 * and hook configurations. Pure: ERP notices in, VTEX bodies out.
 */
import type { FeedConfig, HookConfig, InvoiceNotice, TrackingNotice, TrackingStatusNotice } from '../types';

/** POST /api/oms/pvt/orders/{orderId}/invoice. `invoiceValue` is a string of cents, as the contract types it. */
export function invoiceBody(invoice: InvoiceNotice): Record<string, unknown> {
  return {
    type: invoice.kind === 'sale' ? 'Output' : 'Input',
    issuanceDate: invoice.issuedAt.toISOString(),
    invoiceNumber: invoice.number,
    invoiceValue: String(invoice.valueCents),
    invoiceKey: invoice.accessKey,
    invoiceUrl: invoice.url,
    embeddedInvoice: invoice.xml,
    // Tracking goes later, by its own call: the contract asks for empty fields here.
    courier: '',
    trackingNumber: '',
    trackingUrl: '',
    dispatchedDate: null,
    items: invoice.items.map((item) => ({ id: item.sku, price: item.unitPriceCents, quantity: item.quantity })),
  };
}

/** PATCH /api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}. */
export function trackingBody(tracking: TrackingNotice): Record<string, unknown> {
  return {
    trackingNumber: tracking.trackingNumber,
    trackingUrl: tracking.trackingUrl,
    courier: tracking.carrier,
    dispatchedDate: tracking.dispatchedAt ? tracking.dispatchedAt.toISOString() : null,
  };
}

/** "yyyy-mm-dd hh:mm", the contract's format of deliveredDate (UTC). */
export function vtexDeliveredDate(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** PUT /api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}/tracking: the whole state each time. */
export function trackingStatusBody(status: TrackingStatusNotice): Record<string, unknown> {
  return {
    isDelivered: status.delivered,
    deliveredDate: status.delivered && status.deliveredAt ? vtexDeliveredDate(status.deliveredAt) : null,
    events: status.events.map((event) => ({
      city: event.city,
      state: event.state,
      description: event.description,
      date: event.occurredAt.toISOString(),
    })),
  };
}

/** POST /api/orders/feed/config: a FromWorkflow filter on the states the ERP reads. */
export function feedConfigBody(config: FeedConfig): Record<string, unknown> {
  return {
    filter: { type: 'FromWorkflow', status: config.states },
    queue: { visibilityTimeoutInSeconds: config.visibilityTimeoutSeconds, MessageRetentionPeriodInSeconds: config.retentionSeconds },
  };
}

/** GET /api/orders/feed/config's answer, whichever case the platform writes the retention in. */
export function feedConfigOf(body: unknown): FeedConfig | null {
  if (!body || typeof body !== 'object') return null;
  const { filter, queue } = body as { filter?: Record<string, unknown>; queue?: Record<string, unknown> };
  if (!filter || !queue) return null;
  const states = Array.isArray(filter.status) ? filter.status.filter((s): s is string => typeof s === 'string') : [];
  const retention = queue.MessageRetentionPeriodInSeconds ?? queue.messageRetentionPeriodInSeconds;
  return {
    states,
    visibilityTimeoutSeconds: typeof queue.visibilityTimeoutInSeconds === 'number' ? queue.visibilityTimeoutInSeconds : 0,
    retentionSeconds: typeof retention === 'number' ? retention : 0,
  };
}

/** POST /api/orders/hook/config: a FromWorkflow filter on the states the ERP reads, and where to call. */
export function hookConfigBody(config: HookConfig): Record<string, unknown> {
  return { filter: { type: 'FromWorkflow', status: config.states }, hook: { url: config.url, headers: config.headers } };
}

/** GET /api/orders/hook/config's answer (null when it carries no hook). */
export function hookConfigOf(body: unknown): HookConfig | null {
  if (!body || typeof body !== 'object') return null;
  const { filter, hook } = body as { filter?: Record<string, unknown>; hook?: Record<string, unknown> };
  if (!hook || typeof hook.url !== 'string') return null;
  const headers: Record<string, string> = {};
  if (hook.headers && typeof hook.headers === 'object')
    for (const [name, value] of Object.entries(hook.headers)) if (typeof value === 'string') headers[name] = value;
  const states = Array.isArray(filter?.status) ? filter.status.filter((s): s is string => typeof s === 'string') : [];
  return { states, url: hook.url, headers };
}
