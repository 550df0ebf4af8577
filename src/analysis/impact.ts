// Impact (downstream blast radius) of a change to a column or relation. See docs/api.md "impact".
//   breaks  relations whose SQL references the changed asset (distance 1). CONSERVATIVE follows every
//           column edge kind (a column used in a WHERE breaks the model too) plus table-level
//           dependencies whose columns were not resolved (certainty POSSIBLE); STRICT follows DIRECT edges only.
//   stale   everything downstream of a broken relation, at relation level (it stops refreshing).
//   values  columns whose values change: DIRECT edges (strict: true); CONSERVATIVE also lists columns
//           reached through indirect edges (strict: false). Each with its witness path and kinds.
// Every list is ranked by importance (exposures reached, reads, key assets), then distance, then key.
import type { RelationKind } from '../model/lineage.ts';
import { DIRECT_KINDS } from '../model/lineage.ts';
import type { AnyNode, HopKind, LineageStore, PathStep } from '../../graph/store.ts';
import type { AnalysisContext } from './context.ts';
import { boundedTraverse, PartialLog } from './context.ts';
import type { AlertSeverity, Importance } from './importance.ts';
import { importanceOf, maxSeverity } from './importance.ts';
import { describeNode, groupOwners, type AssetRef, type OwnerGroup, type TeamGroup } from './owners.ts';
import { relationOf, resolveRef } from './resolve-ref.ts';
import { lineageError } from '../errors.ts';

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
}

export interface BreakVia {
  /** The changed column (or relation) key and the column it feeds in the broken relation. */
  from: string;
  to: string;
  kind: HopKind;
}

