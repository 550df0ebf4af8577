// Removing the CTEs dbt inlines for ephemeral models, as dbt writes them (see parsers/dbt/ephemeral-ctes.ts).
import { describe, expect, it } from 'vitest';
import { stripEphemeralCtes } from '../../parsers/dbt/ephemeral-ctes.ts';

describe('stripEphemeralCtes', () => {
  it('removes the only CTE and its `with`', () => {
    expect(stripEphemeralCtes('with  __dbt__cte__a as (\nselect 1 as x\n) select x from __dbt__cte__a')).toBe(
      'select x from __dbt__cte__a',
    );
  });
  it('keeps the model’s own CTEs (and `recursive`) after the injected ones', () => {
    expect(
      stripEphemeralCtes(
        'with recursive __dbt__cte__a as (select 1 as x),  __dbt__cte__b as (select 2 as y), own as (select * from __dbt__cte__a) select * from own',
      ),
    ).toBe('with recursive own as (select * from __dbt__cte__a) select * from own');
  });
  it('skips strings, quoted names and comments holding parentheses', () => {
    const sql =
      'with __dbt__cte__a as (select \')\' as "x)", 1 /* ) */ as y -- )\n from t), b as (select 1) select * from b';
    expect(stripEphemeralCtes(sql)).toBe('with b as (select 1) select * from b');
  });
  it('accepts quoted CTE names, column lists and MATERIALIZED hints', () => {
    expect(
      stripEphemeralCtes('with "__dbt__cte__A" as (select 1), c (z) as not materialized (select 2) select 1'),
    ).toBe('with c (z) as not materialized (select 2) select 1');
  });
  it('leaves SQL without inlined ephemerals, or of another shape, unchanged', () => {
    for (const sql of [
      'select * from t',
      'with a as (select 1) select * from a',
      'select * from __dbt__cte__a',
      'with __dbt__cte__a as (select 1', // never closes
      'insert into t with __dbt__cte__a as (select 1) select 1',
    ])
      expect(stripEphemeralCtes(sql)).toBe(sql);
  });
});
