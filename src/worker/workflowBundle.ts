/**
 * The worker's workflow bundle, built by a short-lived child process and cached on disk. Bundling
 * with webpack inside the worker would leave it about 100 MB larger for its whole life (V8 keeps
 * the heap it grew); a worker that loads a prebuilt bundle stays small.
 *
 *   WORKFLOW_BUNDLE      a bundle file to use as it is (e.g. built into a container image)
 *   WORKFLOW_BUNDLE_DIR  where bundles are cached (default: <tmpdir>/vitrine-order-import/workflow-bundles)
 *
 * Run as a script (`tsx src/worker/workflowBundle.ts <file>`) it writes the bundle to <file>.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SRC = path.resolve(__dirname, '..');
const WORKFLOWS = path.join(SRC, 'workflows');

/** Every source file the bundle could include: any change under src/ gives a new bundle. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return /\.(ts|js|json)$/.test(entry.name) ? [full] : [];
    })
    .sort();
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const sdk = path.join(path.dirname(require.resolve('@temporalio/workflow/package.json')), 'package.json');
  hash.update(readFileSync(sdk));
  for (const file of sourceFiles(SRC)) hash.update(path.relative(SRC, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The path of a workflow bundle for the current sources, building it in a child process if needed. */
export function workflowBundlePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WORKFLOW_BUNDLE) {
    if (!existsSync(env.WORKFLOW_BUNDLE)) throw new Error(`WORKFLOW_BUNDLE=${env.WORKFLOW_BUNDLE}: no such file`);
    return env.WORKFLOW_BUNDLE;
  }
  const dir = env.WORKFLOW_BUNDLE_DIR || path.join(os.tmpdir(), 'vitrine-order-import', 'workflow-bundles');
  const file = path.join(dir, `workflows-${sourceHash()}.js`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  mkdirSync(dir, { recursive: true });
  // Several workers may start at once: each writes its own file and renames it into place.
  const partial = `${file}.${process.pid}.partial`;
  // This file runs as TypeScript (tsx) in development and as JavaScript when compiled.
  const loader = __filename.endsWith('.ts') ? ['--import', pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href] : [];
  execFileSync(process.execPath, [...loader, __filename, partial], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  renameSync(partial, file);
  return file;
}

async function writeBundle(out: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only in the bundling process
  const { bundleWorkflowCode } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve(WORKFLOWS), logger: quiet });
  writeFileSync(out, bundle.code);
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: tsx src/worker/workflowBundle.ts <file>\n');
    process.exit(2);
  }
  writeBundle(path.resolve(out)).catch((error: unknown) => {
    process.stderr.write(`workflow bundle: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
