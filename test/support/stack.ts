/** The project's local stack (scripts/stack.sh): which Temporal it runs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

/** `cluster` when the stack's Temporal is scripts/temporal-cluster.sh, else `dev` (the dev server). */
export function stackTemporalMode(): 'dev' | 'cluster' {
  try {
    return readFileSync(path.join(REPO, '.data', 'run', 'temporal.mode'), 'utf8').trim() === 'cluster' ? 'cluster' : 'dev';
  } catch {
    return 'dev';
  }
}

/** scripts/temporal-cluster.sh's services and their gRPC ports; a history host's address is its identity. */
export const CLUSTER_SERVICES = [
  { name: 'frontend', port: 7233 },
  { name: 'history-a', port: 7234 },
  { name: 'history-b', port: 7244 },
  { name: 'matching', port: 7235 },
  { name: 'worker', port: 7239 },
] as const;

/** What scripts/temporal-cluster.sh runs, in the words of the reports. */
export const CLUSTER_TEXT =
  'frontend, matching, worker and two history hosts as separate processes, 16 history shards, persistence and visibility on the same Postgres server';
