/** The `vitrine` CLI as a child process; every output is kept so the suite can search it for secrets. */
import { runCli } from '../support/cli';

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

  async run(args: string[]): Promise<CliOutput> {
    const output = { args, ...(await runCli(args, this.env)) };
    this.outputs.push(output);
    return output;
  }

  /** `vitrine <args> --json`, parsed; throws with the error line on a non-zero exit. */
  async json<T = any>(args: string[]): Promise<T> {
    const output = await this.run([...args, '--json']);
    if (output.code !== 0) throw new Error(`vitrine ${args.join(' ')} exited ${output.code}: ${output.stderr.trim()}`);
    return JSON.parse(output.stdout) as T;
  }
}
