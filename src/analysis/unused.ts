// Unused tables and columns.
//   A relation is unused when nobody (service users/roles excluded) read it in the window, no relation
//   depends on it, and no exposure reads it.
//   A column is unused when no column edge leaves it, nobody read it in the window, and its relation is
//   not read by an exposure (an exposure may use any column, so those columns are never reported).
// Last read / last reader come from all usage ever recorded, so "unused since" can be told apart from "never read".
import type { ColumnNode, Owner, RelationKind, RelationNode } from '../model/lineage.ts';
import { pausePoint, PAUSE_MASK } from '../../graph/cooperate.ts';
import type { LineageStore, UsageAggregate } from '../../graph/store.ts';
import type { AnalysisContext } from './context.ts';
import { PartialLog } from './context.ts';
import { cmp } from './impact.ts';
import { utcDay } from './window.ts';

export const UNUSED_SORTS = ['SIZE', 'AGE', 'NAME'] as const;
export type UnusedSort = (typeof UNUSED_SORTS)[number];

export interface UnusedRequest {
  /** ISO instant: the window start. */
  since: string;
  schema?: string;
  ignoreUsers?: readonly string[];
  ignoreRoles?: readonly string[];
  sort: UnusedSort;
}

export interface UnusedTable {
  key: string;
  kind: RelationKind;
  displayName: string;
  schema: string | null;
  sizeBytes: number | null;
  rowCount: number | null;
  owners: Owner[];
  lastReadAt: string | null;
  lastReader: string | null;
}

export interface UnusedColumn {
  key: string;
  relationKey: string;
  name: string;
  dataType: string | null;
  relationSizeBytes: number | null;
  owners: Owner[];
  lastReadAt: string | null;
  lastReader: string | null;
}

export interface UnusedResult<T> {
  since: string;
  items: T[];
  /** False when no usage at all is recorded: then "unused" only means "no dependents". */
  hasUsageData: boolean;
  scanned: number;
  partial: boolean;
  partialReasons: string[];
}

const EPOCH_DAY = '1970-01-01';

/** Relations whose columns unusedColumns reads per store call. */
const COLUMN_SLICE = 2000;

function excluded(req: UnusedRequest, ctx: AnalysisContext) {
  return {
    excludeUsers: [...new Set([...(req.ignoreUsers ?? ctx.excludeUsers)])],
    excludeRoles: [...new Set([...(req.ignoreRoles ?? ctx.excludeRoles)])],
  };
}

async function usageMaps(store: LineageStore, req: UnusedRequest, ctx: AnalysisContext, targets?: string[]) {
  const ex = excluded(req, ctx);
  // Independent reads, sent together: on a server they are one wait, not three.
  const [windowed, ever, all] = await Promise.all([
    store.usage({ targets, sinceDay: utcDay(req.since), ...ex }),
    store.usage({ targets, sinceDay: EPOCH_DAY, ...ex }),
    targets === undefined ? undefined : store.usage({ sinceDay: EPOCH_DAY }),
  ]);
  const anyUsage = (all ?? ever).length > 0;
  return {
    readInWindow: new Set(windowed.filter((u) => u.reads > 0).map((u) => u.target)),
    lastRead: new Map<string, UsageAggregate>(ever.filter((u) => u.reads > 0).map((u) => [u.target, u])),
    anyUsage,
  };
}

export async function unusedTables(
  store: LineageStore,
  req: UnusedRequest,
  ctx: AnalysisContext,
): Promise<UnusedResult<UnusedTable>> {
  const log = new PartialLog(ctx.deadline);
  // Independent reads, sent together: the store finds the relations nothing reads (no relation graph is
  // built or sent), and every relation's key tells a column read from a relation read.
  const [withoutReaders, all, usage] = await Promise.all([
    store.relationsWithoutReaders(),
    store.listRelations(),
    usageMaps(store, req, ctx),
  ]);
  const relationKeys = new Set(all.map((r) => r.key));
  const unreadByGraph = new Set(withoutReaders);
  const relations = req.schema === undefined ? all : all.filter((r) => r.schema === req.schema);
  // A column read counts as a read of its relation.
  const readRelations = new Set<string>();
  for (const t of usage.readInWindow) readRelations.add(t);
  const lastByRelation = new Map<string, UsageAggregate>();
  for (const [t, u] of usage.lastRead) {
    const rel = relationKeys.has(t) ? t : relationPrefix(t, relationKeys);
    if (!rel) continue;
    if (usage.readInWindow.has(t)) readRelations.add(rel);
    const prev = lastByRelation.get(rel);
    if (!prev || (u.lastReadAt ?? '') > (prev.lastReadAt ?? '')) lastByRelation.set(rel, u);
  }
  const items: UnusedTable[] = [];
  for (const r of relations) {
    if (!unreadByGraph.has(r.key) || readRelations.has(r.key)) continue;
    const last = lastByRelation.get(r.key);
    items.push({
      key: r.key,
      kind: r.kind,
      displayName: r.displayName,
      schema: r.schema,
      sizeBytes: r.sizeBytes ?? null,
      rowCount: r.rowCount ?? null,
      owners: r.owners,
      lastReadAt: last?.lastReadAt ?? null,
      lastReader: last?.lastReader ?? null,
    });
  }
  sortUnused(items, req.sort, (t) => t.sizeBytes);
  log.expired();
  return {
    since: req.since,
    items,
    hasUsageData: usage.anyUsage,
    scanned: relations.length,
    partial: log.partial,
    partialReasons: log.reasons,
  };
}

