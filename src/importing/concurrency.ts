/**
 * Runs `work` over `items` with at most `limit` calls in flight. After the first failure no new
 * item starts, the calls in flight are awaited, and then the first error is thrown: nothing keeps
 * writing behind the caller's back once it has been told the batch failed.
 */
export async function mapWithConcurrency<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!failure && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(runners);
  if (failure) throw failure.error;
}
