// What changed between two dbt target directories (a pull request's build against production's): removed,
// renamed and retyped columns, removed / changed / added models, each with its blast radius computed by the
// impact analysis on the *base* graph (where the changed column still exists), loaded into a throwaway
// embedded store.
import { createMemoryStore } from '../../graph/create-store.ts';
import type { LineageStore } from '../../graph/store.ts';
import type { AnalysisContext } from '../analysis/context.ts';
import { impact, type ChangeKind } from '../analysis/impact.ts';
import type { ColumnNode, LineageBatch, Owner, RelationNode } from '../model/lineage.ts';
import { DIRECT_KINDS } from '../model/lineage.ts';
import { columnKey } from '../model/identity.ts';
import { parseDbt, type IngestDbtOptions } from './ingest-dbt.ts';

export type DiffChangeKind =
  | 'column_removed'
  | 'column_renamed'
  | 'column_retyped'
  | 'column_added'
  | 'model_removed'
  | 'model_changed'
  | 'model_added';

export interface BlastRadius {
  /** Relations whose SQL references the changed asset (they fail to build). */
  breaks: string[];
  /** Relations downstream of a broken one (they stop refreshing). */
  stale: string[];
  /** Columns whose values change. */
  values: string[];
  /** dbt exposures reached (dashboards, notebooks, ML models, applications, analyses). */
  exposures: ReachedConsumer[];
  /** Metrics and semantic models reached (consumers that are not exposures). */
  semantic: ReachedConsumer[];
  owners: string[];
  partial: boolean;
}

export interface ReachedConsumer {
  key: string;
  name: string;
  kind: string;
  url: string | null;
  owners: Owner[];
}

export interface DiffChange {
  kind: DiffChangeKind;
  /** dbt unique_id of the model (or source/seed/snapshot). */
  uniqueId: string;
  relation: string;
  column?: string;
  /** column_renamed: the new name; column_retyped: the types. */
  renamedTo?: string;
  renameEvidence?: 'same_upstream' | 'same_type_and_position';
  fromType?: string;
  toType?: string;
  blastRadius: BlastRadius | null;
}

export interface DiffReport {
  base: { dir: string; project: string; manifestVersion: number };
  head: { dir: string; project: string; manifestVersion: number };
  changes: DiffChange[];
  summary: Record<DiffChangeKind, number> & { breaks: number; exposures: number };
}

const IMPACT_DEPTH = 20;
const CHANGE_FOR: Partial<Record<DiffChangeKind, ChangeKind>> = {
  column_removed: 'DROP',
  column_renamed: 'RENAME',
  column_retyped: 'RETYPE',
  model_removed: 'DROP',
  model_changed: 'VALUES',
};

export async function diffDbtTargets(
  baseDir: string,
  headDir: string,
  options: Pick<IngestDbtOptions, 'cacheDir' | 'analyzeSql' | 'now'> = {},
): Promise<DiffReport> {
  const base = await parseDbt(baseDir, options);
  const head = await parseDbt(headDir, options);
  const changes = compareBatches(base.batch, head.batch);
  let store: LineageStore | null = null;
  try {
    store = await createMemoryStore();
    await store.applyBatch(base.batch);
    for (const c of changes) {
      const change = CHANGE_FOR[c.kind];
      if (!change) continue;
      const ref = c.column !== undefined ? columnKey(c.relation, c.column) : c.relation;
      c.blastRadius = await blastRadius(store, ref, change);
    }
  } finally {
    await store?.close();
  }
  const summary = {
    column_removed: 0,
    column_renamed: 0,
    column_retyped: 0,
    column_added: 0,
    model_removed: 0,
    model_changed: 0,
    model_added: 0,
    breaks: 0,
    exposures: 0,
  };
  const broken = new Set<string>();
  const exposures = new Set<string>();
  for (const c of changes) {
    summary[c.kind]++;
    for (const b of c.blastRadius?.breaks ?? []) broken.add(b);
    for (const e of c.blastRadius?.exposures ?? []) exposures.add(e.key);
  }
  summary.breaks = broken.size;
  summary.exposures = exposures.size;
  return {
    base: { dir: baseDir, project: base.summary.project, manifestVersion: base.summary.schemaVersion },
    head: { dir: headDir, project: head.summary.project, manifestVersion: head.summary.schemaVersion },
    changes,
    summary,
  };
}

