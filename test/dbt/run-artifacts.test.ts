// run_results.json and sources.json become evidence on the tested column / relation, with their times.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDbtTarget } from '../../parsers/dbt/index.ts';
import { catalogOf, miniManifest, writeTarget } from '../helpers/mini-project.ts';

describe('run artifacts as evidence', () => {
  it('maps test failures/warnings, model errors and source freshness to the right nodes', async () => {
    const manifest = miniManifest(
      [
        {
          id: 'orders',
          sql: 'select id, amount from "db"."raw"."payments"',
          deps: ['source.mini.raw.payments'],
        },
        {
          id: 'not_null_orders_id',
          type: 'test',
          deps: ['model.mini.orders'],
          extra: {
            column_name: 'id',
            attached_node: 'model.mini.orders',
            test_metadata: { name: 'not_null' },
          },
        },
        {
          id: 'positive_amount',
          type: 'test',
          deps: ['model.mini.orders'],
          extra: { test_metadata: { name: 'expression_is_true' } },
        },
      ],
      [{ id: 'payments' }],
    );
    const target = writeTarget(
      manifest,
      catalogOf({
        'source.mini.raw.payments': {
          schema: 'raw',
          columns: [
            ['id', 'INTEGER'],
            ['amount', 'DECIMAL'],
          ],
        },
        'model.mini.orders': {
          columns: [
            ['id', 'INTEGER'],
            ['amount', 'DECIMAL'],
          ],
        },
      }),
    );
    const timing = (t: string) => [{ name: 'execute', started_at: t, completed_at: t }];
    writeFileSync(
      join(target, 'run_results.json'),
      JSON.stringify({
        metadata: {
          dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
          generated_at: '2026-01-02T00:00:00Z',
        },
        results: [
          {
            unique_id: 'model.mini.orders',
            status: 'error',
            message: 'Database Error\n  column "amount" does not exist',
            timing: timing('2026-01-02T00:00:01Z'),
          },
          {
            unique_id: 'test.mini.not_null_orders_id',
            status: 'fail',
            failures: 3,
            message: 'Got 3 results',
            timing: timing('2026-01-02T00:00:02Z'),
          },
          {
            unique_id: 'test.mini.positive_amount',
            status: 'warn',
            failures: 1,
            timing: timing('2026-01-02T00:00:03Z'),
          },
        ],
      }),
    );
    writeFileSync(
      join(target, 'sources.json'),
      JSON.stringify({
        metadata: {
          dbt_schema_version: 'https://schemas.getdbt.com/dbt/sources/v3.json',
          generated_at: '2026-01-02T01:00:00Z',
        },
        results: [
          {
            unique_id: 'source.mini.raw.payments',
            status: 'error',
            max_loaded_at: '2025-12-30T00:00:00+00:00',
            snapshotted_at: '2026-01-02T01:00:00+00:00',
            max_loaded_at_time_ago_in_s: 262800,
          },
        ],
      }),
    );
    const r = await parseDbtTarget(target, { analyzeSql: null });
    expect(r.batch.evidence.map((e) => `${e.nodeKey} ${e.kind} ${e.at} ${e.subject}`)).toEqual([
      'db.main.orders model_error 2026-01-02T00:00:01.000Z model.mini.orders',
      'db.main.orders test_warned 2026-01-02T00:00:03.000Z test.mini.positive_amount',
      'db.main.orders.id test_failed 2026-01-02T00:00:02.000Z test.mini.not_null_orders_id',
      'db.raw.payments source_stale 2026-01-02T01:00:00.000Z source.mini.raw.payments',
    ]);
    expect(r.batch.evidence[0].message).toBe('node error: Database Error column "amount" does not exist');
    expect(r.batch.evidence[3].message).toContain('last load 73 h before the check');
    expect(r.batch.checks.map((c) => `${c.testType} ${c.columnKey ?? c.relationKey}`)).toEqual([
      'not_null db.main.orders.id',
      'expression_is_true db.main.orders',
    ]);
  });
});
