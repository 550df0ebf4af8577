// relationLinks: the RELATION_LINK rows a generation's column edges imply (pure; the Neo4j-backed answers are
// compared with the embedded store in test/conformance and differential.test.ts).
import { describe, expect, it } from 'vitest';
import { relationLinks } from '../../../graph/neo4j/index.ts';

const edge = (from: string, to: string, ms: number, kind = 'IDENTITY') => ({
  from,
  to,
  kind,
  fromRel: from.slice(0, from.lastIndexOf('.')),
  toRel: to.slice(0, to.lastIndexOf('.')),
  ms,
});

describe('relationLinks', () => {
  it('groups column edges by relation pair, skips self-loops, and splits own from foreign endpoints', () => {
    const own = new Set(['s.a.x', 's.a.y', 's.b.x', 's.c.x']);
    const rows = relationLinks(
      [
        edge('s.b.x', 's.c.x', 30),
        edge('s.a.x', 's.b.x', 20),
        edge('s.a.y', 's.b.x', 10),
        edge('s.a.x', 's.a.y', 5), // same relation: no link
        edge('s.a.x', 's.d.z', 1), // s.d.z is another origin's column
        edge('s.e.q', 's.c.x', 7), // s.e.q too
      ],
      own,
    );
    expect(rows).toEqual([
      { from: 's.a', to: 's.b', lms: 10, n: 2, ext: false },
      { from: 's.a', to: 's.d', lms: null, n: 0, ext: true },
      { from: 's.b', to: 's.c', lms: 30, n: 1, ext: false },
      { from: 's.e', to: 's.c', lms: null, n: 0, ext: true },
    ]);
  });

  it('keeps the smallest own ms and the ext flag on one pair with both kinds of edges', () => {
    const own = new Set(['s.a.x', 's.b.x']);
    const rows = relationLinks([edge('s.a.x', 's.b.x', 50), edge('s.a.z', 's.b.x', 1)], own);
    expect(rows).toEqual([{ from: 's.a', to: 's.b', lms: 50, n: 1, ext: true }]);
  });

  it('counts distinct (from, to, kind) own edges: equal adjacent facts once, another kind apart', () => {
    const own = new Set(['s.a.x', 's.a.y', 's.b.x']);
    const rows = relationLinks(
      [
        edge('s.a.x', 's.b.x', 3, 'FILTER'),
        edge('s.a.x', 's.b.x', 2, 'IDENTITY'),
        edge('s.a.x', 's.b.x', 1, 'IDENTITY'), // a second fact of the same edge
        edge('s.a.y', 's.b.x', 4, 'IDENTITY'),
      ],
      own,
    );
    expect(rows).toEqual([{ from: 's.a', to: 's.b', lms: 1, n: 3, ext: false }]);
  });
});
