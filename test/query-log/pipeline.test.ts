// ingestQueryLog against the real embedded store: failure modes leave the store untouched, names join the
// relations dbt contributed, service accounts are excluded at query time, the CLI wires it together.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { main } from '../../src/cli/main.ts';
import { emptyBatch } from '../../src/model/lineage.ts';
import { ingestQueryLog } from '../../src/pipeline/ingest-query-log.ts';
import { captureIO } from '../helpers/capture-io.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/query-logs');
let dir: string;
let store: LineageStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-qlog-pipe-'));
  store = await openEmbeddedStore({ dataDir: join(dir, 'store') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('failures leave the store untouched', () => {
  it('a file that is not the declared format fails fast with QUERY_LOG_WRONG_FORMAT', async () => {
    await ingestQueryLog(store, join(FIXTURES, 'generic/queries.jsonl'), {
      format: 'generic',
      origin: 'keep',
    });
    const before = await store.stats();
    await expect(
      ingestQueryLog(store, join(FIXTURES, 'wrong-format/orders.csv'), {
        format: 'snowflake',
        origin: 'keep',
      }),
    ).rejects.toMatchObject({ code: 'QUERY_LOG_WRONG_FORMAT' });
    const garbage = join(dir, 'garbage.jsonl');
    writeFileSync(garbage, '{not json\n'.repeat(50));
    await expect(ingestQueryLog(store, garbage, { format: 'generic', origin: 'keep' })).rejects.toMatchObject(
      {
        code: 'QUERY_LOG_WRONG_FORMAT',
        message: expect.stringMatching(/no valid row among the first 20 \(line 1: invalid JSON/),
      },
    );
    await expect(
      ingestQueryLog(store, join(FIXTURES, 'generic/queries.jsonl'), { format: 'mysql-general-log' }),
    ).rejects.toMatchObject({ code: 'QUERY_LOG_UNKNOWN_FORMAT' });
    expect(await store.stats()).toEqual(before);
  });

  it('malformed rows are counted, the first N reported with line numbers, and ingest continues', async () => {
    const s = await ingestQueryLog(store, join(FIXTURES, 'generic/queries.jsonl'), {
      format: 'generic',
      maxSamples: 1,
    });
    expect(s.malformed).toBe(3);
    expect(s.malformedSamples).toEqual([{ line: 5, reason: "unknown dialect 'klingon'" }]);
    expect(s.executions).toBe(3);
    const diags = await store.diagnostics({ code: 'QUERY_LOG_MALFORMED_ROW', limit: 10 });
    expect(diags.map((d) => [d.where?.line, d.message])).toEqual(
      expect.arrayContaining([
        [5, "unknown dialect 'klingon'"],
        [undefined, '2 more malformed row(s) not listed'],
      ]),
    );
  });
});

describe('one bad CSV row among good rows', () => {
  /** A Snowflake export of `rows` good rows (> 1 MiB) with `broken(i)` replacing some of them. */
  function snowflakeCsv(file: string, rows: number, broken: (i: number) => string | null): void {
    const lines = ['QUERY_ID,QUERY_TEXT,USER_NAME,START_TIME,EXECUTION_STATUS'];
    const pad = 'x'.repeat(40);
    for (let i = 0; i < rows; i++)
      lines.push(broken(i) ?? `q${i},"SELECT a, '${pad}' FROM t${i % 7}",alice,2024-05-01 10:00:00,SUCCESS`);
    writeFileSync(file, `${lines.join('\n')}\n`);
  }

  it.each([
    ['early', 40],
    ['late (past the first MiB)', 19_500],
  ])('an unbalanced quote %s is one diagnostic at its line; every good row is ingested', async (_, at) => {
    const file = join(dir, 'quote.csv');
    snowflakeCsv(file, 20_000, (i) =>
      i === at ? `q${i},"SELECT broken FROM t,alice,2024-05-01 10:00:00,SUCCESS` : null,
    );
    const s = await ingestQueryLog(store, file, { format: 'snowflake' });
    expect({ records: s.records, executions: s.executions, malformed: s.malformed }).toEqual({
      records: 20_000,
      executions: 19_999,
      malformed: 1,
    });
    expect(s.malformedSamples).toEqual([
      { line: at + 2, reason: expect.stringMatching(/^unbalanced quote/) },
    ]);
    const diags = await store.diagnostics({ code: 'QUERY_LOG_MALFORMED_ROW', limit: 10 });
    expect(diags.map((d) => d.where?.line)).toEqual([at + 2]);
    expect((await store.usage({ sinceDay: '2024-05-01', targets: ['T0'] }))[0].reads).toBe(
      Array.from({ length: 20_000 }, (_, i) => i).filter((i) => i % 7 === 0 && i !== at).length,
    );
  });

  it('an impossible START_TIME is one malformed row with the reason', async () => {
    const file = join(dir, 'feb30.csv');
    snowflakeCsv(file, 30, (i) => (i === 3 ? `q3,"SELECT 1",bob,2024-02-30 10:00:00,SUCCESS` : null));
    const s = await ingestQueryLog(store, file, { format: 'snowflake' });
    expect(s.malformedSamples).toEqual([
      { line: 5, reason: "bad START_TIME: '2024-02-30 10:00:00': day 30 does not exist in 2024-02" },
    ]);
    expect(s.executions).toBe(29);
  });
});

describe('executions counted once by query id and start time', () => {
  it('the same rows twice in one log count once', async () => {
    const file = join(dir, 'twice.jsonl');
    const rows = [1, 2, 3].map((i) =>
      JSON.stringify({
        query: `SELECT a FROM t WHERE x = ${i}`,
        user: 'amy',
        timestamp: `2024-05-01T10:00:0${i}Z`,
        query_id: `q${i}`,
      }),
    );
    writeFileSync(
      file,
      [
        ...rows,
        ...rows,
        JSON.stringify({
          query: 'SELECT a FROM t',
          user: 'amy',
          timestamp: '2024-05-01T11:00:00Z',
          query_id: 'q1',
        }),
      ].join('\n'),
    );
    const s = await ingestQueryLog(store, file, { format: 'generic' });
    // q1 at another start time is another execution (ids may be reused across days or servers).
    expect({ executions: s.executions, duplicates: s.duplicates }).toEqual({ executions: 4, duplicates: 3 });
    expect((await store.usage({ sinceDay: '2024-05-01', targets: ['t'] }))[0].reads).toBe(4);
  });
});

describe('joining what the graph already knows', () => {
  it('resolves unqualified names and * against dbt relations with catalog columns', async () => {
    const dbt = emptyBatch({
      id: 'dbt:shop',
      provenance: 'dbt_manifest',
      label: 'dbt',
      ingestedAt: '2024-01-01T00:00:00Z',
    });
    dbt.relations.push({
      key: 'ANALYTICS.MARTS.DAILY_REVENUE',
      kind: 'model',
      platform: 'snowflake',
      displayName: 'analytics.marts.daily_revenue',
      database: 'ANALYTICS',
      schema: 'MARTS',
      name: 'DAILY_REVENUE',
      uniqueId: 'model.shop.daily_revenue',
      owners: [],
      tags: [],
      isKeyAsset: false,
    });
    ['ORDER_DATE', 'REVENUE'].forEach((name, i) =>
      dbt.columns.push({
        key: `ANALYTICS.MARTS.DAILY_REVENUE.${name}`,
        relationKey: 'ANALYTICS.MARTS.DAILY_REVENUE',
        name,
        displayName: name.toLowerCase(),
        dataType: i === 0 ? 'DATE' : 'NUMBER',
        ordinal: i + 1,
        tags: [],
      }),
    );
    await store.applyBatch(dbt);
    const log = join(dir, 'log.jsonl');
    const row = (query: string, user: string) =>
      JSON.stringify({
        query,
        user,
        timestamp: '2024-05-03T10:00:00Z',
        dialect: 'snowflake',
        database: 'analytics',
        schema: 'marts',
      });
    writeFileSync(
      log,
      [
        row('select * from daily_revenue', 'ALICE'),
        row('create table reporting.rev_copy as select * from daily_revenue', 'ETL'),
      ].join('\n'),
    );
    await ingestQueryLog(store, log, { format: 'generic' });
    const usage = await store.usage({
      sinceDay: '2024-01-01',
      targets: ['ANALYTICS.MARTS.DAILY_REVENUE.REVENUE'],
    });
    expect(usage[0]).toMatchObject({ reads: 2, distinctReaders: 2 });
    const up = await store.edgesOf('ANALYTICS.REPORTING.REV_COPY.REVENUE', 'upstream');
    expect(up.map((e) => `${e.from} ${e.kind}`)).toEqual(['ANALYTICS.MARTS.DAILY_REVENUE.REVENUE IDENTITY']);
    const model = (await store.getNodes(['ANALYTICS.MARTS.DAILY_REVENUE'])).get(
      'ANALYTICS.MARTS.DAILY_REVENUE',
    );
    expect(model?.type === 'relation' && model.node.kind).toBe('model');
    // The persisted store reloads with the same answers.
    await store.close();
    store = await openEmbeddedStore({ dataDir: join(dir, 'store') });
    expect(await store.edgesOf('ANALYTICS.REPORTING.REV_COPY.REVENUE', 'upstream')).toEqual(up);
    expect(
      await store.usage({ sinceDay: '2024-01-01', targets: ['ANALYTICS.MARTS.DAILY_REVENUE.REVENUE'] }),
    ).toEqual(usage);
  });
});

describe('service users and roles', () => {
  it('keeps raw users in usage and excludes service accounts at query time', async () => {
    const s = await ingestQueryLog(store, join(FIXTURES, 'snowflake/query_history.csv'), {
      format: 'snowflake',
      serviceUsers: ['dbt_runner'],
      serviceRoles: ['LOADER'],
    });
    expect(s.serviceExecutions).toBe(6);
    const q = { sinceDay: '2024-01-01', targets: ['RAW.SHOP.ORDERS'] };
    expect((await store.usage(q))[0].reads).toBe(4);
    expect((await store.usage({ ...q, excludeUsers: ['DBT_RUNNER'] }))[0].reads).toBe(1);
    const none = await store.usage({ ...q, excludeUsers: ['dbt_runner'], excludeRoles: ['loader'] });
    expect(none[0]?.reads ?? 0).toBe(0);
    const mart = await store.usage({
      sinceDay: '2024-01-01',
      targets: ['ANALYTICS.MARTS.DAILY_REVENUE'],
      excludeRoles: ['TRANSFORMER'],
    });
    expect(mart[0]).toMatchObject({ reads: 3, distinctReaders: 2, writes: 0 });
  });
});

describe('lineage ingest query-log (CLI)', () => {
  const io = () => captureIO({ env: { LINEAGE_DATA_DIR: join(dir, 'cli-store') } });

  it('ingests, prints a summary, and exits with the error code of a wrong or unknown format', async () => {
    const ok = io();
    const file = join(FIXTURES, 'redshift/sys_query_history.csv');
    expect(
      await main(['ingest', 'query-log', file, '--format', 'redshift', '--database', 'dev', '--json'], ok),
    ).toBe(0);
    const summary = JSON.parse(ok.stdout);
    expect(summary).toMatchObject({ format: 'redshift', failed: 1, cancelled: 1, executions: 3 });
    const text = io();
    expect(await main(['ingest', 'query-log', file, '--format', 'redshift', '--origin', 'rs'], text)).toBe(0);
    // The same file under another origin: its executions were counted by the first ingest (its ledger).
    expect(text.stdout).toMatch(
      /as origin rs\n {2}records 5: executions 0, .* duplicates 5 \(5 already counted by another origin\)/,
    );
    const wrong = io();
    expect(
      await main(
        ['ingest', 'query-log', join(FIXTURES, 'wrong-format/notes.txt'), '--format', 'bigquery'],
        wrong,
      ),
    ).toBe(5);
    expect(wrong.stderr).toMatch(/^error \[QUERY_LOG_WRONG_FORMAT\]/);
    const unknown = io();
    expect(await main(['ingest', 'query-log', file, '--format', 'teradata'], unknown)).toBe(2);
    expect(unknown.stderr).toMatch(/QUERY_LOG_UNKNOWN_FORMAT/);
    // A malformed row is printed with its diagnostic code and its true line; the ingest succeeds.
    const bad = io();
    const snowflake = join(FIXTURES, 'snowflake/query_history.csv');
    expect(await main(['ingest', 'query-log', snowflake, '--format', 'snowflake'], bad)).toBe(0);
    expect(bad.stdout).toContain("  warning QUERY_LOG_MALFORMED_ROW line 22: bad START_TIME: 'not a time'");
  });
});
