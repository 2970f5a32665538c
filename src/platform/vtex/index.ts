export { VtexConnector, COMMIT_CHUNK_SIZE, DEFAULT_TIMEOUT_MS, FEED_MAX_LOT } from './connector';
export type { VtexConnectorOptions } from './connector';
