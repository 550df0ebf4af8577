// What changed between two dbt target directories (a pull request's build against production's): removed,
// renamed and retyped columns, removed / changed / added models, each with its blast radius and verdict from
// src/analysis/impact-diff.ts on the *base* graph (where the changed column still exists), loaded into a
// throwaway embedded store. This module parses and compares; the analysis half is pure over the store.
import { join } from 'node:path';
import { createMemoryStore } from '../../graph/create-store.ts';
import type { LineageStore } from '../../graph/store.ts';
import type { ChangeKind } from '../analysis/impact.ts';
import {
  blastRadius,
  diffContext,
  summariseBlast,
  type BlastRadius,
  type BlastSummary,
} from '../analysis/impact-diff.ts';
import type { ColumnNode, LineageBatch, RelationNode } from '../model/lineage.ts';
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

export type { ReachedConsumer } from '../analysis/impact-diff.ts';

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
  /**
   * A removed or retyped column of a model whose SQL did not change, fed (DIRECT edge) by an upstream column
   * removed, renamed or retyped the same way: a consequence of that change, whose blast radius covers it (null).
   */
  follows?: string;
  blastRadius: BlastRadius | null;
}

export interface DiffSide {
  dir: string;
  project: string;
  manifestVersion: number;
  /** Models whose SQL was parsed, and those whose lineage came from the diff's cache (--data-dir). */
  sqlParsed: number;
  sqlCacheHits: number;
}

export interface DiffReport {
  base: DiffSide;
  head: DiffSide;
  changes: DiffChange[];
  summary: Record<DiffChangeKind, number> & BlastSummary;
  timingsMs: { parse: number; compare: number; blastRadius: number; total: number };
}

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
  const t0 = performance.now();
  const base = await parseSide(baseDir, 'base', options);
  const head = await parseSide(headDir, 'head', options);
  const t1 = performance.now();
  const changes = compareBatches(base.batch, head.batch);
  const t2 = performance.now();
  let store: LineageStore | null = null;
  try {
    store = await createMemoryStore();
    await store.applyBatch(base.batch);
    const ctx = diffContext();
    for (const c of changes) {
      const change = CHANGE_FOR[c.kind];
      if (!change || c.follows) continue;
      const ref = c.column !== undefined ? columnKey(c.relation, c.column) : c.relation;
      c.blastRadius = await blastRadius(store, ref, change, ctx);
    }
  } finally {
    await store?.close();
  }
  const t3 = performance.now();
  const counts: Record<DiffChangeKind, number> = {
    column_removed: 0,
    column_renamed: 0,
    column_retyped: 0,
    column_added: 0,
    model_removed: 0,
    model_changed: 0,
    model_added: 0,
  };
  for (const c of changes) counts[c.kind]++;
  const ms = (a: number, b: number) => Math.round(b - a);
  return {
    base: sideOf(baseDir, base.summary),
    head: sideOf(headDir, head.summary),
    changes,
    summary: { ...counts, ...summariseBlast(changes.map((c) => c.blastRadius)) },
    timingsMs: { parse: ms(t0, t1), compare: ms(t1, t2), blastRadius: ms(t2, t3), total: ms(t0, t3) },
  };
}

function sideOf(dir: string, s: Awaited<ReturnType<typeof parseDbt>>['summary']): DiffSide {
  const { project, schemaVersion: manifestVersion, sqlParsed, sqlCacheHits } = s;
  return { dir, project, manifestVersion, sqlParsed, sqlCacheHits };
}

/**
 * Parses one side with its own lineage cache (`<cacheDir>/diff/<side>/`, apart from the ingest's), saved for the
 * next diff: an unchanged side is then not parsed again. A cache that cannot be written only costs time.
 */
async function parseSide(
  dir: string,
  side: 'base' | 'head',
  options: Pick<IngestDbtOptions, 'cacheDir' | 'analyzeSql' | 'now'>,
): ReturnType<typeof parseDbt> {
  const cacheDir = options.cacheDir === undefined ? undefined : join(options.cacheDir, 'diff', side);
  const parsed = await parseDbt(dir, { ...options, cacheDir });
  try {
    parsed.cache?.save();
  } catch {
    // read-only data dir: the next diff parses again
  }
  parsed.cache?.release();
  return parsed;
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
    const hcList = headCols.get(h.key) ?? [];
    if (!comparableColumns(b, bc, hcList)) continue;
    const hc = new Map(hcList.map((c) => [c.name, c]));
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
  markFollowers(changes, baseUp);
  return changes.sort(
    (a, b) => cmp(a.relation, b.relation) || cmp(a.column ?? '', b.column ?? '') || cmp(a.kind, b.kind),
  );
}

/** Sets `follows` on column changes that only carry an upstream column's change (see DiffChange.follows). */
function markFollowers(changes: DiffChange[], baseUp: Map<string, string[]>): void {
  const changedSql = new Set(changes.filter((c) => c.kind === 'model_changed').map((c) => c.relation));
  const byKey = new Map<string, DiffChange>();
  for (const c of changes) if (c.column !== undefined) byKey.set(columnKey(c.relation, c.column), c);
  const carries = (c: DiffChange, up: DiffChange | undefined): boolean =>
    up !== undefined && (up.kind === c.kind || (c.kind === 'column_removed' && up.kind === 'column_renamed'));
  for (const c of changes) {
    if (c.column === undefined || changedSql.has(c.relation)) continue;
    if (c.kind !== 'column_retyped' && c.kind !== 'column_removed') continue;
    const up = baseUp.get(columnKey(c.relation, c.column))?.find((u) => carries(c, byKey.get(u)));
    if (up) c.follows = up;
  }
}

/**
 * Whether two builds' column lists of one relation can be compared. Without a catalog, a seed's or source's
 * columns are only those its readers reference (a reader that stops using one is not a removal), so those are
 * compared only when both sides carry types (from a catalog or YAML); and a side with no columns at all (SQL
 * not resolved, no catalog entry) says nothing about removals.
 */
function comparableColumns(r: RelationNode, base: ColumnNode[], head: ColumnNode[]): boolean {
  if (base.length === 0 || head.length === 0) return false;
  if (r.kind === 'model' || r.kind === 'snapshot') return true;
  const typed = (cols: ColumnNode[]) => cols.some((c) => c.dataType);
  return typed(base) && typed(head);
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
