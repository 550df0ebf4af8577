// The content hash decides "unchanged" on a re-ingest, against the hash an earlier version of the store wrote:
// a different text for the same content would re-stage every origin once after an upgrade, so the text is pinned.
import { describe, expect, it } from 'vitest';
import { canonicalizeOwn } from '../../graph/canonical.ts';
import { contentHash, contentOf, stableJson } from '../../graph/records.ts';
import { dbtBatch, queryLogBatch } from '../helpers/shapes.ts';

describe('contentHash', () => {
  it('is the hash the stores have always written for the same content', () => {
    expect(contentHash(contentOf(canonicalizeOwn(dbtBatch()).data))).toBe(
      'c3ced49a33853a91c3931ad2154f46a2f0736ba11c62fe751cebe687d87ed51a',
    );
    expect(contentHash(contentOf(canonicalizeOwn(queryLogBatch()).data))).toBe(
      'd536004c9437b0ad65cc33457693df9b3f987c96143944dba0a3edc4f5d152de',
    );
  });

  it('does not depend on the order of object keys', () => {
    const a = canonicalizeOwn(dbtBatch()).data;
    const b = canonicalizeOwn(dbtBatch()).data;
    b.relations = b.relations.map((r) => Object.fromEntries(Object.entries(r).reverse()) as typeof r);
    expect(contentHash(contentOf(b))).toBe(contentHash(contentOf(a)));
  });
});

const ODD = '{"10":1,"2":2,"a":[1,,{"c":"\\"q\\"\\n\u2028é"}],"b":1,"f":-5e-8,"n":null,"z":{"x":{},"y":[]}}';

describe('stableJson', () => {
  it('sorts keys at every level, as code units, and leaves out undefined fields', () => {
    const odd = {
      b: 1,
      a: [1, undefined, { d: undefined, c: '"q"\n\u2028é' }],
      '10': 1,
      '2': 2,
      z: { y: [], x: {} },
      n: null,
      f: -0.5e-7,
    };
    expect(stableJson(odd)).toBe(ODD);
    expect(stableJson([undefined])).toBe('[]');
    expect(stableJson([() => 1, 2])).toBe('[,2]');
    expect(stableJson('x')).toBe('"x"');
  });
});
