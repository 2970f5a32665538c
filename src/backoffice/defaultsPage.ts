/**
 * Campos Padrões de Cliente / de Pedido of a vitrine: the rules, a form to add or change one
 * (checked on the sample order before it is saved, as `vitrine customer-defaults set` does), and
 * a preview of what the rules write for a real platform order (writes nothing).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { previewFieldDefaults, removeFieldDefault, saveFieldDefault } from '../admin/fieldDefaults';
import { platformOrderIdSchema } from '../admin/inputs';
import type { DefaultTarget, EvaluatedRule } from '../importing/rules/fieldDefaults';
import { listFieldDefaultRules } from '../erp/store/fieldDefaultRules';
import { listOrders } from '../erp/store/orderQueries';
import type { VitrineRow } from '../erp/tables';
import { parseSetting } from '../admin/vitrineSettings';
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
  type BackofficeDeps,
} from './http';
import { page, vitrineTabs, type Flash } from './layout';

const TARGETS: Record<DefaultTarget, { title: string; table: string; example: string }> = {
  customer: { title: 'Campos Padrões de Cliente', table: 'customers', example: 'customer.isCorporate ? "J" : "F"' },
  order: { title: 'Campos Padrões de Pedido', table: 'sales_orders; carrier_code names a carrier', example: '"TRANSP01"' },
};

function targetOf(text: string | undefined): DefaultTarget {
  if (text === 'customer' || text === 'order') return text;
  throw new NotFoundError(`no such default fields: ${JSON.stringify(String(text).slice(0, 40))}`);
}

interface PageState {
  flash?: Flash;
  /** The rule form as typed, when it was refused. */
  typed?: { target: DefaultTarget; field: string; expression: string };
  preview?: { target: DefaultTarget; orderId: string; rules?: EvaluatedRule[] };
}

