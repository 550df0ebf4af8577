// The store-agnostic rules both stores share: merged node and edge views (graph/merge.ts) and the search
// score (graph/search-score.ts).
import { describe, expect, it } from 'vitest';
import {
  MAX_STATEMENT_IDS,
  compareTimes,
  mergeColumn,
  mergeEdge,
  mergeRelation,
  normalizeRelation,
} from '../../graph/merge.ts';
import { normalizeSearchText, searchScore } from '../../graph/search-score.ts';
import type { EdgeFacts } from '../../src/model/lineage.ts';
import { column, relation } from '../helpers/shapes.ts';

describe('mergeRelation', () => {
  const base = relation('s', 't', 'table');
  it('ranks by provenance then origin id; optional fields from the first definer; unions owners and tags', () => {
    const merged = mergeRelation([
      {
        originId: 'q',
        provenance: 'query_log',
        node: {
          ...base,
          kind: 'view',
          description: 'from log',
          tags: ['b', 'a'],
          owners: [{ id: 'x', name: 'X log' }],
          isKeyAsset: true,
        },
      },
      { originId: 'm2', provenance: 'manual', node: { ...base, kind: 'seed', rowCount: 5, tags: ['a'] } },
      {
        originId: 'm1',
        provenance: 'manual',
        node: { ...base, kind: 'model', rowCount: 3, owners: [{ id: 'y' }] },
      },
      {
        originId: 'd',
        provenance: 'dbt_manifest',
        node: { ...base, kind: 'table', description: undefined, owners: [{ id: 'x', name: 'X dbt' }] },
      },
    ]);
    expect(merged).toEqual({
      ...base,
      kind: 'table',
      description: 'from log',
      rowCount: 3,
      owners: [{ id: 'x', name: 'X dbt' }, { id: 'y' }],
      tags: ['a', 'b'],
      isKeyAsset: true,
    });
    expect(Object.keys(merged)).not.toContain('uniqueId');
  });

  it('normalizes one node exactly as merging it alone', () => {
    const n = {
      ...base,
      tags: ['z', 'a', 'z'],
      owners: [{ id: 'b' }, { id: 'a', name: undefined }],
      sizeBytes: 1,
    };
    expect(normalizeRelation(n)).toStrictEqual(
      mergeRelation([{ originId: 'o', provenance: 'query_log', node: n }]),
    );
  });

  it('merges columns: first-defined dataType, unioned tags', () => {
    const rel = relation('s', 't');
    const merged = mergeColumn([
      {
        originId: 'a',
        provenance: 'access_history',
        node: column(rel, 'c', { dataType: 'int', tags: ['p'] }),
      },
      { originId: 'b', provenance: 'openlineage', node: column(rel, 'c', { displayName: 'C', tags: ['o'] }) },
    ]);
    expect(merged).toEqual({ ...column(rel, 'c'), displayName: 'C', dataType: 'int', tags: ['o', 'p'] });
  });
});

describe('mergeEdge', () => {
  const fact = (f: Partial<EdgeFacts>): EdgeFacts => ({
    provenance: 'query_log',
    confidence: 'TABLE_LEVEL',
    firstSeen: '2024-01-02T00:00:00Z',
    lastSeen: '2024-01-02T00:00:00Z',
    queryCount: 1,
    ...f,
  });
  it('takes the best confidence, earliest first and latest last seen (by instant), summed counts', () => {
    const e = mergeEdge('a', 'b', 'JOIN', [
      fact({ confidence: 'INFERRED', statementId: 's2', firstSeen: '2024-01-01T00:00:00.000+01:00' }),
      fact({
        provenance: 'dbt_manifest',
        confidence: 'EXACT',
        queryCount: 4,
        statementId: 's1',
        lastSeen: '2024-05-01T00:00:00Z',
      }),
      fact({ statementId: 's2' }),
    ]);
    expect(e).toEqual({
      from: 'a',
      to: 'b',
      kind: 'JOIN',
      provenances: ['dbt_manifest', 'query_log'],
      confidence: 'EXACT',
      firstSeen: '2024-01-01T00:00:00.000+01:00',
      lastSeen: '2024-05-01T00:00:00Z',
      queryCount: 6,
      statementIds: ['s1', 's2'],
    });
  });
  it('keeps at most MAX_STATEMENT_IDS statement ids, the smallest', () => {
    const facts = Array.from({ length: 30 }, (_, i) =>
      fact({ statementId: `q${String(i).padStart(2, '0')}` }),
    );
    const ids = mergeEdge('a', 'b', 'RELATION', facts.reverse()).statementIds;
    expect(ids.length).toBe(MAX_STATEMENT_IDS);
    expect(ids[0]).toBe('q00');
    expect(ids.at(-1)).toBe('q19');
  });
  it('compares times by instant, then text', () => {
    expect(compareTimes('2024-01-01T00:30:00+01:00', '2024-01-01T00:00:00Z')).toBeLessThan(0);
    expect(compareTimes('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z')).not.toBe(0);
  });
});

describe('searchScore', () => {
  const c = (name: string, key = `db.s.${name}`, displayName = name) => ({ key, name, displayName });
  const score = (text: string, cand: ReturnType<typeof c>) => searchScore(normalizeSearchText(text), cand);
  it('ranks exact > prefix > substring, shorter matches first within a tier', () => {
    expect(score('Orders', c('orders'))).toBe(399);
    expect(score('ord', c('orders'))).toBe(296);
    expect(score('ord', c('orders_archive'))).toBe(288);
    expect(score('der', c('orders'))).toBe(196);
    expect(score('db.s.orders', c('orders'))).toBe(399);
    expect(score('xyz', c('orders'))).toBe(0);
    expect(score('   ', c('orders'))).toBe(0);
    expect(score('ÉTÉ', c('été'))).toBe(399);
  });
});
