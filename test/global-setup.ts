// Starts shared test infrastructure once per run. The Neo4j launcher hooks in here (see scripts/neo4j).
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
