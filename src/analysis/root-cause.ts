// Root cause: upstream candidates of a problem asset, ranked with their evidence.
// Ranking rule (docs/api.md "rootCause"):
//   score = Σ weight(evidence) / (1 + 0.5 × distance), rounded to 2 decimals; ties by distance, then key.
//   weights: model_error 50, test_failed 40, column dropped 35, column retyped 35, sql_changed 30,
//            source_stale 30, column added 15, test_warned 15, recent_write 10,
//            schema_followed_upstream 5 (a relation's columns changed but its SQL did not, and a direct
//            parent changed: the change came from upstream, so it explains little on its own);
//            OpenLineage runs: run_failed 50, run_aborted 30, run_late 20;
//            test_passed and source_fresh are listed but weigh 0.
// Candidates are the asset's own relation (distance 0) and every upstream relation within depth;
// for a column, the upstream columns found through column edges (any kind) are listed with them.
import type { EvidenceKind, Fingerprint } from '../model/lineage.ts';
import type { LineageStore } from '../../graph/store.ts';
import type { AnalysisContext } from './context.ts';
import { boundedTraverse, PartialLog } from './context.ts';
import { cmp, loadNodes } from './impact.ts';
import { describeNode, type AssetRef } from './owners.ts';
import { relationOf, resolveRef } from './resolve-ref.ts';
import { lineageError } from '../errors.ts';
import type { AnyNode } from '../../graph/store.ts';
import { utcDay } from './window.ts';

export type RootCauseEvidenceKind =
  | EvidenceKind
  | 'column_added'
  | 'column_dropped'
  | 'column_retyped'
  | 'sql_changed'
  | 'schema_followed_upstream';

export const EVIDENCE_WEIGHTS: Record<RootCauseEvidenceKind, number> = {
  model_error: 50,
  test_failed: 40,
  column_dropped: 35,
  column_retyped: 35,
  sql_changed: 30,
  source_stale: 30,
  column_added: 15,
  test_warned: 15,
  recent_write: 10,
  schema_followed_upstream: 5,
  run_failed: 50,
  run_aborted: 30,
  run_late: 20,
  test_passed: 0,
  source_fresh: 0,
};

export interface RootCauseEvidence {
  kind: RootCauseEvidenceKind;
  nodeKey: string;
  at: string;
  message: string;
  subject: string | null;
  weight: number;
}

export interface RootCauseCandidate extends AssetRef {
  distance: number;
  score: number;
  evidence: RootCauseEvidence[];
  /** Upstream columns of the asked column that belong to this relation. */
  columns: string[];
}

export interface RootCauseResult {
  target: AssetRef;
  since: string;
  depth: number;
  candidates: RootCauseCandidate[];
  partial: boolean;
  partialReasons: string[];
}

export function rootCauseScore(weights: readonly number[], distance: number): number {
  const sum = weights.reduce((a, b) => a + b, 0);
  return Math.round((sum / (1 + 0.5 * distance)) * 100) / 100;
}

/** Fingerprints read per node: enough to find the previous one of the newest one's origin. */
const FINGERPRINT_HISTORY = 8;

/** Evidence kinds a fingerprint comparison gives for a changed column list. */
const SCHEMA_KINDS: readonly RootCauseEvidenceKind[] = ['column_added', 'column_dropped', 'column_retyped'];

/**
 * Compares a node's newest fingerprint with the previous one *of the same origin* (another origin describes
 * the node from elsewhere, e.g. a query log, and differs without anything having changed); changes are dated at
 * the newer one.
 */
export function fingerprintChanges(history: readonly Fingerprint[]): RootCauseEvidence[] {
  const [now, ...rest] = history;
  const before = rest.find((f) => f.originId === now?.originId);
  if (!now || !before) return [];
  const out: RootCauseEvidence[] = [];
  const ev = (kind: RootCauseEvidenceKind, message: string, subject: string | null): RootCauseEvidence => ({
    kind,
    nodeKey: now.nodeKey,
    at: now.at,
    message,
    subject,
    weight: EVIDENCE_WEIGHTS[kind],
  });
  const prev = new Map(before.columns.map((c) => [c.name, c.dataType]));
  const next = new Map(now.columns.map((c) => [c.name, c.dataType]));
  for (const [name, type] of [...next].sort((a, b) => cmp(a[0], b[0]))) {
    if (!prev.has(name)) out.push(ev('column_added', `column ${name} added`, name));
    else if ((prev.get(name) ?? null) !== (type ?? null))
      out.push(
        ev('column_retyped', `column ${name} retyped ${prev.get(name) ?? '?'} -> ${type ?? '?'}`, name),
      );
  }
  for (const name of [...prev.keys()].sort())
    if (!next.has(name)) out.push(ev('column_dropped', `column ${name} dropped`, name));
  if (before.sqlChecksum && now.sqlChecksum && before.sqlChecksum !== now.sqlChecksum)
    out.push(ev('sql_changed', 'model SQL checksum changed', null));
  return out;
}

