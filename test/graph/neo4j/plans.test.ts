// How the Neo4j store keeps query plans good and few: every index hint is a seek (a plain `USING INDEX` is
// satisfied by a scan, which a statement planned on a nearly empty store was seen to pick: a scan of the whole
// index per looked-up key), and parameters go in one map, so a list's size does not make a new plan.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import neo4j from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { boxed } from '../../../graph/neo4j/index.ts';
import { neo4jTarget } from './server.ts';

const target = neo4jTarget();

describe('Neo4j query plans', () => {
  it('hints every index lookup as a seek', () => {
    const source = readFileSync('graph/neo4j/cypher.ts', 'utf8');
    expect(source.match(/USING INDEX (?!SEEK )\S+/g) ?? []).toEqual([]);
    expect(source).toMatch(/USING INDEX SEEK c:Contribution\(key\)/);
  });

  it('rewrites every parameter into one map, $p', () => {
    expect(
      boxed('UNWIND $keys AS k MATCH (n {key: k}) WHERE n.gen IN $active_gens RETURN n LIMIT $limit', {
        keys: ['a'],
        active_gens: [],
        limit: 3,
      }),
    ).toEqual([
      'UNWIND $p.keys AS k MATCH (n {key: k}) WHERE n.gen IN $p.active_gens RETURN n LIMIT $p.limit',
      { p: { keys: ['a'], active_gens: [], limit: 3 } },
    ]);
  });

  it.skipIf(!target)('plans a boxed statement once, whatever the sizes of its lists', async () => {
    const driver = neo4j.driver(target!.uri, neo4j.auth.basic(target!.user, target!.password));
    // A text no other test sends, so its plan is this test's alone.
    const tag = randomUUID().replaceAll('-', '');
    const statement = `UNWIND $keys AS k OPTIONAL MATCH (n:Column {key: k}) RETURN k, n.rel AS rel, '${tag}' AS tag`;
    const run = (keys: string[]) =>
      driver.executeQuery(...boxed(statement, { keys }), { database: target!.database });
    try {
      await driver.executeQuery("CALL db.stats.collect('QUERIES')").catch(() => undefined);
      const sizes = [5, 1, 10, 100, 1000, 3000, 7, 0];
      for (const n of sizes) await run(Array.from({ length: n }, (_, i) => `k${i}`));
      const rows = await driver.executeQuery("CALL db.stats.retrieve('QUERIES') YIELD data RETURN data");
      const mine = rows.records.map((r) => r.get('data')).filter((d) => String(d.query).includes(tag));
      const compileMs = mine.flatMap((d) =>
        d.invocations.map(
          (i: { elapsedCompileTimeInUs: unknown }) => Number(i.elapsedCompileTimeInUs) / 1000,
        ),
      );
      expect(compileMs).toHaveLength(sizes.length);
      // The first run plans (tens to hundreds of ms); a cache hit costs a few ms. A list's size in the cache
      // key would plan again at 1, 10 or 1000 items.
      const [planned, ...later] = compileMs;
      console.log(`[plans] compile ms per run: ${compileMs.map((ms) => ms.toFixed(1)).join(' ')}`);
      for (const ms of later) expect(ms).toBeLessThan(Math.max(10, planned / 4));
    } finally {
      await driver.close();
    }
  });
});