/** The relation key a column key starts with, if it is a known relation. */
function relationPrefix(target: string, relationKeys: ReadonlySet<string>): string | null {
  const dot = target.lastIndexOf('.');
  if (dot <= 0) return null;
  const rel = target.slice(0, dot);
  return relationKeys.has(rel) ? rel : null;
}

export async function unusedColumns(
  store: LineageStore,
  req: UnusedRequest & { maxColumns: number },
  ctx: AnalysisContext,
): Promise<UnusedResult<UnusedColumn>> {
  const log = new PartialLog(ctx.deadline);
  const [consumed, relations, usage] = await Promise.all([
    store.consumedRelations(),
    store.listRelations(req.schema ? { schema: req.schema } : undefined),
    usageMaps(store, req, ctx),
  ]);
  const readByConsumer = new Set(consumed);
  const candidates = relations.filter((r) => !readByConsumer.has(r.key));
  const picked: [RelationNode, ColumnNode][] = [];
  // these loops run over up to maxColumns columns: pause points (graph/cooperate.ts) every PAUSE_STRIDE steps
  const pause = pausePoint();
  const step = async (i: number) => {
    if (pause && (i & PAUSE_MASK) === PAUSE_MASK) await pause();
  };
  // Set-based, a slice of relations per call, and only as many slices as maxColumns needs (a whole warehouse's
  // columns are never read at once); then one step downstream from every unread column.
  outer: for (let from = 0; from < candidates.length; from += COLUMN_SLICE) {
    const slice = candidates.slice(from, from + COLUMN_SLICE);
    const columnsOf = await store.columnsOfMany(slice.map((r) => r.key));
    for (const r of slice)
      for (const c of columnsOf.get(r.key) ?? []) {
        if (picked.length >= req.maxColumns) {
          log.add(`limit: scanned the first ${req.maxColumns} columns`);
          break outer;
        }
        await step(picked.length);
        picked.push([r, c]);
      }
    if (log.expired()) break;
  }
  const scanned = picked.length;
  const unread: [RelationNode, ColumnNode][] = [];
  for (let i = 0; i < picked.length; i++) {
    await step(i);
    if (!usage.readInWindow.has(picked[i][1].key)) unread.push(picked[i]);
  }
  const feeding = new Set<string>();
  const hops = await store.neighbors(
    unread.map(([, c]) => c.key),
    { direction: 'downstream', level: 'column' },
  );
  for (let i = 0; i < hops.length; i++) {
    await step(i);
    if (hops[i].to !== hops[i].from) feeding.add(hops[i].from);
  }
  const items: UnusedColumn[] = [];
  for (let i = 0; i < unread.length; i++) {
    await step(i);
    const [r, c] = unread[i];
    if (feeding.has(c.key)) continue;
    const last = usage.lastRead.get(c.key);
    items.push({
      key: c.key,
      relationKey: r.key,
      name: c.name,
      dataType: c.dataType ?? null,
      relationSizeBytes: r.sizeBytes ?? null,
      owners: r.owners,
      lastReadAt: last?.lastReadAt ?? null,
      lastReader: last?.lastReader ?? null,
    });
  }
  log.expired();
  sortUnused(items, req.sort, (c) => c.relationSizeBytes);
  return {
    since: req.since,
    items,
    hasUsageData: usage.anyUsage,
    scanned,
    partial: log.partial,
    partialReasons: log.reasons,
  };
}

function sortUnused<T extends { key: string; lastReadAt: string | null }>(
  items: T[],
  sort: UnusedSort,
  size: (t: T) => number | null,
): void {
  switch (sort) {
    case 'SIZE':
      items.sort((a, b) => (size(b) ?? -1) - (size(a) ?? -1) || cmp(a.key, b.key));
      return;
    case 'AGE':
      // never read first, then the oldest last read
      items.sort((a, b) => cmp(a.lastReadAt ?? '', b.lastReadAt ?? '') || cmp(a.key, b.key));
      return;
    case 'NAME':
      items.sort((a, b) => cmp(a.key, b.key));
      return;
  }
}
