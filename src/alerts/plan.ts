// The routing plan of one alert: who is impacted (src/analysis/alert-routes.ts: owners of the impacted
// assets, each with their own assets), how urgent each asset is (./urgency.ts), and which destinations the
// rules send each owner's assets to (./rules.ts). One recipient = one (destination, owner) pair with only
// that owner's assets that the rules routed there. Nobody else is in the plan.
import type { AnyNode, LineageStore } from '../../graph/store.ts';
import type { Recipient } from '../../graph/incidents/types.ts';
import {
  alertRoutes,
  type AlertRoute,
  type AlertRoutesResult,
  type RouteAsset,
} from '../analysis/alert-routes.ts';
import type { AnalysisContext } from '../analysis/context.ts';
import { utcDay } from '../analysis/window.ts';
import { routeSubject, type RulesFile } from './rules.ts';
import { maxUrgency, urgencyOf } from './urgency.ts';

export interface PlannedRecipient extends Recipient {
  name: string | null;
  email: string | null;
  team: string | null;
  /** The owner's routed assets with their importance, most important first. */
  detail: (RouteAsset & { urgency: Recipient['urgency'] })[];
}

export interface Plan {
  routes: AlertRoutesResult;
  recipients: PlannedRecipient[];
  /** Impacted assets no rule routed (by owner), so a missing rule is visible. */
  unrouted: { owner: string; assets: string[] }[];
}

type AlertInput = { asset: string; level: 'info' | 'warning' | 'error' | 'critical'; source: string };

/** One plan's working state, shared by its phases. */
interface PlanRun {
  rules: RulesFile;
  alert: AlertInput;
  nodes: Map<string, AnyNode>;
  /** Reads per impacted asset over the last 24 hours. */
  reads: Map<string, number>;
  /** Recipients by `destination|owner`. */
  byKey: Map<string, PlannedRecipient>;
}

export async function planAlert(
  store: LineageStore,
  rules: RulesFile,
  alert: AlertInput,
  ctx: AnalysisContext,
): Promise<Plan> {
  const routes = await alertRoutes(store, { ref: alert.asset, depth: Math.min(10, ctx.maxDepth) }, ctx);
  const keys = [...new Set(routes.routes.flatMap((r) => r.assets.map((a) => a.key)))].sort();
  const run: PlanRun = {
    rules,
    alert,
    nodes: await store.getNodes(keys),
    reads: await readsLastDay(store, keys, ctx),
    byKey: new Map(),
  };
  const unrouted: Plan['unrouted'] = [];
  for (const route of routes.routes) {
    const left = route.assets.filter((a) => !routeAsset(run, route, a));
    if (left.length) unrouted.push({ owner: route.owner, assets: left.map((a) => a.key) });
  }
  const recipients = [...run.byKey.values()].sort((a, b) =>
    a.destination !== b.destination ? (a.destination < b.destination ? -1 : 1) : a.owner < b.owner ? -1 : 1,
  );
  return { routes, recipients, unrouted };
}

async function readsLastDay(
  store: LineageStore,
  keys: readonly string[],
  ctx: AnalysisContext,
): Promise<Map<string, number>> {
  const since = utcDay(new Date(ctx.now.getTime() - 24 * 3600_000).toISOString());
  const usage = await store.usage({
    targets: keys,
    sinceDay: since,
    excludeUsers: ctx.excludeUsers,
    excludeRoles: ctx.excludeRoles,
  });
  return new Map(usage.map((u) => [u.target, u.reads]));
}

/** Rates one of an owner's assets and adds it to every recipient a rule routes it to; false if none did. */
function routeAsset(run: PlanRun, route: AlertRoute, a: RouteAsset): boolean {
  const n = run.nodes.get(a.key);
  const urgency = urgencyOf({
    severity: a.importance.severity,
    exposuresDownstream: a.importance.exposuresDownstream,
    keyAsset: a.importance.keyAsset,
    reads24h: run.reads.get(a.key) ?? 0,
    level: run.alert.level,
  });
  const hits = routeSubject(run.rules, {
    key: a.key,
    schema: a.schema,
    group: n?.type === 'relation' ? (n.node.group ?? null) : null,
    tags: a.tags,
    exposureKind: a.type === 'consumer' ? a.kind : null,
    owner: { id: route.owner, email: route.email, team: route.team },
    severity: a.importance.severity,
    urgency,
    source: run.alert.source,
  });
  for (const hit of hits)
    for (const destination of hit.to) {
      const r = recipientOf(run, destination, route, urgency);
      r.urgency = maxUrgency(r.urgency, urgency);
      if (!r.assets.includes(a.key)) {
        r.assets.push(a.key);
        r.detail.push({ ...a, urgency });
      }
      if (!r.rules.includes(hit.rule)) r.rules.push(hit.rule);
    }
  return hits.length > 0;
}

/** The (destination, owner) recipient, created with no assets on first use. */
function recipientOf(
  run: PlanRun,
  destination: string,
  route: AlertRoute,
  urgency: Recipient['urgency'],
): PlannedRecipient {
  const id = `${destination}|${route.owner}`;
  let r = run.byKey.get(id);
  if (!r) {
    r = {
      destination,
      owner: route.owner,
      name: route.name,
      email: route.email,
      team: route.team,
      urgency,
      assets: [],
      rules: [],
      detail: [],
    };
    run.byKey.set(id, r);
  }
  return r;
}
