// A small real-shaped SQL Server dbt project for the PR-gate scenarios: a box-office staging model read by marts
// that reference its columns unqualified (and one through a JOIN), not_null/unique tests on the staging date, a
// high-maturity dashboard on two marts, a film dimension that only passes `title` through, and an ephemeral
// model (inlined by dbt as `__dbt__cte__int_screenings`) read by a mart.
import { catalogOf, miniManifest, writeTarget, type MiniNode } from '../helpers/mini-project.ts';

export type Change =
  | 'none'
  | 'drop_box_date'
  | 'drop_theater_id'
  | 'retype_title'
  | 'retype_gross'
  | 'values_gross'
  | 'drop_screenings';

const STG = 'model.mini.stg_box_office';

/** The staging model's select list and catalog types for one change. */
function staging(change: Change): { sql: string; columns: [string, string][] } {
  const cols: [string, string, string][] = [
    ['film_id', 'int', 'film_id'],
    ['title', change === 'retype_title' ? 'nvarchar(400)' : 'varchar(200)', 'title'],
    ['box_date', 'date', 'cast(box_date as date) as box_date'],
    ['theater_id', 'int', 'theater_id'],
    ['gross', change === 'retype_gross' ? 'float' : 'decimal(18,2)', 'gross'],
  ];
  const kept = cols.filter(
    ([n]) =>
      !(change === 'drop_box_date' && n === 'box_date') &&
      !(change === 'drop_theater_id' && n === 'theater_id'),
  );
  const expr = (n: string, e: string) =>
    change === 'retype_title' && n === 'title'
      ? 'cast(title as nvarchar(400)) as title'
      : change === 'retype_gross' && n === 'gross'
        ? 'cast(gross as float) as gross'
        : change === 'values_gross' && n === 'gross'
          ? 'gross * 1.1 as gross'
          : e;
  return {
    sql: `select ${kept.map(([n, , e]) => expr(n, e)).join(', ')} from "db"."main"."raw_box_office"`,
    columns: kept.map(([n, t]) => [n, t]),
  };
}

const EPHEMERAL = (change: Change) =>
  `select film_id${change === 'drop_screenings' ? '' : ', 1 as screenings'} from "db"."main"."stg_box_office"`;

function test(name: string, column: string): MiniNode {
  return {
    id: `${name}_stg_box_office_${column}`,
    type: 'test',
    sql: 'select 1',
    deps: [STG],
    extra: {
      column_name: column,
      attached_node: STG,
      test_metadata: { name, kwargs: { column_name: column } },
    },
  };
}

/** A target directory of the box-office project after `change`; `catalog: false` is a `dbt compile` only. */
export function boxOffice(change: Change, catalog = true): string {
  const stg = staging(change);
  const nodes: MiniNode[] = [
    { id: 'raw_box_office', type: 'seed' },
    { id: 'raw_theaters', type: 'seed' },
    { id: 'stg_box_office', sql: stg.sql, deps: ['seed.mini.raw_box_office'] },
    {
      id: 'stg_theaters',
      sql: 'select theater_id, theater_name from "db"."main"."raw_theaters"',
      deps: ['seed.mini.raw_theaters'],
    },
    {
      id: 'fct_daily_gross',
      sql: 'select box_date, sum(gross) as gross from "db"."main"."stg_box_office" group by box_date',
      deps: [STG],
    },
    {
      id: 'fct_film_run',
      sql: 'select film_id, min(box_date) as opened_on, max(box_date) as last_shown_on from "db"."main"."stg_box_office" group by film_id',
      deps: [STG],
    },
    {
      id: 'fct_theater_gross',
      sql: 'select t.theater_name, b.gross from "db"."main"."stg_box_office" b join "db"."main"."stg_theaters" t on b.theater_id = t.theater_id',
      deps: [STG, 'model.mini.stg_theaters'],
    },
    { id: 'dim_film', sql: 'select film_id, title from "db"."main"."stg_box_office"', deps: [STG] },
    { id: 'dim_film_current', sql: 'select * from "db"."main"."dim_film"', deps: ['model.mini.dim_film'] },
    {
      id: 'int_screenings',
      materialized: 'ephemeral',
      sql: EPHEMERAL(change),
      deps: [STG],
    },
    {
      id: 'fct_screenings',
      // dbt inlines the ephemeral as a CTE; the PR that drops `screenings` left this model as it was
      sql: `with __dbt__cte__int_screenings as (\n${EPHEMERAL(change)}\n) select film_id, sum(screenings) as screenings from __dbt__cte__int_screenings group by film_id`,
      deps: ['model.mini.int_screenings'],
    },
    test('not_null', 'box_date'),
    test('unique', 'box_date'),
  ];
  const manifest = miniManifest(nodes, [], {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: '1.8.2',
      generated_at: '2026-01-01T00:00:00Z',
      project_name: 'box_office',
      adapter_type: 'sqlserver',
    },
    exposures: {
      'exposure.mini.weekend_box_office': {
        unique_id: 'exposure.mini.weekend_box_office',
        name: 'weekend_box_office',
        label: 'Weekend box office',
        resource_type: 'exposure',
        package_name: 'mini',
        type: 'dashboard',
        maturity: 'high',
        url: 'https://bi.example/weekend',
        owner: { name: 'Rita Moreno', email: 'rita@example.com' },
        depends_on: { macros: [], nodes: ['model.mini.fct_daily_gross', 'model.mini.fct_film_run'] },
      },
    },
  });
  // a changed model's SQL checksum changes, as dbt's does
  const stgNode = (manifest.nodes as Record<string, { checksum: { checksum: string } }>)[STG];
  if (change !== 'none') stgNode.checksum.checksum = `c-stg-${change}`;
  const cat = catalog
    ? catalogOf({
        'seed.mini.raw_box_office': {
          columns: [
            ['film_id', 'int'],
            ['title', 'varchar(200)'],
            ['box_date', 'datetime'],
            ['theater_id', 'int'],
            ['gross', 'decimal(18,2)'],
          ],
        },
        [STG]: { columns: stg.columns },
      })
    : undefined;
  return writeTarget(manifest, cat);
}
