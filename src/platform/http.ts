/**
 * The platform connectors' HTTP client: a fetch-shaped function on node:http/https with keep-alive
 * connections. Node's global fetch (undici and web streams) costs several times more CPU per
 * request, and an import makes one request per order; tests can still pass the global fetch or a
 * fake, since both have this shape.
 */
import http from 'node:http';
import https from 'node:https';
import { BodyTooLargeError, type ByteBudget } from './byteBudget';

export interface HttpResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the whole exchange, reading the response body included. */
  signal?: AbortSignal;
  /** A larger response body is not read: the request fails with BodyTooLargeError. */
  maxBodyBytes?: number;
  /** Bytes of bodies the process receives at once: the body's size is reserved before it is read. */
  budget?: ByteBudget;
}

/** What a body of unknown length (chunked) reserves first; past it, it reserves up to its limit. */
const UNKNOWN_LENGTH_RESERVATION = 64 * 1024;

export type HttpFetch = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;

// Connections are reused across requests and activities; the importers bound how many run at once.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 }),
};

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('the request was aborted');
  error.name = 'AbortError';
  return error;
}

export const httpFetch: HttpFetch = (url, init) =>
  new Promise<HttpResponse>((resolve, reject) => {
    const target = new URL(url);
    const protocol = target.protocol as keyof typeof agents;
    if (!(protocol in agents)) {
      reject(new TypeError(`unsupported protocol ${target.protocol}`));
      return;
    }
    const { signal } = init;
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['Content-Length'] = Buffer.byteLength(init.body);
    let settled = false;
    let release = () => {};
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      release();
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      reject(error);
    };
    const onAbort = () => fail(abortError(signal!));
    const { maxBodyBytes: limit, budget } = init;
    const request = (protocol === 'https:' ? https : http).request(
      target,
      { method: init.method, headers, agent: agents[protocol] },
      (response) => {
        const length = Number(response.headers['content-length']);
        const declared = response.headers['content-length'] !== undefined && Number.isFinite(length) ? length : undefined;
        // Refused before a byte of it is read: the platform said how large it is.
        if (limit !== undefined && declared !== undefined && declared > limit) {
          fail(new BodyTooLargeError(declared, limit, true));
          return;
        }
        response.on('error', fail);
        response.on('aborted', () => fail(Object.assign(new Error('the connection closed mid-response'), { code: 'ECONNRESET' })));
        void readBody(response, declared).catch((error: Error) => fail(error));
      },
    );

    async function readBody(response: http.IncomingMessage, declared: number | undefined): Promise<void> {
      // The response stays paused (nothing is read) until the body's bytes are reserved.
      let reserved = declared ?? Math.min(UNKNOWN_LENGTH_RESERVATION, limit ?? UNKNOWN_LENGTH_RESERVATION);
      if (budget) release = await budget.reserve(reserved);
      if (settled) return release();
      const chunks: Buffer[] = [];
      let bytes = 0;
      let growing: Promise<void> | undefined;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (limit !== undefined && bytes > limit) {
          fail(new BodyTooLargeError(bytes, limit, false));
          return;
        }
        chunks.push(chunk);
        if (budget && declared === undefined && bytes > reserved && !growing) {
          // A chunked body outgrew its first reservation: give it back and wait for its whole limit
          // (never holding a part while waiting for more, so that readers cannot wait on each other).
          response.pause();
          release();
          reserved = limit ?? budget.capacity;
          growing = budget.reserve(reserved).then((more) => {
            release = more;
            if (settled) return release();
            response.resume();
          });
        }
      });
      response.on('end', () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        const body = Buffer.concat(chunks).toString('utf8');
        chunks.length = 0;
        // Its reader parses it before any other body arrives: the bytes go back now.
        release();
        const status = response.statusCode ?? 0;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          headers: {
            get: (name) => {
              const value = response.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
          },
          text: async () => body,
        });
      });
    }
    request.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(init.body);
  });
