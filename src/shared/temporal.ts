import { Client, Connection } from '@temporalio/client';
import type { ServiceConfig } from './config';

/** A Temporal client for the configured address and namespace; close its connection when done. */
export async function connectClient(config: ServiceConfig): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporalAddress, connectTimeout: '5s' });
  return new Client({ connection, namespace: config.temporalNamespace });
}
