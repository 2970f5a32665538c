/**
 * docker-compose.yml cannot run here (no Docker engine), so it is checked against what can: the
 * scripts that start the same cluster (scripts/temporal-server.sh, scripts/temporal-cluster.sh)
 * and the search attributes the code uses. Versions, shards and attributes must be the same,
 * nothing may depend on the deprecated auto-setup image, every port is bound to 127.0.0.1, and
 * every service says how it restarts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { SearchAttributeType } from '@temporalio/common';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES } from '../../src/shared/ids';

const REPO = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  ports?: string[];
  restart?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  entrypoint?: string[];
  volumes?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

/** `${NAME:-default}` → default. */
const resolved = (text: string) => text.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const serverVersion = /^VERSIONS=\(([0-9.]+)/m.exec(read('scripts/temporal-server.sh'))![1];
const clusterScript = read('scripts/temporal-cluster.sh');

describe('docker-compose.yml', () => {
  test('runs the Temporal server of the scripts, on temporalio/server and admin-tools, never auto-setup', () => {
    const images = Object.values(services).map((s) => resolved(s.image ?? ''));
    assert.ok(!images.some((i) => i.includes('auto-setup')), images.join(', '));
    const servers = Object.entries(services).filter(([, s]) => resolved(s.image ?? '').startsWith('temporalio/server:'));
    assert.deepEqual(new Set(servers.map(([, s]) => resolved(s.image!))), new Set([`temporalio/server:${serverVersion}`]));
    for (const name of ['temporal-schema', 'temporal-init'])
      assert.equal(resolved(services[name].image!), `temporalio/admin-tools:${serverVersion}`, name);
    const uiVersion = /^UI_VERSION=(\S+)/m.exec(clusterScript)![1];
    assert.equal(resolved(services['temporal-ui'].image!), `temporalio/ui:${uiVersion}`);
  });

  test('the same topology as scripts/temporal-cluster.sh: frontend, two history hosts, matching, worker, 16 shards', () => {
    const roles = Object.values(services)
      .map((s) => s.environment?.TEMPORAL_SERVICES)
      .filter(Boolean)
      .sort();
    assert.deepEqual(roles, ['frontend', 'history', 'history', 'matching', 'worker']);
    const shards = Number(/^SHARDS=(\d+)/m.exec(clusterScript)![1]);
    for (const [name, s] of Object.entries(services).filter(([, s]) => s.environment?.TEMPORAL_SERVICES))
      assert.equal(Number(s.environment!.NUM_HISTORY_SHARDS), shards, name);
    // The frontend first; the other services wait for it to be healthy.
    assert.equal(services.temporal.environment!.TEMPORAL_SERVICES, 'frontend');
    assert.equal(services.temporal.depends_on!['temporal-schema'].condition, 'service_completed_successfully');
    for (const name of ['temporal-history-a', 'temporal-history-b', 'temporal-matching', 'temporal-worker'])
      assert.equal(services[name].depends_on!.temporal.condition, 'service_healthy', name);
  });

  test('registers the namespace and the search attributes the code uses', () => {
    const expected = Object.values(SEARCH_ATTRIBUTES)
      .map((key) => `${key.name}=${key.type === SearchAttributeType.KEYWORD ? 'Keyword' : 'Int'}`)
      .sort();
    const init = read('deploy/temporal-init.sh');
    assert.deepEqual(/^ATTRIBUTES="([^"]+)"/m.exec(init)![1].split(' ').sort(), expected);
    assert.deepEqual(/^SEARCH_ATTRIBUTES=\(([^)]+)\)/m.exec(clusterScript)![1].split(' ').sort(), expected);
    assert.match(init, /namespace create/);
    assert.equal(services['temporal-init'].environment!.TEMPORAL_NAMESPACE, '${TEMPORAL_NAMESPACE:-default}');
  });

  test('publishes ports on 127.0.0.1 only; every service restarts, one-shots on failure; health means ready', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const port of s.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, `${name}: ${port}`);
      assert.ok(s.restart, `${name} has no restart policy`);
    }
    for (const name of ['temporal-schema', 'temporal-init', 'migrate', 'secret-key'])
      assert.match(services[name].restart!, /^on-failure/, name);
    // Postgres checked over TCP: on a first start the image serves its socket before it is ready.
    assert.match(services.postgres.healthcheck!.test.join(' '), /pg_isready -h 127\.0\.0\.1/);
    for (const app of ['worker', 'backoffice', 'hooks'])
      assert.equal(services[app].depends_on!['temporal-init'].condition, 'service_completed_successfully', app);
  });

  test('the image carries the workflow bundle built at image build time', () => {
    assert.match(read('Dockerfile'), /node dist\/worker\/workflowBundle\.js dist\/workflow-bundle\.js/);
    assert.ok(services.worker.build ?? services.worker.image, 'the worker is built from the Dockerfile');
  });
});
