/**
 * The Temporal cluster of `npm run stack:up -- --cluster` (scripts/temporal-cluster.sh), for the
 * reliability suite's history-host fault: which engine the stack runs, which host owns each
 * history shard (read from the cluster's own `shards` table), and a history host killed with
 * SIGKILL and started again.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createDatabase } from '../../src/erp/db';
import { CLUSTER_SERVICES } from '../support/stack';
import type { Restart } from './suite';
import { sleep } from './worker';

const REPO = path.resolve(__dirname, '..', '..');

/** The history hosts of scripts/temporal-cluster.sh: name and the gRPC address that is its identity. */
export const HISTORY_HOSTS = CLUSTER_SERVICES.filter((s) => s.name.startsWith('history-')).map((s) => ({
  name: s.name,
  address: `127.0.0.1:${s.port}`,
}));

/** Field 3 (owner, a string) of a persistence ShardInfo protobuf: `<host:port>-<seq>-<uuid>`. */
export function shardOwner(data: Buffer): string | undefined {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (at >= data.length) throw new Error('truncated varint');
      const byte = data[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  };
  while (at < data.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      if (field === 3) return data.subarray(at, at + length).toString('utf8');
      at += length;
    } else return undefined;
  }
  return undefined;
}

/** Shards per owning host address (`127.0.0.1:7234`), from the cluster's database `temporal`. */
export async function shardOwners(databaseUrl: string): Promise<Record<string, number>> {
  const url = new URL(databaseUrl);
  url.pathname = '/temporal';
  const db = createDatabase(url.toString(), { max: 1 });
  try {
    const rows = (await db('shards').select('shard_id', 'data')) as Array<{ shard_id: number; data: Buffer }>;
    const owners: Record<string, number> = {};
    for (const row of rows) {
      const owner = shardOwner(row.data) ?? '?';
      const host = /^[^-]+/.exec(owner)?.[0] ?? owner;
      owners[host] = (owners[host] ?? 0) + 1;
    }
    return owners;
  } finally {
    await db.destroy();
  }
}

function clusterScript(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/temporal-cluster.sh', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`temporal-cluster.sh ${args.join(' ')} exited ${code}: ${stderr.trim()}`)),
    );
  });
}

const describeOwners = (owners: Record<string, number>) =>
  Object.entries(owners)
    .sort()
    .map(([host, n]) => `${HISTORY_HOSTS.find((h) => h.address === host)?.name ?? host} ${n}`)
    .join(', ');

/**
 * A history host lost mid-import: history-a killed with SIGKILL; its shards must move to
 * history-b while the import goes on (orders imported while it is down), then it is started
 * again and must own shards again. Fails (ok false) when a move does not happen within 2 minutes.
 * `progress` (orders imported, notifications sent) is reported for the time it was down.
 */
export function historyHostLoss(databaseUrl: string, afterKill: number): Restart {
  const [lost, survivor] = HISTORY_HOSTS;
  const waitFor = async (what: (owners: Record<string, number>) => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    let owners: Record<string, number> = {};
    while (Date.now() < deadline) {
      owners = await shardOwners(databaseUrl).catch(() => ({}));
      if (what(owners)) return { ok: true, owners, ms: ms - (deadline - Date.now()) };
      await sleep(500);
    }
    return { ok: false, owners, ms };
  };
  return {
    service: 'history host',
    afterKill,
    async restart({ progress }) {
      const before = await shardOwners(databaseUrl);
      const total = Object.values(before).reduce((a, b) => a + b, 0);
      if (!before[lost.address]) return { ok: false, detail: `${lost.name} owned no shard before the kill (${describeOwners(before)})` };
      await clusterScript('kill-service', lost.name);
      const moved = await waitFor((o) => (o[survivor.address] ?? 0) === total, 120_000);
      // The import must go on while the host is gone, on the shards that moved.
      const importedAtMove = await progress();
      const deadline = Date.now() + 60_000;
      while ((await progress()) === importedAtMove && Date.now() < deadline) await sleep(250);
      const importedWhileDown = (await progress()) - importedAtMove;
      await clusterScript('start-service', lost.name);
      const back = await waitFor((o) => (o[lost.address] ?? 0) > 0, 120_000);
      const detail =
        `before: ${describeOwners(before)}; ${lost.name} killed, all ${total} shards on ${survivor.name} ` +
        `${moved.ok ? `after ${(moved.ms / 1000).toFixed(1)} s` : `NOT within 120 s (${describeOwners(moved.owners)})`}; ` +
        `${importedWhileDown} more done while it was down; started again: ` +
        `${back.ok ? `${describeOwners(back.owners)} after ${(back.ms / 1000).toFixed(1)} s` : `owns no shard within 120 s (${describeOwners(back.owners)})`}`;
      return { ok: moved.ok && back.ok, detail };
    },
  };
}
