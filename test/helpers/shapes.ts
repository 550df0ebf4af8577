// Synthetic graphs for the conformance suite, as LineageBatch data: a small dbt-like project (a diamond
// with indirect edges and an exposure), a chain, a wide fan-out, cycles from bad SQL, unicode and quoted
// names, and a query-log origin overlapping the dbt one. Every store must answer the same over these.
import { columnKey, keyPart } from '../../src/model/identity.ts';
import {
  emptyBatch,
  type ColumnEdge,
  type ColumnNode,
  type ConsumerEdge,
  type LineageBatch,
  type Origin,
  type Provenance,
  type RelationEdge,
  type RelationKind,
  type RelationNode,
  type TransformKind,
} from '../../src/model/lineage.ts';

export const T0 = '2024-01-01T00:00:00Z';
export const T1 = '2024-02-01T00:00:00Z';
export const T2 = '2024-03-01T00:00:00Z';

export function origin(id: string, provenance: Provenance, ingestedAt = T0): Origin {
  return { id, provenance, label: `${id} label`, ingestedAt };
}

export function rkey(schema: string, name: string): string {
  return ['wh', schema, name].map(keyPart).join('.');
}

export function relation(
  schema: string,
  name: string,
  kind: RelationKind = 'model',
  extra: Partial<RelationNode> = {},
): RelationNode {
  return {
    key: rkey(schema, name),
    kind,
    platform: 'postgres',
    displayName: `wh.${schema}.${name}`,
    database: 'wh',
    schema,
    name,
    owners: [],
    tags: [],
    isKeyAsset: false,
    ...extra,
  };
}

export function column(rel: RelationNode, name: string, extra: Partial<ColumnNode> = {}): ColumnNode {
  return { key: columnKey(rel.key, name), relationKey: rel.key, name, displayName: name, tags: [], ...extra };
}

export function cedge(
  from: ColumnNode,
  to: ColumnNode,
  kind: TransformKind,
  extra: Partial<ColumnEdge> = {},
): ColumnEdge {
  return {
    from: from.key,
    to: to.key,
    kind,
    provenance: 'dbt_manifest',
    confidence: 'EXACT',
    firstSeen: T0,
    lastSeen: T0,
    queryCount: 1,
    ...extra,
  };
}

export function redge(from: RelationNode, to: RelationNode, extra: Partial<RelationEdge> = {}): RelationEdge {
  return {
    from: from.key,
    to: to.key,
    provenance: 'dbt_manifest',
    confidence: 'EXACT',
    firstSeen: T0,
    lastSeen: T0,
    queryCount: 1,
    ...extra,
  };
}

function batch(o: Origin, fill: (b: LineageBatch) => void): LineageBatch {
  const b = emptyBatch(o);
  fill(b);
  return b;
}

// ---- the dbt-like project: raw.orders -> stg.orders -> mart.revenue / mart.customers -> exposure
export const rawOrders = relation('raw', 'orders', 'source', { uniqueId: 'source.proj.raw.orders' });
export const stgOrders = relation('stg', 'orders', 'model', {
  uniqueId: 'model.proj.stg_orders',
  owners: [{ id: 'ann@x.io', name: 'Ann', email: 'ann@x.io', team: 'core' }],
  tags: ['staging', 'core'],
  sqlChecksum: 'sha-stg-1',
  materialization: 'view',
});
export const revenue = relation('mart', 'revenue', 'model', {
  uniqueId: 'model.proj.revenue',
  isKeyAsset: true,
  tags: ['finance'],
  owners: [{ id: 'bob@x.io', name: 'Bob', team: 'finance' }],
});
export const customers = relation('mart', 'customers', 'model', { uniqueId: 'model.proj.customers' });

export const raw = {
  id: column(rawOrders, 'id', { ordinal: 1, dataType: 'integer' }),
  amount: column(rawOrders, 'amount', { ordinal: 2, dataType: 'numeric' }),
  customerId: column(rawOrders, 'customer_id', { ordinal: 3, dataType: 'integer' }),
  status: column(rawOrders, 'status', { ordinal: 4, dataType: 'text' }),
};
export const stg = {
  id: column(stgOrders, 'id', { ordinal: 1 }),
  amount: column(stgOrders, 'amount', { ordinal: 2, dataType: 'NUMBER' }),
  customerId: column(stgOrders, 'customer_id', { ordinal: 3 }),
  note: column(stgOrders, 'note', { tags: ['pii'] }),
};
export const rev = {
  customerId: column(revenue, 'customer_id', { ordinal: 1 }),
  total: column(revenue, 'total', { ordinal: 2 }),
};
export const cust = {
  customerId: column(customers, 'customer_id'),
  orderCount: column(customers, 'order_count'),
};

export const DASHBOARD = 'exposure:exposure.proj.finance_dash';

