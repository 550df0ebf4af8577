// The OpenLineage model: validation of events (spec 2-0-2, with its documented leniencies), dataset naming to
// relation keys per platform, transformation kinds, and the run ledger (accumulation, replace, late, parent).
import { describe, expect, it } from 'vitest';
import { buildJobBatch, kindOf } from '../../parsers/openlineage/batch.ts';
import { datasetIdentity, platformOfNamespace } from '../../parsers/openlineage/naming.ts';
import { emptyLedger, foldRunEvent, lateness, type LedgerData } from '../../parsers/openlineage/runs.ts';
import { validateEvent, type RunEvent } from '../../parsers/openlineage/schema.ts';

const RUN = '3f1c2a9e-8b7d-4c6e-9a5f-0e1d2c3b4a59';
const base = {
  eventType: 'START',
  eventTime: '2026-12-01T02:00:00Z',
  producer: 'https://example.test/producer',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId: RUN },
  job: { namespace: 'ns', name: 'job' },
};

function run(e: Record<string, unknown>): RunEvent {
  const r = validateEvent({ ...base, ...e });
  if (!('ok' in r) || r.ok.type !== 'run') throw new Error(`not valid: ${JSON.stringify(r)}`);
  return r.ok.event;
}

describe('validateEvent', () => {
  it('accepts a minimal RunEvent, a JobEvent and a DatasetEvent', () => {
    expect(validateEvent(base)).toMatchObject({ ok: { type: 'run' } });
    const { run: _r, eventType: _t, ...job } = base;
    expect(validateEvent(job)).toMatchObject({ ok: { type: 'job' } });
    expect(
      validateEvent({
        eventTime: base.eventTime,
        producer: 'p',
        dataset: { namespace: 'bigquery', name: 'p.d.t' },
      }),
    ).toMatchObject({ ok: { type: 'dataset' } });
  });

  it('accepts 1.x events (no schemaURL, no eventType) and facets without _producer/_schemaURL', () => {
    const { schemaURL: _s, eventType: _t, ...old } = base;
    const r = validateEvent({
      ...old,
      run: { runId: RUN, facets: { anything: { x: 1 }, parent: { weird: true } } },
    });
    expect('ok' in r).toBe(true);
  });

  it.each([
    ['no runId', { run: {} }, 'run.runId'],
    ['runId not a UUID', { run: { runId: '...' } }, 'run.runId'],
    ['eventTime without zone', { eventTime: '2026-12-01T02:00:00' }, 'eventTime'],
    ['eventTime not a date', { eventTime: 'yesterday' }, 'eventTime'],
    ['unknown eventType', { eventType: 'DONE' }, 'eventType'],
    ['job without name', { job: { namespace: 'ns' } }, 'job.name'],
    ['dataset without namespace', { inputs: [{ name: 't' }] }, 'inputs.0.namespace'],
    ['producer missing', { producer: undefined }, 'producer'],
  ])('rejects %s', (_name, patch, path) => {
    const r = validateEvent({ ...base, ...patch });
    expect(r).toMatchObject({ invalid: { path } });
  });

  it('rejects what is not an event', () => {
    expect(validateEvent([])).toHaveProperty('invalid');
    expect(validateEvent('x')).toHaveProperty('invalid');
    expect(validateEvent({ hello: 1 })).toHaveProperty('invalid');
  });
});

