import { describe, expect, it } from 'vitest';
import { keyTooLong, MAX_KEY_BYTES, withoutOversizedKeys } from '../../src/model/key-size.ts';
import { cedge, column, dbtBatch, relation } from '../helpers/shapes.ts';

describe('withoutOversizedKeys', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(keyTooLong('a'.repeat(MAX_KEY_BYTES))).toBe(false);
    expect(keyTooLong('a'.repeat(MAX_KEY_BYTES + 1))).toBe(true);
    expect(keyTooLong('é'.repeat(MAX_KEY_BYTES / 2))).toBe(false);
    expect(keyTooLong('é'.repeat(MAX_KEY_BYTES / 2 + 1))).toBe(true);
  });

  it('returns the batch itself when no key is too long', () => {
    const b = dbtBatch();
    expect(withoutOversizedKeys(b)).toBe(b);
  });

  it("drops the node, a relation's columns and every edge and record naming them, one diagnostic per node", () => {
    const b = dbtBatch();
    const huge = relation('raw', 'x'.repeat(MAX_KEY_BYTES));
    const hugeCol = column(huge, 'id');
    const target = b.columns[0];
    b.relations.push(huge);
    b.columns.push(hugeCol);
    b.columnEdges.push(cedge(hugeCol, target, 'IDENTITY'));
    b.relationEdges.push({ ...b.relationEdges[0], from: huge.key });
    b.checks.push({ id: 'test.huge', name: 'not_null', relationKey: huge.key, columnKey: hugeCol.key });
    b.usage.push({
      target: hugeCol.key,
      access: 'read',
      user: 'u',
      day: '2024-01-01',
      count: 1,
      lastAt: 'x',
    });
    const before = dbtBatch();
    const out = withoutOversizedKeys(b);
    for (const s of ['relations', 'columns', 'columnEdges', 'relationEdges', 'checks', 'usage'] as const)
      expect(out[s], s).toEqual(before[s]);
    expect(
      out.diagnostics.slice(before.diagnostics.length).map((d) => [d.code, d.message.slice(0, 40)]),
    ).toEqual([
      ['INGEST_KEY_TOO_LONG', 'a relation key of 4103 UTF-8 bytes is ov'],
      ['INGEST_KEY_TOO_LONG', 'a column key of 4106 UTF-8 bytes is over'],
      ['INGEST_KEY_TOO_LONG', '4 edges or records naming a key over the'],
    ]);
  });
});
