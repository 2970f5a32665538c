/**
 * The DE-PARA tables of a vitrine, as `vitrine payments`, `vitrine statuses` and `vitrine
 * marketplaces` edit them: payment systems to ERP payment types and conditions, platform states to
 * ERP statuses, marketplaces (affiliates) to ERP channels.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import type { ChangeLog } from '../admin/audit';
import { AdminInputError } from '../admin/errors';
import { countBlockedOrders } from '../erp/store/blockedOrders';
import {
  deleteMarketplaceMapping,
  deletePaymentMapping,
  saveMarketplaceMapping,
  savePaymentMapping,
  saveStatusMapping,
} from '../admin/dePara';
import { marketplaceInputOf } from '../admin/marketplaceInputs';
import {
  affiliateIdSchema,
  erpStatusSchema,
  listMarketplaceMappings,
  listPaymentMappings,
  listPaymentTypes,
  listStatusMappings,
  paymentConditionSchema,
  platformPaymentSchema,
  platformStateSchema,
} from '../erp/store/deparaTables';
import { DEFAULT_PAYMENT_KEY } from '../importing/rules/payments';
import { ERP_STATUSES, platformActionFor } from '../importing/rules/statuses';
import type { VitrineRow } from '../erp/tables';
import { parseSetting } from '../admin/vitrineSettings';
import { enc, html } from './html';
import {
  change,
  fieldsOf,
  redirectWith,
  sendPage,
  takeFlash,
  userMistake,
  vitrineFromPath,
  type BackofficeDeps,
  type Fields,
} from './http';
import { options, page, vitrineTabs, type Flash } from './layout';

interface PageState {
  flash?: Flash;
  /** A refused "add" form, as typed. */
  typedPayment?: Fields;
  typedStatus?: Fields;
  typedMarketplace?: Fields;
}

