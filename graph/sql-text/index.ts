// Opens the SQL-text store beside the configured lineage store: packs under the data directory, or nodes
// in the same Neo4j database.
import type { Config } from '../../src/config.ts';
import { lineageError } from '../../src/errors.ts';
import type { SqlTextStore } from './types.ts';

export type * from './types.ts';

export async function openSqlTextStore(config: Config): Promise<SqlTextStore> {
  switch (config.store) {
    case 'embedded': {
      const { openEmbeddedSqlTextStore } = await import('./embedded.ts');
      return openEmbeddedSqlTextStore({ dataDir: config.dataDir });
    }
    case 'neo4j': {
      if (!config.neo4j.uri) throw lineageError('CONFIG_INVALID', 'LINEAGE_STORE=neo4j needs NEO4J_URI');
      const { openNeo4jSqlTextStore } = await import('./neo4j.ts');
      return openNeo4jSqlTextStore({
        uri: config.neo4j.uri,
        user: config.neo4j.user,
        password: config.neo4j.password,
        database: config.neo4j.database,
      });
    }
  }
}

/**
 * The same store, opened on first use: a server or a command that never reads or writes SQL text never
 * connects for it (and a Neo4j that is down fails the first use with STORE_UNAVAILABLE, not the start).
 */
export function openSqlTextStoreLazily(config: Config): SqlTextStore {
  let opened: Promise<SqlTextStore> | null = null;
  const store = () =>
    (opened ??= openSqlTextStore(config).catch((err: unknown) => {
      opened = null; // the next use tries again
      throw err;
    }));
  return {
    kind: config.store,
    stage: async () => (await store()).stage(),
    get: async (key) => (await store()).get(key),
    removeOrigin: async (originId) => (await store()).removeOrigin(originId),
    close: async () => {
      const was = opened;
      opened = null;
      if (was) await (await was.catch(() => null))?.close();
    },
  };
}
