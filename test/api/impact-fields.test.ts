/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are checked field by field */
// The impact fields a PR gate reads, through GraphQL on the real demo graph: tests that cannot compile,
// RETYPE type-sensitive breaks vs pass-through, the per-relation summary of indirect effects.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import {
  COL,
  CUSTOMERS,
  NOW,
  ORDERS,
  STG_ORDERS,
  openDemoGraph,
  type DemoGraph,
} from '../helpers/demo-graph.ts';

let g: DemoGraph;
let app: FastifyInstance;
beforeAll(async () => {
  g = await openDemoGraph();
  app = await buildApp({ store: g.store, config: g.config, now: () => NOW });
});
afterAll(async () => {
  await app?.close();
  await g?.close();
});

async function data(query: string): Promise<any> {
  const res = await app.inject({ method: 'POST', url: '/graphql', payload: { query } });
  const body = res.json() as { data: any; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

describe('impact fields for a PR gate', () => {
  it('names the tests of a dropped column and gives each break its reason and certainty', async () => {
    const d = await data(`{ impact(ref: "${STG_ORDERS}.order_id", change: DROP) {
      tests { name testType columnKey }
      breaks { edges { node { asset { key } certainty reason } } }
      summary { tests certainBreaks }
    } }`);
    expect(d.impact.tests.map((t: any) => t.name)).toEqual([
      'not_null_stg_orders_order_id',
      'unique_stg_orders_order_id',
    ]);
    expect(d.impact.breaks.edges[0].node).toMatchObject({ certainty: 'CERTAIN', reason: 'REFERENCES' });
    expect(d.impact.summary).toEqual({ tests: 2, certainBreaks: 2 });
  });
  it('RETYPE: pass-through relations apart from type-sensitive breaks', async () => {
    const d = await data(`{ impact(ref: "${COL}", change: RETYPE) {
      passThrough { totalCount edges { node { asset { key } reason } } }
      breaks { edges { node { asset { key } certainty reason } } }
    } }`);
    expect(d.impact.passThrough.edges.map((e: any) => e.node)).toEqual([
      { asset: { key: ORDERS }, reason: 'PASS_THROUGH' },
    ]);
    expect(d.impact.breaks.edges.map((e: any) => e.node)).toEqual([
      { asset: { key: CUSTOMERS }, certainty: 'POSSIBLE', reason: 'TYPE_SENSITIVE' },
    ]);
  });
  it('CONSERVATIVE: indirect effects per relation; columns only with indirectColumns', async () => {
    const q = (flag: boolean) => `{ impact(ref: "${ORDERS}.customer_id", indirectColumns: ${flag}) {
      indirect { asset { key } kinds predicates columns }
      values { totalCount }
      summary { indirectRelations indirectColumns }
    } }`;
    const off = await data(q(false));
    expect(off.impact.indirect).toEqual([
      {
        asset: { key: CUSTOMERS },
        kinds: ['JOIN', 'GROUP_BY'],
        predicates: [`${ORDERS}.customer_id`],
        columns: 9,
      },
    ]);
    expect(off.impact.values.totalCount).toBe(0);
    expect(off.impact.summary).toEqual({ indirectRelations: 1, indirectColumns: 9 });
    expect((await data(q(true))).impact.values.totalCount).toBe(9);
  });
});
