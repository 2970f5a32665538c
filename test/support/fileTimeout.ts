/**
 * Loaded into every test file's process (scripts/test.sh passes it with --import): a file still
 * running after TEST_FILE_TIMEOUT_MS (default: TEST_TIMEOUT_MS plus a minute) says so in one line
 * and ends its process, children and open handles with it, so that one hung test cannot hold the
 * runner (node --test waits for each file's process to exit, whatever its tests' own timeouts).
 */
const perTest = Number(process.env.TEST_TIMEOUT_MS ?? 600_000);
const limit = Number(process.env.TEST_FILE_TIMEOUT_MS ?? perTest + 60_000);

// Only in a test file's own process: the runner (which loads the same flags) is left alone.
if (process.env.NODE_TEST_CONTEXT?.startsWith('child') && Number.isFinite(limit) && limit > 0) {
  const file = process.argv[1] ?? 'a test file';
  setTimeout(() => {
    process.stderr.write(`test file ${file} still running after ${limit} ms: its process is ended\n`);
    // Its children (workers, servers) are in its process group only when spawned so; they are killed where they can be.
    process.exit(1);
  }, limit).unref();
}
