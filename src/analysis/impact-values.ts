// The values phase of impact: columns whose values change, and (CONSERVATIVE) the per-relation summary of
// indirect effects.
//   strict walk   DIRECT edges from the changed column(s): these columns' values (or types) change.
//   indirect walk every edge kind: a column reached only through a JOIN/FILTER/GROUP_BY/… edge changes
//                 because the rows kept, joined or grouped may change, not its values' formula. One seed
//                 column used in a WHERE reaches every output column of every model below, so these are
//                 summarised per relation (the entry kinds and the predicate columns that carry the change)
//                 and listed column by column only when the request asks for them (`indirectColumns`).
import type { IndirectKind } from '../model/lineage.ts';
import { DIRECT_KINDS, INDIRECT_KINDS } from '../model/lineage.ts';
import type { PathStep } from '../../graph/store.ts';
import { boundedTraverse } from './context.ts';
import type { ImpactRun } from './impact.ts';
import { cmp, loadNodes, relationOfColumn } from './nodes.ts';
import { readAhead, type PlannedWalk } from './memo-reads.ts';

export interface ValueHit {
  distance: number;
  path: PathStep[];
  strict: boolean;
}

export interface ValuePhase {
  /** The changed columns the walks started from. */
  starts: string[];
  hits: Map<string, ValueHit>;
  /** Relation -> the smallest distance of its changed columns (the target's relation excluded). */
  relationDistance: Map<string, number>;
}

/** One relation whose rows may change because a changed column decides which rows are kept or grouped. */
export interface IndirectFinding {
  distance: number;
  /** The indirect kinds through which the change enters this relation's SQL (empty: only from upstream). */
  kinds: IndirectKind[];
  /** Changed columns this relation's SQL uses as JOIN/FILTER/GROUP_BY/… inputs. */
  predicates: string[];
  /** Relations upstream whose changed columns feed this one (the way the effect arrives). */
  from: string[];
  /** How many of this relation's columns are reached only through indirect edges. */
  columns: number;
}

export async function walkValues(run: ImpactRun): Promise<ValuePhase> {
  const phase: ValuePhase = { starts: await valueStarts(run), hits: new Map(), relationDistance: new Map() };
  if (phase.starts.length === 0 || run.log.expired()) return phase;
  const [strictWalk, allWalk] = valueWalks(run, phase.starts);
  const strict = await boundedTraverse(
    run.store,
    strictWalk.starts,
    strictWalk.options,
    'the values walk',
    run.log,
  );
  for (const r of strict.reached) phase.hits.set(r.key, { distance: r.distance, path: r.path, strict: true });
  if (allWalk && !run.log.expired()) {
    const all = await boundedTraverse(run.store, allWalk.starts, allWalk.options, 'the values walk', run.log);
    for (const r of all.reached)
      if (!phase.hits.has(r.key))
        phase.hits.set(r.key, { distance: r.distance, path: r.path, strict: false });
  }
  await loadNodes(run.store, run.nodes, phase.hits.keys());
  for (const [k, h] of phase.hits) {
    const rel = relationOfColumn(run.nodes, k);
    if (!rel || rel === run.targetRelation) continue;
    const prev = phase.relationDistance.get(rel);
    if (prev === undefined || h.distance < prev) phase.relationDistance.set(rel, h.distance);
  }
  return phase;
}

/**
 * The walks of the values phase from its starts: DIRECT edges, then (CONSERVATIVE) every edge kind. Earlier
 * phases read them ahead with their own walks (memo-reads.ts) from these same requests.
 */
export function valueWalks(run: ImpactRun, starts: readonly string[]): PlannedWalk[] {
  const base = {
    direction: 'downstream',
    level: 'column',
    maxDepth: run.req.depth,
    limit: run.ctx.limit,
  } as const;
  const strict: PlannedWalk = { starts, options: { ...base, kinds: DIRECT_KINDS } };
  return run.req.mode === 'CONSERVATIVE' ? [strict, { starts, options: base }] : [strict];
}

/** A column's own change; a relation's columns for RETYPE and VALUES (a DROP of a relation changes none). */
export async function valueStarts(run: ImpactRun): Promise<string[]> {
  if (run.target.type === 'column') return [run.target.node.key];
  if (run.req.change === 'VALUES' || run.req.change === 'RETYPE')
    return (await run.store.columnsOf(run.targetRelation)).map((c) => c.key);
  return [];
}

/**
 * Per relation reached through indirect edges: the entry kinds and predicate columns (from one store call
 * over the changed columns' outgoing edges) and the count of its columns changed only indirectly.
 */
export async function summariseIndirect(
  run: ImpactRun,
  values: ValuePhase,
): Promise<Map<string, IndirectFinding>> {
  const out = new Map<string, IndirectFinding>();
  const loose = [...values.hits].filter(([, h]) => !h.strict);
  if (run.req.mode !== 'CONSERVATIVE' || loose.length === 0 || run.log.expired()) return out;
  const at = (rel: string, distance: number): IndirectFinding => {
    let f = out.get(rel);
    if (!f) out.set(rel, (f = { distance, kinds: [], predicates: [], from: [], columns: 0 }));
    f.distance = Math.min(f.distance, distance);
    return f;
  };
  for (const [k, h] of loose) {
    const rel = relationOfColumn(run.nodes, k);
    if (rel && rel !== run.targetRelation) at(rel, h.distance).columns++;
  }
  const changed = [...values.starts, ...values.hits.keys()];
  const distanceOf = (k: string) => values.hits.get(k)?.distance ?? 0;
  const options = { direction: 'downstream', level: 'column' } as const;
  // The hops and the nodes they reach (loaded next) in one store call.
  await readAhead(run.store, { steps: { keys: changed, options, nodes: true } });
  const hops = await run.store.neighbors(changed, options);
  await loadNodes(
    run.store,
    run.nodes,
    hops.map((h) => h.to),
  );
  for (const h of hops) {
    const rel = relationOfColumn(run.nodes, h.to);
    const fromRel = relationOfColumn(run.nodes, h.from);
    const indirect = (INDIRECT_KINDS as readonly string[]).includes(h.kind);
    if (!rel || rel === run.targetRelation || rel === fromRel || (!indirect && !out.has(rel))) continue;
    const f = at(rel, distanceOf(h.from) + 1);
    if (indirect) {
      f.kinds.push(h.kind as IndirectKind);
      f.predicates.push(h.from);
    }
    if (fromRel) f.from.push(fromRel);
  }
  for (const f of out.values()) {
    f.kinds = [...new Set(f.kinds)].sort((a, b) => INDIRECT_KINDS.indexOf(a) - INDIRECT_KINDS.indexOf(b));
    f.predicates = [...new Set(f.predicates)].sort(cmp);
    f.from = [...new Set(f.from)].sort(cmp);
  }
  return out;
}
