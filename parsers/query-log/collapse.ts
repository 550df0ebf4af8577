// Session-scoped relations (temp tables) are not kept as nodes: an edge into a temp column and an edge out of
// it become one edge that passes through. Kinds compose: an INDIRECT hop wins (the later one first), else the
// strongest DIRECT kind (AGGREGATION > TRANSFORMATION > IDENTITY). Edges inside one temp relation are dropped.
import { splitColumnKey } from '../../src/model/identity.ts';
import type { ColumnEdge, RelationEdge, TransformKind } from '../../src/model/lineage.ts';
import { isDirectKind } from '../../src/model/lineage.ts';
import { worstConfidence } from './statement.ts';

const DIRECT_STRENGTH: Record<string, number> = { IDENTITY: 0, TRANSFORMATION: 1, AGGREGATION: 2 };

export function composeKinds(first: TransformKind, second: TransformKind): TransformKind {
  if (!isDirectKind(second)) return second;
  if (!isDirectKind(first)) return first;
  return DIRECT_STRENGTH[first] >= DIRECT_STRENGTH[second] ? first : second;
}

function relationOf(columnKey: string): string {
  return splitColumnKey(columnKey).relationKey;
}

/** Removes each temporary relation in turn, connecting what flowed in to what flowed out. */
export function collapseTemporary<E extends ColumnEdge | RelationEdge>(
  edges: E[],
  temporary: ReadonlySet<string>,
  level: 'column' | 'relation',
): E[] {
  const rel = level === 'column' ? relationOf : (k: string) => k;
  let current = edges;
  for (const temp of [...temporary].sort()) {
    const into: E[] = [];
    const outOf = new Map<string, E[]>();
    const rest: E[] = [];
    for (const e of current) {
      const toTemp = rel(e.to) === temp;
      const fromTemp = rel(e.from) === temp;
      if (toTemp && fromTemp) continue;
      if (toTemp) into.push(e);
      else if (fromTemp) {
        const list = outOf.get(e.from) ?? [];
        list.push(e);
        outOf.set(e.from, list);
      } else rest.push(e);
    }
    for (const a of into) {
      for (const b of outOf.get(a.to) ?? []) {
        if (a.from === b.to) continue;
        const composed = { ...b, from: a.from, confidence: worstConfidence(a.confidence, b.confidence) };
        if ('kind' in a && 'kind' in b)
          (composed as ColumnEdge).kind = composeKinds((a as ColumnEdge).kind, (b as ColumnEdge).kind);
        rest.push(composed);
      }
    }
    current = rest;
  }
  return current;
}
