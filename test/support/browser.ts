/**
 * Headless Chromium for the browser tests, driven by playwright-core: Debian's Chromium
 * (scripts/chromium.sh finds or installs it; .ci/run exports CHROMIUM), never a downloaded one.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO } from './services';

let executable: string | undefined;

/** The Chromium binary: $CHROMIUM, else what scripts/chromium.sh finds (installing it as root). */
export function chromiumPath(): string {
  if (!executable) {
    executable =
      process.env.CHROMIUM ||
      execFileSync('bash', [path.join(REPO, 'scripts/chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  }
  return executable;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}
