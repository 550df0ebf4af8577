// Output shapes: store records and analysis results as the GraphQL types of api/schema.graphql.
import type { AnyNode, EdgeView } from '../graph/store.ts';
import type { alertRoutes } from '../src/analysis/alert-routes.ts';
import type { ImpactResult } from '../src/analysis/impact.ts';
import type { AssetRef } from '../src/analysis/owners.ts';
import type { ColumnNode } from '../src/model/lineage.ts';

export const TYPE_OUT = { relation: 'RELATION', column: 'COLUMN', consumer: 'CONSUMER' } as const;
export const TYPE_IN = { RELATION: 'relation', COLUMN: 'column', CONSUMER: 'consumer' } as const;

export function assetOut(n: AnyNode) {
  const base = { key: n.node.key, type: TYPE_OUT[n.type], tags: n.node.tags, _node: n };
  switch (n.type) {
    case 'relation': {
      const r = n.node;
      return {
        ...base,
        kind: r.kind,
        name: r.name,
        displayName: r.displayName,
        schema: r.schema,
        database: r.database,
        uniqueId: r.uniqueId ?? null,
        description: r.description ?? null,
        owners: r.owners,
        isKeyAsset: r.isKeyAsset,
        materialization: r.materialization ?? null,
        sizeBytes: r.sizeBytes ?? null,
        rowCount: r.rowCount ?? null,
        sqlShape: r.sqlShape ?? null,
        url: null,
        dataType: null,
        relationKey: r.key,
      };
    }
    case 'column': {
      const c = n.node;
      return {
        ...base,
        kind: 'column',
        name: c.name,
        displayName: c.displayName,
        schema: null,
        database: null,
        uniqueId: null,
        description: c.description ?? null,
        owners: [],
        isKeyAsset: false,
        materialization: null,
        sizeBytes: null,
        rowCount: null,
        sqlShape: null,
        url: null,
        dataType: c.dataType ?? null,
        relationKey: c.relationKey,
      };
    }
    case 'consumer': {
      const c = n.node;
      return {
        ...base,
        kind: c.kind,
        name: c.name,
        displayName: c.name,
        schema: null,
        database: null,
        uniqueId: c.uniqueId ?? null,
        description: c.description ?? null,
        owners: c.owners,
        isKeyAsset: c.maturity === 'high',
        materialization: null,
        sizeBytes: null,
        rowCount: null,
        sqlShape: null,
        url: c.url ?? null,
        dataType: null,
        relationKey: null,
      };
    }
  }
}

export type AssetParent = ReturnType<typeof assetOut>;

export function refOut(a: AssetRef) {
  return { ...a, type: TYPE_OUT[a.type] };
}

export function neighbours(edges: EdgeView[], self: string, direction: 'upstream' | 'downstream') {
  return edges
    .map((e) => ({
      key: direction === 'upstream' ? e.from : e.to,
      kind: e.kind,
      confidence: e.confidence,
      provenances: e.provenances,
      queryCount: e.queryCount,
    }))
    .filter((n) => n.key !== self);
}

export function wrapRelation(r: ImpactResult['breaks'][number]) {
  return {
    asset: refOut(r),
    distance: r.distance,
    certainty: r.certainty,
    reason: r.reason,
    path: r.path,
    via: r.via,
    importance: r.importance,
  };
}

export function columnOut(c: ColumnNode) {
  return { ...c, dataType: c.dataType ?? null, description: c.description ?? null };
}

export function routesOut(r: Awaited<ReturnType<typeof alertRoutes>>) {
  return {
    asset: refOut(r.asset),
    severity: r.severity,
    routes: r.routes.map((route) => ({
      ...route,
      assets: route.assets.map((a) => ({ asset: refOut(a), distance: a.distance, importance: a.importance })),
      assetCount: route.counts.assets,
      relationCount: route.counts.relations,
      exposureCount: route.counts.exposures,
    })),
    teams: r.teams,
    assetCount: r.counts.assets,
    relationCount: r.counts.relations,
    exposureCount: r.counts.exposures,
    partial: r.partial,
    partialReasons: r.partialReasons,
  };
}
