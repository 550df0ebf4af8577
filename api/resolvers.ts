// GraphQL resolvers: validate arguments (api/args.ts), call the analysis functions, shape the results.
import { readFileSync } from 'node:fs';
import type { AnyNode, EdgeView } from '../graph/store.ts';
import { emptyUsageAggregate } from '../graph/records.ts';
import { lineageError } from '../src/errors.ts';
import type { RelationKind } from '../src/model/lineage.ts';
import { alertRoutes } from '../src/analysis/alert-routes.ts';
import { canDrop } from '../src/analysis/can-drop.ts';
import { complexity, type ComplexityComponent } from '../src/analysis/complexity.ts';
import { contextFromConfig, type AnalysisContext } from '../src/analysis/context.ts';
import { impact, type ImpactResult } from '../src/analysis/impact.ts';
import { lineageGraph } from '../src/analysis/lineage-graph.ts';
import type { AssetRef } from '../src/analysis/owners.ts';
import { resolveRef } from '../src/analysis/resolve-ref.ts';
import { rootCause } from '../src/analysis/root-cause.ts';
import { unusedColumns, unusedTables } from '../src/analysis/unused.ts';
import { resolveSince, utcDay } from '../src/analysis/window.ts';
import { parse, schemas } from './args.ts';
import { requireScope } from './auth.ts';
import { softDeadline, withDeadline } from './budget.ts';
import type { ApiContext } from './context.ts';
import type { GraphQLModule } from './graphql.ts';
import { ingestHandlers as ingest } from './ingest.ts';
import { connection, pageSize } from './pagination.ts';

export const CORE_SDL = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

type Args = Record<string, unknown>;

const TYPE_OUT = { relation: 'RELATION', column: 'COLUMN', consumer: 'CONSUMER' } as const;
const TYPE_IN = { RELATION: 'relation', COLUMN: 'column', CONSUMER: 'consumer' } as const;

/** Runs an analysis against the request's budget, with a soft deadline to answer partial (api/budget.ts). */
export async function bounded<T>(
  ctx: ApiContext,
  work: (a: AnalysisContext) => Promise<T>,
  usageWindow?: string,
): Promise<T> {
  const analysis = contextFromConfig(ctx.config, {
    now: ctx.now,
    usageWindow,
    deadline: softDeadline(ctx.budget),
  });
  return withDeadline(ctx.budget, () => work(analysis));
}

export function assetOut(n: AnyNode) {
  const base = { key: n.node.key, type: TYPE_OUT[n.type], tags: n.node.tags, _node: n };
  switch (n.type) {
    case 'relation': {
      const r = n.node;
      return {
        ...base,
        kind: r.kind,
        name: r.name,
        displayName: r.displayName,
        schema: r.schema,
        database: r.database,
        uniqueId: r.uniqueId ?? null,
        description: r.description ?? null,
        owners: r.owners,
        isKeyAsset: r.isKeyAsset,
        materialization: r.materialization ?? null,
        sizeBytes: r.sizeBytes ?? null,
        rowCount: r.rowCount ?? null,
        sqlShape: r.sqlShape ?? null,
        url: null,
        dataType: null,
        relationKey: r.key,
      };
    }
    case 'column': {
      const c = n.node;
      return {
        ...base,
        kind: 'column',
        name: c.name,
        displayName: c.displayName,
        schema: null,
        database: null,
        uniqueId: null,
        description: c.description ?? null,
        owners: [],
        isKeyAsset: false,
        materialization: null,
        sizeBytes: null,
        rowCount: null,
        sqlShape: null,
        url: null,
        dataType: c.dataType ?? null,
        relationKey: c.relationKey,
      };
    }
    case 'consumer': {
      const c = n.node;
      return {
        ...base,
        kind: c.kind,
        name: c.name,
        displayName: c.name,
        schema: null,
        database: null,
        uniqueId: c.uniqueId ?? null,
        description: c.description ?? null,
        owners: c.owners,
        isKeyAsset: c.maturity === 'high',
        materialization: null,
        sizeBytes: null,
        rowCount: null,
        sqlShape: null,
        url: c.url ?? null,
        dataType: null,
        relationKey: null,
      };
    }
  }
}

type AssetParent = ReturnType<typeof assetOut>;

function refOut(a: AssetRef) {
  return { ...a, type: TYPE_OUT[a.type] };
}

function neighbours(edges: EdgeView[], self: string, direction: 'upstream' | 'downstream') {
  return edges
    .map((e) => ({
      key: direction === 'upstream' ? e.from : e.to,
      kind: e.kind,
      confidence: e.confidence,
      provenances: e.provenances,
      queryCount: e.queryCount,
    }))
    .filter((n) => n.key !== self);
}

