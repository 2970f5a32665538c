/** bin/vitrine's entry: one command line of the process, then exit with its code. */
import { runCli } from './cli';

void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin }).then(
  (code) => process.exit(code),
);
