/**
 * A sandbox process (forked by expressionSandbox.ts): evaluates one expression over one context
 * per message. Its V8 heap is capped by its command line and the sandbox kills it after a
 * wall-clock limit, so nothing an expression does reaches the process that asked.
 */
import type jsonata from 'jsonata';
import { getHeapStatistics } from 'node:v8';
import { compileExpression, evaluateInThread, ExpressionError } from './expressions';

export interface SandboxRequest {
  id: number;
  source: string;
  context: unknown;
  /** Largest result, as JSON, that may be sent back. */
  maxResultBytes: number;
}

export type SandboxAnswer = { id: number; heapMb: number } & ({ value: unknown } | { error: string });

/**
 * JSONata's $base64encode / $base64decode go through Buffer, whose memory is outside the V8 heap
 * and so outside its cap: here a Buffer made from more than MAX_BUFFER_INPUT characters is refused.
 * (Only this process runs it, and only expressions call Buffer.from with these encodings.)
 */
const MAX_BUFFER_INPUT = 4 * 1024 * 1024;
const from = Buffer.from.bind(Buffer) as (...args: unknown[]) => Buffer;
Buffer.from = ((value: unknown, ...rest: unknown[]) => {
  if (typeof value === 'string' && value.length > MAX_BUFFER_INPUT) {
    throw new ExpressionError(`expression made a text of more than ${MAX_BUFFER_INPUT} characters to encode`);
  }
  return from(value, ...rest);
}) as typeof Buffer.from;

// The same few rules run for every order of a page: each is parsed once per process.
const compiled = new Map<string, jsonata.Expression>();
const MAX_COMPILED = 256;

async function evaluate(request: SandboxRequest): Promise<{ value: unknown } | { error: string }> {
  try {
    let expression = compiled.get(request.source);
    if (!expression) {
      expression = compileExpression(request.source);
      if (compiled.size >= MAX_COMPILED) compiled.clear();
      compiled.set(request.source, expression);
    }
    const value = await evaluateInThread(expression, request.context);
    if (value !== undefined && (JSON.stringify(value)?.length ?? 0) > request.maxResultBytes) {
      return { error: `expression result is larger than ${request.maxResultBytes} bytes` };
    }
    return { value };
  } catch (error) {
    if (error instanceof ExpressionError) return { error: error.message };
    // A RangeError (stack, string or array length), or anything else the evaluation threw.
    return {
      error: `expression failed: ${String((error as Error)?.message ?? error)
        .split('\n')[0]
        .slice(0, 300)}`,
    };
  }
}

process.on('message', (request: SandboxRequest) => {
  void evaluate(request).then((outcome) => {
    const heapMb = Math.round((getHeapStatistics().total_heap_size / 1024 / 1024) * 10) / 10;
    process.send?.({ id: request.id, heapMb, ...outcome } satisfies SandboxAnswer);
  });
});
process.send?.('ready');
// The asking process gone: nothing left to answer.
process.on('disconnect', () => process.exit(0));
