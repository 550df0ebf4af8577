// The embedded store's file format, version 2 (the bytes; persist.ts is the file, persist-reader.ts reads it):
// a header line, then checksummed binary blocks:
//
//   {"format":"lineage-embedded-store","version":2}\n
//   block = u32 tag, u32 crc32(payload), u32 length low, u32 length high, payload, zero padding to 8 bytes
//   STRINGS*       the string table in chunks (every distinct string of the columnar blocks once, in order
//                  of first use): u32 count, u32 text bytes, u32 offsets[count + 1] (UTF-16 units), UTF-8 text
//   per origin     ORIGIN (JSON: the origin and its record counts), SECTION* (JSON chunks of the small
//                  sections, edges positional as in codec.ts), COLUMNS and COLUMN_EDGES (columnar: one
//                  8-byte-aligned typed array per field, strings as string-table ids)
//   INDEX          the saved part of the graph index (graph-index.ts PersistedIndex: keys in key order as
//                  string ids, columns per relation, the CSR edge groups and fact tables), so a load
//                  does not rebuild it; absent when the writer had none (then the load builds it)
//   FINGERPRINTS   the change history, columnar (fingerprints.ts), sorted by node key
//   END            JSON {"blocks": <number of blocks before it>}; nothing may follow
//
// Block codecs are written once here for both directions (the *Views builders give the same typed arrays to
// the writer and the reader).
import zlib from 'node:zlib';
import type { ColumnNode } from '../../src/model/lineage.ts';
import { CONFIDENCES, PROVENANCES, TRANSFORM_KINDS } from '../../src/model/lineage.ts';
import { SECTIONS, type OriginData, type Section } from '../canonical.ts';
import { compareStrings } from '../merge.ts';
import { encodeRecord } from './codec.ts';
import type { ColumnEdgeTable, StoredOrigin } from './column-edges.ts';
import type { FingerprintHistory, PackedFingerprints } from './fingerprints.ts';
import type { EdgeGroup, FactTable, PersistedIndex } from './graph-index.ts';
import { FORMAT } from './persist-v1.ts';
import { StringPool } from './strings.ts';

export { FORMAT };
export const VERSION = 2;
const HEADER = JSON.stringify({ format: FORMAT, version: VERSION }) + '\n';

/** Block tags. A reader handles every one (persist-reader.ts switches over BlockTag exhaustively). */
export const BLOCK = {
  STRINGS: 1,
  ORIGIN: 2,
  SECTION: 3,
  COLUMNS: 4,
  COLUMN_EDGES: 5,
  FINGERPRINTS: 6,
  END: 7,
  INDEX: 8,
} as const;
export type BlockTag = (typeof BLOCK)[keyof typeof BLOCK];
const TAGS: readonly number[] = Object.values(BLOCK);
export const isBlockTag = (tag: number): tag is BlockTag => TAGS.includes(tag);

const JSON_CHUNK = 20_000;
const STRING_CHUNK_CHARS = 64 * 1024 * 1024;

/** The small sections, kept as JSON records in the file. */
export const JSON_SECTIONS = SECTIONS.filter((s) => s !== 'columns' && s !== 'columnEdges');

export interface Snapshot {
  origins: StoredOrigin[];
  /** The strings the origins' column edge tables refer to. */
  pool: StringPool;
  fingerprints: FingerprintHistory;
  /** The saved part of the origins' index (written when given; present when the file has it). */
  index?: PersistedIndex;
}

// ---------------------------------------------------------------------------------------------------
// Columnar layouts: a block starts with two u32 (count, extra), then each array 8-byte aligned.

function layout(bytes: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let off = 8;
  for (const b of bytes) {
    offsets.push(off);
    off = Math.ceil((off + b) / 8) * 8;
  }
  return { offsets, total: off };
}

const columnLayout = (n: number, tags: number) =>
  layout([4 * n, 4 * n, 4 * n, 4 * n, 4 * n, 4 * n, n, 8 * n, 4 * (n + 1), 4 * tags]);
const edgeLayout = (n: number) => layout([4 * n, 4 * n, 4 * n, 4 * n, 4 * n, n, n, n, 8 * n]);

