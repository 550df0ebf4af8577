// The blast-radius half of `lineage diff`: given a store holding the *base* graph (where a removed column
// still exists) and a list of changes, the impact of each change and the gate's verdict. Pure over the store:
// parsing and comparing two dbt builds is src/pipeline/dbt-diff.ts.
//   verdict BLOCK   a downstream model fails to build for certain (its SQL references a removed/renamed
//                   column or model) or a dbt test on the changed asset can no longer compile;
//           REVIEW  something downstream may break (a type-sensitive use of a retyped column, a reader whose
//                   columns were never resolved), goes stale, or an exposure is reached;
//           SAFE    nothing downstream is affected (e.g. a pass-through retype nobody reads further).
import type { LineageStore } from '../../graph/store.ts';
import type { Owner } from '../model/lineage.ts';
import type { AnalysisContext } from './context.ts';
import { impact, type ChangeKind, type ImpactResult } from './impact.ts';
import { cmp } from './nodes.ts';

export const VERDICTS = ['SAFE', 'REVIEW', 'BLOCK'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What reaching an exposure means: it reads a model that fails to build, one that goes stale, or changed values. */
export type ExposureEffect = 'breaks' | 'stale' | 'values';

export interface ReachedConsumer {
  key: string;
  name: string;
  kind: string;
  url: string | null;
  maturity: string | null;
  owners: Owner[];
  effect: ExposureEffect;
  /** The relation the consumer reads that makes it reached. */
  via: string;
}

export interface BrokenTest {
  id: string;
  name: string;
  testType: string | null;
  /** The column the test is on (null for a model-level test). */
  columnKey: string | null;
}

export interface BlastRadius {
  verdict: Verdict;
  /** Relations that fail (or may fail) to build: certainBreaks then possibleBreaks, each sorted. */
  breaks: string[];
  /** Their SQL references the removed/renamed asset: they fail to build. */
  certainBreaks: string[];
  /** Type-sensitive uses of a retyped column, or readers whose columns were never resolved. */
  possibleBreaks: string[];
  /** dbt tests on the removed/renamed asset: they cannot compile. */
  tests: BrokenTest[];
  /** RETYPE: relations that only copy the column (their column types change, nothing fails). */
  passThrough: string[];
  /** Relations downstream of a broken one (they stop refreshing). */
  stale: string[];
  /** Columns whose values change (DIRECT edges). */
  values: string[];
  /** Relations whose rows kept, joined or grouped may change (indirect edges), with the predicate columns. */
  indirect: { key: string; predicates: string[] }[];
  /** dbt exposures reached (dashboards, notebooks, ML models, applications, analyses). */
  exposures: ReachedConsumer[];
  /** Metrics and semantic models reached (consumers that are not exposures). */
  semantic: ReachedConsumer[];
  owners: string[];
  partial: boolean;
}

export interface BlastSummary {
  verdict: Verdict;
  /** Distinct relations over all changes. */
  breaks: number;
  certainBreaks: number;
  possibleBreaks: number;
  tests: number;
  passThrough: number;
  stale: number;
  /** Distinct exposures reached, and those reached through a model that fails to build or goes stale. */
  exposures: number;
  exposuresBroken: number;
  owners: number;
  partial: boolean;
}

const IMPACT_DEPTH = 20;

/** The context a diff runs impact with: everything downstream (no usage window, generous limits). */
export function diffContext(now = new Date()): AnalysisContext {
  return {
    now,
    limit: 5000,
    maxDepth: IMPACT_DEPTH,
    usageSinceDay: '1970-01-01',
    excludeUsers: [],
    excludeRoles: [],
  };
}

/** The blast radius of one change to `ref` (a column or relation key) on the base graph in `store`. */
export async function blastRadius(
  store: LineageStore,
  ref: string,
  change: ChangeKind,
  ctx: AnalysisContext = diffContext(),
): Promise<BlastRadius> {
  const r = await impact(store, { ref, change, mode: 'CONSERVATIVE', depth: IMPACT_DEPTH }, ctx);
  return radiusOf(r);
}

function radiusOf(r: ImpactResult): BlastRadius {
  const keys = (list: { key: string }[]) => list.map((x) => x.key).sort(cmp);
  const certainBreaks = keys(r.breaks.filter((b) => b.certainty === 'CERTAIN'));
  const possibleBreaks = keys(r.breaks.filter((b) => b.certainty === 'POSSIBLE'));
  const breaking = new Set(certainBreaks);
  if (r.change === 'DROP' || r.change === 'RENAME') breaking.add(r.targetRelation);
  const staleSet = new Set([...keys(r.stale), ...possibleBreaks]);
  const reached: ReachedConsumer[] = r.exposures
    .map((e) => ({
      key: e.key,
      name: e.displayName,
      kind: e.kind,
      url: e.url,
      maturity: e.maturity,
      owners: e.owners,
      via: e.via,
      effect: (breaking.has(e.via) ? 'breaks' : staleSet.has(e.via) ? 'stale' : 'values') as ExposureEffect,
    }))
    .sort((a, b) => cmp(a.key, b.key));
  const tests = r.tests.map((t) => ({
    id: t.id,
    name: t.name,
    testType: t.testType,
    columnKey: t.columnKey,
  }));
  const radius: Omit<BlastRadius, 'verdict'> = {
    breaks: [...certainBreaks, ...possibleBreaks],
    certainBreaks,
    possibleBreaks,
    tests,
    passThrough: keys(r.passThrough),
    stale: keys(r.stale),
    values: keys(r.values),
    indirect: r.indirect
      .map((i) => ({ key: i.key, predicates: [...i.predicates].sort(cmp) }))
      .sort((a, b) => cmp(a.key, b.key)),
    exposures: reached.filter((e) => e.key.startsWith('exposure:')),
    semantic: reached.filter((e) => !e.key.startsWith('exposure:')),
    owners: r.owners.map((o) => o.id).sort(cmp),
    partial: r.partial,
  };
  return { verdict: verdictOf(radius), ...radius };
}

export function verdictOf(b: Omit<BlastRadius, 'verdict'>): Verdict {
  if (b.certainBreaks.length > 0 || b.tests.length > 0) return 'BLOCK';
  if (b.possibleBreaks.length > 0 || b.stale.length > 0 || b.exposures.length > 0 || b.partial)
    return 'REVIEW';
  return 'SAFE';
}

export function worstVerdict(vs: Iterable<Verdict>): Verdict {
  let worst = 0;
  for (const v of vs) worst = Math.max(worst, VERDICTS.indexOf(v));
  return VERDICTS[worst];
}

/** Totals over several blast radii, each relation, test, exposure and owner counted once. */
export function summariseBlast(radii: readonly (BlastRadius | null)[]): BlastSummary {
  const sets = {
    breaks: new Set<string>(),
    certain: new Set<string>(),
    tests: new Set<string>(),
    passThrough: new Set<string>(),
    stale: new Set<string>(),
    exposures: new Set<string>(),
    broken: new Set<string>(),
    owners: new Set<string>(),
  };
  let partial = false;
  const verdicts: Verdict[] = [];
  for (const b of radii) {
    if (!b) continue;
    verdicts.push(b.verdict);
    partial ||= b.partial;
    for (const k of b.breaks) sets.breaks.add(k);
    for (const k of b.certainBreaks) sets.certain.add(k);
    for (const t of b.tests) sets.tests.add(t.id);
    for (const k of b.passThrough) sets.passThrough.add(k);
    for (const k of b.stale) sets.stale.add(k);
    for (const o of b.owners) sets.owners.add(o);
    for (const e of b.exposures) {
      sets.exposures.add(e.key);
      if (e.effect !== 'values') sets.broken.add(e.key);
    }
  }
  // A relation that breaks for certain under one change is not also a possible break of another.
  const possible = [...sets.breaks].filter((k) => !sets.certain.has(k)).length;
  return {
    verdict: worstVerdict(verdicts),
    breaks: sets.breaks.size,
    certainBreaks: sets.certain.size,
    possibleBreaks: possible,
    tests: sets.tests.size,
    passThrough: [...sets.passThrough].filter((k) => !sets.breaks.has(k)).length,
    stale: [...sets.stale].filter((k) => !sets.breaks.has(k)).length,
    exposures: sets.exposures.size,
    exposuresBroken: sets.broken.size,
    owners: sets.owners.size,
    partial,
  };
}
