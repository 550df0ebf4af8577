// `lineage sql`: JSON lines in, one JSON line out per input; a bad line answers with a diagnostic.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/sql.ts';
import { captureIO } from '../helpers/capture-io.ts';

async function sql(lines: string[], args: string[] = []): Promise<{ code: number; out: unknown[] }> {
  const io = captureIO({ stdin: Readable.from([lines.join('\n') + '\n']) });
  const code = await run(args, io);
  return {
    code,
    out: io.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown),
  };
}

describe('lineage sql', () => {
  it('answers each line in order and keeps going after a bad one', async () => {
    const { code, out } = await sql([
      JSON.stringify({
        id: 'q1',
        sql: 'INSERT INTO mart.o SELECT o.id, sum(p.amount) AS total FROM raw.orders o JOIN raw.payments p ON p.order_id = o.id GROUP BY o.id',
        dialect: 'postgres',
        default_database: 'analytics',
      }),
      '{not json',
      JSON.stringify({
        id: 'q3',
        sql: 'SELECT * FROM t',
        dialect: 'snowflake',
        schema: { t: { a: 'int', B: 'text' } },
      }),
    ]);
    expect(code).toBe(0);
    expect(out).toEqual([
      {
        id: 'q1',
        inputs: ['analytics.raw.orders', 'analytics.raw.payments'],
        outputs: ['analytics.mart.o'],
        column_lineage: [
          {
            target: { table: 'analytics.mart.o', column: 'id' },
            sources: [
              { table: 'analytics.raw.orders', column: 'id', kind: 'IDENTITY' },
              { table: 'analytics.raw.orders', column: 'id', kind: 'GROUP_BY' },
              { table: 'analytics.raw.orders', column: 'id', kind: 'JOIN' },
              { table: 'analytics.raw.payments', column: 'order_id', kind: 'JOIN' },
            ],
          },
          {
            target: { table: 'analytics.mart.o', column: 'total' },
            sources: [
              { table: 'analytics.raw.payments', column: 'amount', kind: 'AGGREGATION' },
              { table: 'analytics.raw.orders', column: 'id', kind: 'GROUP_BY' },
              { table: 'analytics.raw.orders', column: 'id', kind: 'JOIN' },
              { table: 'analytics.raw.payments', column: 'order_id', kind: 'JOIN' },
            ],
          },
        ],
        end_to_end: [
          {
            source: { table: 'analytics.raw.orders', column: 'id' },
            target: { table: 'analytics.mart.o', column: 'id' },
          },
          {
            source: { table: 'analytics.raw.payments', column: 'amount' },
            target: { table: 'analytics.mart.o', column: 'total' },
          },
        ],
        star_edges: [],
        diagnostics: [],
      },
      {
        id: null,
        inputs: [],
        outputs: [],
        column_lineage: [],
        end_to_end: [],
        star_edges: [],
        diagnostics: [
          { code: 'SQL_INPUT_INVALID', message: expect.stringContaining('not JSON') as unknown as string },
        ],
      },
      {
        id: 'q3',
        inputs: ['t'],
        outputs: [],
        column_lineage: [
          { target: { table: null, column: 'A' }, sources: [{ table: 't', column: 'A', kind: 'IDENTITY' }] },
          { target: { table: null, column: 'B' }, sources: [{ table: 't', column: 'B', kind: 'IDENTITY' }] },
        ],
        end_to_end: [],
        star_edges: [],
        diagnostics: [],
      },
    ]);
  });

  it('reports a line without sql and an unknown dialect as diagnostics', async () => {
    const { out } = await sql([
      JSON.stringify({ id: 7 }),
      JSON.stringify({ id: 8, sql: 'SELECT 1', dialect: 'cobol' }),
    ]);
    expect(out).toMatchObject([
      { id: 7, diagnostics: [{ code: 'SQL_INPUT_INVALID' }] },
      { id: 8, diagnostics: [{ code: 'SQL_INPUT_INVALID', message: expect.stringContaining('cobol') }] },
    ]);
  });

  it('prints a script end to end: intermediate tables collapsed, unknown stars as relation edges', async () => {
    const { out } = await sql([
      JSON.stringify({
        id: 's',
        sql: 'CREATE TABLE tmp AS SELECT a, b + c AS bc FROM src; INSERT INTO dst SELECT a, bc FROM tmp; INSERT INTO d2 SELECT * FROM unknown_t',
        dialect: 'postgres',
      }),
    ]);
    expect(out).toMatchObject([
      {
        outputs: ['d2', 'dst', 'tmp'],
        end_to_end: [
          { source: { table: 'src', column: 'a' }, target: { table: 'dst', column: 'a' } },
          { source: { table: 'src', column: 'b' }, target: { table: 'dst', column: 'bc' } },
          { source: { table: 'src', column: 'c' }, target: { table: 'dst', column: 'bc' } },
        ],
        star_edges: [{ source: 'unknown_t', target: 'd2' }],
      },
    ]);
  });
});