export function dbtBatch(ingestedAt = T0): LineageBatch {
  return batch(origin('dbt:proj', 'dbt_manifest', ingestedAt), (b) => {
    b.relations.push(rawOrders, stgOrders, revenue, customers);
    b.columns.push(
      ...Object.values(raw),
      ...Object.values(stg),
      ...Object.values(rev),
      ...Object.values(cust),
    );
    b.consumers.push({
      key: DASHBOARD,
      kind: 'dashboard',
      name: 'Finance dashboard',
      uniqueId: 'exposure.proj.finance_dash',
      url: 'https://bi.example/finance',
      owners: [{ id: 'cfo@x.io', name: 'CFO' }],
      tags: [],
    });
    b.columnEdges.push(
      cedge(raw.id, stg.id, 'IDENTITY', { statementId: 'model.proj.stg_orders' }),
      cedge(raw.amount, stg.amount, 'TRANSFORMATION', { statementId: 'model.proj.stg_orders' }),
      cedge(raw.customerId, stg.customerId, 'IDENTITY', { statementId: 'model.proj.stg_orders' }),
      cedge(raw.status, stg.id, 'FILTER', { statementId: 'model.proj.stg_orders' }),
      cedge(raw.status, stg.amount, 'FILTER', { statementId: 'model.proj.stg_orders' }),
      cedge(raw.status, stg.customerId, 'FILTER', { statementId: 'model.proj.stg_orders' }),
      cedge(stg.amount, rev.total, 'AGGREGATION', { statementId: 'model.proj.revenue' }),
      cedge(stg.customerId, rev.customerId, 'IDENTITY', { statementId: 'model.proj.revenue' }),
      cedge(stg.customerId, rev.total, 'GROUP_BY', { statementId: 'model.proj.revenue' }),
      cedge(stg.id, cust.orderCount, 'AGGREGATION', { statementId: 'model.proj.customers' }),
      cedge(stg.customerId, cust.customerId, 'IDENTITY', { statementId: 'model.proj.customers' }),
      cedge(stg.customerId, cust.orderCount, 'GROUP_BY', { statementId: 'model.proj.customers' }),
    );
    b.relationEdges.push(redge(rawOrders, stgOrders), redge(stgOrders, revenue), redge(stgOrders, customers));
    const ce: ConsumerEdge = { ...redge(revenue, revenue), to: DASHBOARD };
    b.consumerEdges.push(ce);
    b.checks.push(
      {
        id: 'test.proj.not_null_stg_orders_id',
        name: 'not_null_stg_orders_id',
        relationKey: stgOrders.key,
        columnKey: stg.id.key,
        testType: 'not_null',
      },
      { id: 'test.proj.rows_revenue', name: 'rows_revenue', relationKey: revenue.key },
    );
    b.evidence.push(
      {
        nodeKey: stgOrders.key,
        kind: 'test_failed',
        at: '2024-01-05T10:00:00Z',
        message: 'not_null failed',
        subject: 'test.proj.not_null_stg_orders_id',
      },
      { nodeKey: rawOrders.key, kind: 'source_stale', at: '2024-01-04T00:00:00Z', message: 'stale 3d' },
      { nodeKey: revenue.key, kind: 'test_passed', at: '2024-01-05T10:00:00Z', message: 'ok' },
    );
    b.fingerprints.push({
      nodeKey: stgOrders.key,
      at: ingestedAt,
      originId: 'dbt:proj',
      columns: [{ name: 'id' }, { name: 'amount', dataType: 'NUMBER' }, { name: 'customer_id' }],
      sqlChecksum: 'sha-stg-1',
    });
    b.diagnostics.push(
      {
        code: 'DBT_SQL_UNPARSED',
        severity: 'warning',
        message: 'could not parse model x',
        where: { uniqueId: 'x' },
      },
      { code: 'DBT_UNKNOWN_ADAPTER', severity: 'info', message: 'note' },
    );
  });
}

// ---- a query-log origin overlapping the dbt project
export const report = relation('adhoc', 'report', 'table');
export const reportAmt = column(report, 'amt');

