import { lineageError } from '../../src/errors.ts';
import type { LineageStore } from '../store.ts';

export async function openNeo4jStore(_options: {
  uri: string;
  user: string;
  password: string;
  database: string;
}): Promise<LineageStore> {
  throw lineageError('LINEAGE_NOT_AVAILABLE', 'the Neo4j store is not available yet');
}
