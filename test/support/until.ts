/**
 * Waits for a condition another process brings about (the platform told, a row written): checks
 * it every 25 ms and fails with `what` after `timeoutMs`. Resolves to the condition's value.
 */
export async function until<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
