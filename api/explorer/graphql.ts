// The GraphQL fields the web explorer draws from (api/explorer/schema.graphql): a grouped neighbourhood,
// an impact picture, a forgiving search (assets and owners), and asset-page extras (tests with their last status, reads per
// day, source freshness). Read fields like every other: /graphql's read scope applies.
import { readFileSync } from 'node:fs';
import type { NodeType } from '../../graph/store.ts';
import { fuzzySearch } from '../../src/analysis/fuzzy-search.ts';
import { impact, type ChangeKind, type ImpactMode } from '../../src/analysis/impact.ts';
import { impactPicture } from '../../src/analysis/impact-picture.ts';
import { neighbourhood } from '../../src/analysis/neighbourhood.ts';
import { searchOwners } from '../../src/analysis/owner-search.ts';
import { utcDay } from '../../src/analysis/window.ts';
import { lineageError } from '../../src/errors.ts';
import type { ApiContext } from '../context.ts';
import type { GraphQLModule } from '../graphql.ts';
import { bounded } from '../resolvers.ts';

export const EXPLORER_SDL = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

const TYPE_OUT = { relation: 'RELATION', column: 'COLUMN', consumer: 'CONSUMER' } as const;
const TYPE_IN: Record<string, NodeType> = { RELATION: 'relation', COLUMN: 'column', CONSUMER: 'consumer' };
const MAX_DAYS = 366;

interface NeighbourhoodArgs {
  ref: string;
  upstreamDepth: number;
  downstreamDepth: number;
  expandUpstream: string[];
  expandDownstream: string[];
  expandGroups: string[];
  levelLimit: number;
  columnLimit: number;
}

interface ImpactPictureArgs {
  ref: string;
  change: ChangeKind;
  mode: ImpactMode;
  depth: number;
  limit: number;
}

interface AssetParent {
  key: string;
  type: string;
  relationKey: string | null;
}

async function neighbourhoodField(_: unknown, args: NeighbourhoodArgs, ctx: ApiContext) {
  const r = await bounded(ctx, (an) => neighbourhood(ctx.store, args, an));
  return {
    ...r,
    nodes: r.nodes.map((n) => ({ ...n, type: TYPE_OUT[n.type] })),
    groups: r.groups.map((g) => ({ ...g, direction: g.direction.toUpperCase() })),
  };
}

async function impactPictureField(_: unknown, args: ImpactPictureArgs, ctx: ApiContext) {
  if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > 500)
    throw lineageError('API_LIMIT_EXCEEDED', `limit ${args.limit} is outside 1..500`);
  const { r, p } = await bounded(ctx, async (an) => {
    const r = await impact(ctx.store, args, an);
    return { r, p: await impactPicture(ctx.store, r, args.limit) };
  });
  return {
    ...p,
    nodes: p.nodes.map((n) => ({ ...n, type: TYPE_OUT[n.type] })),
    partial: r.partial,
    partialReasons: r.partialReasons,
  };
}

async function fuzzySearchField(
  _: unknown,
  args: { text: string; types?: string[] | null; first: number },
  ctx: ApiContext,
) {
  const max = ctx.config.limits.maxPageSize;
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > max)
    throw lineageError('API_LIMIT_EXCEEDED', `first ${args.first} is outside 1..${max}`);
  const types = args.types?.map((t) => TYPE_IN[t]);
  const hits = await bounded(ctx, () => fuzzySearch(ctx.store, args.text, { types, limit: args.first }));
  return hits.map((h) => ({ ...h, type: TYPE_OUT[h.type] }));
}

async function ownerSearchField(
  _: unknown,
  args: { text: string; first: number; assetsPerOwner: number },
  ctx: ApiContext,
) {
  const max = ctx.config.limits.maxPageSize;
  for (const [name, v] of [
    ['first', args.first],
    ['assetsPerOwner', args.assetsPerOwner],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > max)
      throw lineageError('API_LIMIT_EXCEEDED', `${name} ${v} is outside 1..${max}`);
  const hits = await bounded(ctx, () =>
    searchOwners(ctx.store, args.text, { limit: args.first, assetsPerOwner: args.assetsPerOwner }),
  );
  return hits.map((h) => ({ ...h, assets: h.assets.map((a) => ({ ...a, type: TYPE_OUT[a.type] })) }));
}

/** Tests on the asset, each with its newest run result (evidence whose subject is the test's id). */
async function checksField(parent: AssetParent, _: unknown, ctx: ApiContext) {
  if (parent.type === 'CONSUMER') return [];
  const checks = await ctx.store.checks([parent.key]);
  const evidence = await ctx.store.evidence([parent.key, ...new Set(checks.map((c) => c.columnKey ?? ''))]);
  const latest = new Map<string, (typeof evidence)[number]>();
  for (const e of evidence)
    if (e.subject && e.kind.startsWith('test_') && !latest.has(e.subject)) latest.set(e.subject, e);
  return checks.map((c) => {
    const e = latest.get(c.id);
    return {
      id: c.id,
      name: c.name,
      testType: c.testType ?? null,
      columnKey: c.columnKey ?? null,
      status: e ? e.kind.slice('test_'.length) : null,
      at: e?.at ?? null,
      message: e?.message ?? null,
    };
  });
}

/** One usage aggregate per UTC day, oldest first, ending today. */
async function readsPerDayField(parent: AssetParent, args: { days: number }, ctx: ApiContext) {
  if (!Number.isInteger(args.days) || args.days < 1 || args.days > MAX_DAYS)
    throw lineageError('API_LIMIT_EXCEEDED', `days ${args.days} is outside 1..${MAX_DAYS}`);
  const out: { day: string; reads: number; writes: number }[] = [];
  for (let i = args.days - 1; i >= 0; i--) {
    const day = utcDay(new Date(ctx.now.getTime() - i * 86_400_000).toISOString());
    const [u] = await ctx.store.usage({
      targets: [parent.key],
      sinceDay: day,
      untilDay: day,
      excludeUsers: ctx.config.usage.serviceUsers,
      excludeRoles: ctx.config.usage.serviceRoles,
    });
    out.push({ day, reads: u?.reads ?? 0, writes: u?.writes ?? 0 });
  }
  return out;
}

async function freshnessField(parent: AssetParent, _: unknown, ctx: ApiContext) {
  const e = (await ctx.store.evidence([parent.key])).find(
    (x) => x.kind === 'source_fresh' || x.kind === 'source_stale',
  );
  return e ? { kind: e.kind, at: e.at, message: e.message } : null;
}

export const explorerGraphql: GraphQLModule = {
  name: 'explorer',
  schema: EXPLORER_SDL,
  resolvers: {
    Query: {
      neighbourhood: neighbourhoodField,
      impactPicture: impactPictureField,
      fuzzySearch: fuzzySearchField,
      ownerSearch: ownerSearchField,
    },
    Asset: { checks: checksField, readsPerDay: readsPerDayField, freshness: freshnessField },
  },
};
