// The explorer's pure modules: the column path it highlights, the exports it writes, its routes, and the
// forgiving search score behind fuzzySearch.
import { describe, expect, it } from 'vitest';
import { columnPath, isDirect } from '../../web/src/graph/column-path.ts';
import { toCsv, toJson, toMarkdown } from '../../web/src/lib/export.ts';
import { href, parseRoute } from '../../web/src/lib/route.ts';
import { searchWords, subsequenceScore } from '../../src/analysis/fuzzy-search.ts';

describe('columnPath', () => {
  // a -> b -> c, x -> b (indirect), c -> d, and an unrelated e -> f
  const edges = [
    { from: 'a', to: 'b', kind: 'IDENTITY' },
    { from: 'b', to: 'c', kind: 'AGGREGATION' },
    { from: 'x', to: 'b', kind: 'JOIN' },
    { from: 'c', to: 'd', kind: 'TRANSFORMATION' },
    { from: 'e', to: 'f', kind: 'IDENTITY' },
  ];
  it('takes everything upstream and downstream of the selected column, not its siblings', () => {
    const p = columnPath('c', edges);
    expect([...p.columns].sort()).toEqual(['a', 'b', 'c', 'd', 'x']);
    expect([...p.edges].sort()).toEqual([0, 1, 2, 3]);
  });
  it('from a source: only downstream, not the other inputs of what it feeds', () => {
    const p = columnPath('a', edges);
    expect([...p.columns].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(p.edges.has(2)).toBe(false);
  });
  it('terminates on cycles', () => {
    const p = columnPath('a', [
      { from: 'a', to: 'b', kind: 'IDENTITY' },
      { from: 'b', to: 'a', kind: 'IDENTITY' },
    ]);
    expect([...p.columns].sort()).toEqual(['a', 'b']);
  });
  it('knows the direct kinds', () => {
    expect(['IDENTITY', 'TRANSFORMATION', 'AGGREGATION', 'JOIN', 'FILTER'].map(isDirect)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('exports', () => {
  const rows = [
    { key: 'a.b', n: 1, note: 'say "hi", then | pipe' },
    { key: 'c', n: null, note: 'two\nlines' },
  ];
  it('writes CSV with quoting', () => {
    expect(toCsv(['key', 'n', 'note'], rows)).toBe(
      'key,n,note\na.b,1,"say ""hi"", then | pipe"\nc,,"two\nlines"\n',
    );
  });
  it('writes a markdown table with escaped pipes and one line per row', () => {
    expect(toMarkdown(['key', 'note'], rows, 'T')).toBe(
      '## T\n\n| key | note |\n| --- | --- |\n| a.b | say "hi", then \\| pipe |\n| c | two lines |\n',
    );
  });
  it('writes JSON', () => {
    expect(JSON.parse(toJson(rows))).toEqual(rows);
  });
});

describe('routes', () => {
  it('round-trips a key with dots and slashes and its parameters', () => {
    const to = href('graph', 'db.s/x.t', { up: 2, col: 'db.s/x.t.c', none: undefined });
    expect(to).toBe('#/graph/db.s%2Fx.t?up=2&col=db.s%2Fx.t.c');
    const r = parseRoute(to);
    expect(r.view).toBe('graph');
    expect(r.key).toBe('db.s/x.t');
    expect(r.params.get('col')).toBe('db.s/x.t.c');
  });
  it('falls back to search for an unknown view', () => {
    expect(parseRoute('#/nope/x').view).toBe('search');
    expect(parseRoute('').view).toBe('search');
  });
});

describe('fuzzy search score', () => {
  it('splits words on spaces and dots', () => {
    expect(searchWords(' Stg_Orders.order  total ')).toEqual(['stg_orders', 'order', 'total']);
  });
  it('matches words in order as subsequences, tighter matches higher', () => {
    const hay = 'jaffle_shop.main.stg_orders.order_total';
    expect(subsequenceScore(['stgord'], hay)).not.toBeNull();
    expect(subsequenceScore(['total', 'stg'], hay)).toBeNull();
    const tight = subsequenceScore(['order_total'], hay) as number;
    const loose = subsequenceScore(['ordtot'], hay) as number;
    expect(tight).toBeGreaterThan(loose);
  });
});