/** The typed arrays of a column block at byte `at` of `ab` (one definition for writing and reading). */
function columnViews(ab: ArrayBufferLike, at: number, n: number, tags: number) {
  const o = columnLayout(n, tags).offsets;
  return {
    key: new Uint32Array(ab, at + o[0], n),
    rel: new Uint32Array(ab, at + o[1], n),
    name: new Uint32Array(ab, at + o[2], n),
    display: new Uint32Array(ab, at + o[3], n),
    dataType: new Int32Array(ab, at + o[4], n),
    description: new Int32Array(ab, at + o[5], n),
    missing: new Uint8Array(ab, at + o[6], n),
    ordinal: new Float64Array(ab, at + o[7], n),
    tagOff: new Uint32Array(ab, at + o[8], n + 1),
    tagIds: new Uint32Array(ab, at + o[9], tags),
  };
}

/** The typed arrays of a column-edge block at byte `at` of `ab`, as the table they encode. */
function edgeViews(ab: ArrayBufferLike, at: number, n: number): ColumnEdgeTable {
  const o = edgeLayout(n).offsets;
  return {
    length: n,
    from: new Uint32Array(ab, at + o[0], n),
    to: new Uint32Array(ab, at + o[1], n),
    firstSeen: new Uint32Array(ab, at + o[2], n),
    lastSeen: new Uint32Array(ab, at + o[3], n),
    statementId: new Int32Array(ab, at + o[4], n),
    kind: new Uint8Array(ab, at + o[5], n),
    provenance: new Uint8Array(ab, at + o[6], n),
    confidence: new Uint8Array(ab, at + o[7], n),
    queryCount: new Float64Array(ab, at + o[8], n),
  };
}

/** File string ids in order of first use. */
class StringTable {
  private readonly file = new StringPool();
  private readonly fromPool: Int32Array;

  constructor(private readonly pool: StringPool) {
    this.fromPool = new Int32Array(pool.size).fill(-1);
  }

  get list(): string[] {
    return this.file.strings;
  }

  id(s: string): number {
    return this.file.intern(s);
  }

  poolId(p: number): number {
    let id = this.fromPool[p];
    if (id < 0) id = this.fromPool[p] = this.id(this.pool.at(p));
    return id;
  }
}

function encodeColumns(columns: readonly ColumnNode[], st: StringTable): Buffer {
  const n = columns.length;
  let tags = 0;
  for (const c of columns) tags += c.tags.length;
  const buf = Buffer.alloc(columnLayout(n, tags).total);
  const head = new Uint32Array(buf.buffer, buf.byteOffset, 2);
  head[0] = n;
  head[1] = tags;
  const { key, rel, name, display, dataType, description, missing, ordinal, tagOff, tagIds } = columnViews(
    buf.buffer,
    buf.byteOffset,
    n,
    tags,
  );
  let t = 0;
  for (let i = 0; i < n; i++) {
    const c = columns[i];
    key[i] = st.id(c.key);
    rel[i] = st.id(c.relationKey);
    name[i] = st.id(c.name);
    display[i] = st.id(c.displayName);
    dataType[i] = c.dataType === undefined ? -1 : st.id(c.dataType);
    description[i] = c.description === undefined ? -1 : st.id(c.description);
    missing[i] = c.missingFromCatalog === undefined ? 0 : c.missingFromCatalog ? 2 : 1;
    ordinal[i] = c.ordinal === undefined ? Number.NaN : c.ordinal;
    tagOff[i] = t;
    for (const tag of c.tags) tagIds[t++] = st.id(tag);
  }
  tagOff[n] = t;
  return buf;
}

