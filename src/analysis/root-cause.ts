// Root cause: upstream candidates of a problem asset, ranked with their evidence.
// Ranking rule (docs/api.md "rootCause"):
//   score = Σ weight(evidence) / (1 + 0.5 × distance), rounded to 2 decimals; ties by distance, then key.
//   weights: model_error 50, test_failed 40, column dropped 35, column retyped 35, sql_changed 30,
//            source_stale 30, column added 15, test_warned 15, recent_write 10;
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
  EvidenceKind | 'column_added' | 'column_dropped' | 'column_retyped' | 'sql_changed';

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

/** Compares a node's two newest fingerprints; changes are dated at the newer one. */
export function fingerprintChanges(history: readonly Fingerprint[]): RootCauseEvidence[] {
  if (history.length < 2) return [];
  const [now, before] = history;
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

export async function rootCause(
  store: LineageStore,
  req: { ref: string; since: string; depth: number },
  ctx: AnalysisContext,
): Promise<RootCauseResult> {
  if (!Number.isInteger(req.depth) || req.depth < 1 || req.depth > ctx.maxDepth)
    throw lineageError('API_LIMIT_EXCEEDED', `depth ${req.depth} is outside 1..${ctx.maxDepth}`);
  const target = await resolveRef(store, req.ref, ['relation', 'column']);
  const log = new PartialLog(ctx.deadline);
  const targetRelation = relationOf(target) as string;
  const nodes = new Map<string, AnyNode>([[target.node.key, target]]);
  const distance = new Map<string, number>([[targetRelation, 0]]);
  const columnsByRelation = new Map<string, string[]>();

  if (target.type === 'column') {
    const t = await boundedTraverse(
      store,
      [target.node.key],
      { direction: 'upstream', level: 'column', maxDepth: req.depth, limit: ctx.limit },
      'the upstream column walk',
      log,
    );
    await loadNodes(
      store,
      nodes,
      t.reached.map((r) => r.key),
    );
    for (const r of t.reached) {
      const n = nodes.get(r.key);
      if (n?.type !== 'column') continue;
      const rel = n.node.relationKey;
      const list = columnsByRelation.get(rel) ?? [];
      list.push(r.key);
      columnsByRelation.set(rel, list);
      if (!distance.has(rel) || distance.get(rel)! > r.distance) distance.set(rel, r.distance);
    }
  }
  if (!log.expired()) {
    const t = await boundedTraverse(
      store,
      [targetRelation],
      { direction: 'upstream', level: 'relation', maxDepth: req.depth, limit: ctx.limit },
      'the upstream relation walk',
      log,
    );
    for (const r of t.reached) {
      if (r.type !== 'relation') continue;
      if (!distance.has(r.key) || distance.get(r.key)! > r.distance) distance.set(r.key, r.distance);
    }
  }
  const relations = [...distance.keys()].sort();
  await loadNodes(store, nodes, relations);

  const evidence = new Map<string, RootCauseEvidence[]>(relations.map((k) => [k, []]));
  const add = (rel: string, e: RootCauseEvidence) => evidence.get(rel)?.push(e);
  if (!log.expired()) {
    // Evidence sits on relations and on columns (column tests): ask for every candidate's columns.
    const columnKeys: string[] = [];
    for (const rel of relations) {
      if (columnKeys.length >= ctx.limit * 20) {
        log.add(`limit: column evidence read for the first ${ctx.limit * 20} columns`);
        break;
      }
      for (const c of await store.columnsOf(rel)) {
        columnKeys.push(c.key);
        nodes.set(c.key, { type: 'column', node: c });
      }
    }
    const evidenceKeys = [...relations, ...columnKeys, target.node.key];
    for (const e of await store.evidence([...new Set(evidenceKeys)], req.since)) {
      const n = nodes.get(e.nodeKey);
      const rel = n ? relationOf(n) : evidence.has(e.nodeKey) ? e.nodeKey : null;
      if (!rel) continue;
      add(rel, {
        kind: e.kind,
        nodeKey: e.nodeKey,
        at: e.at,
        message: e.message,
        subject: e.subject ?? null,
        weight: EVIDENCE_WEIGHTS[e.kind],
      });
    }
  }
  if (!log.expired()) {
    const history = await store.fingerprints(relations, 2);
    for (const [key, list] of history)
      for (const e of fingerprintChanges(list)) if (e.at >= req.since) add(key, e);
  }
  if (!log.expired()) {
    const usage = await store.usage({
      targets: relations,
      sinceDay: utcDay(req.since),
      excludeUsers: ctx.excludeUsers,
      excludeRoles: ctx.excludeRoles,
    });
    for (const u of usage)
      if (u.writes > 0 && u.lastWriteAt)
        add(u.target, {
          kind: 'recent_write',
          nodeKey: u.target,
          at: u.lastWriteAt,
          message: `${u.writes} write(s) since ${utcDay(req.since)}, last by ${u.lastWriter ?? 'unknown'}`,
          subject: u.lastWriter,
          weight: EVIDENCE_WEIGHTS.recent_write,
        });
  }

  const candidates: RootCauseCandidate[] = relations.map((k) => {
    const list = (evidence.get(k) ?? []).sort(
      (a, b) =>
        b.weight - a.weight ||
        cmp(b.at, a.at) ||
        cmp(a.kind, b.kind) ||
        cmp(a.nodeKey, b.nodeKey) ||
        cmp(a.message, b.message),
    );
    const d = distance.get(k)!;
    return {
      ...describeNode(nodes.get(k), k),
      distance: d,
      score: rootCauseScore(
        list.map((e) => e.weight),
        d,
      ),
      evidence: list,
      columns: (columnsByRelation.get(k) ?? []).sort(),
    };
  });
  candidates.sort((a, b) => b.score - a.score || a.distance - b.distance || cmp(a.key, b.key));
  return {
    target: describeNode(target, target.node.key),
    since: req.since,
    depth: req.depth,
    candidates,
    partial: log.partial,
    partialReasons: [...log.reasons].sort(),
  };
}
