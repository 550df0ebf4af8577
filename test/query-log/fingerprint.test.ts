import { describe, expect, it } from 'vitest';
import { Fingerprinter, fingerprintOf, normalizeSql } from '../../parsers/query-log/fingerprint.ts';

describe('normalizeSql', () => {
  it('replaces string, number and parameter literals and collapses lists', () => {
    expect(
      normalizeSql("select a from t1 where x = 'it''s' and y in (1, 2,3) and z = $1 -- note\n limit 10;"),
    ).toBe('select a from t1 where x = ? and y in (?) and z = ? limit ?');
    expect(normalizeSql("INSERT INTO t VALUES (1,'a'),(2,'b'),(3, 'c')")).toBe('INSERT INTO t VALUES (?)');
    expect(normalizeSql('select 1.5e3, .5, -7 /* c */ from t')).toBe('select ?, ?, -? from t');
  });

  it('keeps identifiers (with digits), quoted names and case', () => {
    expect(normalizeSql('SELECT "Col 1", t2.c3 FROM `proj.ds.T9` t2')).toBe(
      'SELECT "Col 1", t2.c3 FROM `proj.ds.T9` t2',
    );
    expect(normalizeSql('select a from T')).not.toBe(normalizeSql('select a from t'));
  });

  it('gives texts differing only in literals and whitespace one fingerprint', () => {
    const a = fingerprintOf(normalizeSql("select * from orders where id = 1 and s = 'x'"));
    const b = fingerprintOf(normalizeSql("select *\n  from orders\twhere id = 42 and s = 'yy'  ;"));
    const c = fingerprintOf(normalizeSql("select * from orders where id2 = 1 and s = 'x'"));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    // The recent-text cache (capacity 2, so entries are evicted) never changes the answer.
    const f = new Fingerprinter(2);
    const first = f.of('select 1 from t');
    expect(f.of('select 2 from t')).toBe(first);
    expect(f.of('select  3 from t')).toBe(first);
    expect(f.of('select 1 from t')).toBe(first);
    expect(f.of('select 1 from u')).not.toBe(first);
  });
});