/**
 * A relation whose SQL checksum did not change but whose columns did, while a direct parent changed too
 * (columns or SQL), only follows upstream: its column changes become `schema_followed_upstream` (low weight), so
 * the relation whose definition changed ranks above its readers. Without a changed parent the change stays.
 */
export function demoteFollowers(
  changes: Map<string, RootCauseEvidence[]>,
  sqlUnchanged: ReadonlySet<string>,
  parentsOf: (rel: string) => readonly string[],
): void {
  const changed = new Set([...changes].filter(([, list]) => list.length > 0).map(([k]) => k));
  for (const [rel, list] of changes) {
    if (!sqlUnchanged.has(rel) || !parentsOf(rel).some((p) => changed.has(p))) continue;
    for (const e of list)
      if (SCHEMA_KINDS.includes(e.kind))
        Object.assign(e, {
          kind: 'schema_followed_upstream',
          weight: EVIDENCE_WEIGHTS.schema_followed_upstream,
          message: `${e.message} (its SQL did not change: follows upstream)`,
        });
  }
}

/** The record every phase of one root-cause run reads and fills. */
interface RootCauseRun {
  store: LineageStore;
  req: { ref: string; since: string; depth: number };
  ctx: AnalysisContext;
  log: PartialLog;
  target: AnyNode;
  targetRelation: string;
  nodes: Map<string, AnyNode>;
  /** Candidate relation -> its distance from the target. */
  distance: Map<string, number>;
  /** Candidate relation -> the asked column's upstream columns in it. */
  columnsByRelation: Map<string, string[]>;
  evidence: Map<string, RootCauseEvidence[]>;
}

export async function rootCause(
  store: LineageStore,
  req: { ref: string; since: string; depth: number },
  ctx: AnalysisContext,
): Promise<RootCauseResult> {
  if (!Number.isInteger(req.depth) || req.depth < 1 || req.depth > ctx.maxDepth)
    throw lineageError('API_LIMIT_EXCEEDED', `depth ${req.depth} is outside 1..${ctx.maxDepth}`);
  const target = await resolveRef(store, req.ref, ['relation', 'column']);
  const targetRelation = relationOf(target) as string;
  const run: RootCauseRun = {
    store,
    req,
    ctx,
    log: new PartialLog(ctx.deadline),
    target,
    targetRelation,
    nodes: new Map([[target.node.key, target]]),
    distance: new Map([[targetRelation, 0]]),
    columnsByRelation: new Map(),
    evidence: new Map(),
  };
  // The two walks are independent (the relation walk starts at the target's relation), and so are the
  // phases over the candidates: each is sent at once, so on a server they cost one wait, not one each.
  // Distances keep the minimum and evidence lists are fully sorted, so the order they finish in is immaterial.
  await Promise.all([
    target.type === 'column' ? walkUpstreamColumns(run) : undefined,
    walkUpstreamRelations(run),
  ]);
  const relations = [...run.distance.keys()].sort();
  for (const k of relations) run.evidence.set(k, []);
  const expired = run.log.expired();
  await Promise.all([
    loadNodes(store, run.nodes, relations),
    ...(expired
      ? []
      : [runEvidence(run, relations), schemaChanges(run, relations), recentWrites(run, relations)]),
  ]);
  return {
    target: describeNode(target, target.node.key),
    since: req.since,
    depth: req.depth,
    candidates: rankCandidates(run, relations),
    partial: run.log.partial,
    partialReasons: [...run.log.reasons].sort(),
  };
}

function nearer(run: RootCauseRun, rel: string, d: number): void {
  if (!run.distance.has(rel) || run.distance.get(rel)! > d) run.distance.set(rel, d);
}

/** A column target: its upstream columns (any edge kind), grouped by relation. */
async function walkUpstreamColumns(run: RootCauseRun): Promise<void> {
  const t = await boundedTraverse(
    run.store,
    [run.target.node.key],
    { direction: 'upstream', level: 'column', maxDepth: run.req.depth, limit: run.ctx.limit },
    'the upstream column walk',
    run.log,
  );
  await loadNodes(
    run.store,
    run.nodes,
    t.reached.map((r) => r.key),
  );
  for (const r of t.reached) {
    const n = run.nodes.get(r.key);
    if (n?.type !== 'column') continue;
    const rel = n.node.relationKey;
    const list = run.columnsByRelation.get(rel) ?? [];
    list.push(r.key);
    run.columnsByRelation.set(rel, list);
    nearer(run, rel, r.distance);
  }
}