export interface ImpactedRelation extends AssetRef {
  distance: number;
  certainty: 'CERTAIN' | 'POSSIBLE';
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

export interface ImpactSummary {
  breaks: number;
  stale: number;
  values: number;
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
  stale: ImpactedRelation[];
  values: ImpactedColumn[];
  exposures: ImpactedExposure[];
  owners: OwnerGroup[];
  teams: TeamGroup[];
  summary: ImpactSummary;
  partial: boolean;
  partialReasons: string[];
}

const DIRECT: readonly HopKind[] = DIRECT_KINDS;

export async function impact(
  store: LineageStore,
  req: ImpactRequest,
  ctx: AnalysisContext,
): Promise<ImpactResult> {
  if (!Number.isInteger(req.depth) || req.depth < 1 || req.depth > ctx.maxDepth)
    throw lineageError(
      'API_LIMIT_EXCEEDED',
      `depth ${req.depth} is outside 1..${ctx.maxDepth} (the configured maximum traversal depth)`,
    );
  const target = await resolveRef(store, req.ref, ['relation', 'column']);
  const log = new PartialLog(ctx.deadline);
  const targetRelation = relationOf(target) as string;
  const nodes = new Map<string, AnyNode>([[target.node.key, target]]);

  // --- breaks (distance 1) ---
  const breakVia = new Map<string, BreakVia[]>();
  const possible = new Set<string>();
  const directConsumers = new Map<string, string>(); // consumer -> relation read
  const relEdges = await store.edgesOf(targetRelation, 'downstream');
  for (const e of relEdges) if (e.kind === 'CONSUMER') directConsumers.set(e.to, targetRelation);
  const breaksApply = req.change !== 'VALUES';

  if (target.type === 'column') {
    const colEdges = await store.edgesOf(target.node.key, 'downstream');
    const kept = colEdges.filter((e) => req.mode === 'CONSERVATIVE' || DIRECT.includes(e.kind));
    await loadNodes(
      store,
      nodes,
      kept.map((e) => e.to),
    );
    for (const e of kept) {
      const to = nodes.get(e.to);
      const rel = to?.type === 'column' ? to.node.relationKey : null;
      if (!rel || rel === targetRelation) continue;
      push(breakVia, rel, { from: e.from, to: e.to, kind: e.kind });
    }
    if (req.mode === 'CONSERVATIVE')
      for (const e of relEdges)
        if (
          e.kind === 'RELATION' &&
          e.confidence === 'TABLE_LEVEL' &&
          e.to !== targetRelation &&
          !breakVia.has(e.to)
        ) {
          possible.add(e.to);
          push(breakVia, e.to, { from: targetRelation, to: e.to, kind: 'RELATION' });
        }
  } else {
    for (const e of relEdges)
      if (e.kind === 'RELATION' && e.to !== targetRelation)
        push(breakVia, e.to, { from: e.from, to: e.to, kind: 'RELATION' });
  }
  const breakKeys = breaksApply ? [...breakVia.keys()].sort() : [];

  // --- stale: downstream of broken relations ---
  const staleDist = new Map<string, { distance: number; path: PathStep[] }>();
  const exposureAt = new Map<string, { distance: number; via: string }>();
  for (const [c, rel] of directConsumers) exposureAt.set(c, { distance: 1, via: rel });
  if (breakKeys.length > 0 && !log.expired()) {
    const t = await boundedTraverse(
      store,
      breakKeys,
      {
        direction: 'downstream',
        level: 'relation',
        maxDepth: Math.max(1, req.depth - 1),
        limit: ctx.limit,
        includeConsumers: true,
      },
      'the stale walk',
      log,
      req.depth,
    );
    for (const r of t.reached) {
      const first = r.path[0]?.from ?? breakKeys[0];
      const lead: PathStep = {
        from: target.node.key,
        to: first,
        kind: breakVia.get(first)?.[0]?.kind ?? 'RELATION',
      };
      const path = [lead, ...r.path];
      if (r.type === 'consumer') {
        const via = r.path[r.path.length - 1]?.from ?? first;
        const d = r.distance + 1;
        if (d - 1 > req.depth) continue;
        const prev = exposureAt.get(r.key);
        if (!prev || prev.distance > d) exposureAt.set(r.key, { distance: d, via });
        continue;
      }
      if (breakVia.has(r.key) || r.key === targetRelation) continue;
      if (r.distance + 1 > req.depth) {
        log.add(`depth: the stale walk continues beyond depth ${req.depth}`);
        continue;
      }
      staleDist.set(r.key, { distance: r.distance + 1, path });
    }
  }

  // --- values: columns whose values change ---
  const valueHits = new Map<string, { distance: number; path: PathStep[]; strict: boolean }>();
  const valueStarts =
    target.type === 'column'
      ? [target.node.key]
      : req.change === 'VALUES' || req.change === 'RETYPE'
        ? (await store.columnsOf(targetRelation)).map((c) => c.key)
        : [];
  if (valueStarts.length > 0 && !log.expired()) {
    const strict = await boundedTraverse(
      store,
      valueStarts,
      {
        direction: 'downstream',
        level: 'column',
        kinds: DIRECT_KINDS,
        maxDepth: req.depth,
        limit: ctx.limit,
      },
      'the values walk',
      log,
    );
    for (const r of strict.reached)
      valueHits.set(r.key, { distance: r.distance, path: r.path, strict: true });
    if (req.mode === 'CONSERVATIVE' && !log.expired()) {
      const all = await boundedTraverse(
        store,
        valueStarts,
        { direction: 'downstream', level: 'column', maxDepth: req.depth, limit: ctx.limit },
        'the values walk',
        log,
      );
      for (const r of all.reached)
        if (!valueHits.has(r.key))
          valueHits.set(r.key, { distance: r.distance, path: r.path, strict: false });
    }
  }
  await loadNodes(store, nodes, [
    ...breakKeys,
    ...staleDist.keys(),
    ...exposureAt.keys(),
    ...valueHits.keys(),
  ]);
  const valueRelationDistance = new Map<string, number>();
  for (const [k, h] of valueHits) {
    const n = nodes.get(k);
    if (n?.type !== 'column' || n.node.relationKey === targetRelation) continue;
    const prev = valueRelationDistance.get(n.node.relationKey);
    if (prev === undefined || h.distance < prev) valueRelationDistance.set(n.node.relationKey, h.distance);
  }
  const valueRelations = new Set(valueRelationDistance.keys());
  // exposures reading relations whose values change
  if (!log.expired()) {
    const readers = [...valueRelations].filter((rel) => !staleDist.has(rel) && !breakVia.has(rel));
    // One store call for all of them; hops come sorted by (from, to), the order a per-relation walk used.
    const hops = await store.neighbors(readers, {
      direction: 'downstream',
      level: 'relation',
      includeConsumers: true,
    });
    for (const h of hops) {
      if (h.kind !== 'CONSUMER') continue;
      const d = (valueRelationDistance.get(h.from) ?? 1) + 1;
      const prev = exposureAt.get(h.to);
      if (!prev || prev.distance > d) exposureAt.set(h.to, { distance: d, via: h.from });
    }
  }
  await loadNodes(store, nodes, [...valueRelations, ...exposureAt.keys()]);

  // --- importance ---
  const assessed = [
    ...new Set([...breakKeys, ...staleDist.keys(), ...valueRelations, ...exposureAt.keys()]),
  ].sort();
  const imp = log.expired()
    ? { byKey: new Map<string, Importance>(), partial: false }
    : await importanceOf(store, assessed, nodes, {
        sinceDay: ctx.usageSinceDay,
        excludeUsers: ctx.excludeUsers,
        excludeRoles: ctx.excludeRoles,
        maxNodes: ctx.limit,
        expired: () => log.expired(),
      });
  if (imp.partial && !log.reasons.some((r) => r.startsWith('timeout')))
    log.add(`limit: importance counted exposures over the first ${ctx.limit} downstream nodes`);
  const importance = (k: string): Importance =>
    imp.byKey.get(k) ?? { score: 0, exposuresDownstream: 0, reads: 0, keyAsset: false, severity: 'LOW' };

  const keep = (rel: string) => passesFilters(nodes.get(rel), req.filters);
  const breaks: ImpactedRelation[] = breakKeys.filter(keep).map((k) => ({
    ...describeNode(nodes.get(k), k),
    distance: 1,
    certainty: possible.has(k) ? 'POSSIBLE' : 'CERTAIN',
    path: [{ from: target.node.key, to: k, kind: breakVia.get(k)![0].kind }],
    via: breakVia.get(k)!,
    importance: importance(k),
  }));
  const stale: ImpactedRelation[] = [...staleDist.keys()].filter(keep).map((k) => ({
    ...describeNode(nodes.get(k), k),
    distance: staleDist.get(k)!.distance,
    certainty: 'CERTAIN',
    path: staleDist.get(k)!.path,
    via: [],
    importance: importance(k),
  }));
  const values: ImpactedColumn[] = [];
  for (const [k, hit] of valueHits) {
    const n = nodes.get(k);
    if (n?.type !== 'column' || !keep(n.node.relationKey)) continue;
    values.push({
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
  const tag = req.filters?.tag?.toLowerCase();
  const exposures: ImpactedExposure[] = [];
  for (const [k, at] of exposureAt) {
    const n = nodes.get(k);
    if (tag && !(n?.type === 'consumer' && n.node.tags.some((t) => t.toLowerCase() === tag))) continue;
    exposures.push({
      ...describeNode(n, k),
      distance: at.distance,
      via: at.via,
      url: n?.type === 'consumer' ? (n.node.url ?? null) : null,
      maturity: n?.type === 'consumer' ? (n.node.maturity ?? null) : null,
      importance: importance(k),
    });
  }
  const rank = <T extends { key: string; distance: number; importance: Importance }>(a: T, b: T) =>
    b.importance.score - a.importance.score || a.distance - b.distance || cmp(a.key, b.key);
  breaks.sort(rank);
  stale.sort(rank);
  values.sort(rank);
  exposures.sort(rank);

  const assets = [...breaks, ...stale, ...exposures];
  const valueRelsKept = [...new Set(values.map((v) => v.relationKey))]
    .filter((k) => !breakVia.has(k) && !staleDist.has(k))
    .map((k) => ({ ...describeNode(nodes.get(k), k), importance: importance(k) }));
  const { owners, teams } = groupOwners([...assets, ...valueRelsKept], nodes);
  const all = [...assets, ...valueRelsKept];
  const byKind = new Map<string, number>();
  for (const a of all) byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);

  return {
    target: describeNode(target, target.node.key),
    targetRelation,
    change: req.change,
    mode: req.mode,
    depth: req.depth,
    breaks,
    stale,
    values,
    exposures,
    owners,
    teams,
    summary: {
      breaks: breaks.length,
      stale: stale.length,
      values: values.length,
      exposures: exposures.filter((e) => e.kind !== 'other').length,
      semanticConsumers: exposures.filter((e) => e.kind === 'other').length,
      owners: owners.length,
      teams: teams.length,
      byKind: [...byKind].map(([kind, count]) => ({ kind, count })).sort((a, b) => cmp(a.kind, b.kind)),
      maxImportance: all.reduce((m, a) => Math.max(m, a.importance.score), 0),
      maxSeverity: maxSeverity(all.map((a) => a.importance.severity)),
    },
    partial: log.partial,
    partialReasons: [...log.reasons].sort(),
  };
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

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export async function loadNodes(store: LineageStore, nodes: Map<string, AnyNode>, keys: Iterable<string>) {
  const missing = [...new Set(keys)].filter((k) => !nodes.has(k));
  if (missing.length === 0) return;
  for (const [k, n] of await store.getNodes(missing)) nodes.set(k, n);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
