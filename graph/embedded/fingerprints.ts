// The change history of node fingerprints (columns, types, SQL checksum per ingest). A warehouse holds a
// fingerprint per relation naming every column, i.e. as many column entries as the store has columns;
// as objects that doubled the store's memory and load time. So the history read from the file stays
// packed (typed arrays of string ids, sorted by node key) and a node's list is decoded when asked for;
// fingerprints appended since the load live in a small overlay. Never mutated: `with` returns a new one.
import type { Fingerprint } from '../../src/model/lineage.ts';
import { compareStrings } from '../merge.ts';

/** Fingerprints of nodes keys[k]: fps keyOff[k] .. keyOff[k + 1]; columns of fp f: colOff[f] .. colOff[f + 1]. */
export interface PackedFingerprints {
  strings: readonly string[];
  /** Node keys, sorted. */
  keys: string[];
  keyOff: Uint32Array;
  at: Uint32Array;
  originId: Uint32Array;
  /** String id or -1. */
  sqlChecksum: Int32Array;
  colOff: Uint32Array;
  colName: Uint32Array;
  /** String id or -1. */
  colType: Int32Array;
}

export class FingerprintHistory {
  constructor(
    private readonly packed: PackedFingerprints | null = null,
    private readonly overlay: ReadonlyMap<string, Fingerprint[]> = new Map(),
  ) {}

  /** Oldest first; undefined when the node has none. Do not mutate the returned list. */
  get(key: string): Fingerprint[] | undefined {
    const own = this.overlay.get(key);
    if (own !== undefined) return own;
    const p = this.packed;
    if (p === null) return undefined;
    let lo = 0;
    let hi = p.keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = p.keys[mid];
      if (k === key) return decode(p, mid);
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Every node with a history, sorted. */
  sortedKeys(): string[] {
    const base = this.packed?.keys ?? [];
    const extra = [...this.overlay.keys()].sort(compareStrings);
    const out: string[] = [];
    let i = 0;
    let j = 0;
    while (i < base.length || j < extra.length) {
      if (j >= extra.length || (i < base.length && base[i] < extra[j])) out.push(base[i++]);
      else if (i >= base.length || extra[j] < base[i]) out.push(extra[j++]);
      else {
        out.push(base[i++]);
        j++;
      }
    }
    return out;
  }

  /** This history with the lists of `changes` replacing those of their nodes. */
  with(changes: ReadonlyMap<string, Fingerprint[]>): FingerprintHistory {
    if (changes.size === 0) return this;
    return new FingerprintHistory(this.packed, new Map([...this.overlay, ...changes]));
  }
}

function decode(p: PackedFingerprints, k: number): Fingerprint[] {
  const s = p.strings;
  const out: Fingerprint[] = [];
  for (let f = p.keyOff[k]; f < p.keyOff[k + 1]; f++) {
    const columns: Fingerprint['columns'] = [];
    for (let c = p.colOff[f]; c < p.colOff[f + 1]; c++) {
      columns.push(
        p.colType[c] < 0 ? { name: s[p.colName[c]] } : { name: s[p.colName[c]], dataType: s[p.colType[c]] },
      );
    }
    const fp: Fingerprint = { nodeKey: p.keys[k], at: s[p.at[f]], originId: s[p.originId[f]], columns };
    if (p.sqlChecksum[f] >= 0) fp.sqlChecksum = s[p.sqlChecksum[f]];
    out.push(fp);
  }
  return out;
}
