/**
 * The worker's workflow bundle. The worker never bundles in its own process: webpack would leave it
 * about 100 MB larger for its whole life (V8 keeps the heap it grew).
 *
 * - Compiled (dist/, what production runs): `npm run build` writes dist/workflow-bundle.js once
 *   and the worker loads that file.
 * - Development (tsx, tests): a short-lived child process bundles the sources and the bundle is
 *   cached on disk by a hash of them, so it is built once per change of src/.
 *
 *   WORKFLOW_BUNDLE      a bundle file to use as it is (overrides both)
 *   WORKFLOW_BUNDLE_DIR  where development bundles are cached (default: <tmpdir>/vitrine-order-import/workflow-bundles)
 *
 * Run as a script (`node dist/worker/workflowBundle.js <file>`) it writes the bundle to <file>.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SRC = path.resolve(__dirname, '..');
const WORKFLOWS = path.join(SRC, 'workflows');
const COMPILED = !__filename.endsWith('.ts');
/** Where `npm run build` puts the bundle: beside the compiled code, in dist/. */
export const BUILT_BUNDLE = path.join(SRC, 'workflow-bundle.js');

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

/** The path of the workflow bundle for the code that runs (see the top of this file). */
export function workflowBundlePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WORKFLOW_BUNDLE) {
    if (!existsSync(env.WORKFLOW_BUNDLE)) throw new Error(`WORKFLOW_BUNDLE=${env.WORKFLOW_BUNDLE}: no such file`);
    return env.WORKFLOW_BUNDLE;
  }
  if (COMPILED) {
    if (!existsSync(BUILT_BUNDLE)) throw new Error(`${BUILT_BUNDLE} is missing: run npm run build`);
    return BUILT_BUNDLE;
  }
  const dir = env.WORKFLOW_BUNDLE_DIR || path.join(os.tmpdir(), 'vitrine-order-import', 'workflow-bundles');
  const file = path.join(dir, `workflows-${sourceHash()}.js`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  mkdirSync(dir, { recursive: true });
  // Several workers may start at once: each writes its own file and renames it into place.
  const partial = `${file}.${process.pid}.partial`;
  const loader = ['--import', pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href];
  execFileSync(process.execPath, [...loader, __filename, partial], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  renameSync(partial, file);
  return file;
}

async function writeBundle(out: string): Promise<void> {
  // Loaded only in the bundling process.
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve(WORKFLOWS), logger: quiet });
  writeFileSync(out, bundle.code);
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node dist/worker/workflowBundle.js <file>\n');
    process.exit(2);
  }
  writeBundle(path.resolve(out)).catch((error: unknown) => {
    process.stderr.write(`workflow bundle: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
