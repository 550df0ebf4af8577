import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from 'node-sql-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { generateWarehouse } from '../../bench/generator/index.ts';
import { planWarehouse } from '../../bench/generator/warehouse.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'lineage-gen-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Node = {
  unique_id: string;
  resource_type: string;
  compiled_code?: string;
  depends_on: { nodes: string[] };
  columns: Record<string, unknown>;
};

describe('bench warehouse generator', () => {
  const a = generateWarehouse('7', 300, tmp());
  const manifest = JSON.parse(readFileSync(a.paths.manifest, 'utf8')) as {
    metadata: { dbt_schema_version: string };
    nodes: Record<string, Node>;
    sources: Record<string, Node>;
    exposures: Record<string, Node>;
    parent_map: Record<string, string[]>;
  };

  it('is deterministic for a seed and differs across seeds', () => {
    const b = generateWarehouse('7', 300, tmp());
    const c = generateWarehouse('8', 300, tmp());
    expect(readFileSync(b.paths.manifest).equals(readFileSync(a.paths.manifest))).toBe(true);
    expect(readFileSync(b.paths.queryLog).equals(readFileSync(a.paths.queryLog))).toBe(true);
    expect(readFileSync(c.paths.manifest).equals(readFileSync(a.paths.manifest))).toBe(false);
  });

  it('writes a v12 manifest whose dependencies all resolve and whose SQL parses', () => {
    expect(manifest.metadata.dbt_schema_version).toBe('https://schemas.getdbt.com/dbt/manifest/v12.json');
    const ids = new Set([...Object.keys(manifest.nodes), ...Object.keys(manifest.sources)]);
    const models = Object.values(manifest.nodes).filter((n) => n.resource_type === 'model');
    expect(models.length + Object.keys(manifest.sources).length).toBe(300);
    expect(Object.keys(manifest.exposures).length).toBeGreaterThan(0);
    const parser = new pkg.Parser();
    for (const n of [...models, ...Object.values(manifest.exposures)]) {
      for (const d of n.depends_on.nodes) expect(ids.has(d), `${n.unique_id} -> ${d}`).toBe(true);
      expect(manifest.parent_map[n.unique_id]).toEqual(n.depends_on.nodes);
    }
    for (const n of models) {
      expect(n.depends_on.nodes.length).toBeGreaterThanOrEqual(1);
      expect(n.depends_on.nodes.length).toBeLessThanOrEqual(8);
      expect(() => parser.astify(n.compiled_code ?? '', { database: 'postgresql' })).not.toThrow();
    }
  });

  it('has heavy-tailed widths, passthroughs, CTEs, fan-in and a query log', () => {
    const w = planWarehouse('7', 2000);
    const widths = w.tables.map((t) => t.cols.length);
    expect(Math.min(...widths)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...widths)).toBeLessThanOrEqual(200);
    expect(Math.max(...widths)).toBeGreaterThan(100);
    const shapes = new Set(w.tables.map((t) => t.shape));
    expect([...shapes].sort()).toEqual(['aggregate', 'join', 'passthrough', 'rename', 'source', 'transform']);
    expect(Math.max(...w.tables.map((t) => t.parents.length))).toBe(8);
    const lines = readFileSync(a.paths.queryLog, 'utf8').trim().split('\n');
    expect(lines.length).toBe(a.queries);
    const first = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(Object.keys(first).sort()).toEqual([
      'database',
      'dialect',
      'query',
      'schema',
      'timestamp',
      'user',
    ]);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { query: string }).query)).size).toBeLessThan(
      lines.length,
    );
  });
});
