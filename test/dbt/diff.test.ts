// Manifest diff: removed, renamed, retyped columns and changed models, with blast radius on the base graph.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/capture-io.ts';
import { parseDbtTarget } from '../../parsers/dbt/index.ts';
import { compareBatches, diffDbtTargets } from '../../src/pipeline/dbt-diff.ts';
import { catalogOf, miniManifest, writeTarget } from '../helpers/mini-project.ts';

const DEMO = 'fixtures/demo/target';

/** A copy of the demo target where stg_customers renames customer_name -> full_name and stg_orders.order_total becomes DOUBLE. */
function headTarget(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dbt-diff-'));
  copyFileSync(join(DEMO, 'run_results.json'), join(dir, 'run_results.json'));
  const m = JSON.parse(readFileSync(join(DEMO, 'manifest.json'), 'utf8'));
  const stg = m.nodes['model.jaffle_shop.stg_customers'];
  stg.compiled_code = stg.compiled_code.replace('name as customer_name', 'name as full_name');
  stg.checksum.checksum = 'changed';
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  const c = JSON.parse(readFileSync(join(DEMO, 'catalog.json'), 'utf8'));
  for (const id of ['model.jaffle_shop.stg_customers', 'model.jaffle_shop.customers']) {
    const cols = c.nodes[id].columns;
    cols.customer_name = { ...cols.customer_name, name: 'full_name' };
    c.nodes[id].columns = Object.fromEntries(
      Object.entries(cols).map(([k, v]) => (k === 'customer_name' ? ['full_name', v] : [k, v])),
    );
  }
  c.nodes['model.jaffle_shop.stg_orders'].columns.order_total.type = 'DOUBLE';
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(c));
  return dir;
}

const io = () => captureIO();

describe('lineage diff', () => {
  const head = headTarget();

  it('reports the rename (same upstream), the retype and the changed model, each with its blast radius', async () => {
    const r = await diffDbtTargets(DEMO, head, { analyzeSql: undefined });
    const byKind = r.changes.map((c) => `${c.kind} ${c.relation}${c.column ? `.${c.column}` : ''}`);
    expect(byKind).toEqual([
      'column_renamed jaffle_shop.main.customers.customer_name',
      'model_changed jaffle_shop.main.stg_customers',
      'column_renamed jaffle_shop.main.stg_customers.customer_name',
      'column_retyped jaffle_shop.main.stg_orders.order_total',
    ]);
    // customers.customer_name is fed by the renamed stg column: still recognised by its (renamed) upstream.
    expect(r.changes[0]).toMatchObject({
      renamedTo: 'full_name',
      renameEvidence: 'same_upstream',
      blastRadius: { breaks: [] },
    });
    const rename = r.changes[2];
    expect(rename).toMatchObject({ renamedTo: 'full_name', renameEvidence: 'same_upstream' });
    expect(rename.blastRadius?.breaks).toEqual(['jaffle_shop.main.customers']);
    expect(rename.blastRadius?.exposures.map((e) => e.key)).toEqual([
      'exposure:exposure.jaffle_shop.customer_360',
    ]);
    const retype = r.changes[3];
    expect(retype).toMatchObject({ fromType: 'DECIMAL(16,2)', toType: 'DOUBLE' });
    // orders only copies order_total (select *): pass-through; customers sums it: a type-sensitive use
    expect(retype.blastRadius?.breaks).toEqual(['jaffle_shop.main.customers']);
    expect(retype.blastRadius?.exposures.map((e) => e.key)).toEqual([
      'exposure:exposure.jaffle_shop.customer_360',
      'exposure:exposure.jaffle_shop.revenue_forecast',
    ]);
    expect(r.summary).toMatchObject({
      column_renamed: 2,
      column_retyped: 1,
      model_changed: 1,
      breaks: 1,
      exposures: 2,
    });
  });

  it('identical targets: no changes, exit 0 even with --fail-on', async () => {
    const x = io();
    expect(
      await main(
        ['diff', DEMO, DEMO, '--fail-on', 'breaks', '--data-dir', mkdtempSync(join(tmpdir(), 'd-'))],
        x,
      ),
    ).toBe(0);
    expect(x.stdout).toContain('0 removed, 0 renamed, 0 retyped, 0 added columns');
  });

  it('--fail-on exposures exits 1 when an exposure is reached; --json is parseable', async () => {
    const x = io();
    const code = await main(
      [
        'diff',
        DEMO,
        head,
        '--fail-on',
        'exposures',
        '--json',
        '--data-dir',
        mkdtempSync(join(tmpdir(), 'd-')),
      ],
      x,
    );
    expect(code).toBe(1);
    expect(JSON.parse(x.stdout).summary.exposures).toBe(2);
  });

  it('rejects an unknown --fail-on value', async () => {
    const x = io();
    expect(await main(['diff', DEMO, head, '--fail-on', 'everything'], x)).toBe(2);
    expect(x.stderr).toContain('LINEAGE_BAD_ARGUMENT');
  });
});

describe('compareBatches', () => {
  it('removed and added models, removed and added columns that are not renames', async () => {
    const base = writeTarget(
      miniManifest([
        { id: 'a', sql: 'select 1 as x, 2 as y' },
        { id: 'gone', sql: 'select 1 as z' },
      ]),
      catalogOf({
        'model.mini.a': {
          columns: [
            ['x', 'INTEGER'],
            ['y', 'INTEGER'],
          ],
        },
      }),
    );
    const head = writeTarget(
      miniManifest([
        { id: 'a', sql: 'select 1 as x, current_date as w' },
        { id: 'new', sql: 'select 1 as z' },
      ]),
      catalogOf({
        'model.mini.a': {
          columns: [
            ['x', 'INTEGER'],
            ['w', 'DATE'],
          ],
        },
      }),
    );
    const changes = compareBatches(
      (await parseDbtTarget(base, {})).batch,
      (await parseDbtTarget(head, {})).batch,
    );
    expect(changes.map((c) => `${c.kind} ${c.relation}${c.column ? `.${c.column}` : ''}`)).toEqual([
      'column_added db.main.a.w',
      'column_removed db.main.a.y',
      'model_removed db.main.gone',
      'model_added db.main.new',
    ]);
  });
});
