// Starts shared test infrastructure once per run: a throwaway Neo4j server (scripts/neo4j/launch.ts) whose
// Bolt URI tests read with `inject('neo4jUri')` (see test/neo4j-env.ts). NEO4J_URI points the tests at an
// existing server instead; LINEAGE_TEST_SKIP_NEO4J=1 skips everything that needs Neo4j.
import type { TestProject } from 'vitest/node';
import { startNeo4j } from '../scripts/neo4j/launch.ts';
import { selectedStores } from './conformance/store-list.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bolt URI of the test Neo4j, or '' when Neo4j tests are skipped (LINEAGE_TEST_SKIP_NEO4J=1). */
    neo4jUri: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Test infrastructure, not the service: reading the environment here is deliberate (src/config.ts is the
  // service's only reader).
  if (!selectedStores().includes('neo4j')) {
    const bar = '!'.repeat(78);
    process.stderr.write(
      `\n${bar}\n! neo4j is not selected (LINEAGE_TEST_STORES / LINEAGE_TEST_SKIP_NEO4J=1): the Neo4j store tests\n` +
        `! and the Neo4j conformance run are SKIPPED.\n` +
        `! Unset it (and install Java 17+ and Maven) to test the Neo4j store.\n${bar}\n\n`,
    );
    project.provide('neo4jUri', '');
    return async () => {};
  }
  if (process.env.NEO4J_URI) {
    project.provide('neo4jUri', process.env.NEO4J_URI);
    return async () => {};
  }
  // C1 only: a test server lives for minutes, so JIT warm-up costs more than peak speed gains (start-up
  // ~30% faster on a loaded 2-core machine).
  const server = await startNeo4j({ jvmFlags: ['-XX:TieredStopAtLevel=1'] });
  // Migrate once here, so the schema's indexes are not built inside whichever test opens a store first.
  const { openNeo4jStore } = await import('../graph/neo4j/index.ts');
  await (
    await openNeo4jStore({ uri: server.uri, user: 'neo4j', password: 'unused', database: 'neo4j' })
  ).close();
  project.provide('neo4jUri', server.uri);
  return async () => {
    await server.stop();
  };
}
