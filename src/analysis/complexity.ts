// Complexity score per relation and per schema, from the relation graph and each relation's SQL shape.
// Formula (docs/api.md "complexity"): every component x is normalized n = min(1, log2(1 + x) / log2(1 + cap)),
// score = 100 × Σ weight × n (0..100, one decimal). Components, caps and weights:
//   fanInTables 10 / 0.15, fanOutTables 10 / 0.10, fanInColumns 100 / 0.10, fanOutColumns 100 / 0.05,
//   depth 10 / 0.15, downstreamReach 100 / 0.15, sqlShape 30 / 0.20, crossSchemaEdges 10 / 0.10.
//   sqlShape = joins + ctes + subqueries + 2 × maxNesting + caseExpressions + windowFunctions + setOperations.
//   depth = longest relation path from a relation with no inputs (cycles cut); downstreamReach = relations
//   and consumers reachable downstream (counted up to REACH_CAP).
// A schema's score is the mean of its relations' scores; its breakdown is the mean of each component.
import type { SqlShape } from '../model/lineage.ts';
import { pausePoint, PAUSE_MASK, type Checkpoint } from '../../graph/cooperate.ts';
import type { LineageStore, RelationGraph } from '../../graph/store.ts';
import { cmp } from './impact.ts';

export const COMPLEXITY_COMPONENTS = {
  fanInTables: { cap: 10, weight: 0.15 },
  fanOutTables: { cap: 10, weight: 0.1 },
  fanInColumns: { cap: 100, weight: 0.1 },
  fanOutColumns: { cap: 100, weight: 0.05 },
  depth: { cap: 10, weight: 0.15 },
  downstreamReach: { cap: 100, weight: 0.15 },
  sqlShape: { cap: 30, weight: 0.2 },
  crossSchemaEdges: { cap: 10, weight: 0.1 },
} as const;
export type ComplexityComponent = keyof typeof COMPLEXITY_COMPONENTS;
export const COMPONENT_NAMES = Object.keys(COMPLEXITY_COMPONENTS) as ComplexityComponent[];
export const REACH_CAP = 1000;

export interface ComponentScore {
  component: ComplexityComponent;
  raw: number;
  normalized: number;
  weight: number;
  contribution: number;
}

export interface ComplexityItem {
  key: string;
  kind: string;
  schema: string | null;
  score: number;
  breakdown: ComponentScore[];
  /** For SCHEMA scope: number of relations and the most complex one. */
  relations: number;
  top: string | null;
}

export interface ComplexityResult {
  scope: 'MODEL' | 'SCHEMA';
  items: ComplexityItem[];
  partial: boolean;
  partialReasons: string[];
}

export function sqlShapeScore(s: SqlShape | undefined): number {
  if (!s) return 0;
  return (
    s.joins +
    s.ctes +
    s.subqueries +
    2 * s.maxNesting +
    s.caseExpressions +
    s.windowFunctions +
    s.setOperations
  );
}

export function normalize(raw: number, cap: number): number {
  return Math.min(1, Math.log2(1 + Math.max(0, raw)) / Math.log2(1 + cap));
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function scoreComponents(raw: Record<ComplexityComponent, number>): {
  score: number;
  breakdown: ComponentScore[];
} {
  const breakdown = COMPONENT_NAMES.map((component) => {
    const { cap, weight } = COMPLEXITY_COMPONENTS[component];
    const normalized = normalize(raw[component], cap);
    return {
      component,
      raw: raw[component],
      normalized: round(normalized, 4),
      weight,
      contribution: round(100 * weight * normalized, 2),
    };
  });
  const score = round(
    breakdown.reduce(
      (a, c) => a + 100 * c.weight * normalize(c.raw, COMPLEXITY_COMPONENTS[c.component].cap),
      0,
    ),
    1,
  );
  return { score, breakdown };
}

/** The record complexity's phases share: the relation graph, its adjacency and the per-relation counts. */
interface ComplexityRun {
  g: RelationGraph;
  n: number;
  out: number[][];
  inDeg: Uint32Array;
  outDeg: Uint32Array;
  cross: Uint32Array;
  depth: Uint32Array;
  reach: Uint32Array;
  /** Pause points for a caller that must stay responsive (graph/cooperate.ts); null elsewhere. */
  pause: Checkpoint | null;
  partialReasons: string[];
}

export async function complexity(
  store: LineageStore,
  req: { scope: 'MODEL' | 'SCHEMA'; schema?: string; sortBy?: ComplexityComponent | 'score' },
): Promise<ComplexityResult> {
  const g = await store.relationGraph();
  const n = g.keys.length;
  const run: ComplexityRun = {
    g,
    n,
    out: Array.from({ length: n }, () => []),
    inDeg: new Uint32Array(n),
    outDeg: new Uint32Array(n),
    cross: new Uint32Array(n),
    depth: new Uint32Array(n),
    reach: new Uint32Array(n),
    pause: pausePoint(),
    partialReasons: [],
  };
  await buildAdjacency(run);
  const kahnOrder = depthFromSources(run);
  await downstreamReach(run, kahnOrder);
  const models = await scoreRelations(run, req.schema);
  const items = req.scope === 'SCHEMA' ? await bySchema(run, models) : models;
  const sortBy = req.sortBy ?? 'score';
  const value = (c: ComplexityItem) =>
    sortBy === 'score' ? c.score : (c.breakdown.find((b) => b.component === sortBy)?.contribution ?? 0);
  items.sort((a, b) => value(b) - value(a) || b.score - a.score || cmp(a.key, b.key));
  return {
    scope: req.scope,
    items,
    partial: run.partialReasons.length > 0,
    partialReasons: run.partialReasons,
  };
}

/** Out-adjacency, table fan-in/fan-out and cross-schema edge counts. */
async function buildAdjacency(run: ComplexityRun): Promise<void> {
  const { g, out, inDeg, outDeg, cross, pause } = run;
  const schemaOf = (i: number) => g.relations[i].schema ?? null;
  for (let e = 0; e < g.edges.length; e++) {
    if (pause && (e & PAUSE_MASK) === PAUSE_MASK) await pause();
    const [from, to] = g.edges[e];
    if (from === to) continue;
    out[from].push(to);
    outDeg[from]++;
    inDeg[to]++;
    if (schemaOf(from) !== schemaOf(to)) {
      cross[from]++;
      cross[to]++;
    }
  }
}

/** depth: longest path from a source, Kahn order; nodes left in cycles keep what they reached. Linear. */
function depthFromSources(run: ComplexityRun): number[] {
  const { n, out, depth } = run;
  const pending = Uint32Array.from(run.inDeg);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (pending[i] === 0) queue.push(i);
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q];
    for (const v of out[u]) {
      if (depth[u] + 1 > depth[v]) depth[v] = depth[u] + 1;
      if (--pending[v] === 0) queue.push(v);
    }
  }
  if (queue.length < n)
    run.partialReasons.push(
      `cycle: ${n - queue.length} relations sit on dependency cycles; their depth is a lower bound`,
    );
  return queue;
}

