// Impact (downstream blast radius) of a change to a column or relation. See docs/api.md "impact".
//   breaks       relations that fail (or may fail) to build: see impact-breaks.ts for each change kind
//                (references for DROP/RENAME, type-sensitive uses for RETYPE, nothing for VALUES).
//   tests        dbt tests on the dropped/renamed asset: they cannot compile (certain breaks).
//   passThrough  RETYPE: relations that only copy the retyped column (their types change, nothing fails).
//   stale        everything downstream of a broken relation, at relation level (it stops refreshing).
//   values       columns whose values change along DIRECT edges (strict: true), each with its witness path
//                and kinds. CONSERVATIVE also walks indirect edges: those effects are summarised per
//                relation in `indirect` (rows kept or grouped may change, with the predicate columns); the
//                columns themselves (strict: false) are listed in `values` only with `indirectColumns`.
//   exposures    consumers reading a broken, stale or changed relation (or the target's relation).
// Every list is ranked by importance (exposures reached, reads, key assets), then distance, then key.
// The phases share one record (ImpactRun); each is a named function.
import type { Check, RelationKind } from '../model/lineage.ts';
import type { AnyNode, HopKind, LineageStore, PathStep } from '../../graph/store.ts';
import type { AnalysisContext } from './context.ts';
import { boundedTraverse, PartialLog } from './context.ts';
import { findBreaks, findBrokenTests, type BreakFinding, type BreakPhase } from './impact-breaks.ts';
import {
  summariseIndirect,
  valueStarts,
  valueWalks,
  walkValues,
  type IndirectFinding,
  type ValuePhase,
} from './impact-values.ts';
import type { AlertSeverity, Importance } from './importance.ts';
import { importanceOf, maxSeverity } from './importance.ts';
import { cmp, loadNodes } from './nodes.ts';
import { describeNode, groupOwners, type AssetRef, type OwnerGroup, type TeamGroup } from './owners.ts';
import { memoReads, readAhead, readAheadWalks, type PlannedWalk } from './memo-reads.ts';
import { relationOf, resolveRef } from './resolve-ref.ts';
import { lineageError } from '../errors.ts';

export { cmp, loadNodes } from './nodes.ts';

