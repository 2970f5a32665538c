import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { ServiceConfig } from './config';

/**
 * How to reach Temporal, shared by the client (`Connection.connect`) and the worker
 * (`NativeConnection.connect`): a local dev server, a self-hosted cluster (TLS, mTLS) or
 * Temporal Cloud (API key or mTLS).
 */
export function temporalConnectionOptions(config: ServiceConfig): { address: string; tls?: TLSConfig | false; apiKey?: string } {
  return {
    address: config.temporalAddress,
    // An API key implies TLS in the SDK unless told otherwise; TEMPORAL_TLS=false says otherwise.
    tls: config.temporalTls ?? (config.temporalApiKey ? false : undefined),
    ...(config.temporalApiKey ? { apiKey: config.temporalApiKey } : {}),
  };
}

/** A Temporal client for the configured address and namespace; close its connection when done. */
export async function connectClient(config: ServiceConfig): Promise<Client> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: '5s' });
  return new Client({ connection, namespace: config.temporalNamespace });
}
