// `lineage ingest openlineage` (a malformed line: exit 5, OPENLINEAGE_INVALID_EVENT with its line, nothing written;
// run history continues across invocations) and `lineage export openlineage` (the demo dbt graph as events that
// validate against the ingest's model and re-ingest to the same column edges).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore, createStore } from '../../graph/create-store.ts';
import { validateEvent } from '../../parsers/openlineage/schema.ts';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config.ts';
import { memoryLedger } from '../../src/pipeline/openlineage.ts';
import { ingestOpenLineageFile } from '../../src/pipeline/openlineage-file.ts';
import { captureIO } from '../helpers/capture-io.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ol-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stats(dataDir: string) {
  const store = await createStore(loadConfig({ LINEAGE_DATA_DIR: dataDir }));
  try {
    return await store.stats();
  } finally {
    await store.close();
  }
}

describe('lineage ingest openlineage', () => {
  it('rejects a file with a malformed line before writing anything', async () => {
    const data = join(dir, 'bad-data');
    const file = join(dir, 'bad.ndjson');
    const good = readFileSync('fixtures/openlineage/airflow.ndjson', 'utf8').split('\n')[0];
    writeFileSync(file, `${good}\n\n${good.replace('"runId": "', '"runId": "x')}\n`);
    const io = captureIO();
    expect(await main(['ingest', 'openlineage', file, '--data-dir', data], io)).toBe(5);
    expect(io.stderr).toMatch(
      /^error \[OPENLINEAGE_INVALID_EVENT\]: .*bad\.ndjson line 3: run\.runId: must be a UUID\n$/,
    );
    expect((await stats(data)).relations).toBe(0);
    const notJson = join(dir, 'not-json.ndjson');
    writeFileSync(notJson, `${good}\n{"eventType":\n`);
    const io2 = captureIO();
    expect(await main(['ingest', 'openlineage', notJson, '--data-dir', data], io2)).toBe(5);
    expect(io2.stderr).toMatch(/line 2: not JSON/);
  });

  it('ingests a file, and a later file continues the same runs (the ledger is kept in the data dir)', async () => {
    const data = join(dir, 'runs-data');
    const lines = readFileSync('fixtures/openlineage/dbt-ol-fail.ndjson', 'utf8').trim().split('\n');
    const first = join(dir, 'part1.ndjson');
    const second = join(dir, 'part2.ndjson');
    writeFileSync(first, `${lines.slice(0, 2).join('\n')}\n`); // the START naming the output
    writeFileSync(second, `${lines.slice(2).join('\n')}\n`); // the FAIL with outputs: []
    const io = captureIO();
    expect(await main(['ingest', 'openlineage', first, '--data-dir', data], io)).toBe(0);
    expect(io.stdout).toMatch(/ingested OpenLineage events .*part1\.ndjson: 2 events \(2 run/);
    const io2 = captureIO();
    expect(await main(['ingest', 'openlineage', second, '--data-dir', data, '--json'], io2)).toBe(0);
    expect(JSON.parse(io2.stdout)).toMatchObject({ events: 2, evidence: 1 });
    const store = await createStore(loadConfig({ LINEAGE_DATA_DIR: data }));
    try {
      const ev = await store.evidence(['jaffle_shop.main.orders']);
      expect(ev.map((e) => e.kind)).toEqual(['run_failed']);
      expect(ev[0].message).toContain('order_totl');
    } finally {
      await store.close();
    }
  });
});

describe('lineage export openlineage', () => {
  it('writes the demo dbt graph as valid events that re-ingest to the same column edges', async () => {
    const data = join(dir, 'demo-data');
    const io = captureIO();
    expect(await main(['ingest', 'dbt', 'fixtures/demo/target', '--data-dir', data], io)).toBe(0);
    const out = join(dir, 'export.ndjson');
    const io2 = captureIO();
    expect(await main(['export', 'openlineage', '--out', out, '--data-dir', data], io2)).toBe(0);
    const events = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const e of events) expect(validateEvent(e)).toHaveProperty('ok');
    const jobs = events.map((e) => e.job.name);
    expect(jobs).toContain('model.jaffle_shop.customers');
    expect(new Set(events.map((e) => e.run.runId)).size).toBe(events.length);
    const customers = events.find((e) => e.job.name === 'model.jaffle_shop.customers')!;
    expect(customers.outputs[0]).toMatchObject({
      namespace: 'duckdb://lineage-graph',
      name: 'jaffle_shop.main.customers',
    });
    expect(customers.outputs[0].facets.columnLineage.fields.customer_name.inputFields).toContainEqual({
      namespace: 'duckdb://lineage-graph',
      name: 'jaffle_shop.main.stg_customers',
      field: 'customer_name',
      transformations: [{ type: 'DIRECT', subtype: 'IDENTITY', description: '', masking: false }],
    });
    expect(io2.stderr).toMatch(new RegExp(`exported ${events.length} OpenLineage events`));

    const original = await stats(data);
    const copy = await createMemoryStore();
    try {
      await ingestOpenLineageFile(copy, memoryLedger(), out);
      const s = await copy.stats();
      expect(s.columnEdges).toBe(original.columnEdges);
      expect(s.origins).toHaveLength(events.length);
    } finally {
      await copy.close();
    }
  });
});
