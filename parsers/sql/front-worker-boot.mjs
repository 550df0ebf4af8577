// Worker entry: loads front-worker.ts. A worker inherits `--import tsx` from a parent started that way; a
// parent that registered tsx in-process (bin/lineage.mjs) or runs under vitest does not pass it on, so
// tsx is registered here when the TypeScript file cannot be loaded as is. A failure to load is written
// to the shared state word (6 = failed, see front-host.ts) so the waiting host reports it.
import { workerData } from 'node:worker_threads';

try {
  try {
    await import('./front-worker.ts');
  } catch (err) {
    if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const { register } = await import('tsx/esm/api');
    register();
    await import('./front-worker.ts?tsx');
  }
} catch (err) {
  workerData.port.postMessage({ bootError: err instanceof Error ? err.message : String(err) });
  Atomics.store(workerData.state, 0, 6);
  Atomics.notify(workerData.state, 0);
}
