import type { Command } from 'commander';
import { payloadExcerpt } from '../../admin/blockedOrders';
import { blockedOrderIdSchema, listLimitSchema } from '../../admin/inputs';
import { getBlockedOrder, listBlockedOrderSummaries } from '../../erp/store/blockedOrders';
import { parseSetting, vitrineCodeSchema } from '../../admin/vitrineSettings';
import { retryBlockedOrders, type RetriedOrder, type RetryOutcome } from '../../importing/blockedRetry';
import type { CliContext } from '../context';
import { formatCents, UsageError } from '../output';
import type { Register } from './vitrines';

const OUTCOME_TEXT: Record<RetryOutcome, string> = {
  imported: 'imported',
  blocked: 'still blocked',
  existing: 'already in ERP',
  failed: 'not retried',
};

/** Reasons are one line in a table. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ');

async function vitrineIdOf(ctx: CliContext, code: string | undefined): Promise<number | undefined> {
  return code === undefined ? undefined : (await ctx.vitrine(parseSetting(vitrineCodeSchema, code, '--vitrine'))).id;
}

function printRetried(ctx: CliContext, results: RetriedOrder[]): void {
  ctx.out.table(
    results.map((r) => ({
      id: r.id,
      vitrine: r.vitrineCode,
      order: r.externalOrderId,
      outcome: OUTCOME_TEXT[r.outcome],
      'erp order': r.orderCode,
      reason: r.reason === undefined ? undefined : oneLine(r.reason),
    })),
  );
}

/** Blocked orders: list, show, retry. */
export function registerBlockedCommands(program: Command, register: Register): void {
  const blocked = program.command('blocked').description('Orders that could not be imported, kept with the reason for a retry');

  register(
    blocked
      .command('list')
      .description('List blocked orders, most recently seen first')
      .option('--vitrine <code>', 'only this vitrine')
      .option('--limit <n>', 'at most this many', '100'),
    async (ctx, options) => {
      const limit = parseSetting(listLimitSchema, options.limit, '--limit');
      const rows = await listBlockedOrderSummaries(ctx.db, { vitrineId: await vitrineIdOf(ctx, options.vitrine), limit });
      if (options.json) return ctx.out.json(rows);
      ctx.out.table(
        rows.map((row) => ({
          id: row.id,
          vitrine: row.vitrineCode,
          order: row.externalOrderId,
          attempts: row.attempts,
          'last seen': row.lastSeenAt,
          reason: oneLine(row.reason),
        })),
        'no blocked orders',
      );
    },
  );

  register(
    blocked.command('show <id>').description('Show one blocked order: reason, attempts, when it was seen, what it was'),
    async (ctx, id: string, options) => {
      const blockedId = parseSetting(blockedOrderIdSchema, id, 'blocked order id');
      const row = await getBlockedOrder(ctx.db, blockedId);
      if (!row) throw new UsageError(`blocked order ${blockedId} does not exist (see: vitrine blocked list)`);
      const { vitrineId: _vitrineId, payload, ...summary } = row;
      const excerpt = payloadExcerpt(payload);
      if (options.json) return ctx.out.json({ ...summary, excerpt, payload });
      ctx.out.fields({
        id: summary.id,
        vitrine: summary.vitrineCode,
        'platform order': summary.externalOrderId,
        reason: oneLine(summary.reason),
        attempts: summary.attempts,
        'first seen': summary.firstSeenAt,
        'last seen': summary.lastSeenAt,
      });
      ctx.out.line('\nas received from the platform');
      if (!excerpt) ctx.out.line('(no order document: the platform sent none)');
      else ctx.out.fields({ ...excerpt, value: typeof excerpt.value === 'number' ? formatCents(excerpt.value) : excerpt.value });
      ctx.out.line(`\nretry it, once its reason is fixed, with: vitrine blocked retry ${summary.id}`);
    },
  );

  register(
    blocked
      .command('retry [id]')
      .description('Import blocked orders again, after what blocked them was fixed: one by id, or --all')
      .option('--all', 'every blocked order (of --vitrine, if given)')
      .option('--vitrine <code>', 'with --all: only this vitrine'),
    async (ctx, id: string | undefined, options) => {
      if (id === undefined && !options.all)
        throw new UsageError('blocked retry needs a blocked order id or --all (see: vitrine blocked list)');
      if (id !== undefined && options.all) throw new UsageError('blocked retry takes a blocked order id or --all, not both');
      if (id !== undefined && options.vitrine !== undefined) throw new UsageError('--vitrine goes with --all, not with a blocked order id');

      let results: RetriedOrder[];
      if (id !== undefined) {
        const blockedId = parseSetting(blockedOrderIdSchema, id, 'blocked order id');
        if (!(await getBlockedOrder(ctx.db, blockedId)))
          throw new UsageError(`blocked order ${blockedId} does not exist (see: vitrine blocked list)`);
        results = await retryBlockedOrders({ db: ctx.db }, { id: blockedId });
      } else {
        results = await retryBlockedOrders({ db: ctx.db }, { all: true, vitrineId: await vitrineIdOf(ctx, options.vitrine) });
      }

      const count = (outcome: RetryOutcome) => results.filter((r) => r.outcome === outcome).length;
      const failed = results.filter((r) => r.outcome === 'failed');
      // Each order's retry committed on its own: the trail says what was asked and what came of it.
      const code = options.vitrine ?? (id !== undefined && results.length === 1 ? results[0].vitrineCode : undefined);
      ctx.recordChange({
        vitrine: code === undefined ? null : await ctx.vitrine(code),
        action: 'blocked.retry',
        before: id !== undefined ? { blockedOrderId: Number(id) } : { all: true },
        after: {
          retried: results.length,
          imported: count('imported'),
          blocked: count('blocked'),
          existing: count('existing'),
          failed: failed.length,
        },
      });
      await ctx.writeChangesNow();
      if (options.json) {
        ctx.out.json({
          retried: results.length,
          imported: count('imported'),
          blocked: count('blocked'),
          existing: count('existing'),
          failed: failed.length,
          orders: results,
        });
      } else if (results.length === 0) {
        ctx.out.line('no blocked orders');
      } else {
        printRetried(ctx, results);
        ctx.out.line(
          `\nretried ${results.length}: imported ${count('imported')}, still blocked ${count('blocked')}, already in ERP ${count('existing')}, not retried ${failed.length}`,
        );
      }
      // A platform that could not be reached is not the order's fault: they stay blocked, as they were.
      if (failed.length > 0) {
        throw new UsageError(
          `${failed.length} blocked order(s) not retried, the platform could not be reached: ${oneLine(failed[0].reason ?? '')}`,
        );
      }
    },
  );
}
