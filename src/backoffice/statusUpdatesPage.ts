/**
 * Atualização de Status in the backoffice: on an order's page, its invoices, tracking and what the
 * platform was told, with the forms of `vitrine orders invoice | tracking | tracking-event | deliver
 * | cancel | return` (the same rules, src/admin/statusUpdates.ts); and the notification list, where
 * a blocked notification is retried.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { z } from 'zod';
import { listLimitSchema } from '../admin/inputs';
import {
  cancelFieldsOf,
  deliveryFieldsOf,
  invoiceFieldsOf,
  returnFieldsOf,
  trackingEventFieldsOf,
  trackingFieldsOf,
} from '../admin/statusUpdateInputs';
import {
  addTrackingEvent,
  cancelOrder,
  deliverOrder,
  invoiceOrder,
  recordStatusUpdate,
  returnOrder,
  trackOrder,
  type StatusUpdateResult,
} from '../admin/statusUpdates';
import { parseSetting } from '../admin/vitrineSettings';
import { listNotifications, notificationState, unblockNotifications, vitrineOfNotification } from '../erp/store/notifications';
import type { OrderDetail } from '../erp/store/orderQueries';
import { listVitrines } from '../erp/store/vitrines';
import { formatCents } from '../shared/format';
import { enc, html, type Html } from './html';
import {
  change,
  fieldsOf,
  NotFoundError,
  queryOf,
  redirectWith,
  sendPage,
  takeFlash,
  userMistake,
  vitrineFromPath,
  vitrineIdOf,
  type BackofficeDeps,
  type Fields,
} from './http';
import { options, page, when, type Flash } from './layout';

/** A field as the forms name it. */
const LABELS: Record<string, string> = {
  number: 'number',
  key: 'access key',
  series: 'series',
  issuedAt: 'issued at',
  value: 'value',
  items: 'items',
  url: 'URL',
  carrier: 'carrier',
  invoice: 'invoice',
  at: 'when',
  city: 'city',
  state: 'state',
  description: 'description',
  reason: 'reason',
};
const label = (field: string) => LABELS[field] ?? field;

/** What each form does: the CLI's commands, the same fields and rules. */
const ACTIONS: Record<string, (db: Knex, orderCode: string, f: Fields) => Promise<StatusUpdateResult>> = {
  invoice: (db, orderCode, f) => invoiceOrder(db, orderCode, { ...invoiceFieldsOf(f, label), xml: f.xml?.trim() ? f.xml : undefined }),
  tracking: (db, orderCode, f) => trackOrder(db, orderCode, trackingFieldsOf(f, label)),
  'tracking-event': (db, orderCode, f) => addTrackingEvent(db, orderCode, trackingEventFieldsOf(f, label)),
  deliver: (db, orderCode, f) => deliverOrder(db, orderCode, deliveryFieldsOf(f, label)),
  cancel: (db, orderCode, f) => cancelOrder(db, orderCode, cancelFieldsOf(f, label)),
  return: (db, orderCode, f) => returnOrder(db, orderCode, returnFieldsOf(f, label)),
};

function outcome(done: StatusUpdateResult): string {
  if (!done.changed) return `order ${done.orderCode}: nothing changed (it was already so)`;
  const status = done.previousStatus === done.status ? `status stays ${done.status}` : `${done.previousStatus} → ${done.status}`;
  return `order ${done.orderCode}: ${status}${done.queued.length ? `; the platform is told: ${done.queued.join(', ')}` : ''}`;
}

