// Child process for the crash test: opens the store in argv[2] and applies a large synthetic batch, so the
// parent can SIGKILL it while the save is writing.
import { syntheticBatch } from '../../../bench/embedded-synthetic.ts';
import { openEmbeddedStore } from '../../../graph/embedded/index.ts';

const [dir, tables] = process.argv.slice(2);
const store = await openEmbeddedStore({ dataDir: dir });
const batch = syntheticBatch(Number(tables), 20, 7, 'big');
process.stdout.write('applying\n');
await store.applyBatch(batch);
process.stdout.write('saved\n');
