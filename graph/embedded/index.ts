import { lineageError } from '../../src/errors.ts';
import type { LineageStore } from '../store.ts';

export async function openEmbeddedStore(_options: { dataDir: string }): Promise<LineageStore> {
  throw lineageError('LINEAGE_NOT_AVAILABLE', 'the embedded store is not available yet');
}
