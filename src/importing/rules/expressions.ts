import jsonata from 'jsonata';

/**
 * Admin-written JSONata expressions. JSONata has no access to the process, the environment, the
 * file system or the network; what is left to bound is time, depth and memory. Evaluation runs in
 * a worker thread (expressionSandbox.ts); here are the parts that run on either side.
 */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export const MAX_EXPRESSION_LENGTH = 2000;
/** Checked between evaluation steps: most runaway expressions stop here, their thread kept. */
export const STEP_TIME_LIMIT_MS = 200;
export const DEPTH_LIMIT = 200;

/** Parses an expression; a syntax error becomes one line that says where. */
export function compileExpression(source: string): jsonata.Expression {
  if (source.trim() === '') throw new ExpressionError('expression is empty');
  if (source.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  try {
    return jsonata(source);
  } catch (error) {
    throw new ExpressionError(`syntax error in expression: ${describe(error)}`);
  }
}

/**
 * Evaluates a compiled expression in this thread within the step limits. A single step that
 * allocates or backtracks without end is not stopped here: the sandbox's thread limits do that.
 */
export async function evaluateInThread(expression: jsonata.Expression, input: unknown): Promise<unknown> {
  const deadline = Date.now() + STEP_TIME_LIMIT_MS;
  let depth = 0;
  const guard = expression as unknown as { assign(name: symbol, value: unknown): void };
  guard.assign(Symbol.for('jsonata.__evaluate_entry'), () => {
    depth += 1;
    if (depth > DEPTH_LIMIT) throw { code: 'LIMIT', message: `expression nests deeper than ${DEPTH_LIMIT} levels` };
    if (Date.now() > deadline) throw { code: 'LIMIT', message: `expression ran longer than ${STEP_TIME_LIMIT_MS} ms` };
  });
  guard.assign(Symbol.for('jsonata.__evaluate_exit'), () => {
    depth -= 1;
  });
  try {
    return normalise(await expression.evaluate(input));
  } catch (error) {
    throw new ExpressionError(describe(error));
  }
}

// JSONata marks sequences with extra properties; plain values are what gets written.
function normalise(value: unknown): unknown {
  return Array.isArray(value) ? JSON.parse(JSON.stringify(value)) : value;
}

function describe(error: unknown): string {
  const err = error as { message?: string; position?: number };
  const message = (err.message ?? String(error)).split('\n')[0].slice(0, 300);
  return err.position !== undefined ? `${message} (at character ${err.position})` : message;
}