async function renderDePara(deps: BackofficeDeps, reply: FastifyReply, vitrine: VitrineRow, state: PageState, status = 200) {
  const [payments, types, statuses, marketplaces] = await Promise.all([
    listPaymentMappings(deps.db, vitrine.id),
    listPaymentTypes(deps.db),
    listStatusMappings(deps.db, vitrine.id),
    listMarketplaceMappings(deps.db, vitrine.id),
  ]);
  const base = `/vitrines/${enc(vitrine.code)}`;
  const typeOptions = types.map((t) => ({ value: t.code, label: `${t.code} · ${t.name}` }));
  const mappings = new Map(statuses.map((row) => [row.platformState, row.erpStatus]));
  const announced = ERP_STATUSES.find((s) => platformActionFor(mappings, s));
  const tp = state.typedPayment ?? {};
  const ts = state.typedStatus ?? {};
  const tm = state.typedMarketplace ?? {};
  const marketplaceTypeOptions = [{ value: '', label: 'payment DE-PARA' }, ...typeOptions];

  const body = html`<h1>Vitrine ${vitrine.code}: DE-PARA</h1>
    ${vitrineTabs(vitrine.code, 'depara')}
    <section id="payments">
      <h2>DE-PARA de tipos de pagamento</h2>
      <p class="muted">
        A payment is matched by its payment system id, then its name (case does not matter), then the default row <code>*</code>. In the
        condition, <code>{n}</code> stands for the installments. A payment that matches no row blocks its order.
      </p>
      ${
        payments.length === 0
          ? html`<p class="flash warning">No payment rows: every order of ${vitrine.code} will be blocked.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>Platform payment</th>
                  <th>ERP payment type</th>
                  <th>Condition</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${payments.map((row, i) => {
                  const form = `payment-${i}`;
                  return html`<tr data-payment="${row.platformPayment}">
                    <td>${row.platformPayment === DEFAULT_PAYMENT_KEY ? html`<code>*</code> (default)` : row.platformPayment}</td>
                    <td>
                      <select name="paymentType" form="${form}" aria-label="ERP payment type of ${row.platformPayment}">
                        ${options(typeOptions, row.paymentType)}
                      </select>
                    </td>
                    <td>
                      <input name="condition" form="${form}" value="${row.condition}" aria-label="Condition of ${row.platformPayment}" />
                    </td>
                    <td>
                      <form method="post" action="${base}/payments" id="${form}" class="inline">
                        <input type="hidden" name="platformPayment" value="${row.platformPayment}" /><button>Save</button>
                      </form>
                      <form method="post" action="${base}/payments/remove" class="inline">
                        <input type="hidden" name="platformPayment" value="${row.platformPayment}" /><button class="secondary">
                          Remove
                        </button>
                      </form>
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
      <form method="post" action="${base}/payments" class="stack" aria-label="Add a payment row">
        <label
          >Platform payment (id, name or *)<input
            name="platformPayment"
            value="${tp.platformPayment ?? ''}"
            placeholder="Crediário Loja"
            required
        /></label>
        <label
          >ERP payment type<select name="paymentType">
            ${options(typeOptions, tp.paymentType)}
          </select></label
        >
        <label>Condition<input name="condition" value="${tp.condition ?? ''}" placeholder="Crediário {n}x" required /></label>
        <button>Add</button>
      </form>
    </section>
    <section id="statuses">
      <h2>DE-PARA de status</h2>
      <p class="muted">
        An order in a platform state is imported, or updated, with its ERP status; a state with no row blocks the order. ERP to platform:
        ${announced ? html`an order set to <strong>${announced}</strong> in the ERP is announced to the platform (start-handling), once` : 'nothing is announced (no ERP status is mapped from platform state handling)'}.
      </p>
      <table>
        <thead>
          <tr>
            <th>Platform state</th>
            <th>ERP status</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${statuses.map((row, i) => {
            const form = `status-${i}`;
            return html`<tr data-state="${row.platformState}">
              <td><code>${row.platformState}</code></td>
              <td>
                <select name="erpStatus" form="${form}" aria-label="ERP status of ${row.platformState}">
                  ${options(ERP_STATUSES, row.erpStatus)}
                </select>
              </td>
              <td>
                <form method="post" action="${base}/statuses" id="${form}" class="inline">
                  <input type="hidden" name="platformState" value="${row.platformState}" /><button>Save</button>
                </form>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
      <form method="post" action="${base}/statuses" class="stack" aria-label="Add a status row">
        <label
          >Platform state<input name="platformState" value="${ts.platformState ?? ''}" placeholder="ready-for-handling" required
        /></label>
        <label
          >ERP status<select name="erpStatus">
            ${options(ERP_STATUSES, ts.erpStatus)}
          </select></label
        >
        <button>Add</button>
      </form>
    </section>
    <section id="marketplaces">
      <h2>DE-PARA de marketplaces</h2>
      <p class="muted">
        An order that came through a marketplace (VTEX affiliate, e.g. <code>MGZ</code>) gets its channel as origin, and optionally its own
        order code prefix and payment type (the marketplace settles it). A marketplace with no row blocks its orders.
      </p>
      ${
        marketplaces.length === 0
          ? html`<p class="muted">No marketplace rows: orders from marketplaces will be blocked.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>Affiliate</th>
                  <th>Channel (origin)</th>
                  <th>Order code prefix</th>
                  <th>Payment</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${marketplaces.map(
                  (row) =>
                    html`<tr data-marketplace="${row.affiliateId}">
                      <td><code>${row.affiliateId}</code></td>
                      <td>${row.channel}</td>
                      <td>${row.orderCodePrefix ?? html`<span class="muted">${vitrine.order_code_prefix} (vitrine's)</span>`}</td>
                      <td>
                        ${row.paymentType ? `${row.paymentType} "${row.condition}"` : html`<span class="muted">payment DE-PARA</span>`}
                      </td>
                      <td>
                        <form method="post" action="${base}/marketplaces/remove" class="inline">
                          <input type="hidden" name="affiliateId" value="${row.affiliateId}" /><button class="secondary">Remove</button>
                        </form>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <form method="post" action="${base}/marketplaces" class="stack" aria-label="Set a marketplace row">
        <label>Affiliate id<input name="affiliateId" value="${tm.affiliateId ?? ''}" placeholder="MGZ" required /></label>
        <label>Channel (origin)<input name="channel" value="${tm.channel ?? ''}" placeholder="Magazine Luiza" required /></label>
        <label>Order code prefix (optional)<input name="prefix" value="${tm.prefix ?? ''}" placeholder="MGZ" /></label>
        <label
          >Payment type<select name="paymentType">
            ${options(marketplaceTypeOptions, tm.paymentType ?? '')}
          </select></label
        >
        <label>Condition (with a payment type)<input name="condition" value="${tm.condition ?? ''}" placeholder="Marketplace" /></label>
        <button>Save</button>
      </form>
    </section>`;
  return sendPage(reply, page({ title: `DE-PARA · ${vitrine.code}`, section: 'vitrines', flash: state.flash }, body), status);
}

/** DE-PARA changes are an admin's. */
const ADMIN = { config: { role: 'admin' as const } };

type Req = FastifyRequest<{ Params: { code: string } }>;

/** A change: the same checks as the CLI; a refused one re-renders the page with why (400). */
function deParaChange(
  deps: BackofficeDeps,
  section: 'payments' | 'statuses' | 'marketplaces',
  apply: (db: Knex.Transaction, log: ChangeLog, vitrine: VitrineRow, fields: Fields) => Promise<string>,
) {
  return async (request: Req, reply: FastifyReply) => {
    const vitrine = await vitrineFromPath(deps.db, request.params.code);
    const fields = fieldsOf(request);
    try {
      const message = await change(deps, request, (db, log) => apply(db, log, vitrine, fields));
      return redirectWith(reply, `/vitrines/${enc(vitrine.code)}/depara#${section}`, { kind: 'ok', message });
    } catch (error) {
      const message = userMistake(error);
      if (message === undefined) throw error;
      const typed = { payments: { typedPayment: fields }, statuses: { typedStatus: fields }, marketplaces: { typedMarketplace: fields } }[
        section
      ];
      return renderDePara(deps, reply, vitrine, { flash: { kind: 'error', message: `nothing saved: ${message}` }, ...typed }, 400);
    }
  };
}

export function registerDeParaRoutes(app: FastifyInstance, deps: BackofficeDeps): void {
  app.get('/vitrines/:code/depara', async (request: Req, reply) =>
    renderDePara(deps, reply, await vitrineFromPath(deps.db, request.params.code), { flash: takeFlash(request, reply) }),
  );

  app.post(
    '/vitrines/:code/payments',
    ADMIN,
    deParaChange(deps, 'payments', async (db, log, vitrine, fields) => {
      const platformPayment = parseSetting(platformPaymentSchema, fields.platformPayment, 'platform payment');
      const condition = parseSetting(paymentConditionSchema, fields.condition, 'condition');
      const { mapping, previous } = await savePaymentMapping(db, log, vitrine, {
        platformPayment,
        paymentType: fields.paymentType ?? '',
        condition,
      });
      const was = previous ? ` (was ${previous.paymentType} "${previous.condition}")` : ' (new row)';
      const blocked = await countBlockedOrders(db, vitrine.id);
      const retry = blocked > 0 ? `; ${blocked} blocked order(s) of ${vitrine.code} can be retried on Pedidos bloqueados` : '';
      return `vitrine ${vitrine.code}: payment ${JSON.stringify(platformPayment)} -> ${mapping.paymentType} "${condition}"${was}${retry}`;
    }),
  );

  app.post(
    '/vitrines/:code/payments/remove',
    ADMIN,
    deParaChange(deps, 'payments', async (db, log, vitrine, fields) => {
      const platformPayment = parseSetting(platformPaymentSchema, fields.platformPayment, 'platform payment');
      const removed = await deletePaymentMapping(db, log, vitrine, platformPayment);
      if (removed === undefined)
        throw new AdminInputError(`vitrine ${vitrine.code} has no payment DE-PARA row for ${JSON.stringify(platformPayment)}`);
      return removed === DEFAULT_PAYMENT_KEY
        ? `vitrine ${vitrine.code}: default payment row removed; orders with an unmapped payment will be blocked`
        : `vitrine ${vitrine.code}: payment ${JSON.stringify(removed)} removed from the DE-PARA`;
    }),
  );

  app.post(
    '/vitrines/:code/statuses',
    ADMIN,
    deParaChange(deps, 'statuses', async (db, log, vitrine, fields) => {
      const status = parseSetting(erpStatusSchema, fields.erpStatus, 'ERP status');
      const platformState = parseSetting(platformStateSchema, fields.platformState, 'platform state');
      const { previous } = await saveStatusMapping(db, log, vitrine, platformState, status);
      const was = previous === undefined ? ' (new row)' : previous === status ? ' (unchanged)' : ` (was ${previous})`;
      return `vitrine ${vitrine.code}: platform state ${platformState} -> ${status}${was}`;
    }),
  );

  app.post(
    '/vitrines/:code/marketplaces',
    ADMIN,
    deParaChange(deps, 'marketplaces', async (db, log, vitrine, fields) => {
      const input = await marketplaceInputOf(db, fields);
      const { created } = await saveMarketplaceMapping(db, log, vitrine, input);
      const blocked = await countBlockedOrders(db, vitrine.id);
      const retry = blocked > 0 ? `; ${blocked} blocked order(s) of ${vitrine.code} can be retried on Pedidos bloqueados` : '';
      return `vitrine ${vitrine.code}: marketplace ${input.affiliateId} -> "${input.channel}"${created ? ' (new row)' : ''}${retry}`;
    }),
  );

  app.post(
    '/vitrines/:code/marketplaces/remove',
    ADMIN,
    deParaChange(deps, 'marketplaces', async (db, log, vitrine, fields) => {
      const affiliateId = parseSetting(affiliateIdSchema, fields.affiliateId, 'affiliate id');
      const removed = await deleteMarketplaceMapping(db, log, vitrine, affiliateId);
      if (removed === undefined) throw new AdminInputError(`vitrine ${vitrine.code} has no marketplace row for ${affiliateId}`);
      return `vitrine ${vitrine.code}: marketplace ${removed} removed; its new orders will be blocked`;
    }),
  );
}
