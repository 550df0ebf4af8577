// Picks the store implementation from configuration. Besides src/cli, the only place that names one.
// createMemoryStore is the scratch store for one computation (a diff of two manifests): embedded, in this
// process only, with no directory, file, lock or fsync.
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';
import type { LineageStore } from './store.ts';

export interface CreateStoreOptions {
  /** The caller only reads: Neo4j opens without migrations or cleanup (works for a read-only database user). */
  readOnly?: boolean;
}

export async function createStore(config: Config, options: CreateStoreOptions = {}): Promise<LineageStore> {
  switch (config.store) {
    case 'embedded': {
      const { openEmbeddedStore } = await import('./embedded/index.ts');
      return openEmbeddedStore({ dataDir: config.dataDir });
    }
    case 'neo4j': {
      if (!config.neo4j.uri) throw lineageError('CONFIG_INVALID', 'LINEAGE_STORE=neo4j needs NEO4J_URI');
      const { openNeo4jStore } = await import('./neo4j/index.ts');
      return openNeo4jStore({
        uri: config.neo4j.uri,
        user: config.neo4j.user,
        password: config.neo4j.password,
        database: config.neo4j.database,
        ...config.neo4jTuning,
        readOnly: options.readOnly,
      });
    }
  }
}

/** An empty in-memory embedded store; its contents are gone on close. */
export async function createMemoryStore(): Promise<LineageStore> {
  const { openMemoryStore } = await import('./embedded/index.ts');
  return openMemoryStore();
}
