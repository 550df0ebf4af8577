// The alert adapters on real artifacts: the demo's run_results.json with one test made to fail is
// attached to the column the manifest (already ingested) says it tests; sources.json, Great Expectations
// and Soda results become alerts on their tables/columns; what cannot be attached is listed, not guessed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fromDbtRunResults,
  fromDbtSources,
  fromGreatExpectations,
  fromSoda,
} from '../../src/alerts/adapters.ts';
import { parseGenericAlerts } from '../../src/alerts/intake.ts';
import { DEMO_TARGET, openDemoGraph, type DemoGraph } from '../helpers/demo-graph.ts';

let g: DemoGraph;
beforeAll(async () => {
  g = await openDemoGraph();
});
afterAll(async () => g?.close());

export const FAILING_TEST = 'test.jaffle_shop.not_null_stg_customers_customer_id.e2cfb1f9aa';

export function runResultsWithFailure(testId = FAILING_TEST, at = '2026-12-01T06:00:01.000000Z') {
  const runs = JSON.parse(readFileSync(join(DEMO_TARGET, 'run_results.json'), 'utf8'));
  for (const r of runs.results)
    if (r.unique_id === testId) {
      r.status = 'fail';
      r.failures = 2;
      r.message = 'Got 2 results, configured to fail if != 0';
      for (const t of r.timing) {
        t.started_at = at;
        t.completed_at = at;
      }
    }
  return runs;
}

describe('dbt run_results.json', () => {
  it('a failing test becomes one alert on the column it tests', async () => {
    const r = await fromDbtRunResults(runResultsWithFailure(), g.store);
    expect(r.skipped).toEqual([]);
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({
      source: 'dbt',
      asset: 'jaffle_shop.main.stg_customers.customer_id',
      level: 'error',
      status: 'firing',
      at: '2026-12-01T06:00:01.000Z',
    });
    expect(r.alerts[0].message).toContain('not_null_stg_customers_customer_id');
    expect(r.alerts[0].message).toContain('2 failing rows');
  });
  it('all-passing results give no alert; an unknown test is skipped with its reason', async () => {
    const ok = JSON.parse(readFileSync(join(DEMO_TARGET, 'run_results.json'), 'utf8'));
    expect((await fromDbtRunResults(ok, g.store)).alerts).toEqual([]);
    const runs = runResultsWithFailure();
    runs.results.push({
      ...runs.results.find((x: { status: string }) => x.status === 'fail'),
      unique_id: 'test.x.gone.1',
    });
    const r = await fromDbtRunResults(runs, g.store);
    expect(r.alerts).toHaveLength(1);
    expect(r.skipped).toEqual([
      { ref: 'test.x.gone.1', reason: expect.stringContaining('not in the ingested manifest') },
    ]);
  });
});

describe('dbt sources.json', () => {
  it('a stale source becomes an alert on the source relation', async () => {
    const sources = {
      metadata: {
        dbt_schema_version: 'https://schemas.getdbt.com/dbt/sources/v3.json',
        generated_at: '2026-12-01T05:00:00Z',
      },
      results: [
        {
          unique_id: 'source.jaffle_shop.ecom.raw_customers',
          status: 'error',
          max_loaded_at: '2026-11-28T00:00:00Z',
          snapshotted_at: '2026-12-01T05:00:00Z',
          max_loaded_at_time_ago_in_s: 277200,
          criteria: {},
          adapter_response: {},
          timing: [],
          thread_id: 'Thread-1',
          execution_time: 0.1,
        },
        {
          unique_id: 'source.jaffle_shop.ecom.raw_orders',
          status: 'pass',
          max_loaded_at: '2026-12-01T04:00:00Z',
          snapshotted_at: '2026-12-01T05:00:00Z',
          max_loaded_at_time_ago_in_s: 3600,
          criteria: {},
          adapter_response: {},
          timing: [],
          thread_id: 'Thread-1',
          execution_time: 0.1,
        },
      ],
      elapsed_time: 1,
    };
    const r = await fromDbtSources(sources, g.store);
    // raw_customers is a seed and a source: the relation carries the seed's unique_id, so the name is used
    expect(r.alerts.map((a) => [a.asset, a.level])).toEqual([['raw_customers', 'error']]);
  });
});

describe('Great Expectations and Soda', () => {
  it('failed expectations become alerts on batch table + column', () => {
    const r = fromGreatExpectations({
      success: false,
      results: [
        {
          success: true,
          expectation_config: {
            expectation_type: 'expect_column_to_exist',
            kwargs: { column: 'customer_id' },
          },
        },
        {
          success: false,
          expectation_config: {
            expectation_type: 'expect_column_values_to_not_be_null',
            kwargs: { column: 'customer_id' },
          },
        },
      ],
      meta: {
        expectation_suite_name: 'stg_customers.warning',
        validation_time: '20261201T060000.000000Z',
        batch_spec: { table_name: 'stg_customers', schema_name: 'main' },
      },
    });
    expect(r.alerts).toEqual([
      expect.objectContaining({
        source: 'great_expectations',
        asset: 'main.stg_customers',
        column: 'customer_id',
        at: '2026-12-01T06:00:00.000Z',
      }),
    ]);
  });
  it('Soda fail/warn checks become alerts; pass does not', () => {
    const r = fromSoda({
      definitionName: 'nightly',
      scanEndTimestamp: '2026-12-01T06:00:00+00:00',
      checks: [
        { identity: 'a', name: 'row_count > 0', table: 'stg_customers', outcome: 'pass' },
        {
          identity: 'b',
          name: 'missing_count(customer_id) = 0',
          table: 'stg_customers',
          column: 'customer_id',
          outcome: 'fail',
        },
        { identity: 'c', name: 'freshness(loaded_at) < 1d', table: 'stg_orders', outcome: 'warn' },
      ],
    });
    expect(r.alerts.map((a) => [a.asset, a.column, a.level])).toEqual([
      ['stg_customers', 'customer_id', 'error'],
      ['stg_orders', null, 'warning'],
    ]);
  });
  it('the generic shape is validated with a path', () => {
    expect(parseGenericAlerts({ asset: 'customers' })[0]).toMatchObject({
      source: 'webhook',
      level: 'error',
      status: 'firing',
    });
    expect(() => parseGenericAlerts({ asset: 'x', level: 'loud' })).toThrow(/level/);
    expect(() => parseGenericAlerts({ alerts: [] })).toThrow();
  });
});
