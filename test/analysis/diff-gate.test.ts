// `lineage diff` as a pull-request gate, run through the CLI as a user runs it, on a small real-shaped SQL Server
// project (a box-office staging model read by marts that reference its columns unqualified, not_null/unique
// tests on the staging column, a high-maturity dashboard) and on the bundled demo.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { DiffReport } from '../../src/pipeline/dbt-diff.ts';
import { captureIO } from '../helpers/capture-io.ts';
import { formatMarkdown } from '../../src/cli/commands/diff-format.ts';
import { boxOffice } from './box-office.ts';

async function diff(
  base: string,
  head: string,
  ...flags: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIO();
  const code = await main(
    ['diff', base, head, '--data-dir', mkdtempSync(join(tmpdir(), 'gate-')), ...flags],
    io,
  );
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const json = (stdout: string) => JSON.parse(stdout) as DiffReport & { gate: { failed: string[] } };

describe('lineage diff as a PR gate (box office, SQL Server)', () => {
  const base = boxOffice('none');

  it('a staging column read downstream only unqualified is reported removed: BLOCK, tests named, exit 1', async () => {
    for (const head of [boxOffice('drop_box_date'), boxOffice('drop_box_date', false)]) {
      const r = await diff(base, head, '--fail-on', 'breaks', '--format', 'json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const report = json(r.stdout);
      const removed = report.changes.filter((c) => c.kind === 'column_removed');
      expect(removed.map((c) => `${c.relation}.${c.column}`)).toEqual(['db.main.stg_box_office.box_date']);
      const b = removed[0].blastRadius!;
      expect(b.verdict).toBe('BLOCK');
      expect(b.certainBreaks).toEqual(['db.main.fct_daily_gross', 'db.main.fct_film_run']);
      expect(b.tests.map((t) => t.name).sort()).toEqual([
        'not_null_stg_box_office_box_date',
        'unique_stg_box_office_box_date',
      ]);
      expect(b.exposures.map((e) => [e.name, e.effect, e.maturity])).toEqual([
        ['Weekend box office', 'breaks', 'high'],
      ]);
      expect(report.summary).toMatchObject({ verdict: 'BLOCK', certainBreaks: 2, tests: 2, exposures: 1 });
      expect(report.gate.failed).toEqual(['breaks']);
    }
  });

  it('the same drop as a PR comment: verdict, provable breaks with the tests, the dashboard and its owner', async () => {
    const r = await diff(base, boxOffice('drop_box_date'), '--format', 'markdown', '--fail-on', 'tests');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('### Lineage diff: **BLOCK**');
    expect(r.stdout).toContain('Gate **failed** on `--fail-on tests`.');
    expect(r.stdout).toContain('`not_null_stg_box_office_box_date`');
    expect(r.stdout).toMatch(
      /fails to build \(its SQL references it\): `db\.main\.fct_daily_gross`, `db\.main\.fct_film_run`/,
    );
    expect(r.stdout).toMatch(
      /\| \[Weekend box office\]\(https:\/\/bi\.example\/weekend\) \| dashboard \| high \| reads a model that fails to build .*\| rita@example\.com \|/,
    );
  });

  it('a column used only in a JOIN, dropped: the joining model fails to build', async () => {
    const r = await diff(base, boxOffice('drop_theater_id'), '--fail-on', 'breaks', '--json');
    expect(r.code).toBe(1);
    const c = json(r.stdout).changes.find((x) => x.kind === 'column_removed')!;
    expect(c.column).toBe('theater_id');
    expect(c.blastRadius?.certainBreaks).toEqual(['db.main.fct_theater_gross']);
    expect(c.blastRadius?.tests).toEqual([]);
  });

  it('a pass-through retype does not block: SAFE, listed as passing through, exit 0 with --fail-on breaks', async () => {
    const r = await diff(base, boxOffice('retype_title'), '--fail-on', 'breaks,any', '--json');
    const report = json(r.stdout);
    const c = report.changes.find((x) => x.kind === 'column_retyped')!;
    expect(c).toMatchObject({ column: 'title', fromType: 'varchar(200)', toType: 'nvarchar(400)' });
    expect(c.blastRadius).toMatchObject({ verdict: 'SAFE', breaks: [], tests: [] });
    expect(c.blastRadius?.passThrough).toEqual(['db.main.dim_film', 'db.main.dim_film_current']);
    expect(report.summary).toMatchObject({ certainBreaks: 0, possibleBreaks: 0 });
    // the staging model's SQL changed too: its values reach the dashboard, which is for review, not a break
    const changed = report.changes.find((x) => x.kind === 'model_changed')!;
    expect(changed.blastRadius?.verdict).toBe('REVIEW');
    expect(report.summary.verdict).toBe('REVIEW');
    expect(r.code).toBe(1);
    expect(report.gate.failed).toEqual(['any']);
    const breaksOnly = await diff(base, boxOffice('retype_title'), '--fail-on', 'breaks');
    expect(breaksOnly.code).toBe(0);
    expect(breaksOnly.stdout).toMatch(
      /retyped column +db\.main\.stg_box_office\.title varchar\(200\) -> nvarchar\(400\) +\[SAFE\]/,
    );
  });

  it('a type-sensitive retype may break (REVIEW), it does not fail --fail-on breaks but fails --fail-on any', async () => {
    const r = await diff(base, boxOffice('retype_gross'), '--fail-on', 'breaks', '--json');
    expect(r.code).toBe(0);
    const c = json(r.stdout).changes.find((x) => x.kind === 'column_retyped')!;
    expect(c.blastRadius?.verdict).toBe('REVIEW');
    expect(c.blastRadius?.possibleBreaks).toEqual(['db.main.fct_daily_gross']);
    expect(c.blastRadius?.passThrough).toEqual(['db.main.fct_theater_gross']);
    expect((await diff(base, boxOffice('retype_gross'), '--fail-on', 'any')).code).toBe(1);
  });

  it('an ephemeral model keeps its column edges: dropping its column breaks the mart that reads it', async () => {
    const r = await diff(base, boxOffice('drop_screenings'), '--fail-on', 'breaks', '--json');
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    const removed = report.changes.filter((c) => c.kind === 'column_removed');
    expect(removed.map((c) => c.column)).toEqual(['screenings']);
    expect(removed[0].uniqueId).toBe('model.mini.int_screenings');
    expect(removed[0].blastRadius?.certainBreaks).toEqual(['db.main.fct_screenings']);
  });

  it('changed SQL reaches the dashboard on a direct child: values change, REVIEW, not a break', async () => {
    const r = await diff(base, boxOffice('values_gross'), '--fail-on', 'breaks', '--json');
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    expect(report.changes.map((c) => c.kind)).toEqual(['model_changed']);
    const b = report.changes[0].blastRadius!;
    expect(b.verdict).toBe('REVIEW');
    expect(b.values).toContain('db.main.fct_daily_gross.gross');
    expect(b.exposures.map((e) => [e.name, e.effect])).toEqual([['Weekend box office', 'values']]);
    expect((await diff(base, boxOffice('values_gross'), '--fail-on', 'exposures')).code).toBe(1);
  });

  it('a dbt compile without catalogs: unresolved seed columns nobody reads any more are not removals', async () => {
    const b = boxOffice('none', false);
    const r = await diff(b, boxOffice('drop_box_date', false), '--json');
    const removed = json(r.stdout).changes.filter((c) => c.kind === 'column_removed');
    expect(removed.map((c) => `${c.relation}.${c.column}`)).toEqual(['db.main.stg_box_office.box_date']);
    rmSync(b, { recursive: true, force: true });
  });

  it('identical builds: SAFE, exit 0 on every --fail-on', async () => {
    const r = await diff(base, boxOffice('none'), '--fail-on', 'breaks,tests,exposures,any');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verdict SAFE');
  });

  it('--format and --fail-on are checked', async () => {
    expect((await diff(base, base, '--format', 'html')).code).toBe(2);
    const bad = await diff(base, base, '--fail-on', 'breaks,everything');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('LINEAGE_BAD_ARGUMENT');
  });
});

describe('lineage diff on the demo and its next day (fixtures/demo-changed)', () => {
  it('a retype by a SQL change: REVIEW, not a break; downstream retypes follow it; exposures fail the exposures gate', async () => {
    const r = await diff(
      'fixtures/demo/target',
      'fixtures/demo-changed/target',
      '--fail-on',
      'breaks',
      '--json',
    );
    expect(r.code).toBe(0);
    const report = json(r.stdout);
    const retyped = report.changes.filter((c) => c.kind === 'column_retyped');
    expect(
      retyped.map((c) => [`${c.relation}.${c.column}`, c.follows ?? null, c.blastRadius?.verdict ?? null]),
    ).toEqual([
      ['jaffle_shop.main.customers.lifetime_spend', 'jaffle_shop.main.orders.order_total', null],
      ['jaffle_shop.main.orders.order_total', 'jaffle_shop.main.stg_orders.order_total', null],
      ['jaffle_shop.main.stg_orders.order_total', null, 'REVIEW'],
    ]);
    const root = retyped[2].blastRadius!;
    expect(root.passThrough).toEqual(['jaffle_shop.main.orders']);
    expect(root.possibleBreaks).toEqual(['jaffle_shop.main.customers']);
    expect(root.certainBreaks).toEqual([]);
    expect(report.summary).toMatchObject({ verdict: 'REVIEW', certainBreaks: 0, tests: 0, exposures: 2 });
    const gated = await diff(
      'fixtures/demo/target',
      'fixtures/demo-changed/target',
      '--fail-on',
      'exposures',
      '--format',
      'markdown',
    );
    expect(gated.code).toBe(1);
    expect(gated.stdout).toContain(
      '| follows | retyped column | `jaffle_shop.main.orders.order_total` DECIMAL(16,2) -> DOUBLE (follows jaffle_shop.main.stg_orders.order_total) | covered by `jaffle_shop.main.stg_orders.order_total` |',
    );
  });
  it("a second diff with the same --data-dir reuses both sides' parsed SQL", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gate-cache-'));
    const run = async () => {
      const io = captureIO();
      const code = await main(
        ['diff', 'fixtures/demo/target', 'fixtures/demo-changed/target', '--json', '--data-dir', dataDir],
        io,
      );
      expect(code).toBe(0);
      return json(io.stdout);
    };
    const first = await run();
    expect([first.base.sqlParsed, first.head.sqlParsed]).toEqual([13, 13]);
    const second = await run();
    expect([second.base.sqlCacheHits, second.head.sqlCacheHits, second.base.sqlParsed]).toEqual([13, 13, 0]);
    expect(second.changes).toEqual(first.changes);
  });
});

describe('formatMarkdown', () => {
  it('a large PR: worst changes first, at most 50 rows, the rest pointed to --format json', async () => {
    const r = await diff('fixtures/demo/target', 'fixtures/demo-changed/target', '--json');
    const report = json(r.stdout);
    const safe = {
      ...report.changes[3],
      kind: 'column_added' as const,
      blastRadius: null,
      follows: undefined,
    };
    const many = {
      ...report,
      changes: [...Array.from({ length: 60 }, (_, i) => ({ ...safe, column: `c${i}` })), ...report.changes],
    };
    const md = formatMarkdown(many);
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && l.includes('column'));
    expect(rows).toHaveLength(50);
    expect(rows[0]).toMatch(/^\| REVIEW \| changed SQL/);
    expect(md).toContain('_14 more changes (SAFE or smaller) in `lineage diff --format json`._');
    expect(md).toContain(
      'Owners of what is reached: `ana.lopez@jaffle.example`, `sam.okafor@jaffle.example`',
    );
  });
});
