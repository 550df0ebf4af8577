// A deterministic synthetic warehouse as one LineageBatch, for the embedded store's scale check and its
// crash test: `tables` relations of ~`columnsPerTable` columns in layers (20% sources), each non-source
// table reading 1-4 earlier tables close to it, each column fed by 1-2 parent columns (IDENTITY /
// TRANSFORMATION / AGGREGATION) plus one JOIN edge per table. Not a realistic dbt project (bench/ has that).
import { emptyBatch, type LineageBatch, type TransformKind } from '../src/model/lineage.ts';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIRECT: TransformKind[] = ['IDENTITY', 'TRANSFORMATION', 'AGGREGATION'];
const AT = '2024-01-01T00:00:00Z';

export function tableKey(i: number): string {
  return `wh.s${Math.floor(i / 1000)}.t${i}`;
}

export function syntheticBatch(
  tables: number,
  columnsPerTable = 20,
  seed = 42,
  originId = 'synthetic',
): LineageBatch {
  const rnd = mulberry32(seed);
  const b = emptyBatch({ id: originId, provenance: 'manual', label: `synthetic ${tables}`, ingestedAt: AT });
  const widths: number[] = [];
  const sources = Math.max(1, Math.floor(tables * 0.2));
  for (let i = 0; i < tables; i++) {
    const key = tableKey(i);
    const schema = `s${Math.floor(i / 1000)}`;
    const width = Math.max(2, Math.round(columnsPerTable * (0.5 + rnd())));
    widths.push(width);
    b.relations.push({
      key,
      kind: i < sources ? 'source' : 'model',
      platform: 'postgres',
      displayName: key,
      database: 'wh',
      schema,
      name: `t${i}`,
      uniqueId: i < sources ? undefined : `model.synthetic.t${i}`,
      owners: [{ id: `team${i % 50}@x.io` }],
      tags: i % 10 === 0 ? ['key'] : [],
      isKeyAsset: i % 100 === 0,
    });
    for (let c = 0; c < width; c++) {
      b.columns.push({
        key: `${key}.c${c}`,
        relationKey: key,
        name: `c${c}`,
        displayName: `C${c}`,
        dataType: c === 0 ? 'integer' : 'text',
        ordinal: c + 1,
        tags: [],
      });
    }
    if (i < sources) continue;
    const parentCount = 1 + Math.floor(rnd() * 4);
    const parents = new Set<number>();
    const window = Math.min(i, 2000);
    while (parents.size < Math.min(parentCount, i)) parents.add(i - 1 - Math.floor(rnd() * window));
    const ps = [...parents];
    const facts = {
      provenance: 'manual' as const,
      confidence: 'EXACT' as const,
      firstSeen: AT,
      lastSeen: AT,
      queryCount: 1,
      statementId: `model.synthetic.t${i}`,
    };
    for (const p of ps) b.relationEdges.push({ from: tableKey(p), to: key, ...facts });
    for (let c = 0; c < width; c++) {
      const feeds = 1 + Math.floor(rnd() * 2);
      for (let k = 0; k < feeds; k++) {
        const p = ps[Math.floor(rnd() * ps.length)];
        const pc = Math.floor(rnd() * widths[p]);
        const kind = DIRECT[Math.floor(rnd() * DIRECT.length)];
        b.columnEdges.push({ from: `${tableKey(p)}.c${pc}`, to: `${key}.c${c}`, kind, ...facts });
      }
    }
    if (ps.length > 1)
      b.columnEdges.push({ from: `${tableKey(ps[1])}.c0`, to: `${key}.c0`, kind: 'JOIN', ...facts });
  }
  return b;
}
