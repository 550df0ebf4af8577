// Worker entry: loads sql-worker.ts. A worker inherits `--import tsx` from a parent started that way; a
// parent that registered tsx in-process (bin/lineage.mjs) or runs under vitest does not pass it on, so
// tsx is registered here when the TypeScript file cannot be loaded as is.
try {
  await import('./sql-worker.ts');
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./sql-worker.ts?tsx');
}
