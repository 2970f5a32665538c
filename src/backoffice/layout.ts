import { enc, Html, html, query, type HtmlValue } from './html';

/** A one-line message shown at the top of a page: the outcome of a change, or why it was refused. */
export interface Flash {
  kind: 'ok' | 'error';
  message: string;
}

export interface PageOptions {
  title: string;
  section?: 'vitrines' | 'orders' | 'blocked' | 'notifications' | 'audit';
  flash?: Flash;
  /** Something that keeps part of the page from working (Temporal unreachable...). */
  warning?: string;
  /** The login page: no sections to go to. */
  anonymous?: boolean;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;background:#f5f7fa}
header{background:#1f3b57;color:#fff;padding:0 24px;display:flex;gap:24px;align-items:center}
header strong{font-size:15px;padding:12px 0}
header nav a{color:#cfe0f1;text-decoration:none;padding:12px 10px;display:inline-block}
header nav a.active,header nav a:hover{color:#fff;background:#2c5277}
header .who{margin-left:auto;display:flex;gap:8px;align-items:center;color:#cfe0f1}
main{padding:16px 24px;max-width:1280px}
h1{font-size:20px;margin:8px 0 12px}h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;background:#fff;width:100%;margin:4px 0 12px}
th,td{border:1px solid #dde3ea;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef2f6;font-weight:600}
td.num{text-align:right;white-space:nowrap}
a{color:#1f5f99}
.flash{padding:8px 12px;border-radius:4px;margin:8px 0}
.flash.ok{background:#e4f5e7;border:1px solid #9fd4a8}
.flash.error{background:#fde8e8;border:1px solid #f0a3a3}
.attention{color:#a40000}
.flash.warning{background:#fff5d6;border:1px solid #e8cf7a}
form.inline{display:inline-flex;gap:6px;align-items:center;margin:0}
form.stack{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end;background:#fff;border:1px solid #dde3ea;padding:10px;margin:6px 0 12px}
form.stack label{display:flex;flex-direction:column;font-size:12px;color:#4a5a6a;gap:2px}
input,select,button{font:inherit;padding:4px 6px;border:1px solid #b8c4d0;border-radius:3px;background:#fff}
input.wide{min-width:380px;font-family:ui-monospace,Menlo,monospace}
input.short{width:80px}
button{background:#1f5f99;color:#fff;border-color:#1f5f99;cursor:pointer}
button.secondary{background:#fff;color:#1f5f99}
button.switch{min-width:64px;border-radius:12px}
button.switch.on{background:#2e8540;border-color:#2e8540}
button.switch.off{background:#8a96a3;border-color:#8a96a3}
.tabs{display:flex;gap:4px;border-bottom:1px solid #c9d3dd;margin-bottom:12px}
.tabs a{padding:6px 12px;text-decoration:none;border:1px solid transparent;border-bottom:none}
.tabs a.active{background:#fff;border-color:#c9d3dd;border-radius:4px 4px 0 0}
dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;border:1px solid #dde3ea;padding:10px;margin:4px 0 12px}
dl.fields dt{color:#4a5a6a}dl.fields dd{margin:0}
code{font-family:ui-monospace,Menlo,monospace;background:#eef2f6;padding:0 3px}
.muted{color:#6b7a89}
`;

export function page(options: PageOptions, body: Html): Html {
  const tab = (section: PageOptions['section'], href: string, label: string) =>
    html`<a href="${href}" class="${options.section === section ? 'active' : ''}">${label}</a>`;
  return html`<!doctype html>
    <html lang="pt-BR">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Backoffice</title>
        <style>
          ${new Html(CSS)}
        </style>
      </head>
      <body>
        <header>
          <strong>Vitrines · Backoffice</strong>
          ${
            !options.anonymous &&
            html`<nav>
                ${tab('vitrines', '/vitrines', 'Vitrines')}${tab('orders', '/orders', 'Pedidos de venda')}${tab('blocked', '/blocked', 'Pedidos bloqueados')}${tab('notifications', '/notifications', 'Atualização de Status')}${tab('audit', '/audit', 'Auditoria')}
              </nav>
              <span class="who"><!--user--></span>`
          }
        </header>
        <main>
          ${options.warning && html`<p class="flash warning" role="alert">${options.warning}</p>`}
          ${options.flash && html`<p class="flash ${options.flash.kind}" role="${options.flash.kind === 'error' ? 'alert' : 'status'}">${options.flash.message}</p>`}
          ${body}
        </main>
      </body>
    </html>`;
}

export type VitrineTab = 'summary' | 'defaults' | 'depara';

/** The tabs of one vitrine's pages. */
export function vitrineTabs(code: string, active: VitrineTab): Html {
  const tab = (name: VitrineTab, href: string, label: string) =>
    html`<a href="${href}" class="${name === active ? 'active' : ''}">${label}</a>`;
  const base = `/vitrines/${enc(code)}`;
  return html`<nav class="tabs">
    ${tab('summary', base, 'Resumo')}${tab('defaults', `${base}/defaults`, 'Campos Padrões')}${tab('depara', `${base}/depara`, 'DE-PARA')}
    <a href="/orders${query({ vitrine: code })}">Pedidos</a><a href="/blocked${query({ vitrine: code })}">Pedidos bloqueados</a>
  </nav>`;
}

/** A date as the ERP shows it: UTC, to the second. */
export function when(date: Date | string | null | undefined): string {
  if (date === null || date === undefined) return '-';
  const value = date instanceof Date ? date : new Date(date);
  return Number.isNaN(value.getTime()) ? String(date) : `${value.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Options of a <select>, the current value selected. */
export function options(values: ReadonlyArray<string | { value: string; label: string }>, selected: string | undefined): HtmlValue {
  return values.map((item) => {
    const { value, label } = typeof item === 'string' ? { value: item, label: item } : item;
    return html`<option value="${value}" ${value === selected ? html` selected` : ''}>${label}</option>`;
  });
}
