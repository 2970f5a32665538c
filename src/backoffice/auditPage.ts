/** Auditoria: the audit trail (who changed what, when, before and after), newest first, as `vitrine audit` shows it. */
import type { FastifyInstance } from 'fastify';
import { auditFilterOf } from '../admin/auditQuery';
import { readAuditLog } from '../erp/store/auditLog';
import { html } from './html';
import { queryOf, sendPage, userMistake, type BackofficeDeps } from './http';
import { page, when } from './layout';

const json = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));

export function registerAuditRoutes(app: FastifyInstance, deps: BackofficeDeps): void {
  app.get('/audit', async (request, reply) => {
    const { vitrine, since, limit } = queryOf(request);
    let filter: ReturnType<typeof auditFilterOf>;
    try {
      filter = auditFilterOf({ vitrine: vitrine || undefined, since: since || undefined, limit: limit || undefined });
    } catch (error) {
      const message = userMistake(error);
      if (message === undefined) throw error;
      filter = auditFilterOf({});
      const rows = await readAuditLog(deps.db, filter);
      return sendPage(reply, page({ title: 'Auditoria', section: 'audit', flash: { kind: 'error', message } }, auditBody(rows, {})), 400);
    }
    const rows = await readAuditLog(deps.db, filter);
    return sendPage(reply, page({ title: 'Auditoria', section: 'audit' }, auditBody(rows, { vitrine, since, limit })));
  });
}

function auditBody(rows: Awaited<ReturnType<typeof readAuditLog>>, typed: { vitrine?: string; since?: string; limit?: string }) {
  return html`<h1>Auditoria</h1>
    <form method="get" action="/audit" class="stack" aria-label="filter">
      <label>Vitrine<input name="vitrine" value="${typed.vitrine ?? ''}" /></label>
      <label>Since<input name="since" value="${typed.since ?? ''}" placeholder="2026-12-01" /></label>
      <label>Limit<input name="limit" class="short" value="${typed.limit ?? '50'}" /></label>
      <button class="secondary">Filter</button>
    </form>
    ${
      rows.length === 0
        ? html`<p class="muted">No changes recorded.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Vitrine</th>
                <th>What</th>
                <th>Before</th>
                <th>After</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (row) =>
                  html`<tr data-audit="${row.action}">
                    <td>${when(row.at)}</td>
                    <td>${row.actor} <span class="muted">(${row.source})</span></td>
                    <td>${row.vitrine_code ?? ''}</td>
                    <td>${row.action}</td>
                    <td><code>${json(row.before)}</code></td>
                    <td><code>${json(row.after)}</code></td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}