function encodeEdges(e: ColumnEdgeTable, st: StringTable): Buffer {
  const n = e.length;
  const buf = Buffer.alloc(edgeLayout(n).total);
  new Uint32Array(buf.buffer, buf.byteOffset, 2)[0] = n;
  const out = edgeViews(buf.buffer, buf.byteOffset, n);
  for (let i = 0; i < n; i++) {
    out.from[i] = st.poolId(e.from[i]);
    out.to[i] = st.poolId(e.to[i]);
    out.firstSeen[i] = st.poolId(e.firstSeen[i]);
    out.lastSeen[i] = st.poolId(e.lastSeen[i]);
    out.statementId[i] = e.statementId[i] < 0 ? -1 : st.poolId(e.statementId[i]);
  }
  out.kind.set(e.kind);
  out.provenance.set(e.provenance);
  out.confidence.set(e.confidence);
  out.queryCount.set(e.queryCount);
  return buf;
}

// The persisted index: u32 n (nodes), u32 0, u32 counts[10], then the arrays of indexArrays() in order.
type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;
type ArrayCtor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Typed;
const GROUPS = ['columnEdges', 'relationEdges', 'consumerEdges'] as const;
const FACTS = ['columnFacts', 'relationFacts', 'consumerFacts'] as const;

/** The arrays of the index block in file order: [constructor, length, value when writing]. */
function indexArrays(n: number, counts: number[], ix?: PersistedIndex, keyIds?: Uint32Array) {
  const out: [ArrayCtor, number, Typed | undefined][] = [
    [Uint32Array, 10, Uint32Array.from(counts)],
    [Uint32Array, n, keyIds],
    [Int32Array, n, ix?.columnRelation],
    [Uint32Array, n + 1, ix?.relationColumnsOff],
    [Uint32Array, counts[0], ix?.relationColumns],
  ];
  GROUPS.forEach((g, k) => {
    const e = counts[1 + 2 * k];
    const f = counts[2 + 2 * k];
    const x: EdgeGroup | undefined = ix?.[g];
    out.push(
      [Uint32Array, e, x?.from],
      [Uint32Array, e, x?.to],
      [Uint8Array, e, x?.kind],
      [Float64Array, e, x?.firstSeenMs],
      [Uint32Array, e + 1, x?.factStart],
      [Uint32Array, f, x?.facts],
      [Uint32Array, n + 1, x?.outOff],
      [Uint32Array, n + 1, x?.inOff],
      [Uint32Array, e, x?.inEdges],
    );
  });
  FACTS.forEach((t, k) => {
    const x: FactTable | undefined = ix?.[t];
    out.push([Uint16Array, counts[7 + k], x?.origin], [Uint32Array, counts[7 + k], x?.index]);
  });
  return out;
}

const bytesOf = (c: ArrayCtor) => (c as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;

/** A block of typed arrays: u32 head, u32 0, then each array 8-byte aligned. */
function packArrays(head: number, arrays: readonly [ArrayCtor, number, Typed | undefined][]): Buffer {
  const { offsets, total } = layout(arrays.map(([c, len]) => bytesOf(c) * len));
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(head, 0);
  arrays.forEach(([, len, value], k) => {
    if (value === undefined || value.length !== len)
      throw new Error(`array ${k} of a block has ${value?.length} elements, not ${len}`);
    buf.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), offsets[k]);
  });
  return buf;
}

/** Views on the arrays of a packArrays block (the first array holds the counts the others need). */
function unpackArrays(
  payload: Buffer,
  arrays: readonly [ArrayCtor, number, unknown][],
  fail: (why: string) => never,
): Typed[] {
  const { offsets, total } = layout(arrays.map(([c, len]) => bytesOf(c) * len));
  if (total !== payload.length) fail('a block has an unexpected size');
  return arrays.map(([C, len], k) => new C(payload.buffer, payload.byteOffset + offsets[k], len));
}

function encodeIndex(ix: PersistedIndex, st: StringTable): Buffer {
  const n = ix.keys.length;
  const keyIds = new Uint32Array(n);
  for (let i = 0; i < n; i++) keyIds[i] = st.id(ix.keys[i]);
  const counts = [
    ix.relationColumns.length,
    ...GROUPS.flatMap((g) => [ix[g].count, ix[g].facts.length]),
    ...FACTS.map((t) => ix[t].origin.length),
  ];
  return packArrays(n, indexArrays(n, counts, ix, keyIds));
}

