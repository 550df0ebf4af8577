// Reader behaviours that golden files do not isolate: time parsing, csvlog failure tracking, Redshift
// multi-row text, wrong formats.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryLogFormat } from '../../parsers/query-log/formats.ts';
import { statementOf } from '../../parsers/query-log/readers/postgres-csvlog.ts';
import type { LogRecord } from '../../parsers/query-log/types.ts';
import { parseTime } from '../../parsers/query-log/values.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/query-logs');
const dir = mkdtempSync(join(tmpdir(), 'lineage-qlog-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function records(format: string, file: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of queryLogFormat(format).reader.read(file, {})) out.push(r);
  return out;
}

describe('parseTime', () => {
  it('reads the spellings warehouses export', () => {
    expect(parseTime('2024-05-01 02:00:00.123 -0700')).toBe('2024-05-01T09:00:00.123Z');
    expect(parseTime('2024-05-01 03:00:00.123456 UTC')).toBe('2024-05-01T03:00:00.123Z');
    expect(parseTime('2024-05-01T03:00:00Z')).toBe('2024-05-01T03:00:00.000Z');
    expect(parseTime('2024-05-01 03:00:00')).toBe('2024-05-01T03:00:00.000Z');
    expect(parseTime('2024-05-07 00:00:00+00')).toBe('2024-05-07T00:00:00.000Z');
    expect(parseTime(1714532400)).toBe('2024-05-01T03:00:00.000Z');
    expect(parseTime('yesterday')).toBeNull();
  });
});

describe('postgres csvlog', () => {
  it('extracts statements from simple, extended and duration messages', () => {
    expect(statementOf('statement: SELECT 1')).toBe('SELECT 1');
    expect(statementOf('execute <unnamed>: SELECT $1')).toBe('SELECT $1');
    expect(statementOf('duration: 0.532 ms  statement: SELECT 2')).toBe('SELECT 2');
    expect(statementOf('duration: 0.532 ms  execute S_1: SELECT 3')).toBe('SELECT 3');
    expect(statementOf('duration: 0.532 ms')).toBeNull();
    expect(statementOf('duration: 0.1 ms  parse <unnamed>: SELECT 4')).toBeNull();
    expect(statementOf('connection authorized: user=postgres')).toBeNull();
  });

  it('marks a statement failed or cancelled by the ERROR row of its session, and reports broken rows', async () => {
    const real = readFileSync(join(FIXTURES, 'postgres/csvlog.csv'), 'utf8');
    const file = join(dir, 'broken.csv');
    writeFileSync(file, `${real}garbage,row\n"unterminated\n`);
    const recs = await records('postgres-csvlog', file);
    const queries = recs.filter((r) => r.kind === 'query');
    expect(queries.find((q) => q.text === 'SELECT missing FROM orders')?.status).toBe('failed');
    expect(queries.find((q) => q.text.startsWith('SELECT pg_sleep'))?.status).toBe('cancelled');
    expect(queries.filter((q) => q.text === 'SELECT amount FROM orders WHERE id = $1')).toHaveLength(2);
    const bad = recs.filter((r) => r.kind === 'malformed');
    expect(bad.map((b) => b.line)).toEqual([27, 28]);
  });
});

describe('redshift STL_QUERYTEXT', () => {
  it('reassembles multi-row text in sequence order, turning \\n escapes into newlines', async () => {
    const recs = await records('redshift', join(FIXTURES, 'redshift/stl_query_text.csv'));
    const first = recs[0];
    expect(first.kind === 'query' && first.text).toMatch(
      /eventid = s\.eventid\nJOIN public\.venue v ON v\.venueid = e\.venueid/,
    );
    expect(recs.map((r) => (r.kind === 'query' ? r.status : r.kind))).toEqual([
      'success',
      'success',
      'cancelled',
    ]);
  });
});

describe('wrong formats', () => {
  it('rejects a CSV without the format columns before yielding anything', async () => {
    await expect(records('snowflake', join(FIXTURES, 'wrong-format/orders.csv'))).rejects.toMatchObject({
      code: 'QUERY_LOG_WRONG_FORMAT',
    });
    await expect(records('postgres-csvlog', join(FIXTURES, 'wrong-format/orders.csv'))).rejects.toMatchObject(
      {
        code: 'QUERY_LOG_WRONG_FORMAT',
      },
    );
    await expect(records('redshift', join(FIXTURES, 'snowflake/query_history.csv'))).rejects.toMatchObject({
      code: 'QUERY_LOG_WRONG_FORMAT',
    });
  });

  it('names the known formats for an unknown one', () => {
    expect(() => queryLogFormat('oracle')).toThrow(/unknown query-log format 'oracle'.*snowflake/);
    try {
      queryLogFormat('oracle');
    } catch (err) {
      expect((err as { code: string }).code).toBe('QUERY_LOG_UNKNOWN_FORMAT');
    }
  });
});