/** The order page's Atualização de Status section. */
export function renderStatusUpdates(order: OrderDetail): Html {
  const base = `/orders/${enc(order.orderCode)}`;
  const form = (action: string, label: string, fields: Html) =>
    html`<form method="post" action="${base}/${action}" class="stack" aria-label="${label}" data-action="${action}">
      ${fields}<button>${label}</button>
    </form>`;
  const sales = order.invoices.filter((i) => i.kind === 'sale');
  const invoiceChoice = sales.length
    ? html`<label
        >Invoice<select name="invoice">
          ${options(sales.map((i) => i.number).reverse(), undefined)}
        </select></label
      >`
    : html``;
  return html`<h2 id="status-updates">Atualização de Status</h2>
    ${
      order.cancellationRequest
        ? html`<p class="flash error" id="cancellation-request">
            The platform asked to cancel this order on ${when(order.cancellationRequest.at)}:
            ${order.cancellationRequest.reason ?? 'no reason given'}. Accept below (Cancel), or talk to the customer; it cannot be invoiced
            meanwhile.
          </p>`
        : html``
    }
    <table id="invoices">
      <thead>
        <tr>
          <th>Invoice</th>
          <th>Kind</th>
          <th>Value</th>
          <th>Issued</th>
          <th>Access key</th>
          <th>Items</th>
          <th>Tracking</th>
          <th>Events</th>
          <th>Delivered</th>
        </tr>
      </thead>
      <tbody>
        ${
          order.invoices.length === 0
            ? html`<tr>
                <td colspan="9" class="muted">No invoices yet.</td>
              </tr>`
            : order.invoices.map(
                (i) =>
                  html`<tr data-invoice="${i.number}">
                    <td>${i.number}${i.series ? ` / ${i.series}` : ''}</td>
                    <td>${i.kind}</td>
                    <td class="num">${formatCents(i.valueCents)}</td>
                    <td>${when(i.issuedAt)}</td>
                    <td><code>${i.accessKey}</code></td>
                    <td>${i.items.map((item) => `${item.sku} × ${item.quantity}`).join(', ')}</td>
                    <td>
                      ${i.tracking?.trackingNumber ?? '-'}
                      ${i.tracking?.carrier ? html`<span class="muted">(${i.tracking.carrier})</span>` : ''}
                    </td>
                    <td>
                      ${i.tracking?.events.map((e) => `${when(e.occurredAt)} ${e.city}/${e.state}: ${e.description}`).join('; ') || '-'}
                    </td>
                    <td>${when(i.tracking?.deliveredAt ?? null)}</td>
                  </tr>`,
              )
        }
      </tbody>
    </table>
    <h3>What the platform was told</h3>
    ${renderNotifications(order.notifications, false)}
    <div class="forms">
      ${form(
        'invoice',
        'Invoice',
        html`<label>Invoice number<input name="number" required /></label>
          <label>Access key (44 digits)<input name="key" required inputmode="numeric" /></label>
          <label>Series<input class="short" name="series" /></label>
          <label>Issued at<input name="issuedAt" placeholder="2026-12-01T14:30:00-03:00" /></label>
          <label>Value<input class="short" name="value" placeholder="what is left" /></label>
          <label>Items<input name="items" placeholder="sku:qty,... (default: every item left)" /></label>
          <label>URL<input name="url" /></label>
          <label>NF-e XML<textarea name="xml" rows="2"></textarea></label>`,
      )}
      ${form(
        'tracking',
        'Send tracking',
        html`<label>Tracking number<input name="number" required /></label>
          <label>URL<input name="url" /></label>
          <label>Carrier<input name="carrier" placeholder="the order's" /></label>
          ${invoiceChoice}`,
      )}
      ${form(
        'tracking-event',
        'Add tracking event',
        html`<label>When<input name="at" required placeholder="2026-12-01T14:30:00-03:00" /></label>
          <label>City<input name="city" required /></label>
          <label>State (UF)<input class="short" name="state" required /></label>
          <label>Description<input name="description" required /></label>
          ${invoiceChoice}`,
      )}
      ${form('deliver', 'Mark delivered', html`<label>When<input name="at" placeholder="now" /></label>${invoiceChoice}`)}
      ${form('cancel', 'Cancel order', html`<label>Reason<input name="reason" required /></label>`)}
      ${form(
        'return',
        'Return (return invoice)',
        html`<label>Return invoice number<input name="number" required /></label>
          <label>Access key (44 digits)<input name="key" required inputmode="numeric" /></label>
          <label>Items<input name="items" placeholder="sku:qty,... (default: everything invoiced)" /></label>`,
      )}
    </div>`;
}