function wrapRelation(r: ImpactResult['breaks'][number]) {
  return {
    asset: refOut(r),
    distance: r.distance,
    certainty: r.certainty,
    reason: r.reason,
    path: r.path,
    via: r.via,
    importance: r.importance,
  };
}

function buildResolvers() {
  const Query = {
    asset: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).asset, args);
      return bounded(ctx, async () => assetOut(await resolveRef(ctx.store, a.ref)));
    },
    search: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).search, args);
      const types = a.types?.map((t) => {
        const v = TYPE_IN[t as keyof typeof TYPE_IN];
        if (!v) throw lineageError('API_BAD_INPUT', `unknown asset type ${t}`);
        return v;
      });
      return bounded(ctx, async () => {
        const hits = await ctx.store.search(a.text, { types, limit: a.first ?? 20 });
        return hits.map((h) => ({ ...h, type: TYPE_OUT[h.type] }));
      });
    },
    impact: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).impact, args);
      return bounded(ctx, (an) =>
        impact(
          ctx.store,
          {
            ref: a.ref,
            change: a.change,
            mode: a.mode,
            depth: a.depth,
            filters: a.filter
              ? {
                  kinds: (a.filter.kinds ?? undefined) as RelationKind[] | undefined,
                  schema: a.filter.schema ?? undefined,
                  tag: a.filter.tag ?? undefined,
                }
              : undefined,
            indirectColumns: a.indirectColumns ?? false,
          },
          an,
        ),
      );
    },
    canDrop: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).canDrop, args);
      const r = await bounded(ctx, (an) => canDrop(ctx.store, a.ref, an), a.window);
      return {
        ...r,
        key: r.target.key,
        type: TYPE_OUT[r.target.type as keyof typeof TYPE_OUT],
        usageSince: r.usageSinceDay,
      };
    },
    rootCause: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).rootCause, args);
      const since = resolveSince(a.since, ctx.now);
      return bounded(ctx, (an) => rootCause(ctx.store, { ref: a.ref, since, depth: a.depth }, an));
    },
    unusedTables: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).unused, args);
      pageSize(args.first as number | undefined, ctx.config.limits.maxPageSize);
      const r = await bounded(ctx, (an) => unusedTables(ctx.store, { ...unusedReq(a, ctx) }, an));
      return { ...r, ...connection(r.items, args, ctx.config.limits.maxPageSize) };
    },
    unusedColumns: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).unused, args);
      pageSize(args.first as number | undefined, ctx.config.limits.maxPageSize);
      const r = await bounded(ctx, (an) =>
        unusedColumns(
          ctx.store,
          { ...unusedReq(a, ctx), maxColumns: ctx.config.limits.maxPageSize * 400 },
          an,
        ),
      );
      return { ...r, ...connection(r.items, args, ctx.config.limits.maxPageSize) };
    },
    complexity: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).complexity, args);
      pageSize(args.first as number | undefined, ctx.config.limits.maxPageSize);
      const r = await bounded(ctx, () =>
        complexity(ctx.store, {
          scope: a.scope,
          schema: a.schema ?? undefined,
          sortBy: a.sortBy as ComplexityComponent | 'score',
        }),
      );
      return { ...r, ...connection(r.items, args, ctx.config.limits.maxPageSize) };
    },
    alertRoutes: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).alertRoutes, args);
      return bounded(ctx, (an) => alertRoutes(ctx.store, a, an)).then(routesOut);
    },
    lineageGraph: async (_: unknown, args: Args, ctx: ApiContext) => {
      const a = parse(schemas(ctx.config).lineageGraph, args);
      const r = await bounded(ctx, (an) => lineageGraph(ctx.store, a, an));
      return { ...r, nodes: r.nodes.map((n) => ({ ...n, type: TYPE_OUT[n.type] })) };
    },
    stats: async (_: unknown, __: Args, ctx: ApiContext) =>
      bounded(ctx, async () => {
        const s = await ctx.store.stats();
        return { ...s, store: ctx.store.kind, diagnostics: s.diagnosticsBySeverity };
      }),
  };

  const Mutation = {
    ingestDbtPath: async (_: unknown, args: Args, ctx: ApiContext) => {
      requireScope(ctx.auth, 'admin', ctx.config.server);
      return ingest.fromPath(ctx, String(args.path ?? ''));
    },
    ingestDbtArtifacts: async (_: unknown, args: Args, ctx: ApiContext) => {
      requireScope(ctx.auth, 'admin', ctx.config.server);
      return ingest.fromArtifacts(
        ctx,
        args as { manifest: string; catalog?: string; runResults?: string; sources?: string },
      );
    },
    removeOrigin: async (_: unknown, args: Args, ctx: ApiContext) => {
      requireScope(ctx.auth, 'admin', ctx.config.server);
      return ctx.store.removeOrigin(String(args.originId ?? ''));
    },
  };

  const Asset = {
    columns: async (parent: AssetParent, args: Args, ctx: ApiContext) => {
      if (parent.type !== 'RELATION') return [];
      const first = pageSize(args.first as number | undefined, ctx.config.limits.maxPageSize);
      return (await ctx.store.columnsOf(parent.key)).slice(0, first).map((c) => ({
        ...c,
        dataType: c.dataType ?? null,
        description: c.description ?? null,
      }));
    },
    upstream: async (parent: AssetParent, _: Args, ctx: ApiContext) =>
      neighbours(await ctx.store.edgesOf(parent.key, 'upstream'), parent.key, 'upstream'),
    downstream: async (parent: AssetParent, _: Args, ctx: ApiContext) =>
      neighbours(await ctx.store.edgesOf(parent.key, 'downstream'), parent.key, 'downstream'),
    usage: async (parent: AssetParent, args: Args, ctx: ApiContext) => {
      const since = parse(
        schemas(ctx.config).canDrop.shape.window,
        (args.since as string | undefined) ?? '90d',
      );
      const [u] = await ctx.store.usage({
        targets: [parent.key],
        sinceDay: utcDay(resolveSince(since, ctx.now)),
        excludeUsers: ctx.config.usage.serviceUsers,
        excludeRoles: ctx.config.usage.serviceRoles,
      });
      return u ?? emptyUsageAggregate(parent.key);
    },
  };

  const Neighbour = {
    asset: async (parent: { key: string }, _: Args, ctx: ApiContext) => {
      const n = (await ctx.store.getNodes([parent.key])).get(parent.key);
      return n ? assetOut(n) : null;
    },
  };

  const Impact = {
    target: (p: ImpactResult) => refOut(p.target),
    breaks: (p: ImpactResult, args: Args, ctx: ApiContext) =>
      connection(p.breaks.map(wrapRelation), args, ctx.config.limits.maxPageSize),
    passThrough: (p: ImpactResult, args: Args, ctx: ApiContext) =>
      connection(p.passThrough.map(wrapRelation), args, ctx.config.limits.maxPageSize),
    stale: (p: ImpactResult, args: Args, ctx: ApiContext) =>
      connection(p.stale.map(wrapRelation), args, ctx.config.limits.maxPageSize),
    indirect: (p: ImpactResult) => p.indirect.map((i) => ({ ...i, asset: refOut(i) })),
    values: (p: ImpactResult, args: Args, ctx: ApiContext) =>
      connection(p.values, args, ctx.config.limits.maxPageSize),
    exposures: (p: ImpactResult) => p.exposures.map((e) => ({ ...e, asset: refOut(e) })),
  };

  const RootCause = {
    target: (p: { target: AssetRef }) => refOut(p.target),
    candidates: (p: { candidates: (AssetRef & Record<string, unknown>)[] }, args: Args, ctx: ApiContext) => {
      const first = pageSize(args.first as number | undefined, ctx.config.limits.maxPageSize);
      return p.candidates.slice(0, first).map((c) => ({ ...c, asset: refOut(c) }));
    },
  };

  return { Query, Mutation, Asset, Neighbour, Impact, RootCause };
}

/** The core schema (api/schema.graphql) and its resolvers. */
export const coreGraphql: GraphQLModule = {
  name: 'core',
  schema: CORE_SDL,
  resolvers: buildResolvers(),
};

function unusedReq(a: ReturnType<typeof parse<ReturnType<typeof schemas>['unused']>>, ctx: ApiContext) {
  return {
    since: resolveSince(a.since, ctx.now),
    schema: a.schema ?? undefined,
    ignoreUsers: a.ignoreUsers ?? undefined,
    ignoreRoles: a.ignoreRoles ?? undefined,
    sort: a.sort,
  };
}

function routesOut(r: Awaited<ReturnType<typeof alertRoutes>>) {
  return {
    asset: refOut(r.asset),
    severity: r.severity,
    routes: r.routes.map((route) => ({
      ...route,
      assets: route.assets.map((a) => ({ asset: refOut(a), distance: a.distance, importance: a.importance })),
      assetCount: route.counts.assets,
      relationCount: route.counts.relations,
      exposureCount: route.counts.exposures,
    })),
    teams: r.teams,
    assetCount: r.counts.assets,
    relationCount: r.counts.relations,
    exposureCount: r.counts.exposures,
    partial: r.partial,
    partialReasons: r.partialReasons,
  };
}