describe('dataset naming', () => {
  it.each([
    ['postgres://db:5432', 'Shop.Public.Orders', 'shop.public.orders', 'postgres'],
    ['postgresql://db:5432', 'shop.public.orders', 'shop.public.orders', 'postgres'],
    ['snowflake://acme-prod', 'analytics.dbt.orders', 'ANALYTICS.DBT.ORDERS', 'snowflake'],
    ['bigquery', 'My-Project.Sales.Orders', 'My-Project.Sales.Orders', 'bigquery'],
    ['redshift://cluster.eu-west-1:5439', 'dev.PUBLIC.t', 'dev.public.t', 'redshift'],
    ['trino://trino:8080', 'hive.Sales.T', 'hive.sales.t', 'trino'],
    ['mysql://db:3306', 'shop.orders', 'shop.orders', 'mysql'],
    ['duckdb:///database/jaffle_shop.duckdb', 'jaffle_shop.main.orders', 'jaffle_shop.main.orders', 'duckdb'],
    ['food_delivery', 'public.delivery_7_days', 'public.delivery_7_days', 'generic'],
    ['mssql://sql1:1433', 'Sales.dbo.Orders', 'sales.dbo.orders', 'tsql'],
    ['teradata://td:1025', 'DWH.Orders', 'dwh.orders', 'teradata'],
  ])('%s + %s -> %s', (ns, name, key, platform) => {
    const id = datasetIdentity(ns, name);
    expect(id.key).toBe(key);
    expect(id.platform).toBe(platform);
    expect(platformOfNamespace(ns)).toBe(platform);
  });

  it('keys storage paths as one quoted part, or the TABLE a symlink names', () => {
    expect(datasetIdentity('s3://bucket', 'a/b.csv')).toMatchObject({
      key: '"s3://bucket/a/b.csv"',
      kind: 'external',
    });
    expect(datasetIdentity('file', '/tmp/x')).toMatchObject({ key: '"file:/tmp/x"' });
    expect(
      datasetIdentity('hdfs://nn:8020', '/wh/sales.db/orders', [
        { namespace: 'hive://metastore:9083', name: 'sales.orders', type: 'TABLE' },
      ]),
    ).toMatchObject({ key: 'sales.orders', kind: 'table', platform: 'databricks' });
  });
});

describe('transformation kinds', () => {
  it.each([
    ['DIRECT', 'IDENTITY', 'IDENTITY', true],
    ['DIRECT', 'AGGREGATION', 'AGGREGATION', true],
    ['INDIRECT', 'CONDITIONAL', 'CONDITIONAL', true],
    ['INDIRECT', 'WINDOW', 'WINDOW', true],
    ['DIRECT', null, 'TRANSFORMATION', true],
    ['DIRECT', 'MASKED_HASH', 'TRANSFORMATION', false],
    ['INDIRECT', 'SOMETHING', 'FILTER', false],
    ['INDIRECT', 'IDENTITY', 'FILTER', false],
  ])('%s/%s -> %s', (type, sub, kind, known) => {
    expect(kindOf(type, sub)).toEqual({ kind, known });
  });
});

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const out = [{ namespace: 'postgres://h:5432', name: 'db.s.t' }];

