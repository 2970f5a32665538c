/**
 * Atualização de Status from the command line: `vitrine orders invoice | tracking | tracking-event |
 * deliver | cancel | return`. The rules are src/admin/statusUpdates.ts'; the platform is told by
 * the workers within seconds of the commit.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  addTrackingEvent,
  cancelOrder,
  deliverOrder,
  invoiceOrder,
  returnOrder,
  recordStatusUpdate,
  trackOrder,
  type StatusUpdateResult,
} from '../../admin/statusUpdates';
import {
  cancelFieldsOf,
  deliveryFieldsOf,
  invoiceFieldsOf,
  returnFieldsOf,
  trackingEventFieldsOf,
  trackingFieldsOf,
  type RawFields,
} from '../../admin/statusUpdateInputs';
import type { CliContext } from '../context';
import { formatCents, UsageError } from '../output';
import type { Register } from './vitrines';

/** The NF-e XML is kept in the ERP and sent to the platform: a few MB at most. */
const MAX_XML_BYTES = 5 * 1024 * 1024;

/** A field as the CLI names it: --issued-at. */
const option = (field: string) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

async function readXml(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    const data = await readFile(file);
    if (data.length > MAX_XML_BYTES) throw new UsageError(`--xml ${file}: larger than ${MAX_XML_BYTES / 1024 / 1024} MB`);
    text = data.toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--xml ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!/^\s*(<\?xml|<)/.test(text)) throw new UsageError(`--xml ${file}: not an XML document`);
  return text;
}

async function report(ctx: CliContext, options: { json?: boolean }, done: StatusUpdateResult, what: string, action: string): Promise<void> {
  await recordStatusUpdate(ctx.db, ctx.changeLog, done, action);
  if (options.json) return ctx.out.json(done);
  if (!done.changed) return ctx.out.line(`order ${done.orderCode}: ${what} was already so; nothing changed`);
  const status = done.previousStatus === done.status ? `status stays ${done.status}` : `${done.previousStatus} -> ${done.status}`;
  const told = done.queued.length ? `; the platform is told: ${done.queued.join(', ')}` : '';
  ctx.out.line(`order ${done.orderCode}: ${what}; ${status}${told}`);
}

export function registerStatusUpdateCommands(orders: Command, register: Register): void {
  register(
    orders
      .command('invoice <orderCode>')
      .description('Invoice an order (NF-e), all of it or part; moves it to the status DE-PARA of invoiced (Despachado)')
      .requiredOption('--number <n>', 'invoice number')
      .requiredOption('--key <digits>', 'NF-e access key, 44 digits')
      .option('--series <s>', 'NF-e series')
      .option('--issued-at <iso>', 'when the invoice was issued (default: now)')
      .option('--value <decimal>', 'invoiced value, e.g. 1486.70 (default: what is left to invoice)')
      .option('--items <sku:qty,...>', 'the items invoiced (default: every item left)')
      .option('--xml <file>', 'the NF-e XML')
      .option('--url <url>', 'where the NF-e can be read'),
    async (ctx, orderCode: string, options) => {
      const done = await invoiceOrder(ctx.db, orderCode, {
        ...invoiceFieldsOf(options as RawFields, option),
        xml: await readXml(options.xml),
      });
      await report(ctx, options, done, `invoice ${done.invoiceNumber} of ${formatCents(done.valueCents ?? 0)}`, 'invoice');
    },
    { changes: true },
  );

  register(
    orders
      .command('tracking <orderCode>')
      .description("Give an invoiced order's package its tracking number; moves it to the status DE-PARA of dispatched (Embarcado)")
      .requiredOption('--number <tracking number>', 'the carrier tracking number')
      .option('--url <url>', 'where the customer follows the package')
      .option('--carrier <name>', "the carrier (default: the order's)")
      .option('--invoice <n>', 'the invoice the package goes with (default: the last one)'),
    async (ctx, orderCode: string, options) => {
      const done = await trackOrder(ctx.db, orderCode, trackingFieldsOf(options as RawFields, option));
      await report(ctx, options, done, `tracking of invoice ${done.invoiceNumber}`, 'tracking');
    },
    { changes: true },
  );

  register(
    orders
      .command('tracking-event <orderCode>')
      .description("Add what the carrier reported on the package's way")
      .requiredOption('--at <iso>', 'when it happened')
      .requiredOption('--city <c>', 'where')
      .requiredOption('--state <uf>', 'the state (UF), e.g. SP')
      .requiredOption('--description <text>', 'what happened, e.g. "Saiu para entrega"')
      .option('--invoice <n>', 'the invoice the package goes with (default: the last one)'),
    async (ctx, orderCode: string, options) => {
      const done = await addTrackingEvent(ctx.db, orderCode, trackingEventFieldsOf(options as RawFields, option));
      await report(ctx, options, done, `tracking event on invoice ${done.invoiceNumber}`, 'tracking-event');
    },
    { changes: true },
  );

  register(
    orders
      .command('deliver <orderCode>')
      .description('Mark the package delivered; moves the order to the status DE-PARA of delivered (Entregue)')
      .option('--at <iso>', 'when it was delivered (default: now)')
      .option('--invoice <n>', 'the invoice the package goes with (default: the last one)'),
    async (ctx, orderCode: string, options) => {
      const done = await deliverOrder(ctx.db, orderCode, deliveryFieldsOf(options as RawFields, option));
      await report(ctx, options, done, `delivery of invoice ${done.invoiceNumber}`, 'deliver');
    },
    { changes: true },
  );

  register(
    orders
      .command('cancel <orderCode>')
      .description("Cancel an order that is not invoiced (or accept the platform's cancellation request); the platform cancels it too")
      .requiredOption('--reason <text>', 'why (the platform keeps it)'),
    async (ctx, orderCode: string, options) => {
      const done = await cancelOrder(ctx.db, orderCode, cancelFieldsOf(options as RawFields, option));
      await report(ctx, options, done, 'cancellation', 'cancel');
    },
    { changes: true },
  );

  register(
    orders
      .command('return <orderCode>')
      .description('Take a return: a return invoice (NF-e de devolução) for invoiced items; the platform refunds it')
      .requiredOption('--number <n>', 'return invoice number')
      .requiredOption('--key <digits>', 'NF-e access key, 44 digits')
      .option('--items <sku:qty,...>', 'the items returned (default: every invoiced item not returned yet)')
      .option('--issued-at <iso>', 'when the return invoice was issued (default: now)'),
    async (ctx, orderCode: string, options) => {
      const done = await returnOrder(ctx.db, orderCode, returnFieldsOf(options as RawFields, option));
      await report(ctx, options, done, `return invoice ${done.invoiceNumber} of ${formatCents(done.valueCents ?? 0)}`, 'return');
    },
    { changes: true },
  );
}
