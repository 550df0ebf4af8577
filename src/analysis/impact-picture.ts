// An impact result as the explorer draws it: the changed relation, the relations that break or go stale
// and the exposures reached, each with a status, plus the relation edges between them and, inside each
// relation, only the columns the change touches (the changed column, the columns of a break's `via`, the
// columns whose values change). At most `limit` boxes: the most important first, the rest counted.
import type { LineageStore } from '../../graph/store.ts';
import type { ImpactResult } from './impact.ts';
import { cmp } from './impact.ts';

export type PictureStatus = 'TARGET' | 'BREAKS' | 'STALE' | 'EXPOSURE';

export interface PictureColumn {
  key: string;
  name: string;
  status: 'TARGET' | 'BREAKS' | 'VALUES';
}

export interface PictureNode {
  key: string;
  type: 'relation' | 'consumer';
  kind: string;
  name: string;
  displayName: string;
  schema: string | null;
  status: PictureStatus;
  distance: number;
  severity: string;
  columns: PictureColumn[];
}

export interface ImpactPicture {
  nodes: PictureNode[];
  edges: { from: string; to: string; kind: string }[];
  /** Impacted relations and exposures not drawn because of the limit. */
  omitted: number;
}

export async function impactPicture(
  store: LineageStore,
  r: ImpactResult,
  limit: number,
): Promise<ImpactPicture> {
  const candidates = pictureCandidates(r);
  const kept = candidates.slice(0, Math.max(1, limit));
  const byKey = new Map(kept.map((n) => [n.key, n]));
  addColumns(r, byKey);
  const keys = [...byKey.keys()];
  const hops = await store.neighbors(keys, {
    direction: 'downstream',
    level: 'relation',
    includeConsumers: true,
  });
  const edges = hops
    .filter((h) => byKey.has(h.to) && h.from !== h.to)
    .map((h) => ({ from: h.from, to: h.to, kind: h.kind }));
  return {
    nodes: kept,
    edges,
    omitted: candidates.length - kept.length,
  };
}

/** Target first, then breaks, stale and exposures, each list in the impact's own (importance) order. */
function pictureCandidates(r: ImpactResult): PictureNode[] {
  const out: PictureNode[] = [];
  const seen = new Set<string>();
  const push = (node: PictureNode) => {
    if (seen.has(node.key)) return;
    seen.add(node.key);
    out.push(node);
  };
  push({
    key: r.targetRelation,
    type: 'relation',
    kind: r.target.type === 'relation' ? r.target.kind : 'relation',
    name:
      r.target.type === 'relation'
        ? r.target.name
        : r.targetRelation.slice(r.targetRelation.lastIndexOf('.') + 1),
    displayName: r.target.type === 'relation' ? r.target.displayName : r.targetRelation,
    schema: r.target.schema,
    status: 'TARGET',
    distance: 0,
    severity: r.summary.maxSeverity,
    columns: [],
  });
  for (const [status, list] of [
    ['BREAKS', r.breaks],
    ['STALE', r.stale],
    ['EXPOSURE', r.exposures],
  ] as const)
    for (const a of list)
      push({
        key: a.key,
        type: a.type === 'consumer' ? 'consumer' : 'relation',
        kind: a.kind,
        name: a.name,
        displayName: a.displayName,
        schema: a.schema,
        status,
        distance: a.distance,
        severity: a.importance.severity,
        columns: [],
      });
  return out;
}

/** The touched columns inside the drawn relations: the target, the broken references, the changed values. */
function addColumns(r: ImpactResult, byKey: Map<string, PictureNode>): void {
  const put = (relationKey: string, key: string, status: PictureColumn['status']) => {
    const node = byKey.get(relationKey);
    if (!node || node.columns.some((c) => c.key === key)) return;
    node.columns.push({ key, name: key.slice(relationKey.length + 1), status });
  };
  if (r.target.type === 'column') put(r.targetRelation, r.target.key, 'TARGET');
  for (const b of r.breaks)
    for (const v of b.via) if (v.to.startsWith(`${b.key}.`)) put(b.key, v.to, 'BREAKS');
  for (const v of r.values) put(v.relationKey, v.key, 'VALUES');
  for (const n of byKey.values()) n.columns.sort((a, b) => cmp(a.name, b.name));
}