async function blastRadius(store: LineageStore, ref: string, change: ChangeKind): Promise<BlastRadius> {
  const ctx: AnalysisContext = {
    now: new Date(),
    limit: 5000,
    maxDepth: IMPACT_DEPTH,
    usageSinceDay: '1970-01-01',
    excludeUsers: [],
    excludeRoles: [],
  };
  const r = await impact(store, { ref, change, mode: 'CONSERVATIVE', depth: IMPACT_DEPTH }, ctx);
  const reached = r.exposures
    .map((e) => ({ key: e.key, name: e.displayName, kind: e.kind, url: e.url, owners: e.owners }))
    .sort((a, b) => cmp(a.key, b.key));
  return {
    breaks: r.breaks.map((b) => b.key).sort(),
    stale: r.stale.map((s) => s.key).sort(),
    values: r.values.map((v) => v.key).sort(),
    exposures: reached.filter((e) => e.key.startsWith('exposure:')),
    semantic: reached.filter((e) => !e.key.startsWith('exposure:')),
    owners: r.owners.map((o) => o.id).sort(),
    partial: r.partial,
  };
}

/**
 * Pure comparison of two batches of the same project, matched by dbt unique_id. Relations are compared
 * parents first, so a column fed by a renamed upstream column still matches its old self. Sorted output.
 */
export function compareBatches(base: LineageBatch, head: LineageBatch): DiffChange[] {
  const changes: DiffChange[] = [];
  const baseRel = relationsById(base);
  const headRel = relationsById(head);
  const baseCols = columnsByRelation(base);
  const headCols = columnsByRelation(head);
  const baseUp = directUpstream(base);
  const headUp = directUpstream(head);
  /** Head column key of a renamed column -> its base column key. */
  const renamedFrom = new Map<string, string>();
  const headSignature = (key: string): string | undefined => {
    const ups = headUp.get(key);
    return ups ? [...new Set(ups.map((u) => renamedFrom.get(u) ?? u))].sort().join('\n') : undefined;
  };
  const baseSignature = (key: string): string | undefined => baseUp.get(key)?.join('\n');
  const change = (kind: DiffChangeKind, r: RelationNode, extra: Partial<DiffChange> = {}): void => {
    changes.push({ kind, uniqueId: r.uniqueId as string, relation: r.key, blastRadius: null, ...extra });
  };
  for (const id of parentsFirst(base, baseRel)) {
    const b = baseRel.get(id) as RelationNode;
    const h = headRel.get(id);
    if (!h) {
      change('model_removed', b);
      continue;
    }
    if (b.sqlChecksum && h.sqlChecksum && b.sqlChecksum !== h.sqlChecksum) change('model_changed', b);
    const bc = baseCols.get(b.key) ?? [];
    const hc = new Map((headCols.get(h.key) ?? []).map((c) => [c.name, c]));
    const removed = bc.filter((c) => !hc.has(c.name));
    const bNames = new Set(bc.map((c) => c.name));
    const added = [...hc.values()].filter((c) => !bNames.has(c.name));
    const renames = detectRenames(removed, added, baseSignature, headSignature);
    for (const c of removed) {
      const to = renames.get(c.name);
      if (to) {
        change('column_renamed', b, { column: c.name, renamedTo: to.name, renameEvidence: to.evidence });
        renamedFrom.set(columnKey(h.key, to.name), c.key);
      } else change('column_removed', b, { column: c.name });
    }
    const renamedTargets = new Set([...renames.values()].map((r) => r.name));
    for (const c of added) if (!renamedTargets.has(c.name)) change('column_added', b, { column: c.name });
    for (const c of bc) {
      const n = hc.get(c.name);
      if (n && c.dataType && n.dataType && normType(c.dataType) !== normType(n.dataType))
        change('column_retyped', b, { column: c.name, fromType: c.dataType, toType: n.dataType });
    }
  }
  for (const [id, h] of headRel) if (!baseRel.has(id)) change('model_added', h);
  return changes.sort(
    (a, b) => cmp(a.relation, b.relation) || cmp(a.column ?? '', b.column ?? '') || cmp(a.kind, b.kind),
  );
}

