// Run evidence through the store into rootCause: a schema change between two runs of a job (fingerprints ->
// column_dropped / column_retyped), a run much slower than usual (run_late), an unchanged re-run writes
// nothing, and a store failure leaves the ledger as it was.
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../graph/create-store.ts';
import type { LineageStore } from '../../graph/store.ts';
import { validateEvent, type OpenLineageEvent } from '../../parsers/openlineage/schema.ts';
import { contextFromConfig } from '../../src/analysis/context.ts';
import { rootCause } from '../../src/analysis/root-cause.ts';
import { loadConfig } from '../../src/config.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { ingestOpenLineageFile } from '../../src/pipeline/openlineage-file.ts';
import { ingestOpenLineage, memoryLedger } from '../../src/pipeline/openlineage.ts';

const NS = 'snowflake://acme-prod';
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function ev(value: unknown): OpenLineageEvent {
  const r = validateEvent(value);
  if (!('ok' in r)) throw new Error(r.invalid.message);
  return r.ok;
}

/** One run of job `load` (raw.orders -> analytics.orders) from `start`, `minutes` long, with these columns. */
function runOf(start: string, minutes: number, columns: [string, string][]): OpenLineageEvent[] {
  const runId = uuid();
  const end = new Date(Date.parse(start) + minutes * 60_000).toISOString();
  const base = {
    producer: 'https://example.test/etl',
    run: { runId },
    job: { namespace: 'etl', name: 'load' },
  };
  const output = {
    namespace: NS,
    name: 'analytics.public.orders',
    facets: {
      schema: { fields: columns.map(([name, type]) => ({ name, type })) },
      columnLineage: {
        fields: Object.fromEntries(
          columns.map(([c]) => [
            c,
            {
              inputFields: [
                {
                  namespace: NS,
                  name: 'raw.public.orders',
                  field: c,
                  transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }],
                },
              ],
            },
          ]),
        ),
      },
    },
  };
  return [
    ev({
      ...base,
      eventType: 'START',
      eventTime: start,
      inputs: [{ namespace: NS, name: 'raw.public.orders' }],
    }),
    ev({ ...base, eventType: 'COMPLETE', eventTime: end, outputs: [output] }),
  ];
}

async function causes(store: LineageStore, ref: string) {
  const config = loadConfig({ LINEAGE_DATA_DIR: '/nonexistent' });
  const ctx = contextFromConfig(config, { now: new Date('2026-12-10T00:00:00Z') });
  const r = await rootCause(store, { ref, since: '2026-11-01T00:00:00Z', depth: 5 }, ctx);
  return r.candidates.map((c) => ({ key: c.key, kinds: c.evidence.map((e) => e.kind) }));
}

describe('OpenLineage run evidence in rootCause', () => {
  it('schema changes between runs, a late run; an unchanged re-run writes nothing', async () => {
    const store = await createMemoryStore();
    const ledger = memoryLedger();
    const cols: [string, string][] = [
      ['ID', 'NUMBER'],
      ['AMOUNT', 'NUMBER(12,2)'],
      ['NOTE', 'VARCHAR'],
    ];
    for (const day of ['01', '02', '03']) {
      const s = await ingestOpenLineage(store, ledger, runOf(`2026-12-${day}T02:00:00Z`, 10, cols));
      expect(s.unchanged).toBe(day === '01' ? 0 : 1); // same lineage, same evidence: no write
    }
    // day 4: AMOUNT retyped, NOTE dropped, and the run takes 50 minutes instead of 10
    await ingestOpenLineage(
      store,
      ledger,
      runOf('2026-12-04T02:00:00Z', 50, [
        ['ID', 'NUMBER'],
        ['AMOUNT', 'FLOAT'],
      ]),
    );
    expect(await causes(store, 'analytics.public.orders')).toEqual([
      {
        key: 'ANALYTICS.PUBLIC.ORDERS',
        kinds: ['column_dropped', 'column_retyped', 'run_late'],
      },
      { key: 'RAW.PUBLIC.ORDERS', kinds: [] },
    ]);
    const ev = await store.evidence(['ANALYTICS.PUBLIC.ORDERS']);
    expect(ev[0].message).toMatch(/took 50m, usually 10m/);
    await store.close();
  });

  it('a store failure leaves the ledger as it was, so the retry is not skipped as unchanged', async () => {
    const store = await createMemoryStore();
    const ledger = memoryLedger();
    const events = runOf('2026-12-01T02:00:00Z', 5, [['ID', 'NUMBER']]);
    const failing = Object.create(store) as LineageStore;
    failing.applyBatch = () => Promise.reject(new Error('disk full'));
    await expect(ingestOpenLineage(failing, ledger, events)).rejects.toThrow('disk full');
    expect(ledger.data.jobs).toEqual({});
    const s = await ingestOpenLineage(store, ledger, events);
    expect(s.unchanged).toBe(0);
    expect((await store.stats()).columnEdges).toBe(1);
    await store.close();
  });

  it('dbt-ol events join the dbt graph: a failed model run is a root-cause candidate downstream', async () => {
    const store = await createMemoryStore();
    await ingestDbt(store, 'fixtures/demo/target', {});
    const before = await store.fingerprints(['jaffle_shop.main.stg_orders'], 20);
    const ledger = memoryLedger();
    await ingestOpenLineageFile(store, ledger, 'fixtures/openlineage/dbt-ol.ndjson'); // stg_orders with a schema facet
    await ingestOpenLineageFile(store, ledger, 'fixtures/openlineage/dbt-ol-fail.ndjson');
    const found = await causes(store, 'jaffle_shop.main.customers');
    expect(found.find((c) => c.key === 'jaffle_shop.main.orders')).toEqual({
      key: 'jaffle_shop.main.orders',
      kinds: ['run_failed'],
    });
    expect(found[0].key).toBe('jaffle_shop.main.orders');
    // the dbt model's schema history stays dbt's: dbt-ol's partial schema facet added no fingerprint to it
    expect(before.get('jaffle_shop.main.stg_orders')?.length).toBeGreaterThan(0);
    expect(await store.fingerprints(['jaffle_shop.main.stg_orders'], 20)).toEqual(before);
    await store.close();
  });
});
