// Can this column or relation be dropped? A verdict from static consumers (models, exposures) and
// observed ones (reads in the query logs within the usage window).
//   BLOCK   a model/query references it (it would fail to build), dbt tests are defined on it (they could no
//           longer compile), or an exposure reads the dropped relation.
//   REVIEW  only observed reads, or an exposure reads the column's relation (column use unknown),
//           or a table-level dependency whose columns were not resolved.
//   SAFE    nothing references it and nobody read it in the window.
import type { LineageStore } from '../../graph/store.ts';
import type { AnalysisContext } from './context.ts';
import { impact, type ImpactResult } from './impact.ts';
import { memoReads } from './memo-reads.ts';

export const DROP_VERDICTS = ['SAFE', 'REVIEW', 'BLOCK'] as const;
export type DropVerdict = (typeof DROP_VERDICTS)[number];

export interface DropReason {
  code:
    | 'REFERENCED_BY_MODEL'
    | 'TESTED_BY'
    | 'POSSIBLE_REFERENCE'
    | 'READ_BY_EXPOSURE'
    | 'RELATION_READ_BY_EXPOSURE'
    | 'OBSERVED_READS'
    | 'RELATION_READS';
  verdict: DropVerdict;
  message: string;
  assets: string[];
}

export interface CanDropResult {
  target: { key: string; type: string };
  verdict: DropVerdict;
  reasons: DropReason[];
  usageSinceDay: string;
  partial: boolean;
  partialReasons: string[];
}

const ORDER = { SAFE: 0, REVIEW: 1, BLOCK: 2 } as const;

export async function canDrop(
  store: LineageStore,
  ref: string,
  ctx: AnalysisContext,
): Promise<CanDropResult> {
  // One memo for the impact and the observed reads: the impact reads the target's usage ahead with its own.
  const reads = memoReads(store);
  const result = await impact(
    reads,
    { ref, change: 'DROP', mode: 'CONSERVATIVE', depth: Math.min(10, ctx.maxDepth) },
    ctx,
  );
  const reasons = [
    ...referenceReasons(result),
    ...exposureReasons(result),
    ...(await usageReasons(reads, result, ctx)),
  ];
  reasons.sort(
    (a, b) => ORDER[b.verdict] - ORDER[a.verdict] || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  const verdict = reasons.reduce<DropVerdict>(
    (v, r) => (ORDER[r.verdict] > ORDER[v] ? r.verdict : v),
    'SAFE',
  );
  return {
    target: { key: result.target.key, type: result.target.type },
    verdict,
    reasons,
    usageSinceDay: ctx.usageSinceDay,
    partial: result.partial,
    partialReasons: result.partialReasons,
  };
}

/** Certain and possible references by models and queries, and dbt tests defined on it. */
function referenceReasons(result: ImpactResult): DropReason[] {
  const reasons: DropReason[] = [];
  const keys = (certainty: 'CERTAIN' | 'POSSIBLE') =>
    result.breaks
      .filter((b) => b.certainty === certainty)
      .map((b) => b.key)
      .sort();
  const certain = keys('CERTAIN');
  const possible = keys('POSSIBLE');
  if (certain.length > 0)
    reasons.push({
      code: 'REFERENCED_BY_MODEL',
      verdict: 'BLOCK',
      message: `${certain.length} relation(s) reference it and would fail to build`,
      assets: certain,
    });
  if (result.tests.length > 0)
    reasons.push({
      code: 'TESTED_BY',
      verdict: 'BLOCK',
      message: `${result.tests.length} dbt test(s) are defined on it and could no longer compile: ${result.tests.map((t) => t.name).join(', ')}`,
      assets: result.tests.map((t) => t.id),
    });
  if (possible.length > 0)
    reasons.push({
      code: 'POSSIBLE_REFERENCE',
      verdict: 'REVIEW',
      message: `${possible.length} relation(s) read its table but their columns were not resolved`,
      assets: possible,
    });
  return reasons;
}

/** Consumers reading the relation itself, and consumers downstream of a certain break. */
function exposureReasons(result: ImpactResult): DropReason[] {
  const reasons: DropReason[] = [];
  const direct = result.exposures
    .filter((e) => e.via === result.targetRelation && e.distance === 1)
    .map((e) => e.key)
    .sort();
  const downstream = result.exposures
    .filter((e) => !direct.includes(e.key))
    .map((e) => e.key)
    .sort();
  if (result.target.type === 'relation' && direct.length > 0)
    reasons.push({
      code: 'READ_BY_EXPOSURE',
      verdict: 'BLOCK',
      message: `${direct.length} consumer(s) read this relation`,
      assets: direct,
    });
  if (result.target.type === 'column' && direct.length > 0)
    reasons.push({
      code: 'RELATION_READ_BY_EXPOSURE',
      verdict: 'REVIEW',
      message: `${direct.length} consumer(s) read this column's relation; check whether they use the column`,
      assets: direct,
    });
  if (downstream.length > 0 && result.breaks.some((b) => b.certainty === 'CERTAIN'))
    reasons.push({
      code: 'READ_BY_EXPOSURE',
      verdict: 'BLOCK',
      message: `${downstream.length} consumer(s) downstream would stop refreshing`,
      assets: downstream,
    });
  return reasons;
}

/** Reads seen in the query logs within the usage window, of the asset and of its relation. */
async function usageReasons(
  store: LineageStore,
  result: ImpactResult,
  ctx: AnalysisContext,
): Promise<DropReason[]> {
  const reasons: DropReason[] = [];
  const targetKey = result.target.key;
  const relKey = result.targetRelation;
  const usage = await store.usage({
    targets: [...new Set([targetKey, relKey])],
    sinceDay: ctx.usageSinceDay,
    excludeUsers: ctx.excludeUsers,
    excludeRoles: ctx.excludeRoles,
  });
  const own = usage.find((u) => u.target === targetKey);
  if (own && own.reads > 0)
    reasons.push({
      code: 'OBSERVED_READS',
      verdict: 'REVIEW',
      message: `${own.reads} read(s) by ${own.distinctReaders} reader(s) since ${ctx.usageSinceDay}, last by ${own.lastReader ?? 'unknown'} at ${own.lastReadAt ?? 'unknown'}`,
      assets: [targetKey],
    });
  const rel = relKey !== targetKey ? usage.find((u) => u.target === relKey) : undefined;
  if (rel && rel.reads > 0)
    reasons.push({
      code: 'RELATION_READS',
      verdict: 'REVIEW',
      message: `its relation was read ${rel.reads} time(s) since ${ctx.usageSinceDay}; column-level reads unknown for those queries`,
      assets: [relKey],
    });
  return reasons;
}