/** unique_ids of the base relations, parents first (by levels of the base's relation and column edges). */
function parentsFirst(base: LineageBatch, byId: Map<string, RelationNode>): string[] {
  const idOf = new Map([...byId].map(([id, r]) => [r.key, id]));
  const relOfColumn = new Map(base.columns.map((c) => [c.key, c.relationKey]));
  const parents = new Map<string, Set<string>>([...byId.keys()].map((id) => [id, new Set<string>()]));
  const link = (fromRel: string | undefined, toRel: string | undefined): void => {
    const f = fromRel ? idOf.get(fromRel) : undefined;
    const t = toRel ? idOf.get(toRel) : undefined;
    if (f && t && f !== t) parents.get(t)?.add(f);
  };
  for (const e of base.relationEdges) link(e.from, e.to);
  for (const e of base.columnEdges) link(relOfColumn.get(e.from), relOfColumn.get(e.to));
  const out: string[] = [];
  const done = new Set<string>();
  let remaining = [...byId.keys()].sort();
  while (remaining.length > 0) {
    const level = remaining.filter((id) => [...(parents.get(id) ?? [])].every((p) => done.has(p)));
    const next = level.length > 0 ? level : [remaining[0]]; // a cycle: take the smallest id
    for (const id of next) {
      done.add(id);
      out.push(id);
    }
    remaining = remaining.filter((id) => !done.has(id));
  }
  return out;
}

/**
 * A removed column is a rename of an added one when both have the same non-empty set of direct upstream
 * columns, or (failing that) when exactly one column was removed and one added with the same type and position.
 */
function detectRenames(
  removed: ColumnNode[],
  added: ColumnNode[],
  baseUp: (key: string) => string | undefined,
  headUp: (key: string) => string | undefined,
): Map<string, { name: string; evidence: 'same_upstream' | 'same_type_and_position' }> {
  const out = new Map<string, { name: string; evidence: 'same_upstream' | 'same_type_and_position' }>();
  const used = new Set<string>();
  for (const r of removed) {
    const up = baseUp(r.key);
    if (!up) continue;
    const matches = added.filter((a) => !used.has(a.name) && headUp(a.key) === up);
    if (matches.length === 1) {
      out.set(r.name, { name: matches[0].name, evidence: 'same_upstream' });
      used.add(matches[0].name);
    }
  }
  const restRemoved = removed.filter((r) => !out.has(r.name));
  const restAdded = added.filter((a) => !used.has(a.name));
  if (restRemoved.length === 1 && restAdded.length === 1) {
    const [r, a] = [restRemoved[0], restAdded[0]];
    if (r.dataType && a.dataType && normType(r.dataType) === normType(a.dataType) && r.ordinal === a.ordinal)
      out.set(r.name, { name: a.name, evidence: 'same_type_and_position' });
  }
  return out;
}

function relationsById(batch: LineageBatch): Map<string, RelationNode> {
  const out = new Map<string, RelationNode>();
  for (const r of batch.relations) if (r.uniqueId) out.set(r.uniqueId, r);
  return out;
}

function columnsByRelation(batch: LineageBatch): Map<string, ColumnNode[]> {
  const out = new Map<string, ColumnNode[]>();
  for (const c of batch.columns) {
    if (c.missingFromCatalog) continue;
    const list = out.get(c.relationKey);
    if (list) list.push(c);
    else out.set(c.relationKey, [c]);
  }
  return out;
}

/** Column key -> its sorted direct upstream column keys (the rename signature). */
function directUpstream(batch: LineageBatch): Map<string, string[]> {
  const sets = new Map<string, Set<string>>();
  for (const e of batch.columnEdges) {
    if (!(DIRECT_KINDS as readonly string[]).includes(e.kind)) continue;
    const s = sets.get(e.to);
    if (s) s.add(e.from);
    else sets.set(e.to, new Set([e.from]));
  }
  return new Map([...sets].map(([k, s]) => [k, [...s].sort()]));
}

function normType(t: string): string {
  return t.replace(/\s+/g, '').toLowerCase();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