async function walkUpstreamRelations(run: RootCauseRun): Promise<void> {
  const t = await boundedTraverse(
    run.store,
    [run.targetRelation],
    { direction: 'upstream', level: 'relation', maxDepth: run.req.depth, limit: run.ctx.limit },
    'the upstream relation walk',
    run.log,
  );
  for (const r of t.reached) if (r.type === 'relation') nearer(run, r.key, r.distance);
}

/** Run artifacts' evidence (tests, model errors, freshness) on the candidates and their columns. */
async function runEvidence(run: RootCauseRun, relations: string[]): Promise<void> {
  const columnKeys: string[] = [];
  const columnsOf = await run.store.columnsOfMany(relations);
  for (const rel of relations) {
    if (columnKeys.length >= run.ctx.limit * 20) {
      run.log.add(`limit: column evidence read for the first ${run.ctx.limit * 20} columns`);
      break;
    }
    for (const c of columnsOf.get(rel) ?? []) {
      columnKeys.push(c.key);
      run.nodes.set(c.key, { type: 'column', node: c });
    }
  }
  const keys = [...new Set([...relations, ...columnKeys, run.target.node.key])];
  for (const e of await run.store.evidence(keys, run.req.since)) {
    const n = run.nodes.get(e.nodeKey);
    const rel = n ? relationOf(n) : run.evidence.has(e.nodeKey) ? e.nodeKey : null;
    if (!rel) continue;
    run.evidence.get(rel)?.push({
      kind: e.kind,
      nodeKey: e.nodeKey,
      at: e.at,
      message: e.message,
      subject: e.subject ?? null,
      weight: EVIDENCE_WEIGHTS[e.kind],
    });
  }
}

/** Column and SQL changes between ingests of one origin; changes that only follow a parent weigh little. */
async function schemaChanges(run: RootCauseRun, relations: string[]): Promise<void> {
  const history = await run.store.fingerprints(relations, FINGERPRINT_HISTORY);
  const changes = new Map<string, RootCauseEvidence[]>();
  const sqlUnchanged = new Set<string>();
  for (const [key, list] of history) {
    const found = fingerprintChanges(list).filter((e) => e.at >= run.req.since);
    changes.set(key, found);
    const [now, ...rest] = list;
    const before = rest.find((f) => f.originId === now.originId);
    if (found.length > 0 && now.sqlChecksum && before?.sqlChecksum === now.sqlChecksum) sqlUnchanged.add(key);
  }
  const parents = new Map<string, string[]>();
  if (sqlUnchanged.size > 0)
    for (const h of await run.store.neighbors([...sqlUnchanged], {
      direction: 'upstream',
      level: 'relation',
    }))
      parents.set(h.from, [...(parents.get(h.from) ?? []), h.to]);
  // a parent outside the candidates (beyond depth) has no history read: it cannot demote
  demoteFollowers(changes, sqlUnchanged, (rel) => parents.get(rel) ?? []);
  for (const [key, list] of changes) run.evidence.get(key)?.push(...list);
}

/** Writes seen in query logs since the window start. */
async function recentWrites(run: RootCauseRun, relations: string[]): Promise<void> {
  const usage = await run.store.usage({
    targets: relations,
    sinceDay: utcDay(run.req.since),
    excludeUsers: run.ctx.excludeUsers,
    excludeRoles: run.ctx.excludeRoles,
  });
  for (const u of usage)
    if (u.writes > 0 && u.lastWriteAt)
      run.evidence.get(u.target)?.push({
        kind: 'recent_write',
        nodeKey: u.target,
        at: u.lastWriteAt,
        message: `${u.writes} write(s) since ${utcDay(run.req.since)}, last by ${u.lastWriter ?? 'unknown'}`,
        subject: u.lastWriter,
        weight: EVIDENCE_WEIGHTS.recent_write,
      });
}

function rankCandidates(run: RootCauseRun, relations: string[]): RootCauseCandidate[] {
  const candidates: RootCauseCandidate[] = relations.map((k) => {
    const list = (run.evidence.get(k) ?? []).sort(
      (a, b) =>
        b.weight - a.weight ||
        cmp(b.at, a.at) ||
        cmp(a.kind, b.kind) ||
        cmp(a.nodeKey, b.nodeKey) ||
        cmp(a.message, b.message),
    );
    const d = run.distance.get(k)!;
    return {
      ...describeNode(run.nodes.get(k), k),
      distance: d,
      score: rootCauseScore(
        list.map((e) => e.weight),
        d,
      ),
      evidence: list,
      columns: (run.columnsByRelation.get(k) ?? []).sort(),
    };
  });
  return candidates.sort((a, b) => b.score - a.score || a.distance - b.distance || cmp(a.key, b.key));
}