export function decodeIndex(
  payload: Buffer,
  strings: readonly string[],
  fail: (why: string) => never,
): PersistedIndex {
  const ab = payload.buffer;
  const base = payload.byteOffset;
  const n = payload.readUInt32LE(0);
  const counts = Array.from(new Uint32Array(ab, base + 8, 10));
  const a = unpackArrays(payload, indexArrays(n, counts), fail);
  const keyIds = a[1] as Uint32Array;
  const keys: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (keyIds[i] >= strings.length) fail('the index refers to an unknown string');
    keys[i] = strings[keyIds[i]];
  }
  const group = (k: number): EdgeGroup => {
    const g = a.slice(5 + 9 * k, 14 + 9 * k);
    return {
      count: counts[1 + 2 * k],
      from: g[0] as Uint32Array,
      to: g[1] as Uint32Array,
      kind: g[2] as Uint8Array,
      firstSeenMs: g[3] as Float64Array,
      factStart: g[4] as Uint32Array,
      facts: g[5] as Uint32Array,
      outOff: g[6] as Uint32Array,
      inOff: g[7] as Uint32Array,
      inEdges: g[8] as Uint32Array,
    };
  };
  const facts = (k: number): FactTable => ({
    origin: a[32 + 2 * k] as Uint16Array,
    index: a[33 + 2 * k] as Uint32Array,
  });
  return {
    keys,
    columnRelation: a[2] as Int32Array,
    relationColumnsOff: a[3] as Uint32Array,
    relationColumns: a[4] as Uint32Array,
    columnEdges: group(0),
    relationEdges: group(1),
    consumerEdges: group(2),
    columnFacts: facts(0),
    relationFacts: facts(1),
    consumerFacts: facts(2),
  };
}

/** Fingerprints: u32 keys, u32 0, u32 counts[2] (fingerprints, columns), then the arrays below. */
function fingerprintArrays(
  keys: number,
  counts: number[],
  v: Partial<PackedFingerprints> & { keyIds?: Uint32Array } = {},
) {
  const [fps, cols] = counts;
  const out: [ArrayCtor, number, Typed | undefined][] = [
    [Uint32Array, 2, Uint32Array.from(counts)],
    [Uint32Array, keys, v.keyIds],
    [Uint32Array, keys + 1, v.keyOff],
    [Uint32Array, fps, v.at],
    [Uint32Array, fps, v.originId],
    [Int32Array, fps, v.sqlChecksum],
    [Uint32Array, fps + 1, v.colOff],
    [Uint32Array, cols, v.colName],
    [Int32Array, cols, v.colType],
  ];
  return out;
}

function encodeFingerprints(history: FingerprintHistory, st: StringTable): Buffer {
  const keys = history.sortedKeys();
  const lists = keys.map((k) => history.get(k)!);
  let fps = 0;
  let cols = 0;
  for (const list of lists) {
    fps += list.length;
    for (const f of list) cols += f.columns.length;
  }
  const keyIds = new Uint32Array(keys.length);
  const keyOff = new Uint32Array(keys.length + 1);
  const at = new Uint32Array(fps);
  const originId = new Uint32Array(fps);
  const sqlChecksum = new Int32Array(fps);
  const colOff = new Uint32Array(fps + 1);
  const colName = new Uint32Array(cols);
  const colType = new Int32Array(cols);
  let f = 0;
  let c = 0;
  lists.forEach((list, k) => {
    keyIds[k] = st.id(keys[k]);
    keyOff[k] = f;
    for (const fp of list) {
      at[f] = st.id(fp.at);
      originId[f] = st.id(fp.originId);
      sqlChecksum[f] = fp.sqlChecksum === undefined ? -1 : st.id(fp.sqlChecksum);
      colOff[f] = c;
      for (const col of fp.columns) {
        colName[c] = st.id(col.name);
        colType[c] = col.dataType === undefined ? -1 : st.id(col.dataType);
        c++;
      }
      f++;
    }
  });
  keyOff[keys.length] = f;
  colOff[fps] = c;
  const v = { keyIds, keyOff, at, originId, sqlChecksum, colOff, colName, colType };
  return packArrays(keys.length, fingerprintArrays(keys.length, [fps, cols], v));
}