export const CHANGE_KINDS = ['DROP', 'RENAME', 'RETYPE', 'VALUES'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
export const IMPACT_MODES = ['STRICT', 'CONSERVATIVE'] as const;
export type ImpactMode = (typeof IMPACT_MODES)[number];

export interface ImpactFilters {
  kinds?: readonly RelationKind[];
  /** Folded schema name, compared case-insensitively. */
  schema?: string;
  tag?: string;
}

export interface ImpactRequest {
  ref: string;
  change: ChangeKind;
  mode: ImpactMode;
  depth: number;
  filters?: ImpactFilters;
  /** CONSERVATIVE: also list, column by column, the columns reached only through indirect edges. */
  indirectColumns?: boolean;
}

export interface BreakVia {
  /** The changed column (or relation) key and the column it feeds in the broken relation. */
  from: string;
  to: string;
  kind: HopKind;
}

/**
 * Why a relation is listed: REFERENCES its SQL references the dropped/renamed asset (fails to build);
 * TABLE_LEVEL it reads the table but its columns were never resolved; TYPE_SENSITIVE it uses the retyped
 * column in arithmetic, functions, comparisons or joins; PASS_THROUGH it only copies the retyped column;
 * UPSTREAM_BROKEN (stale) it reads a broken relation, directly or not.
 */
export type BreakReason =
  'REFERENCES' | 'TABLE_LEVEL' | 'TYPE_SENSITIVE' | 'PASS_THROUGH' | 'UPSTREAM_BROKEN';

export interface ImpactedRelation extends AssetRef {
  distance: number;
  certainty: 'CERTAIN' | 'POSSIBLE';
  reason: BreakReason;
  path: PathStep[];
  via: BreakVia[];
  importance: Importance;
}

export interface ImpactedColumn {
  key: string;
  relationKey: string;
  name: string;
  dataType: string | null;
  distance: number;
  strict: boolean;
  path: PathStep[];
  kinds: HopKind[];
  importance: Importance;
}

export interface ImpactedExposure extends AssetRef {
  distance: number;
  /** The relation the exposure reads that makes it impacted. */
  via: string;
  url: string | null;
  maturity: string | null;
  importance: Importance;
}

/** A dbt test that cannot compile once the column (or relation) is dropped or renamed. */
export interface ImpactedTest {
  id: string;
  name: string;
  testType: string | null;
  relationKey: string;
  columnKey: string | null;
}

/** CONSERVATIVE: a relation whose rows kept, joined or grouped may change (see impact-values.ts). */
export interface IndirectEffect extends AssetRef, IndirectFinding {
  importance: Importance;
}

export interface ImpactSummary {
  breaks: number;
  /** Breaks a column edge or a dropped relation proves (certainty CERTAIN). */
  certainBreaks: number;
  tests: number;
  passThrough: number;
  stale: number;
  /** Columns listed in `values`. */
  values: number;
  /** Relations with indirect effects, and their columns reached only through indirect edges. */
  indirectRelations: number;
  indirectColumns: number;
  /** dbt exposures and other real consumers (dashboards, notebooks, ML, applications, analyses) reached. */
  exposures: number;
  /** dbt metrics and semantic models reached (kind `other`): listed with the exposures, counted apart. */
  semanticConsumers: number;
  owners: number;
  teams: number;
  byKind: { kind: string; count: number }[];
  maxImportance: number;
  maxSeverity: AlertSeverity;
}

export interface ImpactResult {
  target: AssetRef;
  /** The target's relation (the target itself when it is a relation). */
  targetRelation: string;
  change: ChangeKind;
  mode: ImpactMode;
  depth: number;
  breaks: ImpactedRelation[];
  tests: ImpactedTest[];
  passThrough: ImpactedRelation[];
  stale: ImpactedRelation[];
  values: ImpactedColumn[];
  indirect: IndirectEffect[];
  exposures: ImpactedExposure[];
  owners: OwnerGroup[];
  teams: TeamGroup[];
  summary: ImpactSummary;
  partial: boolean;
  partialReasons: string[];
}

/** The record every phase reads: the request, the resolved target, the node cache and the partial log. */
export interface ImpactRun {
  store: LineageStore;
  req: ImpactRequest;
  ctx: AnalysisContext;
  log: PartialLog;
  target: AnyNode;
  targetRelation: string;
  nodes: Map<string, AnyNode>;
}

/** What the stale walk and the exposure lookups reached. */
interface ReachPhase {
  stale: Map<string, { distance: number; path: PathStep[] }>;
  exposures: Map<string, { distance: number; via: string }>;
}

export async function impact(
  store: LineageStore,
  req: ImpactRequest,
  ctx: AnalysisContext,
): Promise<ImpactResult> {
  checkDepth(req.depth, ctx);
  const target = await resolveRef(store, req.ref, ['relation', 'column']);
  const run: ImpactRun = {
    store: memoReads(store),
    req,
    ctx,
    log: new PartialLog(ctx.deadline),
    target,
    targetRelation: relationOf(target) as string,
    nodes: new Map([[target.node.key, target]]),
  };
  await readTargetAhead(run);
  const breaks = await findBreaks(run);
  const tests = await findBrokenTests(run);
  const reach = await walkStale(run, breaks.breaks);
  const values = await walkValues(run);
  const indirect = await summariseIndirect(run, values);
  await valueExposures(run, values, reach, listedRelations({ breaks, tests, reach, values, indirect }));
  return assemble(run, { breaks, tests, reach, values, indirect });
}

/**
 * What the phases read of the target, in one store call: its relation's downstream edges (the breaks and the
 * stale walk), a column's own for DROP/RENAME (its references), a relation's columns (the values' starts, the
 * tests) and, for DROP/RENAME, the tests on it (a relation's: on it and its columns).
 */
async function readTargetAhead(run: ImpactRun): Promise<void> {
  const { change } = run.req;
  const dropping = change === 'DROP' || change === 'RENAME';
  const column = run.target.type === 'column';
  const key = run.target.node.key;
  await readAhead(run.store, {
    edges: {
      keys: column && dropping ? [key, run.targetRelation] : [run.targetRelation],
      direction: 'downstream',
    },
    ...(column ? {} : { columns: [run.targetRelation] }),
    ...(dropping
      ? { checks: column ? { keys: [key] } : { keys: [run.targetRelation], columnsOf: [run.targetRelation] } }
      : {}),
  });
}

function checkDepth(depth: number, ctx: AnalysisContext): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > ctx.maxDepth)
    throw lineageError(
      'API_LIMIT_EXCEEDED',
      `depth ${depth} is outside 1..${ctx.maxDepth} (the configured maximum traversal depth)`,
    );
}

