// The core GraphQL module: query resolvers validate their arguments (api/args.ts), run an analysis within the
// request's budget (api/budget.ts) and shape the result (api/shape.ts); mutations are in api/mutations.ts,
// the per-list loaders in api/loaders.ts.
import { readFileSync } from 'node:fs';
import { emptyUsageAggregate } from '../graph/records.ts';
import { lineageError } from '../src/errors.ts';
import type { RelationKind } from '../src/model/lineage.ts';
import { alertRoutes } from '../src/analysis/alert-routes.ts';
import { canDrop } from '../src/analysis/can-drop.ts';
import { complexity, type ComplexityComponent } from '../src/analysis/complexity.ts';
import { contextFromConfig, type AnalysisContext } from '../src/analysis/context.ts';
import { impact, type ImpactResult } from '../src/analysis/impact.ts';
import type { AssetRef } from '../src/analysis/owners.ts';
import { lineageGraph } from '../src/analysis/lineage-graph.ts';
import { resolveRef } from '../src/analysis/resolve-ref.ts';
import { rootCause } from '../src/analysis/root-cause.ts';
import { unusedColumns, unusedTables } from '../src/analysis/unused.ts';
import { resolveSince, utcDay } from '../src/analysis/window.ts';
import { parse, schemas } from './args.ts';
import { softDeadline, withDeadline } from './budget.ts';
import type { ApiContext } from './context.ts';
import type { GraphQLModule } from './graphql.ts';
import { coreLoaders } from './loaders.ts';
import { mutationResolvers } from './mutations.ts';
import { connection, pageSize } from './pagination.ts';
import {
  assetOut,
  neighbours,
  refOut,
  routesOut,
  TYPE_IN,
  TYPE_OUT,
  wrapRelation,
  type AssetParent,
} from './shape.ts';

export const CORE_SDL = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

type Args = Record<string, unknown>;

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

const queryResolvers = {
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
      unusedColumns(ctx.store, { ...unusedReq(a, ctx), maxColumns: ctx.config.limits.maxPageSize * 400 }, an),
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

const assetResolvers = {
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

const impactResolvers = {
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

const rootCauseResolvers = {
  target: (p: { target: AssetRef }) => refOut(p.target),
  candidates: (p: { candidates: (AssetRef & Record<string, unknown>)[] }, args: Args, ctx: ApiContext) => {
    const first = pageSize(args.first as number | undefined, ctx.config.limits.maxPageSize);
    return p.candidates.slice(0, first).map((c) => ({ ...c, asset: refOut(c) }));
  },
};

/** The core schema (api/schema.graphql), its resolvers and loaders. */
export const coreGraphql: GraphQLModule = {
  name: 'core',
  schema: CORE_SDL,
  resolvers: {
    Query: queryResolvers,
    Mutation: mutationResolvers,
    Asset: assetResolvers,
    Impact: impactResolvers,
    RootCause: rootCauseResolvers,
  },
  loaders: coreLoaders,
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
