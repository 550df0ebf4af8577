// The one declared list of LineageStore implementations the suite runs against, and its narrowing:
// LINEAGE_TEST_STORES=embedded (comma-separated names) runs only those; LINEAGE_TEST_SKIP_NEO4J=1 is the
// older spelling of leaving neo4j out. Test infrastructure reads the environment here on purpose
// (src/config.ts is the service's only reader). No imports, so test/global-setup.ts can use it.
export const STORE_NAMES = ['embedded', 'neo4j'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

/** The selected stores, in declared order; throws on an unknown name (a typo must not skip a store silently). */
export function selectedStores(env: Record<string, string | undefined> = process.env): StoreName[] {
  const listed = (env.LINEAGE_TEST_STORES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of listed)
    if (!(STORE_NAMES as readonly string[]).includes(name))
      throw new Error(`LINEAGE_TEST_STORES: unknown store ${name} (known: ${STORE_NAMES.join(', ')})`);
  return STORE_NAMES.filter(
    (n) =>
      (listed.length === 0 || listed.includes(n)) && !(n === 'neo4j' && env.LINEAGE_TEST_SKIP_NEO4J === '1'),
  );
}
