// The breaks phase of impact: which relations fail (or may fail) because of the change, and which dbt
// tests can no longer compile.
//   DROP / RENAME  a relation whose SQL references the column (a column edge of any kind in CONSERVATIVE,
//                  DIRECT only in STRICT) breaks for certain; in CONSERVATIVE a table-level dependency whose
//                  columns were not resolved possibly breaks. Dropping a relation breaks every reader.
//                  Tests on the changed column (or relation) are certain breaks: they cannot compile.
//   RETYPE         the new type travels along IDENTITY edges (copies, renames, `*`, casts); a relation that
//                  uses a column carrying it in a type-sensitive way (TRANSFORMATION / AGGREGATION: arithmetic,
//                  functions; in CONSERVATIVE also JOIN, FILTER, CONDITIONAL: joins to other-typed keys,
//                  comparisons with literals) possibly breaks. Relations that only copy it (or group, sort,
//                  partition by it) are pass-through: their types change, nothing fails.
//   VALUES         breaks nothing.
import type { Check, TransformKind } from '../model/lineage.ts';
import { DIRECT_KINDS } from '../model/lineage.ts';
import type { Hop, PathStep } from '../../graph/store.ts';
import { boundedTraverse } from './context.ts';
import type { BreakReason, BreakVia, ImpactRun } from './impact.ts';
import { loadNodes, relationOfColumn } from './nodes.ts';
import { readAhead, readAheadWalks, readWalk, type PlannedWalk } from './memo-reads.ts';
import { valueStarts, valueWalks } from './impact-values.ts';

/** One relation the change breaks (or passes through), before it is ranked and described. */
export interface BreakFinding {
  distance: number;
  certainty: 'CERTAIN' | 'POSSIBLE';
  reason: BreakReason;
  path: PathStep[];
  via: BreakVia[];
}

export interface BreakPhase {
  breaks: Map<string, BreakFinding>;
  /** RETYPE only: relations that only pass the retyped column through. */
  passThrough: Map<string, BreakFinding>;
}

/** Kinds of use that depend on a column's type (see the header). DIRECT ones count in STRICT mode too. */
export const TYPE_SENSITIVE_KINDS: readonly TransformKind[] = [
  'TRANSFORMATION',
  'AGGREGATION',
  'JOIN',
  'FILTER',
  'CONDITIONAL',
];

const DIRECT: readonly string[] = DIRECT_KINDS;

export async function findBreaks(run: ImpactRun): Promise<BreakPhase> {
  const phase: BreakPhase = { breaks: new Map(), passThrough: new Map() };
  switch (run.req.change) {
    case 'VALUES':
      return phase;
    case 'DROP':
    case 'RENAME':
      if (run.target.type === 'column') await referenceBreaks(run, phase);
      else await readerBreaks(run, phase);
      break;
    case 'RETYPE':
      await retypeBreaks(run, phase);
      break;
  }
  if (run.req.mode === 'CONSERVATIVE' && run.target.type === 'column') await tableLevelBreaks(run, phase);
  return phase;
}

/** DROP/RENAME of a column: every relation with a column edge from it. */
async function referenceBreaks(run: ImpactRun, phase: BreakPhase): Promise<void> {
  const edges = (await run.store.edgesOf(run.target.node.key, 'downstream')).filter(
    (e) => run.req.mode === 'CONSERVATIVE' || DIRECT.includes(e.kind),
  );
  await loadNodes(
    run.store,
    run.nodes,
    edges.map((e) => e.to),
  );
  for (const e of edges) {
    const rel = relationOfColumn(run.nodes, e.to);
    if (!rel || rel === run.targetRelation) continue;
    addFinding(
      phase.breaks,
      rel,
      { from: e.from, to: e.to, kind: e.kind },
      1,
      'CERTAIN',
      'REFERENCES',
      step(run, rel, e.kind),
    );
  }
}

/** DROP/RENAME of a relation: every relation reading it. */
async function readerBreaks(run: ImpactRun, phase: BreakPhase): Promise<void> {
  for (const e of await run.store.edgesOf(run.targetRelation, 'downstream'))
    if (e.kind === 'RELATION' && e.to !== run.targetRelation)
      addFinding(
        phase.breaks,
        e.to,
        { from: e.from, to: e.to, kind: 'RELATION' },
        1,
        'CERTAIN',
        'REFERENCES',
        step(run, e.to, 'RELATION'),
      );
}

/** CONSERVATIVE: readers of the column's relation whose columns were never resolved may reference it. */
async function tableLevelBreaks(run: ImpactRun, phase: BreakPhase): Promise<void> {
  for (const e of await run.store.edgesOf(run.targetRelation, 'downstream'))
    if (
      e.kind === 'RELATION' &&
      e.confidence === 'TABLE_LEVEL' &&
      e.to !== run.targetRelation &&
      !phase.breaks.has(e.to)
    ) {
      phase.passThrough.delete(e.to);
      addFinding(
        phase.breaks,
        e.to,
        { from: run.targetRelation, to: e.to, kind: 'RELATION' },
        1,
        'POSSIBLE',
        'TABLE_LEVEL',
        step(run, e.to, 'RELATION'),
      );
    }
}