/** Relations downstream of the broken ones (relation level), and the consumers met on the way. */
async function walkStale(run: ImpactRun, broken: Map<string, BreakFinding>): Promise<ReachPhase> {
  const reach: ReachPhase = { stale: new Map(), exposures: new Map() };
  for (const e of await run.store.edgesOf(run.targetRelation, 'downstream'))
    if (e.kind === 'CONSUMER') reach.exposures.set(e.to, { distance: 1, via: run.targetRelation });
  const starts = [...broken.keys()].sort(cmp);
  const walk: PlannedWalk = {
    starts,
    options: {
      direction: 'downstream',
      level: 'relation',
      maxDepth: Math.max(1, run.req.depth - 1),
      limit: run.ctx.limit,
      includeConsumers: true,
    },
  };
  // The values phase's walks with this one in one store call (they do not depend on each other).
  const changed = await valueStarts(run);
  if (!run.log.expired())
    await readAheadWalks(run.store, [
      ...(starts.length > 0 ? [walk] : []),
      ...(changed.length > 0 ? valueWalks(run, changed) : []),
    ]);
  if (starts.length === 0 || run.log.expired()) return reach;
  const t = await boundedTraverse(
    run.store,
    walk.starts,
    walk.options,
    'the stale walk',
    run.log,
    run.req.depth,
  );
  for (const r of t.reached) {
    const start = r.path[0]?.from ?? starts[0];
    const lead = broken.get(start) as BreakFinding;
    const distance = r.distance + lead.distance;
    if (r.type === 'consumer') {
      if (distance - 1 > run.req.depth) continue;
      const via = r.path[r.path.length - 1]?.from ?? start;
      keepNearest(reach.exposures, r.key, { distance, via });
    } else if (!broken.has(r.key) && r.key !== run.targetRelation) {
      if (distance > run.req.depth)
        run.log.add(`depth: the stale walk continues beyond depth ${run.req.depth}`);
      else reach.stale.set(r.key, { distance, path: [...lead.path, ...r.path] });
    }
  }
  return reach;
}

/**
 * Consumers reading relations whose values change (those of broken and stale ones are already known). The
 * store call also asks for the other relations the result lists (and the target's relation) in the same
 * step: importance explores downstream from them next, and alert routes from the target's relation, with
 * these very hops (memo-reads.ts).
 */
async function valueExposures(
  run: ImpactRun,
  values: ValuePhase,
  reach: ReachPhase,
  listed: readonly string[],
): Promise<void> {
  if (run.log.expired()) return;
  const readers = [...values.relationDistance.keys()].filter((rel) => !reach.stale.has(rel));
  const asked = new Set([...readers, ...listed]);
  if (asked.size > 0) asked.add(run.targetRelation);
  const isReader = new Set(readers);
  const options = { direction: 'downstream', level: 'relation', includeConsumers: true } as const;
  // In the same store call: the nodes the step reaches and those the lists describe, and the reads (usage)
  // of every listed relation, the target and its relation, which importance and canDrop ask for next.
  await readAhead(run.store, {
    steps: { keys: [...asked], options, nodes: true },
    nodes: [...listed, ...reach.exposures.keys(), run.targetRelation],
    usage: { ...usageWindow(run), targets: [...listed, run.targetRelation, run.target.node.key] },
  });
  // Hops come sorted by (from, to).
  const hops = await run.store.neighbors([...asked], options);
  for (const h of hops)
    if (h.kind === 'CONSUMER' && isReader.has(h.from))
      keepNearest(reach.exposures, h.to, {
        distance: (values.relationDistance.get(h.from) ?? 1) + 1,
        via: h.from,
      });
}

function keepNearest(map: ReachPhase['exposures'], key: string, at: { distance: number; via: string }): void {
  const prev = map.get(key);
  if (!prev || prev.distance > at.distance) map.set(key, at);
}

interface Phases {
  breaks: BreakPhase;
  tests: Check[];
  reach: ReachPhase;
  values: ValuePhase;
  indirect: Map<string, IndirectFinding>;
}

