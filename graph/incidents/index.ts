// Opens the incident store beside the configured lineage store: the embedded file under the data
// directory, or nodes in the same Neo4j database.
import type { Config } from '../../src/config.ts';
import { lineageError } from '../../src/errors.ts';
import type { IncidentStore } from './types.ts';

export type * from './types.ts';

export async function openIncidentStore(config: Config): Promise<IncidentStore> {
  switch (config.store) {
    case 'embedded': {
      const { openEmbeddedIncidentStore } = await import('./embedded.ts');
      return openEmbeddedIncidentStore({ dataDir: config.dataDir });
    }
    case 'neo4j': {
      if (!config.neo4j.uri) throw lineageError('CONFIG_INVALID', 'LINEAGE_STORE=neo4j needs NEO4J_URI');
      const { openNeo4jIncidentStore } = await import('./neo4j.ts');
      return openNeo4jIncidentStore({
        uri: config.neo4j.uri,
        user: config.neo4j.user,
        password: config.neo4j.password,
        database: config.neo4j.database,
      });
    }
  }
}
