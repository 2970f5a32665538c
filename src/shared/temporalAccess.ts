import type { Client } from '@temporalio/client';
import type { ServiceConfig } from './config';
import { connectClient } from './temporal';

/** Temporal could not be reached: pages that need it say so; the others keep working. */
export class TemporalUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalUnavailableError';
  }
}

/** How the backoffice and the hook receiver reach Temporal: connected on first use, and again after a failure. */
export interface TemporalAccess {
  readonly address: string;
  client(): Promise<Client>;
  close(): Promise<void>;
}

/** Temporal calls that a page waits for give up after this long, so a page never hangs on it. */
export const TEMPORAL_CALL_TIMEOUT_MS = 8_000;

/** After a failed connection, pages say so at once for this long instead of waiting for another attempt. */
const RETRY_AFTER_MS = 10_000;

export function temporalAccess(config: ServiceConfig): TemporalAccess {
  let connecting: Promise<Client> | undefined;
  let failed: { at: number; error: TemporalUnavailableError } | undefined;
  return {
    address: config.temporalAddress,
    client() {
      if (!connecting && failed && Date.now() - failed.at < RETRY_AFTER_MS) return Promise.reject(failed.error);
      connecting ??= connectClient(config).then(
        (client) => {
          failed = undefined;
          return client;
        },
        (error: Error) => {
          connecting = undefined;
          failed = {
            at: Date.now(),
            error: new TemporalUnavailableError(`cannot reach Temporal at ${config.temporalAddress}: ${error.message}`),
          };
          throw failed.error;
        },
      );
      return connecting;
    },
    async close() {
      const client = await connecting?.catch(() => undefined);
      await client?.connection.close();
    },
  };
}

/** An existing client (tests, or a process that has one already). */
export function existingTemporal(client: Client, address: string): TemporalAccess {
  return { address, client: async () => client, close: async () => undefined };
}

/**
 * A Temporal call; a failure to reach the server becomes TemporalUnavailableError (other errors,
 * such as a refused update, pass as they are). Reads are bounded in time so that a page never
 * hangs; a change is not (`bounded: false`), since it may still be applied after a timeout, and
 * the page must not say "nothing changed" then.
 */
export async function withTemporal<T>(
  access: TemporalAccess,
  call: (client: Client) => Promise<T>,
  options: { bounded?: boolean } = {},
): Promise<T> {
  const client = await access.client();
  let timer: NodeJS.Timeout | undefined;
  const calls = [call(client)];
  if (options.bounded ?? true) {
    calls.push(
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new TemporalUnavailableError(`Temporal at ${access.address} did not answer within ${TEMPORAL_CALL_TIMEOUT_MS / 1000} s`),
            ),
          TEMPORAL_CALL_TIMEOUT_MS,
        );
      }),
    );
  }
  try {
    return await Promise.race(calls);
  } catch (error) {
    if (isUnreachable(error)) throw new TemporalUnavailableError(`cannot reach Temporal at ${access.address}: ${(error as Error).message}`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

// gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4): the server is down or not answering.
function isUnreachable(error: unknown): boolean {
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  return code === 14 || code === 4;
}
