// CSV recovery: a broken row is one malformed record at its true line, every good row around it is read,
// nothing is counted twice.
import { describe, expect, it } from 'vitest';
import { CsvSplitter, MAX_RECORD_LINES } from '../../parsers/query-log/csv.ts';
import type { CsvRow } from '../../parsers/query-log/csv.ts';

/** Splits `text` with a fixed column count after the header (like readTable). */
function split(text: string, columns = 3): CsvRow[] {
  let header = true;
  const splitter = new CsvSplitter((cells) => {
    if (header) {
      header = false;
      return null;
    }
    return cells.length === columns ? null : `expected ${columns} columns, got ${cells.length}`;
  });
  const out: CsvRow[] = [];
  text.split('\n').forEach((line, i) => out.push(...splitter.push(i + 1, line)));
  out.push(...splitter.end());
  return out;
}

const summary = (rows: CsvRow[]) =>
  rows.map((r) =>
    r.ok ? `${r.line}:${r.cells.join('|')}` : `BAD ${r.line}${r.endLine ? `-${r.endLine}` : ''}`,
  );

describe('CsvSplitter', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and skips blank lines', () => {
    const rows = split('a,b,c\n1,"x, y","say ""hi"""\n\n2,"line one\nline two",z\n3,,\n');
    expect(summary(rows)).toEqual(['1:a|b|c', '2:1|x, y|say "hi"', '4:2|line one\nline two|z', '6:3||']);
  });

  it('an unbalanced quote early is one malformed row; the good rows after it are all read', () => {
    const good = (i: number) => `${i},"SELECT ${i}",alice`;
    const lines = ['id,text,user'];
    for (let i = 0; i < 50; i++) lines.push(i === 3 ? `${i},"SELECT broken,alice` : good(i));
    const rows = split(lines.join('\n'));
    const bad = rows.filter((r) => !r.ok);
    expect(bad).toEqual([
      expect.objectContaining({ ok: false, line: 5, reason: expect.stringMatching(/unbalanced quote/) }),
    ]);
    expect(rows.filter((r) => r.ok)).toHaveLength(50); // header + 49 good rows
    expect(rows.find((r) => r.ok && r.line === 6)).toMatchObject({ cells: ['4', 'SELECT 4', 'alice'] });
  });

  it('an unclosed quote in the last rows does not swallow the good row after it', () => {
    const rows = split('id,text,user\n1,"ok",a\n2,"never closed,b\n3,plain,c\n');
    expect(summary(rows)).toEqual(['1:id|text|user', '2:1|ok|a', 'BAD 3', '4:3|plain|c']);
  });

  it('a quote left open at the end of the file reports its line once', () => {
    expect(summary(split('id,text,user\n1,"x",a\n2,"open\n'))).toEqual([
      '1:id|text|user',
      '2:1|x|a',
      'BAD 3',
    ]);
  });

  it('a well-formed multi-line record with a wrong column count is one report over its lines', () => {
    const rows = split('id,text,user\n1,"SELECT a\nFROM t\nWHERE b",u,extra\n2,ok,v\n');
    expect(summary(rows)).toEqual(['1:id|text|user', 'BAD 2-4', '5:2|ok|v']);
  });

  it('a single bad row (column count, text after a closing quote) is one report at its line', () => {
    const rows = split('id,text,user\n1,a\n2,"b"c,d\n3,ok,e\n');
    expect(summary(rows)).toEqual(['1:id|text|user', 'BAD 2', 'BAD 3', '4:3|ok|e']);
    expect(rows[1]).toMatchObject({ reason: 'expected 3 columns, got 2' });
    expect(rows[2]).toMatchObject({ reason: 'unexpected "c" after a closing quote' });
  });

  it('gives up on a quoted field longer than MAX_RECORD_LINES and reads on', () => {
    const lines = [
      'id,text,user',
      '1,"open',
      ...Array.from({ length: MAX_RECORD_LINES + 5 }, (_, i) => `${i},t,u`),
    ];
    const rows = split(lines.join('\n'));
    expect(rows.filter((r) => !r.ok).map((r) => r.line)).toEqual([2]);
    expect(rows.filter((r) => r.ok)).toHaveLength(1 + MAX_RECORD_LINES + 5);
  });
});