async function renderDefaults(deps: BackofficeDeps, reply: FastifyReply, vitrine: VitrineRow, state: PageState, status = 200) {
  const [customerRules, orderRules, recent] = await Promise.all([
    listFieldDefaultRules(deps.db, vitrine.id, 'customer'),
    listFieldDefaultRules(deps.db, vitrine.id, 'order'),
    listOrders(deps.db, { vitrineId: vitrine.id, limit: 20 }),
  ]);
  const base = `/vitrines/${enc(vitrine.code)}/defaults`;
  const section = (target: DefaultTarget, rules: typeof customerRules): Html => {
    const { title, table, example } = TARGETS[target];
    const typed = state.typed?.target === target ? state.typed : undefined;
    const preview = state.preview?.target === target ? state.preview : undefined;
    return html`<section id="${target}-defaults">
      <h2>${title} <span class="muted">(columns of ${table})</span></h2>
      ${
        rules.length === 0
          ? html`<p class="muted">No rules.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>Field</th>
                  <th>Expression</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${rules.map(
                  (rule) =>
                    html`<tr data-field="${rule.field}">
                      <td><code>${rule.field}</code></td>
                      <td><code>${rule.expression}</code></td>
                      <td>
                        <form method="post" action="${base}/${target}/remove" class="inline">
                          <input type="hidden" name="field" value="${rule.field}" /><button class="secondary">Remove</button>
                        </form>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      <form method="post" action="${base}/${target}" class="stack" aria-label="${title}: set a field">
        <label
          >Field<input
            name="field"
            value="${typed?.field ?? ''}"
            placeholder="${target === 'customer' ? 'tipo_pessoa' : 'carrier_code'}"
            required
        /></label>
        <label
          >Expression (JSONata over { order, customer, vitrine })<input
            class="wide"
            name="expression"
            value="${typed?.expression ?? ''}"
            placeholder="${example}"
            required
        /></label>
        <button>Save</button>
      </form>
      <form method="get" action="${base}" class="stack" aria-label="${title}: preview">
        <input type="hidden" name="preview" value="${target}" />
        <label
          >Preview on platform order<input
            name="order"
            list="recent-orders"
            value="${preview?.orderId ?? ''}"
            placeholder="1172452900788-01"
            required
        /></label>
        <button class="secondary">Preview</button>
      </form>
      ${preview?.rules && previewTable(target, preview.orderId, preview.rules)}
    </section>`;
  };
  const body = html`<h1>Vitrine ${vitrine.code}: Campos Padrões</h1>
    ${vitrineTabs(vitrine.code, 'defaults')}
    <p class="muted">
      Each rule's expression gives the value of a column for every order the vitrine imports, in the import's transaction. It sees
      <code>order</code> (with <code>orderCode</code> and <code>status</code>), <code>customer</code> (as the platform sent it) and
      <code>vitrine</code>; it is checked on a sample order before it is saved.
    </p>
    ${section('customer', customerRules)} ${section('order', orderRules)}
    <datalist id="recent-orders">
      ${recent.map((order) => html`<option value="${order.externalOrderId}">${order.orderCode}</option>`)}
    </datalist>`;
  return sendPage(reply, page({ title: `Campos Padrões · ${vitrine.code}`, section: 'vitrines', flash: state.flash }, body), status);
}

function previewTable(target: DefaultTarget, orderId: string, rules: EvaluatedRule[]): Html {
  if (rules.length === 0)
    return html`<p class="preview" data-preview="${target}">Order ${orderId}: the ${TARGETS[target].title} write nothing.</p>`;
  return html`<table class="preview" data-preview="${target}">
    <caption>
      What the rules would write for platform order ${orderId} (nothing was written)
    </caption>
    <thead>
      <tr>
        <th>Field</th>
        <th>Value</th>
      </tr>
    </thead>
    <tbody>
      ${rules.map(
        (rule) =>
          html`<tr data-field="${rule.field}">
            <td><code>${rule.field}</code></td>
            <td><code>${JSON.stringify(rule.value)}</code></td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Runs a change; a mistake of the user re-renders the page with why (400). */
async function refusedOr(run: () => Promise<FastifyReply>, refused: (message: string) => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await run();
  } catch (error) {
    const message = userMistake(error);
    if (message === undefined) throw error;
    return refused(message);
  }
}

export function registerDefaultsRoutes(app: FastifyInstance, deps: BackofficeDeps): void {
  type Req = FastifyRequest<{ Params: { code: string; target: string } }>;

  app.get<{ Params: { code: string } }>('/vitrines/:code/defaults', async (request, reply) => {
    const vitrine = await vitrineFromPath(deps.db, request.params.code);
    const flash = takeFlash(request, reply);
    const { preview, order } = queryOf(request);
    if (preview === undefined) return renderDefaults(deps, reply, vitrine, { flash });
    const target = targetOf(preview);
    const orderId = order ?? '';
    return refusedOr(
      async () => {
        const id = parseSetting(platformOrderIdSchema, orderId, 'platform order id');
        const rules = await previewFieldDefaults({ db: deps.db, connectorFor: deps.connectorFor }, vitrine, target, id);
        return renderDefaults(deps, reply, vitrine, { flash, preview: { target, orderId: id, rules } });
      },
      (message) => renderDefaults(deps, reply, vitrine, { flash: { kind: 'error', message }, preview: { target, orderId } }, 400),
    );
  });

  app.post('/vitrines/:code/defaults/:target', { config: { role: 'admin' } }, async (request: Req, reply) => {
    const vitrine = await vitrineFromPath(deps.db, request.params.code);
    const target = targetOf(request.params.target);
    const { field = '', expression = '' } = fieldsOf(request);
    return refusedOr(
      async () => {
        const saved = await change(deps, request, (db, log) => saveFieldDefault(db, log, vitrine, { target, field, expression }));
        const message = `vitrine ${vitrine.code}: ${target} default ${saved.field} = ${saved.expression}`;
        return redirectWith(reply, `/vitrines/${enc(vitrine.code)}/defaults#${target}-defaults`, { kind: 'ok', message });
      },
      (message) =>
        renderDefaults(
          deps,
          reply,
          vitrine,
          { flash: { kind: 'error', message: `${target} default not saved: ${message}` }, typed: { target, field, expression } },
          400,
        ),
    );
  });

  app.post('/vitrines/:code/defaults/:target/remove', { config: { role: 'admin' } }, async (request: Req, reply) => {
    const vitrine = await vitrineFromPath(deps.db, request.params.code);
    const target = targetOf(request.params.target);
    const { field = '' } = fieldsOf(request);
    const location = `/vitrines/${enc(vitrine.code)}/defaults#${target}-defaults`;
    if (!(await change(deps, request, (db, log) => removeFieldDefault(db, log, vitrine, { target, field })))) {
      const message = `vitrine ${vitrine.code} has no ${target} default for ${JSON.stringify(field.slice(0, 80))}`;
      return renderDefaults(deps, reply, vitrine, { flash: { kind: 'error', message } }, 400);
    }
    return redirectWith(reply, location, { kind: 'ok', message: `vitrine ${vitrine.code}: ${target} default ${field} removed` });
  });
}
