import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import path from 'node:path';
import { runCli as runCommandLine } from '../../src/starter/cli';

// Not imported from ./services: that module installs the Temporal runtime, and the reliability
// runner uses this file without it.
const REPO = path.resolve(__dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one `vitrine` command line in this process (the command's own runCli, as bin/vitrine runs
 * it), with the given service settings over this process's environment.
 */
export async function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCommandLine(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, ...env },
    stdin: stdin === undefined ? undefined : Readable.from([stdin]),
  });
  return { code, stdout, stderr };
}

/** Runs the compiled `vitrine` command as a user would: its own process, exit code and streams. */
export function runCliProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runProcess(path.join(REPO, 'bin/vitrine'), args, env);
}

/** Runs a program from the repository's folder, no stdin, with env added to ours; collects its output. */
export function runProcess(command: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the CLI with --json and parses its output; fails with the error line if it exits non-zero. */
export async function cliJson<T = any>(args: string[], env: Record<string, string>): Promise<T> {
  const result = await runCli([...args, '--json'], env);
  if (result.code !== 0) throw new Error(`vitrine ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as T;
}

/** `vitrine add` of a VTEX vitrine (on the simulator, its API root is `<simulator>/<account>`). */
export function addVitrineArgs(v: {
  code: string;
  name: string;
  baseUrl: string;
  appKey: string;
  appToken: string;
  prefix: string;
}): string[] {
  return [
    'add',
    '--code',
    v.code,
    '--name',
    v.name,
    '--platform',
    'vtex',
    '--base-url',
    v.baseUrl,
    '--app-key',
    v.appKey,
    '--app-token',
    v.appToken,
    '--prefix',
    v.prefix,
  ];
}
