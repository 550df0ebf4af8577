// Where an alert sits in the graph: the asset it names (a column of a relation when `column` is given), the
// upstream roots the grouping rule compares, and the likely root cause.
import type { IncidentAlert, RootCauseSummary } from '../../graph/incidents/types.ts';
import type { LineageStore } from '../../graph/store.ts';
import type { AnalysisContext } from '../analysis/context.ts';
import { relationOf, resolveRef } from '../analysis/resolve-ref.ts';
import { EVIDENCE_WEIGHTS, rootCause, rootCauseScore } from '../analysis/root-cause.ts';
import { lineageError } from '../errors.ts';
import type { AlertInput } from './intake.ts';

/** The canonical key of the alerted asset and its relation. */
export async function resolveAlertAsset(
  store: LineageStore,
  input: Pick<AlertInput, 'asset' | 'column'>,
): Promise<{ asset: string; relation: string }> {
  let node = await resolveRef(store, input.asset, ['relation', 'column']);
  if (input.column && node.type === 'relation') {
    const wanted = input.column.replace(/^"(.*)"$/, '$1').toLowerCase();
    const col = (await store.columnsOf(node.node.key)).find(
      (c) => c.name.toLowerCase() === wanted || c.displayName.toLowerCase() === wanted,
    );
    if (!col)
      throw lineageError('LINEAGE_NOT_FOUND', `${node.node.key} has no column '${input.column}'`, {
        ref: input.asset,
      });
    node = { type: 'column', node: col };
  }
  return { asset: node.node.key, relation: relationOf(node) ?? node.node.key };
}

/** Relations upstream of `relation` (and itself) that have nothing further upstream. */
export async function upstreamRoots(
  store: LineageStore,
  relation: string,
  ctx: AnalysisContext,
): Promise<string[]> {
  const t = await store.traverse([relation], {
    direction: 'upstream',
    level: 'relation',
    maxDepth: ctx.maxDepth,
    limit: ctx.limit,
  });
  const all = [relation, ...t.reached.filter((r) => r.type === 'relation').map((r) => r.key)];
  const hops = await store.neighbors(all, { direction: 'upstream', level: 'relation' });
  const hasUpstream = new Set(hops.map((h) => h.from));
  return [...new Set(all.filter((k) => !hasUpstream.has(k)))].sort();
}

/**
 * Likely root cause: rootCause's ranked upstream candidates, where the alert itself counts as evidence on
 * the alerted relation (a failing check: test_failed's weight, a warning: test_warned's), top 3 with evidence.
 */
export async function likelyRootCause(
  store: LineageStore,
  alert: IncidentAlert,
  ctx: AnalysisContext,
): Promise<RootCauseSummary[]> {
  const since = new Date(Date.parse(alert.at) - 7 * 86_400_000).toISOString();
  const r = await rootCause(store, { ref: alert.asset, since, depth: Math.min(10, ctx.maxDepth) }, ctx);
  const kind = alert.level === 'warning' || alert.level === 'info' ? 'test_warned' : 'test_failed';
  return r.candidates
    .map((c) => {
      const evidence = c.evidence.filter((e) => e.weight > 0);
      const weights = evidence.map((e) => e.weight);
      const kinds = evidence.map((e) => e.kind as string);
      if (c.key === alert.relation && !kinds.includes(kind)) {
        weights.push(EVIDENCE_WEIGHTS[kind]);
        kinds.push(kind);
      }
      return {
        key: c.key,
        kind: c.kind,
        distance: c.distance,
        score: rootCauseScore(weights, c.distance),
        evidence: [...new Set(kinds)],
      };
    })
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score || a.distance - b.distance || (a.key < b.key ? -1 : 1))
    .slice(0, 3);
}
