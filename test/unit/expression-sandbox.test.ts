/**
 * The expression sandbox on its own: every hostile expression fails in under a second with a
 * reason; the asking process's memory does not grow with them; the sandbox answers the next
 * expression after any of them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { ExpressionError } from '../../src/importing/rules/expressions';
import { closeExpressionSandbox, evaluateExpression, sandboxAnswer, SANDBOX_LIMITS } from '../../src/importing/rules/expressionSandbox';
import { HOSTILE_EXPRESSIONS } from '../support/hostileExpressions';

/** The sandbox processes: this process's children, from /proc. */
function sandboxProcesses(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(process.pid);
      } catch {
        return false;
      }
    });
}

function residentKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const context = { order: { orderCode: 'VT-1', totalCents: 12345, items: [{ quantity: 2 }] }, customer: { isCorporate: true }, vitrine: {} };

describe('expression sandbox', () => {
  after(() => closeExpressionSandbox());

  it('caps what an evaluation may use under 64 MB and 1 second', () => {
    assert.ok(SANDBOX_LIMITS.oldGenerationMb + 3 * SANDBOX_LIMITS.semiSpaceMb < 64);
    assert.ok(SANDBOX_LIMITS.evaluationMemoryMb < 64);
    assert.ok(SANDBOX_LIMITS.wallClockMs < 1000);
  });

  it('evaluates plain expressions, again and again in the same processes', async () => {
    assert.equal(await evaluateExpression('customer.isCorporate ? "J" : "F"', context), 'J');
    assert.equal(await evaluateExpression('$sum(order.items.quantity) * 10', context), 20);
    assert.deepEqual(await evaluateExpression('[order.orderCode, "x"]', context), ['VT-1', 'x']);
    assert.equal(await evaluateExpression('order.nothing', context), undefined);
    const values = await Promise.all(Array.from({ length: 200 }, (_, i) => evaluateExpression(`${i} + 1`, context)));
    assert.deepEqual(
      values,
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    const answer = await sandboxAnswer('order.totalCents', context);
    assert.ok('value' in answer && answer.value === 12345 && answer.heapMb < 64, JSON.stringify(answer));
  });

  it(`fails each of ${HOSTILE_EXPRESSIONS.length} hostile expressions in under a second and 64 MB, the asking process not growing`, async () => {
    await evaluateExpression('1', context);
    const rssBefore = process.resourceUsage().maxRSS;
    const idle = Math.max(...sandboxProcesses().map(residentKb));
    assert.ok(idle > 0, 'the sandbox processes are found in /proc');
    for (const [expression, what] of HOSTILE_EXPRESSIONS) {
      let peak = 0;
      // Sampled every millisecond from /proc, as the sandbox's own watch does every 2.
      const sampling = setInterval(() => {
        for (const pid of sandboxProcesses()) peak = Math.max(peak, residentKb(pid));
      }, 1);
      const started = performance.now();
      await assert.rejects(evaluateExpression(expression, context), (error: Error) => {
        assert.ok(error instanceof ExpressionError, `${what}: ${error.name}`);
        assert.ok(!error.message.includes('\n') && error.message.length > 10, `${what}: one line with a reason`);
        return true;
      });
      const ms = performance.now() - started;
      clearInterval(sampling);
      assert.ok(ms < 1000, `${what} took ${Math.round(ms)} ms`);
      assert.ok((peak - idle) / 1024 < 64, `${what} used ${((peak - idle) / 1024).toFixed(1)} MB over the idle sandbox`);
      // The next expression is answered (the killed process was replaced).
      assert.equal(await evaluateExpression('"ok"', context), 'ok', `${what}: the sandbox answers after it`);
    }
    const grownMb = (process.resourceUsage().maxRSS - rssBefore) / 1024;
    assert.ok(grownMb < 64, `the asking process grew by ${grownMb.toFixed(1)} MB`);
  });

  it('refuses a result too large to send back', async () => {
    await assert.rejects(evaluateExpression('$pad("", 100000, "x")', context), /result is larger than 65536 bytes/);
  });
});
