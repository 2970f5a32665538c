/**
 * Pedidos de venda: the imported orders with filters (vitrine, ERP status, how many), and one
 * order's detail: product lines, origin, order code, customer, carrier, payments and payment
 * condition, status and its history (what `vitrine orders list | show` print).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listLimitSchema } from '../admin/inputs';
import { erpStatusSchema } from '../erp/store/deparaTables';
import { getOrderDetail, listOrders, type OrderDetail } from '../erp/store/orderQueries';
import { listVitrines } from '../erp/store/vitrines';
import { ERP_STATUSES } from '../importing/rules/statuses';
import { parseSetting } from '../admin/vitrineSettings';
import { formatCents } from '../shared/format';
import { enc, html } from './html';
import { NotFoundError, queryOf, sendPage, takeFlash, userMistake, vitrineIdOf, type BackofficeDeps } from './http';
import { options, page, when, type Flash } from './layout';
import { registerStatusUpdateRoutes, renderStatusUpdates } from './statusUpdatesPage';

const DEFAULT_LIMIT = '100';

async function renderList(deps: BackofficeDeps, request: FastifyRequest, reply: FastifyReply) {
  const typed = queryOf(request);
  const vitrineText = typed.vitrine || undefined;
  const statusText = typed.status || undefined;
  const limitText = typed.limit || DEFAULT_LIMIT;
  let flash: Flash | undefined = takeFlash(request, reply);
  let orders: Awaited<ReturnType<typeof listOrders>> = [];
  let status = 200;
  try {
    // The same rules as `vitrine orders list --vitrine <code> --limit <n>`.
    const filter = {
      vitrineId: vitrineText === undefined ? undefined : await vitrineIdOf(deps, vitrineText),
      status: statusText === undefined ? undefined : parseSetting(erpStatusSchema, statusText, 'status'),
      limit: parseSetting(listLimitSchema, limitText, 'limit'),
    };
    orders = await listOrders(deps.db, filter);
  } catch (error) {
    const message = userMistake(error);
    if (message === undefined) throw error;
    flash = { kind: 'error', message };
    status = 400;
  }
  const vitrines = (await listVitrines(deps.db)).map((v) => v.code);
  const body = html`<h1>Pedidos de venda</h1>
    <form method="get" action="/orders" class="stack" aria-label="Filter orders">
      <label
        >Vitrine<select name="vitrine">
          <option value="">all</option>
          ${options(vitrines, vitrineText)}
        </select></label
      >
      <label
        >Status<select name="status">
          <option value="">all</option>
          ${options(ERP_STATUSES, statusText)}
        </select></label
      >
      <label>At most<input class="short" name="limit" inputmode="numeric" value="${limitText}" /></label>
      <button>Filter</button>
    </form>
    ${
      orders.length === 0
        ? html`<p class="muted">No orders${status === 200 && (vitrineText || statusText) ? ' match the filter' : ''}.</p>`
        : html`<table id="orders">
              <thead>
                <tr>
                  <th>Order</th>
                  <th>Vitrine</th>
                  <th>Platform order</th>
                  <th>Customer</th>
                  <th>Origin</th>
                  <th>Status</th>
                  <th>Total</th>
                  <th>Placed</th>
                </tr>
              </thead>
              <tbody>
                ${orders.map(
                  (o) =>
                    html`<tr data-order="${o.orderCode}">
                      <td><a href="/orders/${enc(o.orderCode)}">${o.orderCode}</a></td>
                      <td>${o.vitrineCode}</td>
                      <td>${o.externalOrderId}</td>
                      <td>${o.customerName}</td>
                      <td>${o.origin}</td>
                      <td>${o.status}</td>
                      <td class="num">${formatCents(o.totalCents)}</td>
                      <td>${when(o.placedAt)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            <p class="muted">${orders.length} order(s), newest first.</p>`
    }`;
  return sendPage(reply, page({ title: 'Pedidos de venda', section: 'orders', flash }, body), status);
}

function customerText(customer: Record<string, unknown>): { name: string; document: string; address: string } {
  const text = (key: string) => (customer[key] === null || customer[key] === undefined ? '' : String(customer[key]));
  return {
    name: text('name'),
    document: customer.document ? `${text('document_type').toUpperCase()} ${text('document')}` : 'sem documento',
    address: ['street', 'number', 'complement', 'neighborhood', 'city', 'state', 'postal_code'].map(text).filter(Boolean).join(', '),
  };
}

function renderDetail(order: OrderDetail) {
  const c = order.customer;
  const customer = customerText(c);
  return html`<h1>Pedido ${order.orderCode}</h1>
    <p><a href="/orders?vitrine=${enc(order.vitrineCode)}">← orders of ${order.vitrineCode}</a></p>
    <dl class="fields" id="order">
      <dt>Order code</dt>
      <dd data-field="orderCode">${order.orderCode}</dd>
      <dt>Vitrine</dt>
      <dd><a href="/vitrines/${enc(order.vitrineCode)}">${order.vitrineCode}</a></dd>
      <dt>Platform order</dt>
      <dd data-field="externalOrderId">${order.externalOrderId}</dd>
      <dt>Origin</dt>
      <dd data-field="origin">${order.origin}</dd>
      <dt>Marketplace</dt>
      <dd data-field="marketplace">
        ${
          order.marketplace
            ? html`${order.marketplace.name ?? order.marketplace.affiliateId}
                <span class="muted">(affiliate ${order.marketplace.affiliateId})</span>`
            : '-'
        }
      </dd>
      <dt>Marketplace order</dt>
      <dd data-field="marketplaceOrderId">${order.marketplace?.orderId ?? '-'}</dd>
      <dt>Status</dt>
      <dd data-field="status">${order.status} <span class="muted">(platform: ${order.platformState})</span></dd>
      <dt>Payment condition</dt>
      <dd data-field="paymentCondition">${order.paymentCondition}</dd>
      <dt>Carrier</dt>
      <dd data-field="carrier">${order.carrier ? `${order.carrier.name} (${order.carrier.code})` : '-'}</dd>
      <dt>Items</dt>
      <dd>${formatCents(order.itemsTotalCents)}</dd>
      <dt>Shipping</dt>
      <dd>${formatCents(order.shippingTotalCents)}</dd>
      <dt>Discounts</dt>
      <dd>${formatCents(order.discountTotalCents)}</dd>
      <dt>Total</dt>
      <dd data-field="total">
        <strong>${formatCents(order.totalCents)}</strong
        >${order.currency !== 'BRL' ? html` <span class="muted">(${order.currency})</span>` : ''}
      </dd>
      ${
        order.paymentDifferenceCents !== null
          ? html`<dt>Payments</dt>
              <dd data-field="paymentDifference" class="flash warning">
                Payments total ${formatCents(order.totalCents + order.paymentDifferenceCents)}, ${formatCents(order.paymentDifferenceCents)}
                from the order total: imported as the platform sent it, check with the platform.
              </dd>`
          : ''
      }
      ${
        order.importWarnings.length > 0
          ? html`<dt>Avisos</dt>
              <dd data-field="importWarnings" class="flash warning">${order.importWarnings.join('; ')}</dd>`
          : ''
      }
      <dt>Placed</dt>
      <dd>${when(order.placedAt)}</dd>
      <dt>Approved</dt>
      <dd>${when(order.approvedAt)}</dd>
      <dt>Imported</dt>
      <dd>${when(order.importedAt)}</dd>
    </dl>
    <h2>Customer</h2>
    <dl class="fields" id="customer">
      <dt>Name</dt>
      <dd data-field="customerName">${customer.name}</dd>
      <dt>Document</dt>
      <dd>${customer.document}</dd>
      <dt>Email</dt>
      <dd>${c.email === null ? '-' : String(c.email)}</dd>
      <dt>Phone</dt>
      <dd>${c.phone === null ? '-' : String(c.phone)}</dd>
      <dt>Produtor rural</dt>
      <dd>${c.produtor_rural ? 'sim' : 'não'}</dd>
      <dt>Tipo pessoa</dt>
      <dd>${c.tipo_pessoa === null || c.tipo_pessoa === undefined ? '-' : String(c.tipo_pessoa)}</dd>
      <dt>Address</dt>
      <dd>${customer.address || '-'}</dd>
    </dl>
    <h2>Product lines</h2>
    <table id="items">
      <thead>
        <tr>
          <th>Line</th>
          <th>SKU</th>
          <th>Product</th>
          <th>Qty</th>
          <th>Unit price</th>
          <th>List price</th>
          <th>Total</th>
        </tr>
      </thead>
      <tbody>
        ${order.items.map(
          (i) =>
            html`<tr>
              <td class="num">${i.lineNumber}</td>
              <td>${i.sku}</td>
              <td>${i.name}</td>
              <td class="num">${i.quantity}</td>
              <td class="num">${formatCents(i.unitPriceCents)}</td>
              <td class="num">${formatCents(i.listPriceCents)}</td>
              <td class="num">${formatCents(i.totalCents)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Payments</h2>
    <table id="payments">
      <thead>
        <tr>
          <th>Line</th>
          <th>ERP type</th>
          <th>Platform payment</th>
          <th>Condition</th>
          <th>Installments</th>
          <th>Value</th>
        </tr>
      </thead>
      <tbody>
        ${order.payments.map(
          (p) =>
            html`<tr>
              <td class="num">${p.lineNumber}</td>
              <td>${p.paymentTypeName} <span class="muted">(${p.paymentType})</span></td>
              <td>${p.paymentSystemName ?? p.paymentSystem ?? p.paymentGroup ?? '(settled by the marketplace)'}</td>
              <td>${p.condition}</td>
              <td class="num">${p.installments}</td>
              <td class="num">${formatCents(p.valueCents)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Status history</h2>
    <table id="history">
      <thead>
        <tr>
          <th>Status</th>
          <th>Platform state</th>
          <th>Source</th>
          <th>When</th>
        </tr>
      </thead>
      <tbody>
        ${order.statusHistory.map(
          (h) =>
            html`<tr>
              <td>${h.status}</td>
              <td>${h.platformState}</td>
              <td>${h.source}</td>
              <td>${when(h.changedAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function registerOrderRoutes(app: FastifyInstance, deps: BackofficeDeps): void {
  const renderOrder = async (request: FastifyRequest, reply: FastifyReply, orderCode: string, flash?: Flash, status = 200) => {
    const order = orderCode.length <= 200 ? await getOrderDetail(deps.db, orderCode) : undefined;
    if (!order) throw new NotFoundError(`order ${JSON.stringify(orderCode.slice(0, 60))} does not exist`);
    return sendPage(
      reply,
      page(
        { title: `Pedido ${order.orderCode}`, section: 'orders', flash: flash ?? takeFlash(request, reply) },
        html`${renderDetail(order)}${renderStatusUpdates(order)}`,
      ),
      status,
    );
  };
  app.get('/orders', (request, reply) => renderList(deps, request, reply));
  app.get<{ Params: { orderCode: string } }>('/orders/:orderCode', (request, reply) =>
    renderOrder(request, reply, request.params.orderCode),
  );
  registerStatusUpdateRoutes(app, deps, renderOrder);
}