/** RETYPE: follow the new type along IDENTITY edges, then classify every use of a column carrying it. */
async function retypeBreaks(run: ImpactRun, phase: BreakPhase): Promise<void> {
  const starts =
    run.target.type === 'column'
      ? [run.target.node.key]
      : (await run.store.columnsOf(run.targetRelation)).map((c) => c.key);
  if (starts.length === 0 || run.log.expired()) return;
  const retypeWalk: PlannedWalk = {
    starts,
    options: {
      direction: 'downstream',
      level: 'column',
      kinds: ['IDENTITY'],
      maxDepth: run.req.depth,
      limit: run.ctx.limit,
    },
  };
  // The values phase walks from the same columns: one store call for its walks and this one.
  const values = valueWalks(run, await valueStarts(run));
  await readAheadWalks(run.store, [retypeWalk, ...values]);
  const carried = await boundedTraverse(
    run.store,
    retypeWalk.starts,
    retypeWalk.options,
    'the retype walk',
    run.log,
  );
  const carriers = new Map<string, { distance: number; path: PathStep[] }>(
    starts.map((k) => [k, { distance: 0, path: [] }]),
  );
  for (const r of carried.reached) carriers.set(r.key, { distance: r.distance, path: r.path });
  const asked = [...carriers.keys(), ...(await indirectReadAhead(run, values))];
  const options = { direction: 'downstream', level: 'column' } as const;
  // The hops and the nodes at both ends (classified next) in one store call.
  await readAhead(run.store, { steps: { keys: asked, options, nodes: true } });
  const hops = await run.store.neighbors(asked, options);
  await loadNodes(run.store, run.nodes, [...carriers.keys(), ...hops.map((h) => h.to)]);
  for (const h of hops) classifyRetypeHop(run, phase, h, carriers.get(h.from));
  for (const k of phase.breaks.keys()) phase.passThrough.delete(k);
}

/**
 * CONSERVATIVE: the changed columns whose one-step hops summariseIndirect asks for next (the value walks'
 * starts and reached columns, when the read-ahead holds those walks), so one store call answers both; hops
 * from them are no carrier's and classify nothing here.
 */
async function indirectReadAhead(run: ImpactRun, values: readonly PlannedWalk[]): Promise<string[]> {
  if (run.req.mode !== 'CONSERVATIVE') return [];
  const keys: string[] = [];
  for (const w of values) {
    const walk = readWalk(run.store, w);
    if (!walk) return [];
    // One by one: a walk may reach more nodes than a spread may pass as arguments.
    for (const key of w.starts) keys.push(key);
    for (const r of (await walk).reached) keys.push(r.key);
  }
  return keys;
}

function classifyRetypeHop(
  run: ImpactRun,
  phase: BreakPhase,
  h: Hop,
  from: { distance: number; path: PathStep[] } | undefined,
): void {
  const rel = relationOfColumn(run.nodes, h.to);
  if (!from || !rel || rel === run.targetRelation || rel === relationOfColumn(run.nodes, h.from)) return;
  const kind = h.kind as TransformKind;
  const counts = run.req.mode === 'CONSERVATIVE' || DIRECT.includes(kind);
  if (!counts) return;
  const via: BreakVia = { from: h.from, to: h.to, kind: h.kind };
  const path = [...from.path, { from: h.from, to: rel, kind: h.kind }];
  if (TYPE_SENSITIVE_KINDS.includes(kind))
    addFinding(phase.breaks, rel, via, from.distance + 1, 'POSSIBLE', 'TYPE_SENSITIVE', path);
  else addFinding(phase.passThrough, rel, via, from.distance + 1, 'CERTAIN', 'PASS_THROUGH', path);
}

/** Adds one via edge to a relation's finding, keeping the shortest distance and its path. */
function addFinding(
  map: Map<string, BreakFinding>,
  rel: string,
  via: BreakVia,
  distance: number,
  certainty: BreakFinding['certainty'],
  reason: BreakReason,
  path: PathStep[],
): void {
  const prev = map.get(rel);
  if (!prev) map.set(rel, { distance, certainty, reason, path, via: [via] });
  else {
    prev.via.push(via);
    if (distance < prev.distance) Object.assign(prev, { distance, path });
  }
}

/** The one-step path from the target to a relation it feeds directly. */
function step(run: ImpactRun, rel: string, kind: BreakVia['kind']): PathStep[] {
  return [{ from: run.target.node.key, to: rel, kind }];
}

/** DROP/RENAME: dbt tests on the changed column (or on the relation and its columns) cannot compile. */
export async function findBrokenTests(run: ImpactRun): Promise<Check[]> {
  if (run.req.change !== 'DROP' && run.req.change !== 'RENAME') return [];
  if (run.target.type === 'column') {
    const key = run.target.node.key;
    return (await run.store.checks([key])).filter((c) => c.columnKey === key);
  }
  const columns = (await run.store.columnsOf(run.targetRelation)).map((c) => c.key);
  return run.store.checks([run.targetRelation, ...columns]);
}