describe('run ledger', () => {
  it('accumulates one run, replaces on a new run only once it names outputs', () => {
    const l = emptyLedger();
    foldRunEvent(
      l,
      run({ run: { runId: uuid(1) }, inputs: [{ namespace: 'postgres://h:5432', name: 'db.s.a' }] }),
    );
    foldRunEvent(
      l,
      run({
        eventType: 'COMPLETE',
        eventTime: '2026-12-01T02:01:00Z',
        run: { runId: uuid(1) },
        outputs: out,
      }),
    );
    const e = l.jobs['ns/job'];
    expect(Object.keys(e.lineage!.inputs)).toHaveLength(1);
    expect(Object.keys(e.lineage!.outputs)).toHaveLength(1);
    foldRunEvent(l, run({ eventTime: '2026-12-02T02:00:00Z', run: { runId: uuid(2) } }));
    expect(e.lineage!.runId).toBe(uuid(1)); // the START of run 2 names no output: run 1 still defines the job
    foldRunEvent(
      l,
      run({
        eventType: 'COMPLETE',
        eventTime: '2026-12-02T02:01:00Z',
        run: { runId: uuid(2) },
        outputs: out,
      }),
    );
    expect(e.lineage!.runId).toBe(uuid(2));
    expect(Object.keys(e.lineage!.inputs)).toHaveLength(0); // replaced, not unioned across runs
    expect(e.runs.map((r) => r.state)).toEqual(['COMPLETE', 'COMPLETE']);
  });

  it('a late event of an earlier run is evidence, never lineage', () => {
    const l = emptyLedger();
    foldRunEvent(l, run({ eventTime: '2026-12-02T02:00:00Z', run: { runId: uuid(2) }, outputs: out }));
    const r = foldRunEvent(
      l,
      run({
        eventType: 'FAIL',
        eventTime: '2026-12-01T02:05:00Z',
        run: { runId: uuid(1), facets: { errorMessage: { message: 'boom', programmingLanguage: 'python' } } },
        outputs: [{ namespace: 'postgres://h:5432', name: 'db.s.other' }],
      }),
    );
    expect(r.late).toBe(true);
    const e = l.jobs['ns/job'];
    expect(e.lineage!.runId).toBe(uuid(2));
    const b = buildJobBatch({ entry: e, ingestedAt: '2026-12-03T00:00:00Z', dbtKnown: new Set() });
    expect(b.evidence).toEqual([expect.objectContaining({ kind: 'run_failed', nodeKey: 'db.s.other' })]);
    expect(b.evidence[0].message).toContain('boom');
  });

  it('flags a run much slower than the median of earlier ones', () => {
    const l: LedgerData = emptyLedger();
    const day = (d: number, minutes: number, id: number) => {
      const start = new Date(Date.UTC(2026, 10, d, 2, 0, 0));
      const end = new Date(start.getTime() + minutes * 60_000);
      foldRunEvent(l, run({ eventTime: start.toISOString(), run: { runId: uuid(id) }, outputs: out }));
      foldRunEvent(
        l,
        run({ eventType: 'COMPLETE', eventTime: end.toISOString(), run: { runId: uuid(id) }, outputs: out }),
      );
    };
    day(1, 10, 1);
    day(2, 11, 2);
    day(3, 9, 3);
    const e = l.jobs['ns/job'];
    expect(lateness(e.runs[0], e.runs)).toBeNull();
    day(4, 45, 4);
    expect(lateness(e.runs[0], e.runs)).toMatchObject({ kind: 'duration', usualMs: 10 * 60_000 });
    const b = buildJobBatch({ entry: e, ingestedAt: '2026-12-05T00:00:00Z', dbtKnown: new Set() });
    expect(b.evidence.map((x) => x.kind)).toEqual(['run_late']);
    expect(b.evidence[0].message).toMatch(/took 45m, usually 10m/);
  });

  it('a failed parent fails its unfinished children', () => {
    const l = emptyLedger();
    const parent = { parent: { run: { runId: uuid(9) }, job: { namespace: 'airflow', name: 'dag' } } };
    foldRunEvent(l, run({ run: { runId: uuid(1), facets: parent }, outputs: out }));
    foldRunEvent(
      l,
      run({
        job: { namespace: 'ns', name: 'done' },
        run: { runId: uuid(2), facets: parent },
        outputs: [{ namespace: 'postgres://h:5432', name: 'db.s.d' }],
      }),
    );
    foldRunEvent(
      l,
      run({
        eventType: 'COMPLETE',
        job: { namespace: 'ns', name: 'done' },
        run: { runId: uuid(2), facets: parent },
      }),
    );
    const r = foldRunEvent(
      l,
      run({
        eventType: 'FAIL',
        eventTime: '2026-12-01T03:00:00Z',
        job: { namespace: 'airflow', name: 'dag' },
        run: {
          runId: uuid(9),
          facets: { errorMessage: { message: 'dag timed out', programmingLanguage: 'python' } },
        },
      }),
    );
    expect(r.dirty.sort()).toEqual(['airflow/dag', 'ns/job']);
    const b = buildJobBatch({
      entry: l.jobs['ns/job'],
      ingestedAt: '2026-12-03T00:00:00Z',
      dbtKnown: new Set(),
    });
    expect(b.evidence).toEqual([expect.objectContaining({ kind: 'run_failed', nodeKey: 'db.s.t' })]);
    expect(b.evidence[0].message).toMatch(/parent airflow\/dag run .* failed: dag timed out/);
    const done = buildJobBatch({
      entry: l.jobs['ns/done'],
      ingestedAt: '2026-12-03T00:00:00Z',
      dbtKnown: new Set(),
    });
    expect(done.evidence).toEqual([]);
  });
});
