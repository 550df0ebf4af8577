// A batch whose references are wrong is rejected after part of it was staged: the store looks the references
// up while it stages the batch's nodes and column edges (graph/neo4j/index.ts applyBatch), so the rejection
// comes after several bounded transactions committed. Nothing of it may stay in the database but the entity
// nodes it MERGEd (never deleted, see graph/neo4j/cypher.ts STAGE_COLUMN_EDGES), with no generation or view.
import { describe, expect, it } from 'vitest';
import type { LineageBatch } from '../../../src/model/lineage.ts';
import { dbtBatch, stgOrders } from '../../helpers/shapes.ts';
import { neo4jTarget, rawRows, storesClosedAfterEach } from './server.ts';

const target = neo4jTarget();

/** dbtBatch plus a 2,000-column relation (several staged transactions at batchSize 100) and one bad edge. */
function badReplacement(): LineageBatch {
  const b = dbtBatch('2024-09-01T00:00:00Z');
  const rel = { ...stgOrders, key: 'wh.big.t', name: 't', schema: 'big', displayName: 'wh.big.t' };
  b.relations.push(rel);
  for (let i = 0; i < 2_000; i++)
    b.columns.push({
      key: `${rel.key}.c${i}`,
      relationKey: rel.key,
      name: `c${i}`,
      displayName: `C${i}`,
      tags: [],
    });
  b.columnEdges.push({ ...b.columnEdges[0], to: 'wh.nowhere.t.c' });
  return b;
}

const ENTITY_LABELS = new Set(['Relation', 'Column', 'Consumer']);

/** The rows of one raw statement on the test database. */
const raw = (statement: string) => rawRows(target!, statement);

/** Every node and relationship by label or type, whatever its generation (entity nodes apart). */
async function everything(): Promise<Record<string, number>> {
  const rows = await raw(`
    CALL { MATCH (n) UNWIND labels(n) AS what RETURN what, count(*) AS n
           UNION ALL MATCH ()-[r]->() RETURN type(r) AS what, count(*) AS n }
    RETURN what, n ORDER BY what`);
  return Object.fromEntries(
    rows.filter((r) => !ENTITY_LABELS.has(r.what as string)).map((r) => [r.what as string, r.n as number]),
  );
}

/** The entity nodes of the big relation: how many, and their generations and views. */
async function bigEntities(): Promise<{ nodes: number; gens: number; views: number }> {
  const [row] = await raw(`
    MATCH (n) WHERE (n:Relation OR n:Column) AND n.key STARTS WITH 'wh.big.'
    RETURN count(n) AS nodes, sum(size(coalesce(n.gens, []))) AS gens, sum(size(coalesce(n.views, []))) AS views`);
  return row as { nodes: number; gens: number; views: number };
}

describe.skipIf(!target)('Neo4j: a batch rejected for its references', () => {
  const openStore = storesClosedAfterEach();

  it('leaves nothing of what it staged before the rejection', async () => {
    const store = await openStore({ ...target!, batchSize: 100 });
    await store.applyBatch(dbtBatch());
    const before = await everything();
    await expect(store.applyBatch(badReplacement())).rejects.toMatchObject({
      code: 'STORE_WRITE_FAILED',
      message: expect.stringContaining('wh.nowhere.t.c is not a known column'),
    });
    expect(await everything()).toEqual(before);
    // staged: most of the relation's 2,000 columns (the rejection came after staging); live: none of them
    const big = await bigEntities();
    expect(big.nodes).toBeGreaterThan(1_000);
    expect(big).toMatchObject({ gens: 0, views: 0 });
    // the origin is still the one applied first, and can be replaced
    expect((await store.origins()).map((o) => o.ingestedAt)).toEqual([dbtBatch().origin.ingestedAt]);
    const good = badReplacement();
    good.columnEdges.pop();
    expect((await store.applyBatch(good)).unchanged).toBe(false);
    expect((await store.columnsOf('wh.big.t')).length).toBe(2_000);
  });
});