export function decodeFingerprints(
  payload: Buffer,
  strings: readonly string[],
  fail: (why: string) => never,
): PackedFingerprints {
  const n = payload.readUInt32LE(0);
  const counts = Array.from(new Uint32Array(payload.buffer, payload.byteOffset + 8, 2));
  const a = unpackArrays(payload, fingerprintArrays(n, counts), fail);
  const keyIds = a[1] as Uint32Array;
  const max = Math.max(
    maxOf(keyIds),
    maxOf(a[3] as Uint32Array),
    maxOf(a[4] as Uint32Array),
    maxOf(a[5] as Int32Array),
    maxOf(a[7] as Uint32Array),
    maxOf(a[8] as Int32Array),
  );
  if (max >= strings.length) fail('a fingerprint refers to an unknown string');
  const keys: string[] = new Array(n);
  for (let i = 0; i < n; i++) keys[i] = strings[keyIds[i]];
  return {
    strings,
    keys,
    keyOff: a[2] as Uint32Array,
    at: a[3] as Uint32Array,
    originId: a[4] as Uint32Array,
    sqlChecksum: a[5] as Int32Array,
    colOff: a[6] as Uint32Array,
    colName: a[7] as Uint32Array,
    colType: a[8] as Int32Array,
  };
}

function encodeStrings(list: readonly string[], from: number, to: number): Buffer {
  const count = to - from;
  const offsets = new Uint32Array(count + 1);
  let chars = 0;
  for (let i = from; i < to; i++) {
    offsets[i - from] = chars;
    chars += list[i].length;
  }
  offsets[count] = chars;
  const text = Buffer.from(list.slice(from, to).join(''), 'utf8');
  const { offsets: o, total } = layout([4 * (count + 1), text.length]);
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(count, 0);
  buf.writeUInt32LE(text.length, 4);
  Buffer.from(offsets.buffer, offsets.byteOffset, offsets.byteLength).copy(buf, o[0]);
  text.copy(buf, o[1]);
  return buf;
}

const jsonBlock = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** Serializes a snapshot, calling `write` with its bytes in order. */
export function serialize(snapshot: Snapshot, write: (bytes: Buffer) => void): void {
  const origins = [...snapshot.origins].sort((a, b) => compareStrings(a.origin.id, b.origin.id));
  // First the columnar blocks (they decide the string table), then everything in file order.
  const st = new StringTable(snapshot.pool);
  const columnar = origins.map((o) => ({
    columns: encodeColumns(o.columns, st),
    edges: encodeEdges(o.columnEdges, st),
  }));
  const index = snapshot.index === undefined ? null : encodeIndex(snapshot.index, st);
  const fingerprints = encodeFingerprints(snapshot.fingerprints, st);
  let blocks = 0;
  const pad = Buffer.alloc(8);
  const block = (tag: BlockTag, payload: Buffer) => {
    const head = Buffer.alloc(16);
    head.writeUInt32LE(tag, 0);
    head.writeUInt32LE(zlib.crc32(payload), 4);
    head.writeUInt32LE(payload.length % 2 ** 32, 8);
    head.writeUInt32LE(Math.floor(payload.length / 2 ** 32), 12);
    write(head);
    write(payload);
    if (payload.length % 8 !== 0) write(pad.subarray(0, 8 - (payload.length % 8)));
    blocks++;
  };
  write(Buffer.from(HEADER, 'utf8'));
  const list = st.list;
  for (let i = 0; i < list.length;) {
    let j = i;
    let chars = 0;
    while (j < list.length && (j === i || chars + list[j].length <= STRING_CHUNK_CHARS))
      chars += list[j++].length;
    block(BLOCK.STRINGS, encodeStrings(list, i, j));
    i = j;
  }
  origins.forEach((o, k) => {
    block(
      BLOCK.ORIGIN,
      jsonBlock({ origin: o.origin, columns: o.columns.length, columnEdges: o.columnEdges.length }),
    );
    for (const s of JSON_SECTIONS) {
      const records = o[s] as OriginData[Section];
      for (let i = 0; i < records.length; i += JSON_CHUNK) {
        const chunk = records
          .slice(i, i + JSON_CHUNK)
          .map((r: OriginData[Section][number]) => encodeRecord(s, r));
        block(BLOCK.SECTION, jsonBlock([s, chunk]));
      }
    }
    block(BLOCK.COLUMNS, columnar[k].columns);
    block(BLOCK.COLUMN_EDGES, columnar[k].edges);
    columnar[k] = { columns: pad, edges: pad }; // let the written blocks go
  });
  if (index !== null) block(BLOCK.INDEX, index);
  block(BLOCK.FINGERPRINTS, fingerprints);
  block(BLOCK.END, jsonBlock({ blocks }));
}
// ---------------------------------------------------------------------------------------------------
// Decoding the columnar blocks (the JSON ones decode with codec.ts). `fail` reports a damaged block.

