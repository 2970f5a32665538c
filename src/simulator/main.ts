/**
 * CLI entry of the VTEX platform simulator:
 *   tsx src/simulator/main.ts [--port 8787] [--host 127.0.0.1] [--visibility-timeout-ms 60000]
 * Env: SIMULATOR_PORT (when --port is absent), SIM_VISIBILITY_TIMEOUT_MS, SIM_LOG=1.
 * Prints one line "simulator listening on http://HOST:PORT" when ready (scripts wait for it).
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './server';

const DEFAULT_PORT = 8787;

function integer(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`simulator: ${name} must be a non-negative integer, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'visibility-timeout-ms': { type: 'string' },
    },
  });
  const port = integer('--port', values.port) ?? integer('SIMULATOR_PORT', process.env.SIMULATOR_PORT) ?? DEFAULT_PORT;
  const sim = await startSimulator({
    port,
    host: values.host ?? '127.0.0.1',
    visibilityTimeoutMs: integer('--visibility-timeout-ms', values['visibility-timeout-ms']),
  });
  process.stdout.write(`simulator listening on ${sim.url}\n`);

  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`simulator: error while closing: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`simulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
