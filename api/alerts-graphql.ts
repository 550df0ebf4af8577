// GraphQL for alert routing (docs/alerts.md "GraphQL"): incidents (list, one, timeline), the delivery log,
// the routing test ("where would an alert on X go?"), and acknowledge/resolve mutations (admin scope).
import { z } from 'zod';
import { ALERT_LEVELS } from '../src/alerts/intake.ts';
import { INCIDENT_STATES } from '../graph/incidents/types.ts';
import { alertServiceOf } from './alerts-service.ts';
import { parse } from './args.ts';
import { requireScope } from './auth.ts';
import type { ApiContext } from './context.ts';
import type { GraphQLModule } from './graphql.ts';

const SDL = /* GraphQL */ `
  "An incident: alerts on the same relation, or sharing an upstream root, within the rules' window."
  type Incident {
    id: ID!
    "open, acknowledged or resolved"
    state: String!
    title: String!
    "Highest lineage severity of the impacted assets (LOW, MEDIUM, HIGH, CRITICAL)."
    severity: String!
    openedAt: String!
    updatedAt: String!
    lastAlertAt: String!
    acknowledgedAt: String
    resolvedAt: String
    "Alerted assets and their relations; upstream roots (what grouping compares); impacted downstream assets."
    assets: [String!]!
    relations: [String!]!
    roots: [String!]!
    impacted: [String!]!
    "Likely root cause, best first (rootCause's ranking, the alerts counted as evidence)."
    rootCause: [IncidentCause!]!
    alerts: [IncidentAlert!]!
    "Who was told (resolving tells the same recipients)."
    recipients: [IncidentRecipient!]!
    timeline: [IncidentEvent!]!
    deliveries(limit: Int = 100): [AlertDelivery!]!
  }
  type IncidentCause {
    key: String!
    kind: String!
    distance: Int!
    score: Float!
    evidence: [String!]!
  }
  type IncidentAlert {
    id: String!
    source: String!
    asset: String!
    relation: String!
    level: String!
    message: String!
    at: String!
  }
  type IncidentRecipient {
    destination: String!
    owner: String!
    "page, notify or digest"
    urgency: String!
    assets: [String!]!
    rules: [String!]!
  }
  type IncidentEvent {
    at: String!
    "opened, alert, acknowledged, resolved, notified, delivery_failed"
    kind: String!
    message: String!
    actor: String
  }
  "One message to one destination for one recipient; key is the idempotency (dedup) key."
  type AlertDelivery {
    key: String!
    incidentId: String
    destination: String!
    destinationType: String!
    owner: String!
    event: String!
    "delivered, failed or queued (waiting for a digest)"
    status: String!
    attempts: Int!
    lastError: String
    httpStatus: Int
    createdAt: String!
    updatedAt: String!
    deliveredAt: String
    summary: String!
  }
  type RouteTestRecipient {
    destination: String!
    owner: String!
    name: String
    email: String
    team: String
    urgency: String!
    assets: [String!]!
    rules: [String!]!
  }
  type UnroutedAssets {
    owner: String!
    assets: [String!]!
  }
  "Where an alert on an asset would go under the current rules (nothing stored or sent)."
  type RouteTest {
    asset: String!
    severity: String!
    recipients: [RouteTestRecipient!]!
    unrouted: [UnroutedAssets!]!
    "The rules file's problem, when the last change made it invalid (the previous rules stay in force)."
    rulesError: String
  }
  extend type Query {
    incidents(states: [String!], limit: Int = 50): [Incident!]!
    incident(id: ID!): Incident
    incidentTimeline(id: ID!): [IncidentEvent!]!
    alertDeliveries(incidentId: ID, destination: String, status: String, limit: Int = 100): [AlertDelivery!]!
    routeTest(ref: String!, level: String = "error"): RouteTest!
  }
  extend type Mutation {
    "Acknowledge (admin token): PagerDuty and webhook recipients are told, so a page stops escalating."
    acknowledgeIncident(id: ID!): Incident!
    "Resolve (admin token): every recipient that was notified gets a resolved message."
    resolveIncident(id: ID!): Incident!
  }
`;

type Args = Record<string, unknown>;
const id = z.string().trim().min(1).max(200);
const limit = z.number().int().min(1).max(1000);
const ARGS = {
  incidents: z.object({ states: z.array(z.enum(INCIDENT_STATES)).nullish(), limit }),
  id: z.object({ id }),
  deliveries: z.object({
    incidentId: id.nullish(),
    destination: z.string().max(200).nullish(),
    status: z.enum(['delivered', 'failed', 'queued']).nullish(),
    limit,
  }),
  routeTest: z.object({ ref: z.string().trim().min(1).max(1000), level: z.enum(ALERT_LEVELS) }),
};

const actor = (_ctx: ApiContext) => 'admin (GraphQL)';

export const alertsGraphql: GraphQLModule = {
  name: 'alerts',
  schema: SDL,
  resolvers: {
    Query: {
      incidents: async (_: unknown, args: Args, ctx: ApiContext) => {
        const a = parse(ARGS.incidents, args);
        const s = await alertServiceOf(ctx.config);
        return s.incidents.listIncidents({ states: a.states ?? undefined, limit: a.limit });
      },
      incident: async (_: unknown, args: Args, ctx: ApiContext) =>
        (await alertServiceOf(ctx.config)).incidents.getIncident(parse(ARGS.id, args).id),
      incidentTimeline: async (_: unknown, args: Args, ctx: ApiContext) => {
        const inc = await (await alertServiceOf(ctx.config)).incidents.getIncident(parse(ARGS.id, args).id);
        return inc?.timeline ?? [];
      },
      alertDeliveries: async (_: unknown, args: Args, ctx: ApiContext) => {
        const a = parse(ARGS.deliveries, args);
        return (await alertServiceOf(ctx.config)).incidents.listDeliveries({
          incidentId: a.incidentId ?? undefined,
          destination: a.destination ?? undefined,
          status: a.status ?? undefined,
          limit: a.limit,
        });
      },
      routeTest: async (_: unknown, args: Args, ctx: ApiContext) => {
        const a = parse(ARGS.routeTest, args);
        const s = await alertServiceOf(ctx.config);
        const plan = await s.routeTest(a.ref, a.level);
        return {
          asset: plan.routes.asset.key,
          severity: plan.routes.severity,
          recipients: plan.recipients,
          unrouted: plan.unrouted,
          rulesError: s.rulesError(),
        };
      },
    },
    Mutation: {
      acknowledgeIncident: async (_: unknown, args: Args, ctx: ApiContext) => {
        requireScope(ctx.auth, 'admin', ctx.config.server);
        return (await alertServiceOf(ctx.config)).acknowledge(parse(ARGS.id, args).id, actor(ctx));
      },
      resolveIncident: async (_: unknown, args: Args, ctx: ApiContext) => {
        requireScope(ctx.auth, 'admin', ctx.config.server);
        return (await alertServiceOf(ctx.config)).resolve(parse(ARGS.id, args).id, actor(ctx));
      },
    },
    Incident: {
      deliveries: async (parent: { id: string }, args: Args, ctx: ApiContext) =>
        (await alertServiceOf(ctx.config)).incidents.listDeliveries({
          incidentId: parent.id,
          limit: parse(z.object({ limit }), args).limit,
        }),
    },
  },
};
