/**
 * The platform connectors' HTTP client: a fetch-shaped function on node:http/https with keep-alive
 * connections. Node's global fetch (undici and web streams) costs several times more CPU per
 * request, and an import makes one request per order; tests can still pass the global fetch or a
 * fake, since both have this shape.
 */
import http from 'node:http';
import https from 'node:https';

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
}

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
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      reject(error);
    };
    const onAbort = () => fail(abortError(signal!));
    const request = (protocol === 'https:' ? https : http).request(
      target,
      { method: init.method, headers, agent: agents[protocol] },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('aborted', () => fail(Object.assign(new Error('the connection closed mid-response'), { code: 'ECONNRESET' })));
        response.on('end', () => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          const body = Buffer.concat(chunks).toString('utf8');
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
      },
    );
    request.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(init.body);
  });
