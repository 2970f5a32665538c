/**
 * The vitrine's default-field expressions (JSONata, src/erp/expressions.ts) cannot reach the
 * process, the environment, the file system or the network: each probe either fails cleanly with
 * an ExpressionError or yields nothing from outside (no environment value, no file content).
 */
import { readFileSync } from 'node:fs';
import { ExpressionError } from '../../src/importing/rules/expressions';
import { evaluateExpression } from '../../src/importing/rules/expressionSandbox';
import type { Check } from './checks';

const SECRET_ENV = 'RELIABILITY_SANDBOX_SECRET';

/** Probes, with what each tries. */
export const SANDBOX_PROBES: Array<[string, string]> = [
  ['$eval("$string(process)")', '$eval of a path to the process'],
  ['$eval("$.constructor.constructor(\\"return process.env\\")()")', '$eval of the Function constructor'],
  ['$string(process)', 'the process object'],
  ['process.env', 'the environment through a path'],
  ['require("fs").readFileSync("/etc/hostname", "utf8")', 'require'],
  ['$require("child_process")', '$require'],
  ['$.constructor.constructor("return process.env")()', 'the Function constructor from the input'],
  ['$string.constructor("return process")()', 'the Function constructor from a built-in'],
  ['order.__proto__.constructor.constructor("return process")()', '__proto__'],
  ['$lookup($, "constructor")', '$lookup of constructor'],
  ['$readFile("/etc/hostname")', 'a file read'],
  ['$fetch("http://127.0.0.1:1/")', 'a network call'],
  ['$env', 'a variable named like the environment'],
  ['($f := function($x) { $f($x + 1) }; $f(0))', 'a recursion bomb'],
  ['($loop := function($n) { $n > 0 ? $loop($n - 1) : 0 }; $loop(100000000))', 'a function that loops 10^8 times'],
  ['$count([1..9999999].($ * 2))', 'a loop over 10^7 items'],
  ['$reduce([1..9999999], function($a, $b) { $a + $b })', 'a reduce over 10^7 items'],
];

export interface ProbeOutcome {
  expression: string;
  what: string;
  outcome: 'error' | 'nothing' | 'value';
  detail: string;
  ms: number;
}

/** Runs every probe with a secret in the environment; each must fail cleanly or yield nothing. */
export async function runSandboxProbes(): Promise<{ outcomes: ProbeOutcome[]; checks: Check[] }> {
  const secret = `sandbox-${Math.random().toString(36).slice(2)}-secret`;
  process.env[SECRET_ENV] = secret;
  let hostname = '';
  try {
    hostname = readFileSync('/etc/hostname', 'utf8').trim();
  } catch {
    // no such file here: the file-content check below is then about nothing
  }
  const input = { order: { orderCode: 'VT-1', totalCents: 100 }, customer: { name: 'Cliente' }, vitrine: { code: 'x' } };
  const outcomes: ProbeOutcome[] = [];
  const checks: Check[] = [];
  try {
    for (const [expression, what] of SANDBOX_PROBES) {
      const started = Date.now();
      let outcome: ProbeOutcome['outcome'];
      let detail: string;
      let clean = true;
      try {
        const value = await evaluateExpression(expression, input);
        const text = value === undefined ? '' : typeof value === 'function' ? '[function]' : (JSON.stringify(value) ?? '');
        outcome = value === undefined ? 'nothing' : 'value';
        detail = text.slice(0, 80);
        if (
          text.includes(secret) ||
          (hostname.length >= 3 && text.includes(hostname)) ||
          text.includes('"PATH"') ||
          typeof value === 'function'
        )
          clean = false;
        // A value at all from these probes is suspicious; only nothing is expected.
        if (outcome === 'value') clean = false;
      } catch (error) {
        outcome = 'error';
        detail = `${(error as Error).name}: ${(error as Error).message}`.slice(0, 120);
        if (!(error instanceof ExpressionError)) clean = false;
      }
      const ms = Date.now() - started;
      outcomes.push({ expression, what, outcome, detail, ms });
      checks.push({
        name: `expression sandbox: ${what} (${expression})`,
        ok: clean && ms < 2000,
        detail: `${outcome}${detail ? `: ${detail}` : ''}, ${ms} ms`,
      });
    }
  } finally {
    delete process.env[SECRET_ENV];
  }
  return { outcomes, checks };
}
