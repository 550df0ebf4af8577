// A battery of queries over every LineageStore method, returned as plain data so two stores (or one store
// fed the batches in another order) can be compared with one deep equality.
import type { LineageStore } from '../../graph/store.ts';
import {
  DASHBOARD,
  T1,
  chainCols,
  cycAx,
  emojiCol,
  fanSrcCol,
  raw,
  rawOrders,
  rev,
  revenue,
  stg,
  stgOrders,
  weird,
  weirdCol,
} from '../helpers/shapes.ts';

export async function answers(store: LineageStore): Promise<Record<string, unknown>> {
  const relations = await store.listRelations();
  const columns = (await Promise.all(relations.map((r) => store.columnsOf(r.key)))).flat();
  const allKeys = [...relations.map((r) => r.key), ...columns.map((c) => c.key), DASHBOARD, 'nope'];
  const out: Record<string, unknown> = {};
  out.nodes = Object.fromEntries(await store.getNodes(allKeys));
  out.relations = relations;
  out.columns = columns;
  out.consumers = await store.listConsumers();
  out.byUniqueId = await store.findByUniqueId('model.proj.stg_orders');
  out.search = {
    orders: await store.search('orders', { limit: 50 }),
    rev: await store.search('REV', { limit: 3 }),
    unicode: await store.search('größe', { limit: 10 }),
    columnsOnly: await store.search('x', { types: ['column'], limit: 100 }),
  };
  // Needles in a column key's relation part, across its dot, ending in it (Neo4j finds these from the
  // relation's search text, not the column's own).
  for (const text of [
    'orders',
    'orders.',
    'orders.i',
    'raw.orders.c',
    '.customer',
    'enue.cust',
    'wh.',
    '.',
    's.a',
    'raw.orders.customer_id',
    's.customer_id',
    '.i',
  ])
    (out.search as Record<string, unknown>)[`columns:${text}`] = await store.search(text, {
      types: ['column'],
      limit: 200,
    });
  const edges: Record<string, unknown> = {};
  for (const k of allKeys) {
    edges[`${k} up`] = await store.edgesOf(k, 'upstream');
    edges[`${k} down`] = await store.edgesOf(k, 'downstream');
  }
  out.edges = edges;
  const traversals: Record<string, unknown> = {};
  const starts: [string, string[]][] = [
    ['raw', [raw.id.key, raw.status.key, raw.amount.key]],
    ['rev', [rev.total.key]],
    ['weird', [weirdCol.key]],
    ['chain', [chainCols[0].key]],
    ['fan', [fanSrcCol.key]],
    ['cycle', [cycAx.key, emojiCol.key]],
  ];
  for (const [name, keys] of starts) {
    for (const direction of ['upstream', 'downstream'] as const) {
      for (const maxDepth of [1, 6]) {
        for (const limit of [5, 1000]) {
          traversals[`${name} ${direction} d${maxDepth} l${limit}`] = await store.traverse(keys, {
            direction,
            level: 'column',
            maxDepth,
            limit,
          });
        }
      }
      traversals[`${name} ${direction} direct asOf`] = await store.traverse(keys, {
        direction,
        level: 'column',
        maxDepth: 10,
        limit: 1000,
        kinds: ['IDENTITY', 'TRANSFORMATION', 'AGGREGATION'],
        asOf: T1,
      });
    }
  }
  for (const rel of [rawOrders.key, stgOrders.key, revenue.key, weird.key]) {
    for (const direction of ['upstream', 'downstream'] as const) {
      traversals[`${rel} ${direction} relation`] = await store.traverse([rel], {
        direction,
        level: 'relation',
        maxDepth: 10,
        limit: 1000,
        includeConsumers: true,
      });
    }
  }
  out.traversals = traversals;
  out.relationGraph = await store.relationGraph();
  out.relationsWithoutReaders = await store.relationsWithoutReaders();
  out.consumedRelations = await store.consumedRelations();
  out.usage = [
    await store.usage({ sinceDay: '2024-01-01' }),
    await store.usage({ sinceDay: '2024-02-02', excludeUsers: ['DBT_SVC'], excludeRoles: ['loader'] }),
  ];
  out.fingerprints = Object.fromEntries(await store.fingerprints(allKeys, 20));
  out.evidence = await store.evidence(allKeys);
  out.checks = await store.checks(allKeys);
  out.origins = await store.origins();
  out.diagnostics = await store.diagnostics({ limit: 100 });
  out.stats = await store.stats();
  out.stgNode = (await store.getNodes([stgOrders.key, stg.amount.key])).size;
  return out;
}

/** The same kind of battery for any graph (a real fixture): every node, edge and traversal it has. */
export async function genericAnswers(store: LineageStore): Promise<Record<string, unknown>> {
  const relations = await store.listRelations();
  const consumers = await store.listConsumers();
  const columns = (await Promise.all(relations.map((r) => store.columnsOf(r.key)))).flat();
  const keys = [...relations.map((r) => r.key), ...columns.map((c) => c.key), ...consumers.map((c) => c.key)];
  const out: Record<string, unknown> = { relations, consumers, columns };
  out.nodes = Object.fromEntries(await store.getNodes(keys));
  const edges: Record<string, unknown> = {};
  const traversals: Record<string, unknown> = {};
  for (const k of keys) {
    for (const direction of ['upstream', 'downstream'] as const) {
      edges[`${k} ${direction}`] = await store.edgesOf(k, direction);
    }
  }
  // every third column (in key order) keeps the battery affordable on a server store
  for (const c of columns.filter((_, i) => i % 3 === 0)) {
    for (const direction of ['upstream', 'downstream'] as const) {
      traversals[`${c.key} ${direction}`] = await store.traverse([c.key], {
        direction,
        level: 'column',
        maxDepth: 4,
        limit: 30,
      });
    }
  }
  for (const r of relations) {
    for (const direction of ['upstream', 'downstream'] as const) {
      traversals[`${r.key} ${direction}`] = await store.traverse([r.key], {
        direction,
        level: 'relation',
        maxDepth: 3,
        limit: 50,
        includeConsumers: true,
      });
    }
  }
  out.edges = edges;
  out.traversals = traversals;
  out.search = await store.search('customer', { limit: 25 });
  out.relationGraph = await store.relationGraph();
  out.relationsWithoutReaders = await store.relationsWithoutReaders();
  out.consumedRelations = await store.consumedRelations();
  out.usage = await store.usage({ sinceDay: '1970-01-01' });
  out.fingerprints = Object.fromEntries(await store.fingerprints(keys, 20));
  out.evidence = await store.evidence(keys);
  out.checks = await store.checks(keys);
  out.diagnostics = await store.diagnostics({ limit: 10_000 });
  out.stats = await store.stats();
  return out;
}
