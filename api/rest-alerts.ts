// REST for alerting tools that do not speak GraphQL (docs/alerts.md):
//   POST /v1/alerts (read scope): {asset, message, depth?} -> the alert routes (owners of the impacted
//     assets); nothing is stored or sent.
//   POST /v1/alerts/events?kind=<kind> (write scope): alerts in — the generic shape (default) or a
//     detector's artifact (dbt-run-results, dbt-sources, great-expectations, soda) -> incidents and
//     deliveries; answers each alert's outcome and incident.
import type { FastifyInstance } from 'fastify';
import { adapt, ALERT_KINDS } from '../src/alerts/adapters.ts';
import { alertRoutes } from '../src/analysis/alert-routes.ts';
import { contextFromConfig } from '../src/analysis/context.ts';
import { lineageError } from '../src/errors.ts';
import { registerAlertService } from './alerts-service.ts';
import { parse, schemas } from './args.ts';
import { Budget, budgetedStore, softDeadline, withDeadline } from './budget.ts';
import type { ApiDeps } from './context.ts';
import type { RouteModule } from './routes.ts';

function routesBody(r: Awaited<ReturnType<typeof alertRoutes>>, message: string | null) {
  return {
    asset: r.asset.key,
    message,
    severity: r.severity,
    counts: r.counts,
    routes: r.routes.map((route) => ({
      owner: route.owner,
      name: route.name,
      email: route.email,
      team: route.team,
      severity: route.severity,
      counts: route.counts,
      assets: route.assets.map((a) => ({
        key: a.key,
        kind: a.kind,
        distance: a.distance,
        severity: a.importance.severity,
      })),
    })),
    teams: r.teams,
    partial: r.partial,
    partialReasons: r.partialReasons,
  };
}

export const restAlertRoutes: RouteModule = {
  name: 'rest-alerts',
  scope: 'read',
  register(app: FastifyInstance, { store, config, now }: ApiDeps) {
    app.post('/v1/alerts', async (request) => {
      if (request.body === undefined || request.body === null || typeof request.body !== 'object')
        throw lineageError('API_BAD_INPUT', 'expected a JSON object {"asset": "...", "message": "..."}');
      const body = parse(schemas(config).alert, request.body);
      const budget = Budget.starting(config.limits.requestTimeoutMs);
      const ctx = contextFromConfig(config, { now: now(), deadline: softDeadline(budget) });
      const depth = body.depth ?? Math.min(10, config.limits.maxTraversalDepth);
      const r = await withDeadline(budget, () =>
        alertRoutes(budgetedStore(store, budget), { ref: body.asset, depth }, ctx),
      );
      return routesBody(r, body.message ?? null);
    });
  },
};

export const restAlertEvents: RouteModule = {
  name: 'rest-alert-events',
  scope: 'write',
  async register(app: FastifyInstance, deps: ApiDeps) {
    const service = registerAlertService(app, deps);
    app.post('/v1/alerts/events', async (request) => {
      const kind = String((request.query as { kind?: string }).kind ?? 'generic');
      if (!(ALERT_KINDS as readonly string[]).includes(kind))
        throw lineageError('API_BAD_INPUT', `unknown kind '${kind}' (expected ${ALERT_KINDS.join(', ')})`);
      if (request.body === undefined || request.body === null || typeof request.body !== 'object')
        throw lineageError('API_BAD_INPUT', 'expected a JSON body');
      const s = await service;
      const { alerts, skipped } = await adapt(kind, request.body, deps.store);
      const results = await s.receive(alerts);
      return {
        results: results.map((r) => ({
          alertId: r.alertId,
          asset: r.asset,
          outcome: r.outcome,
          incident: r.incident.id || null,
          state: r.incident.state,
          delivered: r.delivered,
        })),
        skipped,
      };
    });
  },
};
