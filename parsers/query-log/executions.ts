// Executions counted once: the warehouse's query id and start time name one execution, whatever file or
// path it was exported to. Each (query id, start time) is hashed to 64 bits and kept per UTC day in an
// open-addressing table of 32-bit pairs (16 bytes per execution at the worst load), so a log of millions of
// executions costs tens of MB, not a Set of strings.

/** 64-bit hash of an execution key as [hi, lo] (cyrb53's two lanes, both kept at 32 bits). */
export function executionHash(queryId: string, at: string): [number, number] {
  const key = `${queryId}\u0000${at}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

/** Something that can say whether an execution hash is in it (a HashSet64, a stored ledger). */
export interface ExecutionSet {
  has(hash: readonly [number, number]): boolean;
}

/**
 * A read-only set over hashes stored as sorted (hi, lo) uint32 pairs (HashSet64.sortedPairs): binary search,
 * no copy, so another origin's ledger costs its 8 bytes per execution and nothing more.
 */
export class SortedHashes implements ExecutionSet {
  constructor(private readonly pairs: Uint32Array) {}

  get size(): number {
    return this.pairs.length / 2;
  }

  has(hash: readonly [number, number]): boolean {
    const hi = hash[0];
    const lo = low(hash);
    const p = this.pairs;
    let a = 0;
    let b = p.length / 2;
    while (a < b) {
      const m = (a + b) >>> 1;
      const mh = p[2 * m];
      const ml = p[2 * m + 1];
      if (mh === hi && ml === lo) return true;
      if (mh < hi || (mh === hi && ml < lo)) a = m + 1;
      else b = m;
    }
    return false;
  }
}

/** Any of several sets. */
export function unionOf(sets: readonly ExecutionSet[]): ExecutionSet | undefined {
  if (sets.length <= 1) return sets[0];
  return { has: (hash) => sets.some((s) => s.has(hash)) };
}

/** A set of 64-bit hashes. [0, 0] is the empty slot, so the hash [0, 0] is stored as [0, 1]. */
export class HashSet64 implements ExecutionSet {
  private table = new Uint32Array(2 * 1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(hash: readonly [number, number]): boolean {
    return this.slot(hash[0], low(hash)) < 0;
  }

  /** Adds the hash; false when it was already there. */
  add(hash: readonly [number, number]): boolean {
    const hi = hash[0];
    const lo = low(hash);
    const s = this.slot(hi, lo);
    if (s < 0) return false;
    this.table[s] = hi;
    this.table[s + 1] = lo;
    if (++this.count * 2 > this.table.length / 2) this.grow();
    return true;
  }

  /** Every hash as (hi, lo) uint32 pairs, sorted by (hi, lo): a ledger's stored form. */
  sortedPairs(): Uint32Array {
    const all = new BigUint64Array(this.count);
    let n = 0;
    for (let i = 0; i < this.table.length; i += 2)
      if (this.table[i] !== 0 || this.table[i + 1] !== 0)
        all[n++] = (BigInt(this.table[i]) << 32n) | BigInt(this.table[i + 1]);
    all.sort();
    const out = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) {
      out[2 * i] = Number(all[i] >> 32n);
      out[2 * i + 1] = Number(all[i] & 0xffffffffn);
    }
    return out;
  }

  /** The free slot index for (hi, lo), or -1 when present. */
  private slot(hi: number, lo: number): number {
    const mask = this.table.length / 2 - 1;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const a = this.table[2 * i];
      const b = this.table[2 * i + 1];
      if (a === 0 && b === 0) return 2 * i;
      if (a === hi && b === lo) return -1;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2)
      if (old[i] !== 0 || old[i + 1] !== 0) this.add([old[i], old[i + 1]]);
  }
}

function low(hash: readonly [number, number]): number {
  return hash[0] === 0 && hash[1] === 0 ? 1 : hash[1];
}
