// The planned warehouse as one LineageBatch, with the column lineage the plan already knows (no SQL parsing):
// IDENTITY for copies/renames/`select *`, TRANSFORMATION for casts/expressions, AGGREGATION for measures,
// CONDITIONAL/WINDOW for the second input of CASE/window, and JOIN/FILTER/GROUP_BY from each statement's
// keys to every output column (as the SQL engine emits them). Used by `bench/run.ts --direct` to measure the
// store at sizes where a full dbt ingest does not fit the time available.
import { createHash } from 'node:crypto';
import { emptyBatch } from '../../src/model/lineage.ts';
import type { LineageBatch, TransformKind } from '../../src/model/lineage.ts';
import { Op, TYPES } from './warehouse.ts';
import type { Table, Warehouse } from './warehouse.ts';

const AT = '2026-11-01T06:00:00Z';

export function tableKeyOf(w: Warehouse, t: Table): string {
  return `${w.database}.${t.schema}.${t.name}`;
}

function kindOf(op: number): TransformKind {
  if (op === Op.IDENTITY || op === Op.RENAME) return 'IDENTITY';
  if (op === Op.SUM || op === Op.MAX || op === Op.COUNT) return 'AGGREGATION';
  return 'TRANSFORMATION';
}

export function warehouseBatch(w: Warehouse, originId = `dbt:${w.project}`): LineageBatch {
  const b = emptyBatch({
    id: originId,
    provenance: 'dbt_manifest',
    label: `${w.project} (direct)`,
    ingestedAt: AT,
  });
  const facts = (statementId: string) => ({
    provenance: 'dbt_manifest' as const,
    confidence: 'EXACT' as const,
    firstSeen: AT,
    lastSeen: AT,
    queryCount: 1,
    statementId,
  });
  for (const t of w.tables) {
    const key = tableKeyOf(w, t);
    const team = w.teams[t.owner];
    const uniqueId =
      t.layer === 'source' ? `source.${w.project}.${t.schema}.${t.name}` : `model.${w.project}.${t.name}`;
    b.relations.push({
      key,
      kind: t.layer === 'source' ? 'source' : 'model',
      platform: 'postgres',
      displayName: key,
      database: w.database,
      schema: t.schema,
      name: t.name,
      uniqueId,
      owners: [{ id: team.email, name: team.name }],
      tags: t.tags,
      isKeyAsset: t.tags.includes('key_asset'),
    });
    t.cols.forEach((name, c) =>
      b.columns.push({
        key: `${key}.${name}`,
        relationKey: key,
        name,
        displayName: name,
        dataType: TYPES[t.types[c]],
        ordinal: c + 1,
        tags: [],
      }),
    );
    b.fingerprints.push({
      nodeKey: key,
      at: AT,
      originId,
      columns: t.cols.map((name, c) => ({ name, dataType: TYPES[t.types[c]] })),
      sqlChecksum: createHash('sha256')
        .update(`${t.id}:${t.shape}:${t.parents.join(',')}`)
        .digest('hex'),
    });
    if (t.layer === 'source') continue;
    const f = facts(uniqueId);
    const parents = t.parents.map((p) => w.tables[p]);
    for (const p of parents) b.relationEdges.push({ from: tableKeyOf(w, p), to: key, ...f });
    const colKey = (encoded: number) => {
      const p = parents[Math.floor(encoded / 65536)];
      return `${tableKeyOf(w, p)}.${p.cols[encoded % 65536]}`;
    };
    const out = t.cols.map((name) => `${key}.${name}`);
    if (t.shape === 'passthrough') {
      out.forEach((to, c) =>
        b.columnEdges.push({
          from: `${tableKeyOf(w, parents[0])}.${parents[0].cols[c]}`,
          to,
          kind: 'IDENTITY',
          ...f,
        }),
      );
      continue;
    }
    const edges = new Set<string>();
    const edge = (from: string, to: string, kind: TransformKind) => {
      const id = `${from}\u0000${to}\u0000${kind}`;
      if (edges.has(id)) return;
      edges.add(id);
      b.columnEdges.push({ from, to, kind, ...f });
    };
    t.cols.forEach((_, c) => {
      const op = t.ops![c];
      if (op === Op.COUNT) return;
      edge(colKey(t.src![c]), out[c], kindOf(op));
      if (t.src2 && t.src2[c] >= 0 && (op === Op.CASE || op === Op.WINDOW || op === Op.CONCAT))
        edge(
          colKey(t.src2[c]),
          out[c],
          op === Op.CASE ? 'CONDITIONAL' : op === Op.WINDOW ? 'WINDOW' : 'TRANSFORMATION',
        );
    });
    // Statement-level indirect dependencies: join keys, the not-null filter, group-by dimensions.
    const indirect: [string, TransformKind][] = [];
    if (t.shape === 'transform' || t.shape === 'join')
      indirect.push([`${tableKeyOf(w, parents[0])}.${parents[0].cols[0]}`, 'FILTER']);
    if (t.shape === 'join' || t.shape === 'aggregate')
      parents.forEach(
        (p, i) =>
          i > 0 &&
          indirect.push(
            [`${tableKeyOf(w, p)}.${p.cols[0]}`, 'JOIN'],
            [`${tableKeyOf(w, parents[0])}.${parents[0].cols[0]}`, 'JOIN'],
          ),
      );
    if (t.shape === 'aggregate')
      for (let d = 0; d < t.groupBy; d++) indirect.push([colKey(t.src![d]), 'GROUP_BY']);
    for (const [from, kind] of indirect) for (const to of out) edge(from, to, kind);
  }
  for (const e of w.exposures) {
    const key = `exposure:exposure.${w.project}.${e.name}`;
    const team = w.teams[e.owner];
    b.consumers.push({
      key,
      kind: e.type,
      name: e.name,
      uniqueId: `exposure.${w.project}.${e.name}`,
      owners: [{ id: team.email, name: team.name }],
      tags: e.tags,
    });
    for (const p of e.parents)
      b.consumerEdges.push({
        from: tableKeyOf(w, w.tables[p]),
        to: key,
        ...facts(`exposure.${w.project}.${e.name}`),
      });
  }
  return b;
}
