// The routing plan of one alert: who is impacted (src/analysis/alert-routes.ts: owners of the impacted
// assets, each with their own assets), how urgent each asset is (./urgency.ts), and which destinations the
// rules send each owner's assets to (./rules.ts). One recipient = one (destination, owner) pair with only
// that owner's assets that the rules routed there. Nobody else is in the plan.
import type { LineageStore } from '../../graph/store.ts';
import type { Recipient } from '../../graph/incidents/types.ts';
import { alertRoutes, type AlertRoutesResult, type RouteAsset } from '../analysis/alert-routes.ts';
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

export async function planAlert(
  store: LineageStore,
  rules: RulesFile,
  alert: { asset: string; level: 'info' | 'warning' | 'error' | 'critical'; source: string },
  ctx: AnalysisContext,
): Promise<Plan> {
  const routes = await alertRoutes(store, { ref: alert.asset, depth: Math.min(10, ctx.maxDepth) }, ctx);
  const keys = [...new Set(routes.routes.flatMap((r) => r.assets.map((a) => a.key)))].sort();
  const nodes = await store.getNodes(keys);
  const since = utcDay(new Date(ctx.now.getTime() - 24 * 3600_000).toISOString());
  const reads = new Map(
    (
      await store.usage({
        targets: keys,
        sinceDay: since,
        excludeUsers: ctx.excludeUsers,
        excludeRoles: ctx.excludeRoles,
      })
    ).map((u) => [u.target, u.reads]),
  );
  const byKey = new Map<string, PlannedRecipient>();
  const unrouted: Plan['unrouted'] = [];
  for (const route of routes.routes) {
    const left: string[] = [];
    for (const a of route.assets) {
      const n = nodes.get(a.key);
      const urgency = urgencyOf({
        severity: a.importance.severity,
        exposuresDownstream: a.importance.exposuresDownstream,
        keyAsset: a.importance.keyAsset,
        reads24h: reads.get(a.key) ?? 0,
        level: alert.level,
      });
      const hits = routeSubject(rules, {
        key: a.key,
        schema: a.schema,
        group: n?.type === 'relation' ? (n.node.group ?? null) : null,
        tags: a.tags,
        exposureKind: a.type === 'consumer' ? a.kind : null,
        owner: { id: route.owner, email: route.email, team: route.team },
        severity: a.importance.severity,
        urgency,
        source: alert.source,
      });
      if (hits.length === 0) left.push(a.key);
      for (const hit of hits)
        for (const destination of hit.to) {
          const id = `${destination}|${route.owner}`;
          let r = byKey.get(id);
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
            byKey.set(id, r);
          }
          r.urgency = maxUrgency(r.urgency, urgency);
          if (!r.assets.includes(a.key)) {
            r.assets.push(a.key);
            r.detail.push({ ...a, urgency });
          }
          if (!r.rules.includes(hit.rule)) r.rules.push(hit.rule);
        }
    }
    if (left.length) unrouted.push({ owner: route.owner, assets: left });
  }
  const recipients = [...byKey.values()].sort((a, b) =>
    a.destination !== b.destination ? (a.destination < b.destination ? -1 : 1) : a.owner < b.owner ? -1 : 1,
  );
  return { routes, recipients, unrouted };
}