/** The relations the lists describe (and importance rates). */
function listedRelations(p: Phases): string[] {
  return [
    ...p.breaks.breaks.keys(),
    ...p.breaks.passThrough.keys(),
    ...p.reach.stale.keys(),
    ...p.values.relationDistance.keys(),
    ...p.indirect.keys(),
  ];
}

/** Loads what is described, rates importance, then builds, filters and ranks every list. */
async function assemble(run: ImpactRun, p: Phases): Promise<ImpactResult> {
  const relationKeys = listedRelations(p);
  await loadNodes(run.store, run.nodes, [...relationKeys, ...p.reach.exposures.keys()]);
  const importance = await rateImportance(run, [...relationKeys, ...p.reach.exposures.keys()]);
  const keep = (rel: string) => passesFilters(run.nodes.get(rel), run.req.filters);
  const related = (map: Map<string, BreakFinding>) =>
    [...map]
      .filter(([k]) => keep(k))
      .map(([k, f]) => relationEntry(run, k, f, importance(k)))
      .sort(rank);
  const breaks = related(p.breaks.breaks);
  const passThrough = related(p.breaks.passThrough);
  const stale = related(
    new Map(
      [...p.reach.stale].map(([k, s]) => [
        k,
        { ...s, certainty: 'CERTAIN', reason: 'UPSTREAM_BROKEN', via: [] } satisfies BreakFinding,
      ]),
    ),
  );
  const values = valueEntries(run, p.values, keep, importance).sort(rank);
  const indirect = [...p.indirect]
    .filter(([k]) => keep(k))
    .map(([k, f]) => ({ ...describeNode(run.nodes.get(k), k), ...f, importance: importance(k) }))
    .sort(rank);
  const exposures = exposureEntries(run, p.reach, importance).sort(rank);
  const tests = p.tests.map(testEntry).sort((a, b) => cmp(a.id, b.id));
  const lists = { breaks, passThrough, stale, values, indirect, exposures, tests };
  return {
    target: describeNode(run.target, run.target.node.key),
    targetRelation: run.targetRelation,
    change: run.req.change,
    mode: run.req.mode,
    depth: run.req.depth,
    ...lists,
    ...ownersAndSummary(run, lists, importance, p.values),
    partial: run.log.partial,
    partialReasons: [...run.log.reasons].sort(),
  };
}

const NO_IMPORTANCE: Importance = {
  score: 0,
  exposuresDownstream: 0,
  reads: 0,
  keyAsset: false,
  severity: 'LOW',
};

/** The usage window of importance (and of canDrop's observed reads). */
function usageWindow(run: ImpactRun) {
  return {
    sinceDay: run.ctx.usageSinceDay,
    excludeUsers: run.ctx.excludeUsers,
    excludeRoles: run.ctx.excludeRoles,
  };
}

async function rateImportance(run: ImpactRun, keys: string[]): Promise<(k: string) => Importance> {
  if (run.log.expired()) return () => NO_IMPORTANCE;
  const window = usageWindow(run);
  // The reads importance asks for (of the relations rated), with the target's relation's, which alert routes
  // ask for next, in one store call (memo-reads.ts answers importance's own call from it).
  const rated = keys.filter((k) => run.nodes.get(k)?.type === 'relation');
  if (rated.length > 0) await run.store.usage({ ...window, targets: [...rated, run.targetRelation] });
  const imp = await importanceOf(run.store, [...new Set(keys)].sort(cmp), run.nodes, {
    ...window,
    maxNodes: run.ctx.limit,
    expired: () => run.log.expired(),
  });
  if (imp.partial && !run.log.reasons.some((r) => r.startsWith('timeout')))
    run.log.add(`limit: importance counted exposures over the first ${run.ctx.limit} downstream nodes`);
  return (k) => imp.byKey.get(k) ?? NO_IMPORTANCE;
}

function relationEntry(
  run: ImpactRun,
  key: string,
  f: BreakFinding,
  importance: Importance,
): ImpactedRelation {
  return {
    ...describeNode(run.nodes.get(key), key),
    distance: f.distance,
    certainty: f.certainty,
    reason: f.reason,
    path: f.path,
    via: f.via,
    importance,
  };
}

