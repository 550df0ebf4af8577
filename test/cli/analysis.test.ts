// The CLI analysis commands (impact, upstream, unused, complexity) on the real demo graph.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { renderTable } from '../../src/cli/table.ts';
import { COL, CUSTOMERS, ORDERS, STG_ORDERS, openDemoGraph } from '../helpers/demo-graph.ts';
import { captureIO } from '../helpers/capture-io.ts';

let dataDir = '';
let dir = '';

beforeAll(async () => {
  const g = await openDemoGraph({ usage: true, changes: true });
  dataDir = g.config.dataDir;
  dir = g.dir;
  await g.store.close(); // the CLI opens the store itself
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ env: { LINEAGE_DATA_DIR: dataDir, LINEAGE_SERVICE_USERS: 'svc_dbt' } });
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('lineage impact', () => {
  it('prints tables and exits 10 when something breaks', async () => {
    const r = await cli('impact', COL);
    expect(r.err).toBe('');
    expect(r.code).toBe(10);
    expect(r.out).toMatch(/^target\s+jaffle_shop\.main\.stg_orders\.order_total \(column\)$/m);
    expect(r.out).toMatch(new RegExp(`^BREAKS\\s+${ORDERS.replaceAll('.', '\\.')}\\s+model\\s+1\\s`, 'm'));
    expect(r.out).toMatch(new RegExp(`^STALE\\s+${CUSTOMERS.replaceAll('.', '\\.')}\\s+model\\s+2\\s`, 'm'));
    expect(r.out).toContain('IDENTITY > AGGREGATION');
  });
  it('--json gives the full result; VALUES changes exit 0', async () => {
    const r = await cli('impact', COL, '--change', 'values', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.change).toBe('VALUES');
    expect(j.breaks).toEqual([]);
    expect(j.values.map((v: { key: string }) => v.key)).toContain(`${ORDERS}.order_total`);
  });
  it('bad flags and unknown refs have exit codes', async () => {
    expect((await cli('impact', COL, '--mode', 'LOOSE')).code).toBe(2);
    const nf = await cli('impact', 'no_such_asset_anywhere');
    expect(nf.code).toBe(3);
    expect(nf.err).toMatch(/^error \[LINEAGE_NOT_FOUND\]/);
    expect((await cli('impact', COL, '--depth', '10000')).code).toBe(7);
  });
});

describe('lineage upstream', () => {
  it('ranks root-cause candidates with evidence', async () => {
    const r = await cli('upstream', CUSTOMERS, '--since', '2026-11-08');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(
        `^\\s*1\\s+${STG_ORDERS.replaceAll('.', '\\.')}\\s+model\\s+2\\s+37\\.5\\s+test_failed`,
        'm',
      ),
    );
    const j = JSON.parse((await cli('upstream', CUSTOMERS, '--since', '2026-11-08', '--json')).out);
    expect(j.candidates[0].key).toBe(STG_ORDERS);
    expect((await cli('upstream', CUSTOMERS, '--since', 'last tuesday')).code).toBe(2);
  });
});

describe('lineage unused', () => {
  it('lists unused tables and columns', async () => {
    // no --since window anchoring is possible from the CLI, so use an absolute date
    const r = await cli('unused', '--since', '2026-10-15');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^1 unused table\(s\) of 19/m);
    expect(r.out).toContain('jaffle_shop.main.metricflow_time_spine');
    const c = JSON.parse((await cli('unused', '--since', '2026-10-15', '--columns', '--json')).out);
    expect(c.items.map((i: { key: string }) => i.key)).toContain(
      'jaffle_shop.main.metricflow_time_spine.date_day',
    );
  });
});

describe('lineage complexity', () => {
  it('prints scores per model and per schema', async () => {
    const m = await cli('complexity', '--limit', '3');
    expect(m.code).toBe(0);
    expect(m.out.split('\n')[0]).toMatch(/^relation\s+score\s+inT\s+outT/);
    expect(m.out.trim().split('\n')).toHaveLength(2 + 3 + 1);
    const s = JSON.parse((await cli('complexity', '--scope', 'schema', '--json')).out);
    expect(s.items.map((i: { key: string }) => i.key).sort()).toEqual(['main', 'raw']);
    expect((await cli('complexity', '--sort', 'bogus')).code).toBe(2);
  });
});

describe('renderTable', () => {
  it('aligns columns, cuts long cells and marks empty lists', () => {
    const t = renderTable(
      [
        { a: 'x', n: 1 },
        { a: 'a much longer value', n: 100 },
      ],
      [
        { header: 'name', value: (r) => r.a, max: 10 },
        { header: 'n', value: (r) => r.n, align: 'right' },
      ],
    );
    expect(t).toBe('name          n\n----------  ---\nx             1\na much lo…  100\n');
    expect(renderTable([], [])).toBe('(none)\n');
  });
});
