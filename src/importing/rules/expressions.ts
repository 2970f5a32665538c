import jsonata from 'jsonata';

/**
 * Admin-written JSONata expressions. JSONata has no access to the process, the environment, the
 * file system or the network; what is left to bound is time and depth, checked on every step.
 */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const MAX_EXPRESSION_LENGTH = 2000;
const TIME_LIMIT_MS = 200;
const DEPTH_LIMIT = 200;

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

/** Evaluates a compiled expression within the time and depth limits. */
export async function evaluateExpression(expression: jsonata.Expression, input: unknown): Promise<unknown> {
  const deadline = Date.now() + TIME_LIMIT_MS;
  let depth = 0;
  const guard = expression as unknown as { assign(name: symbol, value: unknown): void };
  guard.assign(Symbol.for('jsonata.__evaluate_entry'), () => {
    depth += 1;
    if (depth > DEPTH_LIMIT) throw { code: 'LIMIT', message: `expression nests deeper than ${DEPTH_LIMIT} levels` };
    if (Date.now() > deadline) throw { code: 'LIMIT', message: `expression ran longer than ${TIME_LIMIT_MS} ms` };
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
  const message = err.message ?? String(error);
  return err.position !== undefined ? `${message} (at character ${err.position})` : message;
}
