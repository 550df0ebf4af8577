// Can this column or relation be dropped? A verdict from static consumers (models, exposures) and
// observed ones (reads in the query logs within the usage window).
//   BLOCK   a model/query references it (it would fail to build), or an exposure reads the dropped relation.
//   REVIEW  only observed reads, or an exposure reads the column's relation (column use unknown),
//           or a table-level dependency whose columns were not resolved.
//   SAFE    nothing references it and nobody read it in the window.
import type { LineageStore } from '../../graph/store.ts';
import type { AnalysisContext } from './context.ts';
import { impact } from './impact.ts';

export const DROP_VERDICTS = ['SAFE', 'REVIEW', 'BLOCK'] as const;
export type DropVerdict = (typeof DROP_VERDICTS)[number];

export interface DropReason {
  code:
    | 'REFERENCED_BY_MODEL'
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

export async function canDrop(
  store: LineageStore,
  ref: string,
  ctx: AnalysisContext,
): Promise<CanDropResult> {
  const result = await impact(
    store,
    { ref, change: 'DROP', mode: 'CONSERVATIVE', depth: Math.min(10, ctx.maxDepth) },
    ctx,
  );
  const reasons: DropReason[] = [];
  const certain = result.breaks
    .filter((b) => b.certainty === 'CERTAIN')
    .map((b) => b.key)
    .sort();
  const possible = result.breaks
    .filter((b) => b.certainty === 'POSSIBLE')
    .map((b) => b.key)
    .sort();
  if (certain.length > 0)
    reasons.push({
      code: 'REFERENCED_BY_MODEL',
      verdict: 'BLOCK',
      message: `${certain.length} relation(s) reference it and would fail to build`,
      assets: certain,
    });
  if (possible.length > 0)
    reasons.push({
      code: 'POSSIBLE_REFERENCE',
      verdict: 'REVIEW',
      message: `${possible.length} relation(s) read its table but their columns were not resolved`,
      assets: possible,
    });

  const directExposures = result.exposures
    .filter((e) => e.via === result.targetRelation && e.distance === 1)
    .map((e) => e.key)
    .sort();
  const downstreamExposures = result.exposures
    .filter((e) => !directExposures.includes(e.key))
    .map((e) => e.key)
    .sort();
  if (result.target.type === 'relation' && directExposures.length > 0)
    reasons.push({
      code: 'READ_BY_EXPOSURE',
      verdict: 'BLOCK',
      message: `${directExposures.length} consumer(s) read this relation`,
      assets: directExposures,
    });
  if (result.target.type === 'column' && directExposures.length > 0)
    reasons.push({
      code: 'RELATION_READ_BY_EXPOSURE',
      verdict: 'REVIEW',
      message: `${directExposures.length} consumer(s) read this column's relation; check whether they use the column`,
      assets: directExposures,
    });
  if (downstreamExposures.length > 0 && certain.length > 0)
    reasons.push({
      code: 'READ_BY_EXPOSURE',
      verdict: 'BLOCK',
      message: `${downstreamExposures.length} consumer(s) downstream would stop refreshing`,
      assets: downstreamExposures,
    });

  const targetKey = result.target.key;
  const relKey = result.targetRelation;
  const targets = [...new Set([targetKey, relKey])];
  const usage = await store.usage({
    targets,
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

  const order = { SAFE: 0, REVIEW: 1, BLOCK: 2 } as const;
  reasons.sort(
    (a, b) => order[b.verdict] - order[a.verdict] || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  const verdict = reasons.reduce<DropVerdict>(
    (v, r) => (order[r.verdict] > order[v] ? r.verdict : v),
    'SAFE',
  );
  return {
    target: { key: targetKey, type: result.target.type },
    verdict,
    reasons,
    usageSinceDay: ctx.usageSinceDay,
    partial: result.partial,
    partialReasons: result.partialReasons,
  };
}
