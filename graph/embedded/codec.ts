// Positional encoding of the bulky record kinds in the store file (columns and edges): an array per record
// instead of an object, so the file is smaller and loads faster (JSON.parse builds no per-record key maps).
// Absent optional fields are null in the middle and dropped at the end. Other sections stay objects.
import type { ColumnEdge, ColumnNode, ConsumerEdge, RelationEdge } from '../../src/model/lineage.ts';
import type { OriginData, Section } from '../canonical.ts';

type Cell = string | number | boolean | string[] | null;

function trim(row: (Cell | undefined)[]): Cell[] {
  let n = row.length;
  while (n > 0 && row[n - 1] === undefined) n--;
  const out: Cell[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = row[i] === undefined ? null : (row[i] as Cell);
  return out;
}

function encodeColumn(c: ColumnNode): Cell[] {
  return trim([
    c.key,
    c.relationKey,
    c.name,
    c.displayName,
    c.tags,
    c.dataType,
    c.description,
    c.ordinal,
    c.missingFromCatalog,
  ]);
}

function decodeColumn(r: Cell[]): ColumnNode {
  const c: ColumnNode = {
    key: r[0] as string,
    relationKey: r[1] as string,
    name: r[2] as string,
    displayName: r[3] as string,
    tags: r[4] as string[],
  };
  if (r[5] != null) c.dataType = r[5] as string;
  if (r[6] != null) c.description = r[6] as string;
  if (r[7] != null) c.ordinal = r[7] as number;
  if (r[8] != null) c.missingFromCatalog = r[8] as boolean;
  return c;
}

type AnyEdge = ColumnEdge | RelationEdge | ConsumerEdge;

function encodeEdge(e: AnyEdge, withKind: boolean): Cell[] {
  const head: Cell[] = withKind ? [e.from, e.to, (e as ColumnEdge).kind] : [e.from, e.to];
  return trim([...head, e.provenance, e.confidence, e.firstSeen, e.lastSeen, e.queryCount, e.statementId]);
}

function decodeEdge(r: Cell[], withKind: boolean): AnyEdge {
  const o = withKind ? 1 : 0;
  const e: Record<string, unknown> = { from: r[0], to: r[1] };
  if (withKind) e.kind = r[2];
  e.provenance = r[2 + o];
  e.confidence = r[3 + o];
  e.firstSeen = r[4 + o];
  e.lastSeen = r[5 + o];
  e.queryCount = r[6 + o];
  if (r[7 + o] != null) e.statementId = r[7 + o];
  return e as unknown as AnyEdge;
}

export function encodeRecord(section: Section, rec: OriginData[Section][number]): unknown {
  switch (section) {
    case 'columns':
      return encodeColumn(rec as ColumnNode);
    case 'columnEdges':
      return encodeEdge(rec as ColumnEdge, true);
    case 'relationEdges':
    case 'consumerEdges':
      return encodeEdge(rec as AnyEdge, false);
    default:
      return rec;
  }
}

export function decodeRecord(section: Section, value: unknown): unknown {
  switch (section) {
    case 'columns':
      return decodeColumn(value as Cell[]);
    case 'columnEdges':
      return decodeEdge(value as Cell[], true);
    case 'relationEdges':
    case 'consumerEdges':
      return decodeEdge(value as Cell[], false);
    default:
      return value;
  }
}
