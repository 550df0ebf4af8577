// Alert routes: who to notify when an asset has a problem. The impacted set is the CONSERVATIVE DROP
// impact (everything that references the asset, everything downstream of those, columns whose values
// derive from it, and the exposures reached) plus the asset itself, grouped by owner and by team.
// A route's severity is the highest importance severity among its assets (see importance.ts).
import type { LineageStore } from '../../graph/store.ts';
import type { AnalysisContext } from './context.ts';
import type { AlertSeverity, Importance } from './importance.ts';
import { importanceOf, maxSeverity } from './importance.ts';
import { impact, loadNodes, type ImpactResult } from './impact.ts';
import { memoReads } from './memo-reads.ts';
import { describeNode, groupOwners, type AssetRef, type OwnerGroup } from './owners.ts';
import type { AnyNode } from '../../graph/store.ts';

export interface RouteAsset extends AssetRef {
  distance: number;
  importance: Importance;
}

export interface AlertRoute {
  /** Owner id, or '(unowned)'. */
  owner: string;
  name: string | null;
  email: string | null;
  team: string | null;
  severity: AlertSeverity;
  assets: RouteAsset[];
  counts: { assets: number; relations: number; exposures: number };
}

export interface AlertRoutesResult {
  asset: AssetRef;
  severity: AlertSeverity;
  routes: AlertRoute[];
  teams: { team: string; owners: string[]; severity: AlertSeverity; count: number }[];
  counts: { assets: number; relations: number; exposures: number; routes: number };
  partial: boolean;
  partialReasons: string[];
}

/** One routing's working state, shared by its phases. */
interface RoutesRun {
  store: LineageStore;
  ctx: AnalysisContext;
  /** The CONSERVATIVE DROP impact of the asset. */
  res: ImpactResult;
  nodes: Map<string, AnyNode>;
  /** Every impacted asset by key, at its shortest distance. */
  byKey: Map<string, RouteAsset>;
}

export async function alertRoutes(
  store: LineageStore,
  req: { ref: string; depth: number },
  ctx: AnalysisContext,
): Promise<AlertRoutesResult> {
  // One memo for the impact and the routing: the routing's own reads (the asset's relation, its importance's
  // downstream steps) are mostly ones the impact made already.
  const reads = memoReads(store);
  const res = await impact(
    reads,
    { ref: req.ref, change: 'DROP', mode: 'CONSERVATIVE', depth: req.depth },
    ctx,
  );
  const run: RoutesRun = { store: reads, ctx, res, nodes: new Map(), byKey: new Map() };
  const ownPartial = await addSelf(run);
  await addImpacted(run);
  const assets = [...run.byKey.values()];
  const { owners, teams } = groupOwners(assets);
  const routes = routesOf(run, owners);
  const reasons = [...res.partialReasons];
  if (ownPartial)
    reasons.push(`limit: importance counted exposures over the first ${ctx.limit} downstream nodes`);
  return {
    asset: res.target,
    severity: maxSeverity(assets.map((a) => a.importance.severity)),
    routes,
    teams: teams.map((t) => ({ team: t.team, owners: t.owners, severity: t.maxSeverity, count: t.count })),
    counts: {
      assets: assets.length,
      relations: assets.filter((a) => a.type === 'relation').length,
      exposures: assets.filter((a) => a.type === 'consumer').length,
      routes: routes.length,
    },
    partial: reasons.length > 0,
    partialReasons: [...new Set(reasons)].sort(),
  };
}

/** The alerted asset's relation itself, at distance 0 with its importance; answers whether that was cut. */
async function addSelf(run: RoutesRun): Promise<boolean> {
  const { store, ctx, res, nodes } = run;
  await loadNodes(store, nodes, [res.targetRelation]);
  const own = await importanceOf(store, [res.targetRelation], nodes, {
    sinceDay: ctx.usageSinceDay,
    excludeUsers: ctx.excludeUsers,
    excludeRoles: ctx.excludeRoles,
    maxNodes: ctx.limit,
  });
  const self: RouteAsset = {
    ...describeNode(nodes.get(res.targetRelation), res.targetRelation),
    distance: 0,
    importance: own.byKey.get(res.targetRelation)!,
  };
  run.byKey.set(self.key, self);
  return own.partial;
}

/** What breaks, goes stale or is reached, then the relations whose column values change. */
async function addImpacted(run: RoutesRun): Promise<void> {
  const { res, byKey } = run;
  const addAsset = (a: RouteAsset) => {
    const prev = byKey.get(a.key);
    if (!prev || prev.distance > a.distance) byKey.set(a.key, a);
  };
  for (const a of [...res.breaks, ...res.stale, ...res.exposures])
    addAsset({ ...stripToAsset(a), distance: a.distance, importance: a.importance });
  const valueRels = new Map<string, number>();
  for (const v of res.values)
    if (!valueRels.has(v.relationKey) || valueRels.get(v.relationKey)! > v.distance)
      valueRels.set(v.relationKey, v.distance);
  await loadNodes(run.store, run.nodes, valueRels.keys());
  for (const [k, d] of valueRels)
    if (!byKey.has(k))
      addAsset({
        ...describeNode(run.nodes.get(k), k),
        distance: d,
        importance: res.values.find((v) => v.relationKey === k)!.importance,
      });
}

const SEVERITY_ORDER = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** One route per owner with their assets, most severe first, then most assets, then by owner. */
function routesOf(run: RoutesRun, owners: readonly OwnerGroup[]): AlertRoute[] {
  const routes: AlertRoute[] = owners.map((o) => {
    const list = o.assets.map((k) => run.byKey.get(k)!);
    return {
      owner: o.id,
      name: o.name,
      email: o.email,
      team: o.team,
      severity: o.maxSeverity,
      assets: list,
      counts: {
        assets: list.length,
        relations: list.filter((a) => a.type === 'relation').length,
        exposures: list.filter((a) => a.type === 'consumer').length,
      },
    };
  });
  return routes.sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity) ||
      b.counts.assets - a.counts.assets ||
      (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0),
  );
}

function stripToAsset(a: AssetRef): AssetRef {
  return {
    key: a.key,
    type: a.type,
    kind: a.kind,
    name: a.name,
    displayName: a.displayName,
    schema: a.schema,
    owners: a.owners,
    tags: a.tags,
  };
}
