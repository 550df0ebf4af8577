// Reader behaviours that golden files do not isolate: time parsing, csvlog failure tracking, Redshift
// multi-row text, wrong formats.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryLogFormat } from '../../parsers/query-log/formats.ts';
import { statementOf } from '../../parsers/query-log/readers/postgres-csvlog.ts';
import type { LogRecord, ReadOptions } from '../../parsers/query-log/types.ts';
import { parseTimestamp } from '../../parsers/query-log/time.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/query-logs');
const dir = mkdtempSync(join(tmpdir(), 'lineage-qlog-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function records(format: string, file: string, options: ReadOptions = {}): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of queryLogFormat(format).reader.read(file, options)) out.push(r);
  return out;
}

describe('parseTimestamp', () => {
  const at = (value: unknown, zone?: string) => {
    const r = parseTimestamp(value, zone);
    return r.ok ? r.at : `error: ${r.reason}`;
  };

  it('reads each documented spelling', () => {
    expect(at('2024-05-01 02:00:00.123 -0700')).toBe('2024-05-01T09:00:00.123Z'); // Snowflake TIMESTAMP_LTZ
    expect(at('2024-05-01 03:00:00.123456 UTC')).toBe('2024-05-01T03:00:00.123Z'); // BigQuery
    expect(at('2024-05-01T03:00:00Z')).toBe('2024-05-01T03:00:00.000Z');
    expect(at('2024-05-01 03:00:00')).toBe('2024-05-01T03:00:00.000Z'); // Redshift: UTC
    expect(at('2024-05-07 00:00:00+00')).toBe('2024-05-07T00:00:00.000Z'); // pg now()
    expect(at('2024-05-07 02:00:00+05:30')).toBe('2024-05-06T20:30:00.000Z');
    expect(at('2024-05-01 10:00:00 Europe/Paris')).toBe('2024-05-01T08:00:00.000Z');
  });

  it('reads named zones (csvlog %Z) instead of taking them for UTC', () => {
    expect(at('2024-05-01 12:00:00.123 CEST')).toBe('2024-05-01T10:00:00.123Z');
    expect(at('2024-01-15 07:00:00 EST')).toBe('2024-01-15T12:00:00.000Z');
    expect(at('2024-07-15 07:00:00 PDT')).toBe('2024-07-15T14:00:00.000Z');
    // log_timezone given: the zone decides, the abbreviation picks the side of a DST fall-back.
    expect(at('2024-10-27 02:30:00 CEST', 'Europe/Paris')).toBe('2024-10-27T00:30:00.000Z');
    expect(at('2024-10-27 02:30:00 CET', 'Europe/Paris')).toBe('2024-10-27T01:30:00.000Z');
    expect(at('2024-05-01 10:00:00 IST', 'Asia/Kolkata')).toBe('2024-05-01T04:30:00.000Z');
    expect(at('2024-05-01 10:00:00', 'America/New_York')).toBe('2024-05-01T14:00:00.000Z');
    expect(at('2024-05-01 10:00:00 IST')).toMatch(/error: .*IST is ambiguous.*--timezone/);
  });

  it('detects the epoch unit: seconds, milliseconds, microseconds, nanoseconds', () => {
    for (const v of [1714532400, 1714532400123, 1714532400123456, '1714532400123456789', '1714532400'])
      expect(at(v)).toMatch(/^2024-05-01T03:00:00\.(000|123)Z$/);
  });

  it('rejects impossible dates with the reason instead of rolling them over', () => {
    expect(at('2024-02-30 10:00:00')).toBe("error: '2024-02-30 10:00:00': day 30 does not exist in 2024-02");
    expect(at('2023-02-29 10:00:00')).toMatch(/day 29 does not exist/);
    expect(at('2024-02-29 10:00:00')).toBe('2024-02-29T10:00:00.000Z');
    expect(at('2024-13-01 10:00:00')).toMatch(/month 13/);
    expect(at('2024-05-01 24:00:00')).toMatch(/time of day/);
    expect(at('2024-03-31 02:30:00', 'Europe/Paris')).toMatch(/skipped by a DST change/);
    expect(at('yesterday')).toMatch(/not a timestamp/);
  });
});

describe('every timestamp spelling through its reader', () => {
  it('csvlog with a named log_timezone; an impossible date is a malformed row with a reason', async () => {
    const row = (time: string, n: number) =>
      `${time},"u","db",1,"h:1",abc.1,${n},"idle",${time},3/${n},0,LOG,00000,"statement: SELECT ${n} FROM t",,,,,,,,,"psql","client backend",,0`;
    const file = join(dir, 'zoned.csv');
    writeFileSync(
      file,
      [
        row('2024-05-01 12:00:00.000 CEST', 1),
        row('2024-02-30 12:00:00.000 CEST', 2),
        row('2024-05-01 12:00:00.000 IST', 3),
      ].join('\n'),
    );
    const recs = await records('postgres-csvlog', file);
    const byLine = (line: number) => recs.find((r) => r.line === line);
    expect(byLine(1)).toMatchObject({ kind: 'query', at: '2024-05-01T10:00:00.000Z', queryId: 'abc.1:1' });
    expect(byLine(2)).toMatchObject({
      kind: 'malformed',
      line: 2,
      reason: expect.stringMatching(/bad log_time: .*day 30/),
    });
    expect(byLine(3)).toMatchObject({
      kind: 'malformed',
      line: 3,
      reason: expect.stringMatching(/IST is ambiguous/),
    });
    const kolkata = await records('postgres-csvlog', file, { timeZone: 'Asia/Kolkata' });
    expect(kolkata.find((r) => r.line === 3)).toMatchObject({
      kind: 'query',
      at: '2024-05-01T06:30:00.000Z',
    });
  });

  it('generic JSON lines with epoch microseconds and a named zone', async () => {
    const file = join(dir, 'epoch.jsonl');
    writeFileSync(
      file,
      [
        { query: 'SELECT 1', timestamp: 1714532400123456 },
        { query: 'SELECT 2', timestamp: '2024-05-01 05:00:00 CEST' },
        { query: 'SELECT 3', timestamp: '2024-02-30T00:00:00Z' },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const recs = await records('generic', file);
    expect(recs.map((r) => (r.kind === 'query' ? r.at : r.reason))).toEqual([
      '2024-05-01T03:00:00.123Z',
      '2024-05-01T03:00:00.000Z',
      expect.stringMatching(/^bad timestamp: .*day 30 does not exist/),
    ]);
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

describe('redshift statuses and unordered STL exports', () => {
  it('SYS_QUERY_HISTORY: returning ran to completion; an unknown status is a malformed row', async () => {
    const file = join(dir, 'sys.csv');
    writeFileSync(
      file,
      [
        'query_id,user_name,database_name,query_type,status,start_time,query_text',
        '1,amy,dev,SELECT,returning,2024-05-01 10:00:00,SELECT a FROM t',
        '2,amy,dev,SELECT,canceled,2024-05-01 10:00:00,SELECT b FROM t',
        '3,amy,dev,SELECT,running,2024-05-01 10:00:00,SELECT c FROM t',
        '4,amy,dev,SELECT,exploded,2024-05-01 10:00:00,SELECT d FROM t',
      ].join('\n'),
    );
    const recs = await records('redshift', file);
    expect(recs.map((r) => (r.kind === 'query' ? r.status : r.reason))).toEqual([
      'success',
      'cancelled',
      'cancelled',
      "unknown status 'exploded'",
    ]);
  });

  it('STL_QUERYTEXT chunks in any order are one query each; a missing chunk is reported, not guessed', async () => {
    const head = 'query,user_name,database,starttime,aborted,sequence,text';
    const row = (q: number, seq: number, text: string) =>
      `${q},amy,dev,2024-05-01 10:00:0${q},0,${seq},"${text}"`;
    const file = join(dir, 'stl-unordered.csv');
    writeFileSync(
      file,
      [
        head,
        row(2, 1, 'FROM t2'),
        row(1, 2, 'WHERE x = 1'),
        row(1, 0, 'SELECT a '),
        row(2, 0, 'SELECT b '),
        row(3, 1, 'lost start'),
        row(1, 1, 'FROM t1 '),
      ].join('\n'),
    );
    const recs = await records('redshift', file);
    expect(
      recs.map((r) => (r.kind === 'query' ? `${r.line}:${r.queryId}:${r.text}` : `${r.line}:${r.reason}`)),
    ).toEqual([
      '2:2:SELECT b FROM t2',
      '3:1:SELECT a FROM t1 WHERE x = 1',
      expect.stringMatching(/^6:query 3: text chunk 0 is missing/),
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
