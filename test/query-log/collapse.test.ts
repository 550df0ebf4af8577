import { describe, expect, it } from 'vitest';
import { collapseTemporary, composeKinds } from '../../parsers/query-log/collapse.ts';
import type { ColumnEdge, TransformKind } from '../../src/model/lineage.ts';

function edge(from: string, to: string, kind: TransformKind, statementId: string): ColumnEdge {
  return {
    from,
    to,
    kind,
    provenance: 'query_log',
    confidence: 'EXACT',
    firstSeen: '2024-01-01T00:00:00.000Z',
    lastSeen: '2024-01-01T00:00:00.000Z',
    queryCount: 1,
    statementId,
  };
}

describe('composeKinds', () => {
  it('keeps an indirect hop (the later one first), else the strongest direct kind', () => {
    expect(composeKinds('IDENTITY', 'IDENTITY')).toBe('IDENTITY');
    expect(composeKinds('IDENTITY', 'TRANSFORMATION')).toBe('TRANSFORMATION');
    expect(composeKinds('AGGREGATION', 'IDENTITY')).toBe('AGGREGATION');
    expect(composeKinds('FILTER', 'IDENTITY')).toBe('FILTER');
    expect(composeKinds('FILTER', 'JOIN')).toBe('JOIN');
    expect(composeKinds('AGGREGATION', 'GROUP_BY')).toBe('GROUP_BY');
  });
});

describe('collapseTemporary', () => {
  it('passes lineage through a chain of two temp tables and drops their nodes', () => {
    const edges = [
      edge('db.s.src.a', 'db.s.tmp1.x', 'IDENTITY', 'q1'),
      edge('db.s.src.f', 'db.s.tmp1.x', 'FILTER', 'q1'),
      edge('db.s.tmp1.x', 'db.s.tmp2.y', 'TRANSFORMATION', 'q2'),
      edge('db.s.tmp2.y', 'db.s.out.z', 'AGGREGATION', 'q3'),
      edge('db.s.tmp2.y', 'db.s.tmp2.y2', 'IDENTITY', 'q4'),
      edge('db.s.other.b', 'db.s.out.z', 'IDENTITY', 'q3'),
    ];
    const out = collapseTemporary(edges, new Set(['db.s.tmp1', 'db.s.tmp2']), 'column');
    expect(out.map((e) => `${e.from} -> ${e.to} ${e.kind} ${e.statementId}`).sort()).toEqual([
      'db.s.other.b -> db.s.out.z IDENTITY q3',
      'db.s.src.a -> db.s.out.z AGGREGATION q3',
      'db.s.src.f -> db.s.out.z FILTER q3',
    ]);
  });

  it('drops lineage that only ends in a temp table', () => {
    const out = collapseTemporary(
      [edge('db.s.src.a', 'db.s.tmp.x', 'IDENTITY', 'q1')],
      new Set(['db.s.tmp']),
      'column',
    );
    expect(out).toEqual([]);
  });
});
