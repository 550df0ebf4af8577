/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL responses are checked field by field */
// POST /api/v1/lineage over a real listening server: the write token, malformed bodies and events (400
// OPENLINEAGE_INVALID_EVENT, nothing written), and the end-to-end case — a sequence of job runs over three
// days, one failing, then lineage answers and a root-cause candidate citing the failed run.
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { createMemoryStore } from '../../graph/create-store.ts';
import type { LineageStore } from '../../graph/store.ts';
import { loadConfig } from '../../src/config.ts';

const WRITE = 'w-token-for-tests';
const READ = 'r-token-for-tests';
const NOW = new Date('2026-12-03T12:00:00.000Z');
const PG = 'postgres://warehouse.internal:5432';
const P = 'https://github.com/apache/airflow/tree/providers-openlineage/2.3.0';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

let store: LineageStore;
let app: FastifyInstance;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ol-http-'));
  store = await createMemoryStore();
  const config = loadConfig({
    LINEAGE_DATA_DIR: dir,
    LINEAGE_WRITE_TOKEN: WRITE,
    LINEAGE_READ_TOKEN: READ,
    LINEAGE_ALLOWED_HOSTS: '127.0.0.1',
  });
  app = await buildApp({ store, config, now: () => NOW });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: unknown, token: string | null = WRITE, raw?: string) {
  const res = await fetch(`${base}/api/v1/lineage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${READ}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  expect(body.errors).toBeUndefined();
  return body.data;
}

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const ds = (name: string, fields?: [string, string][]) => ({
  namespace: PG,
  name,
  facets: fields
    ? { schema: { _producer: P, _schemaURL: 'x', fields: fields.map(([f, t]) => ({ name: f, type: t })) } }
    : {},
});
const id = (f: string) => ({ namespace: PG, name: 'shop.public.orders', field: f });
const direct = (sub: string) => [{ type: 'DIRECT', subtype: sub, description: '', masking: false }];

/** One run of each of the three jobs of the `orders_etl` DAG on `day`, the load optionally failing. */
function dagRun(day: string, loadFails: boolean) {
  const dag = uuid();
  const parent = { parent: { job: { namespace: 'airflow', name: 'orders_etl' }, run: { runId: dag } } };
  const ev = (
    job: string,
    type: string,
    minute: number,
    runId: string,
    extra: Record<string, unknown> = {},
  ) => ({
    eventType: type,
    eventTime: `${day}T02:${String(minute).padStart(2, '0')}:00Z`,
    producer: P,
    schemaURL: SCHEMA_URL,
    job: { namespace: 'airflow', name: `orders_etl.${job}` },
    ...extra,
    run: { runId, facets: { ...parent, ...((extra.run as any)?.facets ?? {}) } },
  });
  const load = uuid();
  const build = uuid();
  const events: unknown[] = [
    ev('load_orders', 'START', 0, load, {
      inputs: [{ namespace: 's3://raw', name: 'orders/' + day + '.csv' }],
      outputs: [
        ds('shop.public.orders', [
          ['id', 'integer'],
          ['amount', 'numeric'],
          ['ordered_at', 'timestamp'],
        ]),
      ],
    }),
  ];
  if (loadFails) {
    events.push(
      ev('load_orders', 'FAIL', 3, load, {
        run: {
          facets: {
            errorMessage: {
              message: 'psycopg2.errors.UndefinedColumn: column "amount" does not exist',
              programmingLanguage: 'python',
            },
          },
        },
      }),
    );
    return events;
  }
  events.push(ev('load_orders', 'COMPLETE', 3, load));
  events.push(
    ev('build_daily', 'START', 5, build, { inputs: [ds('shop.public.orders')] }),
    ev('build_daily', 'COMPLETE', 7, build, {
      inputs: [ds('shop.public.orders')],
      outputs: [
        {
          ...ds('shop.analytics.daily_orders', [
            ['day', 'date'],
            ['revenue', 'numeric'],
          ]),
          facets: {
            ...ds('shop.analytics.daily_orders', [
              ['day', 'date'],
              ['revenue', 'numeric'],
            ]).facets,
            columnLineage: {
              _producer: P,
              _schemaURL: 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json',
              fields: {
                day: { inputFields: [{ ...id('ordered_at'), transformations: direct('TRANSFORMATION') }] },
                revenue: { inputFields: [{ ...id('amount'), transformations: direct('AGGREGATION') }] },
              },
              dataset: [
                { ...id('ordered_at'), transformations: [{ type: 'INDIRECT', subtype: 'GROUP_BY' }] },
              ],
            },
          },
        },
      ],
    }),
  );
  return events;
}

describe('POST /api/v1/lineage', () => {
  it('needs the write token', async () => {
    const one = dagRun('2026-11-01', false)[0];
    expect((await post(one, null)).status).toBe(401);
    expect((await post(one, READ)).status).toBe(401);
  });

  it('rejects a body that is not JSON, and an invalid event, with OPENLINEAGE_INVALID_EVENT and writes nothing', async () => {
    const before = await store.stats();
    const bad = await post(undefined, WRITE, '{"eventType": "START",');
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'OPENLINEAGE_INVALID_EVENT' } } });
    // a batch whose last event is invalid: the valid ones before it are not written either
    const events = dagRun('2026-11-01', false);
    const broken = { ...(events[1] as object), run: { runId: 'not-a-uuid' } };
    const r = await post([...events, broken]);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('OPENLINEAGE_INVALID_EVENT');
    expect(r.body.error.message).toMatch(/event 4: run\.runId/);
    // a name too long to be part of a key (src/model/key-size.ts): Neo4j's indexes would refuse it
    const long = 'j'.repeat(2001);
    const longJob = { ...(events[0] as { job: object }), job: { namespace: 'airflow', name: long } };
    const j = await post([longJob]);
    expect(j.status).toBe(400);
    expect(j.body.error.message).toMatch(/job\.name: must be at most 2000 UTF-8 bytes/);
    const [first] = events as { outputs: object[] }[];
    const longDataset = { ...first, outputs: [{ namespace: 'postgres://db', name: `public.${long}` }] };
    expect((await post([longDataset])).body.error.code).toBe('OPENLINEAGE_INVALID_EVENT');
    expect(await store.stats()).toEqual(before);
    expect((await post({ hello: 'world' })).status).toBe(400);
    expect((await post([])).status).toBe(400);
  });

  it('end to end: three days of runs, the last load failing -> lineage and a root cause citing the failed run', async () => {
    // Day 1 and 2 complete; day 3's load fails. Events are sent one request per event, as emitters do.
    const days: [string, boolean][] = [
      ['2026-12-01', false],
      ['2026-12-02', false],
      ['2026-12-03', true],
    ];
    for (const [day, fails] of days)
      for (const e of dagRun(day, fails)) {
        const r = await post(e);
        expect(r.status).toBe(201);
        expect(r.body.spec).toBe('2-0-2');
      }
    const data = await gql(
      `query($ref: String!) { asset(ref: $ref) { key upstream { key kind provenances } } }`,
      { ref: 'shop.analytics.daily_orders.revenue' },
    );
    expect(data.asset.upstream).toEqual([
      { key: 'shop.public.orders.amount', kind: 'AGGREGATION', provenances: ['openlineage'] },
      { key: 'shop.public.orders.ordered_at', kind: 'GROUP_BY', provenances: ['openlineage'] },
    ]);
    const rc = await gql(
      `query($ref: String!) { rootCause(ref: $ref, since: "7d") { candidates { asset { key } distance score evidence { kind message subject } } } }`,
      { ref: 'shop.analytics.daily_orders.revenue' },
    );
    const top = rc.rootCause.candidates[0];
    expect(top.asset.key).toBe('shop.public.orders');
    expect(top.distance).toBe(1);
    expect(top.evidence[0]).toMatchObject({ kind: 'run_failed' });
    expect(top.evidence[0].message).toMatch(
      /job airflow\/orders_etl\.load_orders run \S+ failed: psycopg2\.errors\.UndefinedColumn: column "amount" does not exist \(parent airflow\/orders_etl run/,
    );
    expect(top.evidence[0].subject).toMatch(/^airflow\/orders_etl\.load_orders#/);
    // the failed run did not blank the job's lineage: the edges of day 2's run are still there
    const stats = await store.stats();
    await app.close(); // flushes the run ledger to the data directory
    const ledger = JSON.parse(readFileSync(join(dir, 'openlineage-runs.json'), 'utf8')) as any;
    expect(ledger.jobs['airflow/orders_etl.load_orders'].runs.map((r: any) => r.state)).toEqual([
      'FAIL',
      'COMPLETE',
      'COMPLETE',
    ]);
    expect(stats.origins.map((o) => o.id).sort()).toEqual([
      'openlineage:airflow/orders_etl.build_daily',
      'openlineage:airflow/orders_etl.load_orders',
    ]);
  });
});