function valueEntries(
  run: ImpactRun,
  values: ValuePhase,
  keep: (rel: string) => boolean,
  importance: (k: string) => Importance,
): ImpactedColumn[] {
  const out: ImpactedColumn[] = [];
  const listLoose = run.req.indirectColumns === true;
  for (const [k, hit] of values.hits) {
    const n = run.nodes.get(k);
    if (n?.type !== 'column' || !keep(n.node.relationKey) || (!hit.strict && !listLoose)) continue;
    out.push({
      key: k,
      relationKey: n.node.relationKey,
      name: n.node.name,
      dataType: n.node.dataType ?? null,
      distance: hit.distance,
      strict: hit.strict,
      path: hit.path,
      kinds: hit.path.map((s) => s.kind),
      importance: importance(n.node.relationKey),
    });
  }
  return out;
}

function exposureEntries(
  run: ImpactRun,
  reach: ReachPhase,
  importance: (k: string) => Importance,
): ImpactedExposure[] {
  const tag = run.req.filters?.tag?.toLowerCase();
  const out: ImpactedExposure[] = [];
  for (const [k, at] of reach.exposures) {
    const n = run.nodes.get(k);
    if (tag && !(n?.type === 'consumer' && n.node.tags.some((t) => t.toLowerCase() === tag))) continue;
    out.push({
      ...describeNode(n, k),
      distance: at.distance,
      via: at.via,
      url: n?.type === 'consumer' ? (n.node.url ?? null) : null,
      maturity: n?.type === 'consumer' ? (n.node.maturity ?? null) : null,
      importance: importance(k),
    });
  }
  return out;
}

function testEntry(c: Check): ImpactedTest {
  return {
    id: c.id,
    name: c.name,
    testType: c.testType ?? null,
    relationKey: c.relationKey,
    columnKey: c.columnKey ?? null,
  };
}

type Lists = Pick<
  ImpactResult,
  'breaks' | 'passThrough' | 'stale' | 'values' | 'indirect' | 'exposures' | 'tests'
>;

function ownersAndSummary(
  run: ImpactRun,
  l: Lists,
  importance: (k: string) => Importance,
  values: ValuePhase,
): Pick<ImpactResult, 'owners' | 'teams' | 'summary'> {
  const listed = new Set([...l.breaks, ...l.stale].map((r) => r.key));
  const changedRelations = [
    ...new Set(
      [...l.passThrough, ...l.values, ...l.indirect].map((v) => ('relationKey' in v ? v.relationKey : v.key)),
    ),
  ]
    .filter((k) => !listed.has(k))
    .sort(cmp)
    .map((k) => ({ ...describeNode(run.nodes.get(k), k), importance: importance(k) }));
  const all = [...l.breaks, ...l.stale, ...l.exposures, ...changedRelations];
  const { owners, teams } = groupOwners(all, run.nodes);
  const byKind = new Map<string, number>();
  for (const a of all) byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
  return {
    owners,
    teams,
    summary: {
      breaks: l.breaks.length,
      certainBreaks: l.breaks.filter((b) => b.certainty === 'CERTAIN').length,
      tests: l.tests.length,
      passThrough: l.passThrough.length,
      stale: l.stale.length,
      values: l.values.length,
      indirectRelations: l.indirect.length,
      indirectColumns: [...values.hits.values()].filter((h) => !h.strict).length,
      exposures: l.exposures.filter((e) => e.kind !== 'other').length,
      semanticConsumers: l.exposures.filter((e) => e.kind === 'other').length,
      owners: owners.length,
      teams: teams.length,
      byKind: [...byKind].map(([kind, count]) => ({ kind, count })).sort((a, b) => cmp(a.kind, b.kind)),
      maxImportance: all.reduce((m, a) => Math.max(m, a.importance.score), 0),
      maxSeverity: maxSeverity(all.map((a) => a.importance.severity)),
    },
  };
}

function rank<T extends { key: string; distance: number; importance: Importance }>(a: T, b: T): number {
  return b.importance.score - a.importance.score || a.distance - b.distance || cmp(a.key, b.key);
}

function passesFilters(node: AnyNode | undefined, f: ImpactFilters | undefined): boolean {
  if (!f) return true;
  if (node?.type !== 'relation') return !f.kinds && !f.schema && !f.tag;
  const r = node.node;
  if (f.kinds && f.kinds.length > 0 && !f.kinds.includes(r.kind)) return false;
  if (f.schema && (r.schema ?? '').toLowerCase() !== f.schema.toLowerCase()) return false;
  if (f.tag && !r.tags.some((t) => t.toLowerCase() === f.tag!.toLowerCase())) return false;
  return true;
}