export function queryLogBatch(): LineageBatch {
  return batch(origin('qlog:a', 'query_log', T1), (b) => {
    b.relations.push(
      relation('stg', 'orders', 'table', {
        displayName: 'WH.STG.ORDERS',
        description: 'orders seen in the log',
        owners: [{ id: 'ann@x.io', name: 'Ann From Log' }, { id: 'zed' }],
        tags: ['core', 'log'],
        sqlChecksum: 'should-lose',
      }),
      report,
    );
    b.columns.push(
      column(stgOrders, 'amount', {
        dataType: 'numeric(12,2)',
        description: 'amount from log',
        tags: ['money'],
      }),
      reportAmt,
    );
    const q = {
      provenance: 'query_log' as const,
      confidence: 'INFERRED' as const,
      firstSeen: T1,
      lastSeen: T2,
    };
    b.columnEdges.push(
      cedge(raw.amount, stg.amount, 'TRANSFORMATION', { ...q, queryCount: 7, statementId: 'q-111' }),
      cedge(raw.amount, stg.amount, 'TRANSFORMATION', { ...q, queryCount: 2, statementId: 'q-000' }),
      cedge(stg.amount, reportAmt, 'IDENTITY', { ...q, queryCount: 3, statementId: 'q-222' }),
    );
    b.usage.push(
      {
        target: revenue.key,
        access: 'read',
        user: 'carol',
        day: '2024-02-01',
        count: 3,
        lastAt: '2024-02-01T09:00:00Z',
      },
      {
        target: revenue.key,
        access: 'read',
        user: 'alice',
        day: '2024-02-02',
        count: 1,
        lastAt: '2024-02-02T08:00:00Z',
      },
      {
        target: revenue.key,
        access: 'read',
        user: 'bob',
        day: '2024-02-02',
        count: 2,
        lastAt: '2024-02-02T08:00:00Z',
      },
      {
        target: revenue.key,
        access: 'read',
        user: 'dbt_svc',
        role: 'TRANSFORMER',
        day: '2024-02-03',
        count: 50,
        lastAt: '2024-02-03T01:00:00Z',
      },
      {
        target: revenue.key,
        access: 'write',
        user: 'etl',
        role: 'LOADER',
        day: '2024-02-03',
        count: 4,
        lastAt: '2024-02-03T02:00:00Z',
      },
      {
        target: customers.key,
        access: 'read',
        user: 'alice',
        day: '2024-01-10',
        count: 1,
        lastAt: '2024-01-10T00:00:00Z',
      },
    );
    b.evidence.push({
      nodeKey: stgOrders.key,
      kind: 'recent_write',
      at: '2024-02-03T02:00:00Z',
      message: 'insert by etl',
      subject: 'etl',
    });
    b.checks.push({ id: 'test.proj.rows_revenue', name: 'from the log, loses', relationKey: revenue.key });
    b.diagnostics.push({ code: 'QUERY_LOG_UNPARSED', severity: 'error', message: 'unknown table t' });
  });
}

// ---- synthetic shapes in their own origin
export const CHAIN_LENGTH = 8;
export const FAN_OUT = 25;
export const chain = Array.from({ length: CHAIN_LENGTH }, (_, i) => relation('chain', `t${i}`, 'table'));
export const chainCols = chain.map((r) => column(r, 'x'));
export const fanSrc = relation('fan', 'src', 'table');
export const fanSrcCol = column(fanSrc, 'x');
export const fanTargets = Array.from({ length: FAN_OUT }, (_, i) =>
  relation('fan', `t${String(i).padStart(2, '0')}`, 'table'),
);
export const fanCols = fanTargets.map((r) => column(r, 'x'));
export const cycA = relation('cyc', 'a', 'table');
export const cycB = relation('cyc', 'b', 'table');
export const cycAx = column(cycA, 'x');
export const cycBx = column(cycB, 'x');
export const weird = relation('Sales Data', 'Größe', 'table', { displayName: 'wh."Sales Data"."Größe"' });
export const weirdCol = column(weird, 'naïve.col', { displayName: '"naïve.col"' });
export const emoji = relation('emoji', '📦 boxes', 'view');
export const emojiCol = column(emoji, 'ünï');

export function shapesBatch(): LineageBatch {
  return batch(origin('manual:shapes', 'manual', T0), (b) => {
    b.relations.push(...chain, fanSrc, ...fanTargets, cycA, cycB, weird, emoji);
    b.columns.push(...chainCols, fanSrcCol, ...fanCols, cycAx, cycBx, weirdCol, emojiCol);
    for (let i = 0; i + 1 < CHAIN_LENGTH; i++) {
      b.columnEdges.push(cedge(chainCols[i], chainCols[i + 1], 'IDENTITY', { provenance: 'manual' }));
    }
    for (const c of fanCols)
      b.columnEdges.push(cedge(fanSrcCol, c, 'TRANSFORMATION', { provenance: 'manual' }));
    b.columnEdges.push(
      cedge(cycAx, cycBx, 'IDENTITY', { provenance: 'manual' }),
      cedge(cycBx, cycAx, 'TRANSFORMATION', { provenance: 'manual' }),
      cedge(cycAx, cycAx, 'TRANSFORMATION', { provenance: 'manual' }),
      cedge(weirdCol, emojiCol, 'IDENTITY', { provenance: 'manual', firstSeen: T2, lastSeen: T2 }),
      cedge(weirdCol, emojiCol, 'CONDITIONAL', { provenance: 'manual' }),
      // a column edge into the chain from the unicode relation
      cedge(emojiCol, chainCols[0], 'WINDOW', { provenance: 'manual' }),
    );
  });
}

/** All batches of the standard graph, in the order the suite applies them. */
export function standardBatches(): LineageBatch[] {
  return [dbtBatch(), queryLogBatch(), shapesBatch()];
}
