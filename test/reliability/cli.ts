/** The `vitrine` CLI as a child process; every output is kept so the suite can search it for secrets. */
import { spawn } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

export interface CliOutput {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}

export class CliRecorder {
  readonly outputs: CliOutput[] = [];

  constructor(private readonly env: Record<string, string>) {}

  /** Everything every CLI call printed. */
  get text(): string {
    return this.outputs.map((o) => `${o.stdout}\n${o.stderr}`).join('\n');
  }

  run(args: string[]): Promise<CliOutput> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(REPO, 'bin/vitrine'), ...args], {
        cwd: REPO,
        env: { ...process.env, ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        const output = { args, code: code ?? -1, stdout, stderr };
        this.outputs.push(output);
        resolve(output);
      });
    });
  }

  /** `vitrine <args> --json`, parsed; throws with the error line on a non-zero exit. */
  async json<T = any>(args: string[]): Promise<T> {
    const output = await this.run([...args, '--json']);
    if (output.code !== 0) throw new Error(`vitrine ${args.join(' ')} exited ${output.code}: ${output.stderr.trim()}`);
    return JSON.parse(output.stdout) as T;
  }
}
