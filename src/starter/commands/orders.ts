import type { Command } from 'commander';
import { listLimitSchema } from '../../admin/inputs';
import { channelSchema, erpStatusSchema, statusMappingsOf } from '../../erp/store/deparaTables';
import { getOrderDetail, listOrders } from '../../erp/store/orderQueries';
import { setOrderStatusInErp } from '../../erp/store/orderStatus';
import { parseSetting, vitrineCodeSchema } from '../../admin/vitrineSettings';
import { formatCents, UsageError } from '../output';
import { registerStatusUpdateCommands } from './statusUpdates';
import type { Register } from './vitrines';

export function registerOrderCommands(program: Command, register: Register): void {
  const orders = program.command('orders').description('Sales orders imported from the vitrines');

  register(
    orders
      .command('list')
      .description('List imported orders, newest first')
      .option('--vitrine <code>', 'only this vitrine')
      .option('--origin <origin>', "only this origin: website, or a marketplace's channel (see: vitrine marketplaces <code> list)")
      .option('--limit <n>', 'at most this many', '100'),
    async (ctx, options) => {
      const vitrineId = options.vitrine ? (await ctx.vitrine(parseSetting(vitrineCodeSchema, options.vitrine, '--vitrine'))).id : undefined;
      const origin = options.origin === undefined ? undefined : parseSetting(channelSchema, options.origin, '--origin');
      const rows = await listOrders(ctx.db, { vitrineId, origin, limit: parseSetting(listLimitSchema, options.limit, '--limit') });
      if (options.json) return ctx.out.json(rows);
      ctx.out.table(
        rows.map((row) => ({
          order: row.orderCode,
          vitrine: row.vitrineCode,
          customer: row.customerName,
          origin: row.origin,
          status: row.status,
          total: formatCents(row.totalCents),
          placed: row.placedAt,
        })),
        'no orders',
      );
    },
  );

  register(
    orders.command('show <orderCode>').description('Show one order: lines, customer, carrier, payments, status'),
    async (ctx, orderCode: string, options) => {
      const order = await getOrderDetail(ctx.db, orderCode);
      if (!order) throw new UsageError(`order ${JSON.stringify(orderCode)} does not exist (see: vitrine orders list)`);
      if (options.json) return ctx.out.json(order);
      const c = order.customer as Record<string, string | boolean | null>;
      ctx.out.fields({
        order: order.orderCode,
        vitrine: order.vitrineCode,
        'platform order': order.externalOrderId,
        origin: order.origin,
        marketplace: order.marketplace
          ? `${order.marketplace.name ?? order.marketplace.affiliateId} (affiliate ${order.marketplace.affiliateId}, marketplace order ${order.marketplace.orderId ?? 'not given'})`
          : null,
        status: `${order.status} (platform: ${order.platformState})`,
        'payment condition': order.paymentCondition,
        customer: c.document ? `${c.name} (${String(c.document_type).toUpperCase()} ${c.document})` : `${c.name} (sem documento)`,
        'produtor rural': c.produtor_rural ? 'sim' : 'não',
        email: c.email,
        address: [c.street, c.number, c.complement, c.neighborhood, c.city, c.state, c.postal_code].filter(Boolean).join(', '),
        carrier: order.carrier ? `${order.carrier.name} (${order.carrier.code})` : null,
        items: formatCents(order.itemsTotalCents),
        shipping: formatCents(order.shippingTotalCents),
        discounts: formatCents(order.discountTotalCents),
        total: formatCents(order.totalCents),
        ...(order.currency !== 'BRL' ? { currency: `${order.currency} (amounts above are in ${order.currency})` } : {}),
        ...(order.paymentDifferenceCents !== null
          ? {
              'payments differ': `payments total ${formatCents(order.totalCents + order.paymentDifferenceCents)}, ${formatCents(order.paymentDifferenceCents)} from the total: check with the platform`,
            }
          : {}),
        ...(order.importWarnings.length > 0 ? { warnings: order.importWarnings.join('; ') } : {}),
        placed: order.placedAt,
        approved: order.approvedAt,
        ...(order.cancelReason ? { 'cancel reason': order.cancelReason } : {}),
      });
      ctx.out.line('\nproduct lines');
      ctx.out.table(
        order.items.map((i) => ({
          line: i.lineNumber,
          sku: i.sku,
          name: i.name,
          qty: i.quantity,
          unit: formatCents(i.unitPriceCents),
          total: formatCents(i.totalCents),
        })),
      );
      ctx.out.line('\npayments');
      ctx.out.table(
        order.payments.map((p) => ({
          line: p.lineNumber,
          type: p.paymentTypeName,
          platform: p.paymentSystemName ?? p.paymentSystem ?? p.paymentGroup ?? '(settled by the marketplace)',
          condition: p.condition,
          installments: p.installments,
          value: formatCents(p.valueCents),
        })),
      );
      ctx.out.line('\nstatus history');
      ctx.out.table(order.statusHistory.map((h) => ({ status: h.status, platform: h.platformState, source: h.source, at: h.changedAt })));
      if (order.cancellationRequest) {
        ctx.out.line(
          `\ncancellation requested on the platform at ${order.cancellationRequest.at.toISOString()}: ${order.cancellationRequest.reason ?? 'no reason given'} ` +
            `(accept: vitrine orders cancel ${order.orderCode} --reason <text>)`,
        );
      }
      ctx.out.line('\ninvoices (Atualização de Status)');
      ctx.out.table(
        order.invoices.map((i) => ({
          invoice: i.number,
          kind: i.kind,
          value: formatCents(i.valueCents),
          issued: i.issuedAt,
          items: i.items.map((item) => `${item.sku}:${item.quantity}`).join(','),
          tracking: i.tracking?.trackingNumber ?? null,
          events: i.tracking?.events.length ?? 0,
          delivered: i.tracking?.deliveredAt ?? null,
        })),
        'no invoices',
      );
      ctx.out.line('\nplatform notifications');
      ctx.out.table(
        order.notifications.map((n) => ({
          id: n.id,
          action: n.action,
          invoice: n.invoiceNumber,
          state: n.state,
          sent: n.sentAt,
          reason: n.state === 'sent' ? null : n.lastError,
        })),
        'none',
      );
    },
  );

  register(
    orders
      .command('set-status <orderCode> <status>')
      .description(
        'Move an order to an ERP status, as an ERP user does; the platform hears of it when the status DE-PARA says so (Em preparação: start-handling, within seconds, once)',
      ),
    async (ctx, orderCode: string, statusText: string, options) => {
      const status = parseSetting(erpStatusSchema, statusText, 'ERP status');
      const order = await ctx
        .db('sales_orders as o')
        .join('vitrines as v', 'v.id', 'o.vitrine_id')
        .where('o.order_code', orderCode)
        .first({ id: 'o.id', vitrineId: 'o.vitrine_id', vitrineCode: 'v.code', status: 'o.status' });
      if (!order) throw new UsageError(`order ${JSON.stringify(orderCode.slice(0, 60))} does not exist (see: vitrine orders list)`);
      // A cancellation has rules (not once invoiced) and a reason the platform keeps.
      if (status === 'Cancelado') throw new UsageError(`to cancel an order use: vitrine orders cancel ${orderCode} --reason <text>`);
      const result = await setOrderStatusInErp(ctx.db, await statusMappingsOf(ctx.db, order.vitrineId), order.id, status);
      const previous = result.previous ?? order.status;
      if (result.changed) {
        ctx.recordChange({
          vitrine: { id: order.vitrineId, code: order.vitrineCode },
          action: 'order.set-status',
          before: { orderCode, status: previous },
          after: { orderCode, status, notification: result.notification ?? null },
        });
      }
      if (options.json) {
        return ctx.out.json({
          orderCode,
          vitrineCode: order.vitrineCode,
          previousStatus: previous,
          status,
          changed: result.changed,
          notification: result.notification ?? null,
          notificationQueued: result.notificationQueued,
        });
      }
      if (!result.changed) {
        ctx.out.line(`order ${orderCode} is already ${status}: nothing changed, no platform notification queued`);
        return;
      }
      const told = !result.notification
        ? 'no platform notification for this status'
        : result.notificationQueued
          ? `platform notification queued: ${result.notification} (the workers send it within seconds)`
          : `no platform notification queued: ${result.notification} was already queued or sent for this order`;
      ctx.out.line(`order ${orderCode}: ${previous} -> ${status}; ${told}`);
    },
    { changes: true },
  );
  registerStatusUpdateCommands(orders, register);
}
