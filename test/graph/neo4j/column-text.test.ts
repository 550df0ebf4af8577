// Column search text lives in LineageColumnText nodes of a few hundred columns each (graph/neo4j/cypher.ts):
// how columns are packed, that every column stays findable, and that a column text above the text index's
// value limit (32,766 bytes) no longer fails the whole ingest (nor a relation's display name).
import { describe, expect, it } from 'vitest';
import { columnTextDocs } from '../../../graph/neo4j/index.ts';
import type { ColumnNode, LineageBatch } from '../../../src/model/lineage.ts';
import { dbtBatch, stgOrders } from '../../helpers/shapes.ts';
import { neo4jTarget, rawRows, storesClosedAfterEach } from './server.ts';

const target = neo4jTarget();

function column(relationKey: string, name: string, displayName = name.toUpperCase()): ColumnNode {
  return { key: `${relationKey}.${name}`, relationKey, name, displayName, tags: [] };
}

describe('columnTextDocs', () => {
  it('packs consecutive columns under 8,000 bytes, one line per column', () => {
    const columns = Array.from({ length: 3_000 }, (_, i) => column('wh.s.t', `col_${i}`));
    const docs = columnTextDocs(columns);
    expect(docs.length).toBe(4); // ~30 KB of '.col_<i>' lines
    expect(docs.flatMap((d) => d.keys as string[])).toEqual(columns.map((c) => c.key));
    for (const d of docs) {
      expect(Buffer.byteLength(d.text as string)).toBeLessThanOrEqual(8_000);
      expect(d.text).toBe((d.lines as string[]).join('\n'));
    }
    expect(docs[0].lines).toContain('.col_0');
  });

  it('indexes a text longer than that by its start, cut between characters', () => {
    const long = column('wh.s.t', 'long', `${'größe '.repeat(3_000)}end`);
    const [before, alone, after] = columnTextDocs([column('wh.s.t', 'a'), long, column('wh.s.t', 'z')]);
    expect(before.keys).toEqual(['wh.s.t.a']);
    expect(after.keys).toEqual(['wh.s.t.z']);
    expect(alone.keys).toEqual([long.key]);
    const line = (alone.lines as string[])[0];
    expect(line.endsWith('end')).toBe(true);
    const text = alone.text as string;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(8_000);
    expect(Buffer.byteLength(text)).toBeGreaterThan(7_990);
    expect(line.startsWith(text)).toBe(true);
  });
});

async function columnTextNodes(): Promise<number> {
  const [row] = await rawRows(target!, 'MATCH (t:LineageColumnText) RETURN count(t) AS n');
  return row.n as number;
}

/** dbtBatch plus a relation of `width` columns, one of them with a display name of ~40 KB. */
function wideBatch(width: number): LineageBatch {
  const b = dbtBatch('2024-09-01T00:00:00Z');
  const rel = { ...stgOrders, key: 'wh.wide.t', name: 't', schema: 'wide', displayName: 'wh.wide.t' };
  b.relations.push(rel);
  for (let i = 0; i < width; i++) b.columns.push(column(rel.key, `field_${i}`));
  b.columns.push(column(rel.key, 'verbose', `${'größe '.repeat(6_000)}tail`));
  b.relations.push({
    ...rel,
    key: 'wh.wide.described',
    name: 'described',
    displayName: 'größe '.repeat(6_000),
  });
  return b;
}

describe.skipIf(!target)('Neo4j: column search text', () => {
  const openStore = storesClosedAfterEach();

  it('finds every column of a wide relation; a ~40 KB display name ingests; a replaced generation takes its text along', async () => {
    const store = await openStore({ ...target!, batchSize: 500, retiredGraceMs: 0 });
    await store.applyBatch(wideBatch(2_000));
    const hits = await store.search('field_1999', { types: ['column'], limit: 10 });
    expect(hits.map((h) => h.key)).toEqual(['wh.wide.t.field_1999']);
    expect((await store.search('field_', { types: ['column'], limit: 5_000 })).length).toBe(2_000);
    // found by its name and by the start of its display name; past the first 8,000 bytes only on the
    // embedded store (not a real name's length)
    expect((await store.search('verbose', { types: ['column'], limit: 5 })).map((h) => h.key)).toEqual([
      'wh.wide.t.verbose',
    ]);
    expect((await store.search('größe größe', { types: ['column'], limit: 5 })).map((h) => h.key)).toEqual([
      'wh.wide.t.verbose',
    ]);
    expect((await store.search('described', { types: ['relation'], limit: 5 })).map((h) => h.key)).toEqual([
      'wh.wide.described',
    ]);
    const packed = await columnTextNodes();
    await store.applyBatch({ ...dbtBatch('2024-09-02T00:00:00Z') });
    expect(await store.search('field_1999', { types: ['column'], limit: 10 })).toEqual([]);
    // the retired generation's nodes are deleted with it (no grace here)
    expect(await columnTextNodes()).toBeLessThan(packed);
  });
});
