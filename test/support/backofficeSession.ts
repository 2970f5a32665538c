/**
 * Logging in to the backoffice from the tests: users added through `vitrine users add
 * --password-stdin`, a browser page logged in through the login form, and an HTTP client that
 * keeps the session cookie and sends each form's CSRF token as a browser would.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { runCli } from './cli';

export const TEST_PASSWORD = 'correct horse battery staple';

export async function addUser(cliEnv: Record<string, string>, email: string, role: 'admin' | 'operator', password = TEST_PASSWORD) {
  const added = await runCli(['users', 'add', email, '--role', role, '--password-stdin'], cliEnv, `${password}\n`);
  assert.equal(added.code, 0, added.stderr);
}

/** Logs the page in; it lands on /vitrines. */
export async function browserLogin(page: Page, base: string, email: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto(`${base}/login`);
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  const [response] = await Promise.all([page.waitForNavigation(), page.locator('form[aria-label=login] button').click()]);
  assert.equal(response?.status(), 200, `login of ${email}: ${(await page.content()).replace(/<style>[^]*<\/style>/, '').slice(0, 1500)}`);
  assert.equal(new URL(page.url()).pathname, '/vitrines');
}

/** An HTTP client with a cookie jar; `post` sends the CSRF token of the last page it read. */
export class BackofficeClient {
  private readonly cookies = new Map<string, string>();
  private csrf?: string;

  /** `address`: the client address a trusted proxy names (X-Forwarded-For), for per-address limits. */
  constructor(
    readonly base: string,
    private readonly options: { address?: string } = {},
  ) {}

  private remember(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (attributes.some((a) => /^\s*max-age=0$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const forwarded: Record<string, string> = this.options.address ? { 'x-forwarded-for': this.options.address } : {};
    return { ...(cookie ? { cookie } : ({} as Record<string, string>)), ...forwarded, ...extra };
  }

  async get(path: string): Promise<{ status: number; body: string; location: string | null }> {
    const response = await fetch(`${this.base}${path}`, { headers: this.headers(), redirect: 'manual' });
    this.remember(response);
    const body = await response.text();
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? this.csrf;
    return { status: response.status, body, location: response.headers.get('location') };
  }

  async post(
    path: string,
    fields: Record<string, string>,
    options: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: string; location: string | null }> {
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    const form = new URLSearchParams({ ...fields, ...(token ? { _csrf: token } : {}) });
    const response = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', ...options.headers }),
      body: form.toString(),
      redirect: 'manual',
    });
    this.remember(response);
    const body = await response.text();
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? this.csrf;
    return { status: response.status, body, location: response.headers.get('location') };
  }

  /** GET /login, then the form: a 303 to where it goes; anything else fails. */
  async login(email: string, password = TEST_PASSWORD): Promise<void> {
    await this.get('/login');
    const response = await this.post('/login', { email, password });
    assert.equal(response.status, 303, `login of ${email}: ${response.status} ${response.body.slice(0, 200)}`);
  }

  get sessionCookie(): string | undefined {
    return this.cookies.get('backoffice_session');
  }

  forgetSession(): void {
    this.cookies.clear();
    this.csrf = undefined;
  }
}
