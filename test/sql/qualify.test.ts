// Single-source attribution (qualify.ts resolveColumn): an unqualified column goes to the one source
// whose known columns contain it — whichever position that source has in FROM — and to none when
// several could own it. Each case below fails under a mutation that picks another source.
import { describe, expect, it } from 'vitest';
import { analyzeSql, mapSchema } from '../../parsers/sql/index.ts';

async function sources(sql: string, schema: Record<string, string[]>) {
  const [r] = await analyzeSql({
    sql,
    platform: 'postgres',
    schema: mapSchema(new Map(Object.entries(schema))),
  });
  return {
    columns: Object.fromEntries(
      r.columns.map((c) => [c.name, c.sources.map((s) => `${s.table.key}.${s.column}`)]),
    ),
    codes: r.diagnostics.map((d) => d.code),
  };
}

describe('qualify: single-source attribution of unqualified columns', () => {
  it('goes to the only source that has the column, also when it is not the first source', async () => {
    const r = await sources('SELECT x, y FROM a JOIN b ON a.id = b.id', { a: ['id', 'x'], b: ['id', 'y'] });
    expect(r.columns).toEqual({ x: ['a.x'], y: ['b.y'] });
    expect(r.codes).toEqual([]);
  });
  it('goes to the one source of unknown columns when the catalogued ones lack it', async () => {
    const r = await sources('SELECT z FROM a JOIN c ON a.id = c.id', { a: ['id', 'x'] });
    expect(r.columns).toEqual({ z: ['c.z'] });
  });
  it('prefers the catalogued owner over a source of unknown columns', async () => {
    const r = await sources('SELECT x FROM c JOIN a ON a.id = c.id', { a: ['id', 'x'] });
    expect(r.columns).toEqual({ x: ['a.x'] });
  });
  it('draws no edge when two sources have the column', async () => {
    const r = await sources('SELECT id FROM a JOIN b ON a.x = b.y', { a: ['id', 'x'], b: ['id', 'y'] });
    expect(r.columns).toEqual({ id: [] });
    expect(r.codes).toContain('SQL_AMBIGUOUS_COLUMN');
  });
  it('draws no edge when no source has the column and every source is catalogued', async () => {
    const r = await sources('SELECT w FROM a JOIN b ON a.id = b.id', { a: ['id', 'x'], b: ['id', 'y'] });
    expect(r.columns).toEqual({ w: [] });
    expect(r.codes).toContain('SQL_UNRESOLVED_COLUMN');
  });
  it('draws no edge between two sources of unknown columns', async () => {
    const r = await sources('SELECT z FROM c JOIN d ON c.id = d.id', {});
    expect(r.columns).toEqual({ z: [] });
    expect(r.codes).toContain('SQL_AMBIGUOUS_COLUMN');
  });
});