export function decodeStrings(payload: Buffer, fail: (why: string) => never): string[] {
  const count = payload.readUInt32LE(0);
  const { offsets: o } = layout([4 * (count + 1), 0]);
  const offsets = new Uint32Array(payload.buffer, payload.byteOffset + o[0], count + 1);
  const textBytes = payload.readUInt32LE(4);
  if (o[1] + textBytes > payload.length) fail('the string table is inconsistent');
  const text = payload.toString('utf8', o[1], o[1] + textBytes);
  if (offsets[count] !== text.length) fail('the string table is inconsistent');
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = text.slice(offsets[i], offsets[i + 1]);
  return out;
}

/** One shared, frozen tag list for the (many) columns without tags: views are cloned before they leave. */
const NO_TAGS = Object.freeze([]) as unknown as string[];

/** The columns of a COLUMNS block that must hold `expected` of them. */
export function decodeColumns(
  payload: Buffer,
  expected: number,
  str: (id: number) => string,
  fail: (why: string) => never,
): ColumnNode[] {
  const n = payload.readUInt32LE(0);
  const tags = payload.readUInt32LE(4);
  if (n !== expected || columnLayout(n, tags).total !== payload.length) fail('bad column block size');
  const { key, rel, name, display, dataType, description, missing, ordinal, tagOff, tagIds } = columnViews(
    payload.buffer,
    payload.byteOffset,
    n,
    tags,
  );
  const columns: ColumnNode[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let tagList = NO_TAGS;
    if (tagOff[i + 1] > tagOff[i]) {
      tagList = [];
      for (let t = tagOff[i]; t < tagOff[i + 1]; t++) tagList.push(str(tagIds[t]));
    }
    const c: ColumnNode = {
      key: str(key[i]),
      relationKey: str(rel[i]),
      name: str(name[i]),
      displayName: str(display[i]),
      tags: tagList,
    };
    if (dataType[i] >= 0) c.dataType = str(dataType[i]);
    if (description[i] >= 0) c.description = str(description[i]);
    if (!Number.isNaN(ordinal[i])) c.ordinal = ordinal[i];
    if (missing[i] !== 0) c.missingFromCatalog = missing[i] === 2;
    columns[i] = c;
  }
  return columns;
}

function maxOf(a: Uint32Array | Int32Array | Uint8Array): number {
  let m = -1;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** The edge table of a COLUMN_EDGES block (views on the payload) that must hold `expected` edges. */
export function decodeEdges(
  payload: Buffer,
  expected: number,
  strings: number,
  fail: (why: string) => never,
): ColumnEdgeTable {
  const n = payload.readUInt32LE(0);
  if (n !== expected || edgeLayout(n).total !== payload.length) fail('bad edge block size');
  const t = edgeViews(payload.buffer, payload.byteOffset, n);
  const maxString = Math.max(
    maxOf(t.from),
    maxOf(t.to),
    maxOf(t.firstSeen),
    maxOf(t.lastSeen),
    maxOf(t.statementId),
  );
  if (
    maxString >= strings ||
    maxOf(t.kind) >= TRANSFORM_KINDS.length ||
    maxOf(t.provenance) >= PROVENANCES.length ||
    maxOf(t.confidence) >= CONFIDENCES.length
  )
    fail('an edge refers to an unknown string or code');
  return t;
}