function renderNotifications(rows: Awaited<ReturnType<typeof listNotifications>>, withOrder: boolean): Html {
  if (rows.length === 0) return html`<p class="muted" id="no-notifications">Nothing to tell the platform.</p>`;
  return html`<table id="notifications">
    <thead>
      <tr>
        <th>#</th>
        ${
          withOrder
            ? html`<th>Vitrine</th>
                <th>Order</th>`
            : html``
        }
        <th>Action</th>
        <th>Invoice</th>
        <th>State</th>
        <th>Attempts</th>
        <th>Queued</th>
        <th>Sent</th>
        <th>Platform's reason</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (n) =>
          html`<tr data-notification="${String(n.id)}" data-state="${n.state}">
            <td class="num">${n.id}</td>
            ${
              withOrder
                ? html`<td>${n.vitrineCode}</td>
                    <td><a href="/orders/${enc(n.orderCode)}">${n.orderCode}</a></td>`
                : html``
            }
            <td>${n.action}</td>
            <td>${n.invoiceNumber ?? '-'}</td>
            <td>${n.state}</td>
            <td class="num">${n.attempts}</td>
            <td>${when(n.createdAt)}</td>
            <td>${when(n.sentAt)}</td>
            <td>${n.state === 'sent' ? '' : (n.lastError ?? '')}</td>
            <td>
              ${
                n.state === 'blocked'
                  ? html`<form method="post" action="/notifications/${String(n.id)}/retry"><button>Retry</button></form>`
                  : html``
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

const idSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/, 'must be a positive whole number')
  .transform(Number);

async function renderList(deps: BackofficeDeps, request: FastifyRequest, reply: FastifyReply) {
  const q = queryOf(request);
  const vitrineText = q.vitrine || undefined;
  const blocked = q.blocked === '1';
  let flash: Flash | undefined = takeFlash(request, reply);
  let rows: Awaited<ReturnType<typeof listNotifications>> = [];
  let status = 200;
  try {
    rows = await listNotifications(deps.db, {
      vitrineId: vitrineText === undefined ? undefined : await vitrineIdOf(deps, vitrineText),
      blocked,
      limit: parseSetting(listLimitSchema, q.limit || '100', 'limit'),
    });
  } catch (error) {
    const message = userMistake(error);
    if (message === undefined) throw error;
    flash = { kind: 'error', message };
    status = 400;
  }
  const vitrines = (await listVitrines(deps.db)).map((v) => v.code);
  const body = html`<h1>Atualização de Status</h1>
    <p class="muted">
      What the platform is told of each order (start-handling, invoice, tracking, delivery, cancellation), within seconds of the ERP's
      change. A notification the platform refused is blocked with its reason: fix the cause, then Retry.
    </p>
    <form method="get" action="/notifications" class="stack" aria-label="Filter notifications">
      <label
        >Vitrine<select name="vitrine">
          <option value="">all</option>
          ${options(vitrines, vitrineText)}
        </select></label
      >
      <label><input type="checkbox" name="blocked" value="1" ${blocked ? 'checked' : ''} /> only blocked</label>
      <button>Filter</button>
    </form>
    ${
      rows.some((r) => r.state === 'blocked')
        ? html`<form method="post" action="/notifications/retry-all">
            <input type="hidden" name="vitrine" value="${vitrineText ?? ''}" /><button>Retry every blocked notification</button>
          </form>`
        : html``
    }
    ${renderNotifications(rows, true)}`;
  return sendPage(reply, page({ title: 'Atualização de Status', section: 'notifications', flash }, body), status);
}

export function registerStatusUpdateRoutes(
  app: FastifyInstance,
  deps: BackofficeDeps,
  renderOrder: (request: FastifyRequest, reply: FastifyReply, orderCode: string, flash: Flash, status: number) => Promise<unknown>,
): void {
  for (const [action, run] of Object.entries(ACTIONS)) {
    app.post<{ Params: { orderCode: string } }>(`/orders/:orderCode/${action}`, async (request, reply) => {
      const { orderCode } = request.params;
      try {
        const done = await change(deps, request, async (db, log) => {
          const result = await run(db, orderCode.slice(0, 200), fieldsOf(request));
          await recordStatusUpdate(db, log, result, action);
          return result;
        });
        return redirectWith(reply, `/orders/${enc(done.orderCode)}#status-updates`, { kind: 'ok', message: outcome(done) });
      } catch (error) {
        const message = userMistake(error);
        if (message === undefined) throw error;
        if (/does not exist/.test(message)) throw new NotFoundError(message);
        return renderOrder(request, reply, orderCode, { kind: 'error', message }, 400);
      }
    });
  }

  app.get('/notifications', (request, reply) => renderList(deps, request, reply));

  app.post<{ Params: { id: string } }>('/notifications/:id/retry', async (request, reply) => {
    const parsed = idSchema.safeParse(request.params.id);
    const state = parsed.success ? await notificationState(deps.db, parsed.data) : undefined;
    if (!parsed.success || state === undefined)
      throw new NotFoundError(`notification ${JSON.stringify(request.params.id.slice(0, 20))} does not exist`);
    if (state !== 'blocked')
      return redirectWith(reply, '/notifications', {
        kind: 'error',
        message: `notification ${parsed.data} is not blocked (it is ${state})`,
      });
    await change(deps, request, async (db, log) => {
      const retried = await unblockNotifications(db, { ids: [parsed.data] });
      const vitrine = await vitrineOfNotification(db, parsed.data);
      log.record({ vitrine, action: 'notifications.retry', before: { notificationId: parsed.data }, after: { retried } });
    });
    return redirectWith(reply, '/notifications', { kind: 'ok', message: `notification ${parsed.data} is sent again within seconds` });
  });

  app.post('/notifications/retry-all', async (request, reply) => {
    const code = fieldsOf(request).vitrine || undefined;
    const vitrine = code === undefined ? undefined : await vitrineFromPath(deps.db, code);
    const retried = await change(deps, request, async (db, log) => {
      const count = await unblockNotifications(db, { vitrineId: vitrine?.id });
      log.record({ vitrine: vitrine ?? null, action: 'notifications.retry', before: { all: true }, after: { retried: count } });
      return count;
    });
    return redirectWith(reply, `/notifications${code ? `?vitrine=${enc(code)}` : ''}`, {
      kind: 'ok',
      message: `${retried} notification(s) sent again within seconds`,
    });
  });
}