/**
 * Downstream reach by a search per relation, each bounded by REACH_CAP, plus its consumers. Relations are
 * searched sinks first (reverse Kahn order, then those on cycles): a search that meets a relation already
 * known to reach REACH_CAP stops, as everything that relation reaches is reached from here too (less this
 * relation itself, which the capped relation's own count then replaces). The counts are those of a full search.
 */
async function downstreamReach(run: ComplexityRun, kahnOrder: readonly number[]): Promise<void> {
  const { n, out, reach, pause, g } = run;
  const mark = new Int32Array(n).fill(-1);
  const capped = new Uint8Array(n);
  const order = [...kahnOrder].reverse();
  if (order.length < n) {
    const placed = new Uint8Array(n);
    for (const s of order) placed[s] = 1;
    for (let s = 0; s < n; s++) if (!placed[s]) order.push(s);
  }
  let anyCapped = false;
  for (let i = 0; i < n; i++) {
    if (pause && (i & 31) === 31) await pause();
    const s = order[i];
    let count = 0;
    const stack = [s];
    mark[s] = s;
    search: while (stack.length > 0 && count < REACH_CAP) {
      const u = stack.pop()!;
      for (const v of out[u]) {
        if (mark[v] === s) continue;
        if (capped[v]) {
          count = REACH_CAP;
          break search;
        }
        mark[v] = s;
        count++;
        stack.push(v);
      }
    }
    if (count >= REACH_CAP) {
      capped[s] = 1;
      anyCapped = true;
    }
    reach[s] = Math.min(count, REACH_CAP) + g.consumerCount[s];
  }
  if (anyCapped) run.partialReasons.push(`limit: downstream reach counted up to ${REACH_CAP}`);
}

async function scoreRelations(
  run: ComplexityRun,
  schemaFilter: string | undefined,
): Promise<ComplexityItem[]> {
  const { g, pause } = run;
  const models: ComplexityItem[] = [];
  for (let i = 0; i < run.n; i++) {
    if (pause && (i & PAUSE_MASK) === PAUSE_MASK) await pause();
    const r = g.relations[i];
    const schema = r.schema ?? null;
    if (schemaFilter && (schema ?? '').toLowerCase() !== schemaFilter.toLowerCase()) continue;
    const { score, breakdown } = scoreComponents({
      fanInTables: run.inDeg[i],
      fanOutTables: run.outDeg[i] + g.consumerCount[i],
      fanInColumns: g.columnEdgesIn[i],
      fanOutColumns: g.columnEdgesOut[i],
      depth: run.depth[i],
      downstreamReach: run.reach[i],
      sqlShape: sqlShapeScore(r.sqlShape),
      crossSchemaEdges: run.cross[i],
    });
    models.push({ key: g.keys[i], kind: r.kind, schema, score, breakdown, relations: 1, top: null });
  }
  return models;
}

/** SCHEMA scope: each schema's score and breakdown are the means of its relations'; `top` the highest. */
async function bySchema(run: ComplexityRun, models: ComplexityItem[]): Promise<ComplexityItem[]> {
  const groups = new Map<string, ComplexityItem[]>();
  for (const m of models) {
    const k = m.schema ?? '(none)';
    const list = groups.get(k);
    if (list) list.push(m);
    else groups.set(k, [m]);
  }
  const items: ComplexityItem[] = [];
  for (const [schema, list] of groups) {
    if (run.pause) await run.pause();
    items.push(schemaItem(schema, list));
  }
  return items;
}

function schemaItem(schema: string, list: ComplexityItem[]): ComplexityItem {
  const mean = (f: (c: ComplexityItem) => number) => list.reduce((a, c) => a + f(c), 0) / list.length;
  const breakdown = COMPONENT_NAMES.map((component, j) => ({
    component,
    raw: round(
      mean((c) => c.breakdown[j].raw),
      2,
    ),
    normalized: round(
      mean((c) => c.breakdown[j].normalized),
      4,
    ),
    weight: COMPLEXITY_COMPONENTS[component].weight,
    contribution: round(
      mean((c) => c.breakdown[j].contribution),
      2,
    ),
  }));
  let top = list[0];
  for (const c of list)
    if (c.score > top.score || (c.score === top.score && cmp(c.key, top.key) < 0)) top = c;
  return {
    key: schema,
    kind: 'schema',
    schema,
    score: round(
      mean((c) => c.score),
      1,
    ),
    breakdown,
    relations: list.length,
    top: top.key,
  };
}
