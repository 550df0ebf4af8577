// Reads a version 2 store file (persist-format.ts) block by block: each block is read into its own buffer,
// checksummed, and handed to the handler of its tag (one exhaustive switch); the column edge arrays stay views
// on their block (no per-edge objects). The order of blocks is checked as it goes: an origin's sections, then
// its COLUMNS, then its COLUMN_EDGES; at most one INDEX and exactly one FINGERPRINTS; END counts the blocks
// before it and ends the file. Anything else is STORE_CORRUPT.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { lineageError } from '../../src/errors.ts';
import type { Origin } from '../../src/model/lineage.ts';
import type { Section } from '../canonical.ts';
import { decodeRecord } from './codec.ts';
import type { StoredOrigin } from './column-edges.ts';
import { FingerprintHistory, type PackedFingerprints } from './fingerprints.ts';
import type { PersistedIndex } from './graph-index.ts';
import {
  BLOCK,
  decodeColumns,
  decodeEdges,
  decodeFingerprints,
  decodeIndex,
  decodeStrings,
  FORMAT,
  isBlockTag,
  JSON_SECTIONS,
  type BlockTag,
  type Snapshot,
} from './persist-format.ts';

export function corrupt(file: string, why: string): never {
  throw lineageError(
    'STORE_CORRUPT',
    `the store file ${file} cannot be read: ${why}; move it away and ingest again`,
  );
}

export function readFully(fd: number, buf: Buffer, position: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, Math.min(buf.length - done, 1 << 30), position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** The header line: format and version. */
export function readHeader(file: string, fd: number): { version: number; bytes: number } {
  const buf = Buffer.alloc(256);
  const n = readFully(fd, buf, 0);
  if (n === 0) corrupt(file, 'the file is empty');
  const nl = buf.subarray(0, n).indexOf(10);
  if (nl < 0) corrupt(file, 'not a lineage store file');
  let h: { format?: unknown; version?: unknown };
  try {
    h = JSON.parse(buf.toString('utf8', 0, nl)) as typeof h;
  } catch {
    return corrupt(file, 'not a lineage store file');
  }
  if (h?.format !== FORMAT) corrupt(file, 'not a lineage store file');
  return { version: typeof h.version === 'number' ? h.version : NaN, bytes: nl + 1 };
}

interface Block {
  tag: BlockTag;
  payload: Buffer;
  /** 1-based number of the block in the file. */
  n: number;
}

/** What has been read so far: the one small record the block handlers share. */
interface ReadState {
  file: string;
  strings: string[];
  origins: StoredOrigin[];
  /** The origin being read and how far (0: sections, 1: columns read, 2: column edges read). */
  current: { data: StoredOrigin; columns: number; columnEdges: number; seen: 0 | 1 | 2 } | null;
  index?: PersistedIndex;
  fingerprints: PackedFingerprints | null;
  blocks: number;
  ended: boolean;
}

function failIn(s: ReadState, b: Block): (why: string) => never {
  return (why) => corrupt(s.file, `block ${b.n}: ${why}`);
}

function json(s: ReadState, b: Block): unknown {
  try {
    return JSON.parse(b.payload.toString('utf8')) as unknown;
  } catch {
    return corrupt(s.file, `block ${b.n} is not valid JSON`);
  }
}

function originComplete(s: ReadState): void {
  if (s.current !== null && s.current.seen !== 2) corrupt(s.file, 'an origin has no columnar blocks');
}

function str(s: ReadState): (id: number) => string {
  return (id) => {
    if (id >= s.strings.length) corrupt(s.file, `string id ${id} out of range`);
    return s.strings[id];
  };
}

function onOrigin(s: ReadState, b: Block): void {
  originComplete(s);
  const p = json(s, b) as { origin: Origin; columns: number; columnEdges: number };
  const data = { origin: p.origin } as StoredOrigin;
  for (const section of JSON_SECTIONS) (data as unknown as Record<string, unknown[]>)[section] = [];
  s.current = { data, columns: p.columns, columnEdges: p.columnEdges, seen: 0 };
  s.origins.push(data);
}

function onSection(s: ReadState, b: Block): void {
  const [section, records] = json(s, b) as [Section, unknown[]];
  if (
    s.current === null ||
    s.current.seen !== 0 ||
    !(JSON_SECTIONS as readonly string[]).includes(section) ||
    !Array.isArray(records)
  )
    corrupt(s.file, `block ${b.n}: unexpected section`);
  const list = s.current.data[section as Exclude<Section, 'columnEdges'>] as unknown[];
  for (const r of records) list.push(decodeRecord(section, r));
}

function onColumns(s: ReadState, b: Block): void {
  if (s.current === null || s.current.seen !== 0) corrupt(s.file, `block ${b.n}: columns outside an origin`);
  s.current.data.columns = decodeColumns(b.payload, s.current.columns, str(s), failIn(s, b));
  s.current.seen = 1;
}

function onColumnEdges(s: ReadState, b: Block): void {
  if (s.current === null || s.current.seen !== 1) corrupt(s.file, `block ${b.n}: edges outside an origin`);
  s.current.data.columnEdges = decodeEdges(b.payload, s.current.columnEdges, s.strings.length, failIn(s, b));
  s.current.seen = 2;
}

function onEnd(s: ReadState, b: Block, atEof: boolean): void {
  if ((json(s, b) as { blocks?: unknown })?.blocks !== s.blocks)
    corrupt(s.file, 'the end block counts another number of blocks');
  originComplete(s);
  if (!atEof) corrupt(s.file, 'data after the end block');
  s.ended = true;
}

/** Applies one block to the state. */
function onBlock(s: ReadState, b: Block, atEof: boolean): void {
  const fail = (why: string) => corrupt(s.file, why);
  switch (b.tag) {
    case BLOCK.END:
      return onEnd(s, b, atEof);
    case BLOCK.STRINGS:
      for (const text of decodeStrings(b.payload, fail)) s.strings.push(text);
      return;
    case BLOCK.ORIGIN:
      return onOrigin(s, b);
    case BLOCK.SECTION:
      return onSection(s, b);
    case BLOCK.COLUMNS:
      return onColumns(s, b);
    case BLOCK.COLUMN_EDGES:
      return onColumnEdges(s, b);
    case BLOCK.INDEX:
      originComplete(s);
      if (s.index !== undefined) corrupt(s.file, 'two index blocks');
      s.index = decodeIndex(b.payload, s.strings, fail);
      return;
    case BLOCK.FINGERPRINTS:
      if (s.fingerprints !== null) corrupt(s.file, 'two fingerprint blocks');
      s.fingerprints = decodeFingerprints(b.payload, s.strings, fail);
      return;
    default: {
      const unknown: never = b.tag;
      return corrupt(s.file, `block ${b.n}: unknown block type ${String(unknown)}`);
    }
  }
}

/** Reads the block at `pos`: its checksummed payload and where the next one starts. */
function readBlock(s: ReadState, fd: number, pos: number, size: number): { block: Block; next: number } {
  const head = Buffer.alloc(16);
  if (readFully(fd, head, pos) < 16) corrupt(s.file, 'truncated (a block header is incomplete)');
  const tag = head.readUInt32LE(0);
  const crc = head.readUInt32LE(4);
  const length = head.readUInt32LE(8) + head.readUInt32LE(12) * 2 ** 32;
  const start = pos + 16;
  if (start + length > size) corrupt(s.file, 'truncated (a block is incomplete)');
  const payload = Buffer.allocUnsafeSlow(length);
  readFully(fd, payload, start);
  const n = s.blocks + 1;
  if (zlib.crc32(payload) !== crc) corrupt(s.file, `block ${n} fails its checksum`);
  if (!isBlockTag(tag)) corrupt(s.file, `block ${n}: unknown block type ${tag}`);
  return { block: { tag, payload, n }, next: start + Math.ceil(length / 8) * 8 };
}

/** Reads a version 2 file from `fd` (`headerBytes` past the header line). Throws STORE_CORRUPT. */
export function readV2(
  file: string,
  fd: number,
  size: number,
  headerBytes: number,
): Omit<Snapshot, 'pool'> & { strings: string[] } {
  const s: ReadState = {
    file,
    strings: [],
    origins: [],
    current: null,
    fingerprints: null,
    blocks: 0,
    ended: false,
  };
  let pos = headerBytes;
  while (!s.ended) {
    const { block, next } = readBlock(s, fd, pos, size);
    pos = next;
    onBlock(s, block, pos === size);
    if (block.tag !== BLOCK.END) s.blocks++;
  }
  if (s.fingerprints === null) corrupt(file, 'the fingerprint block is missing');
  return {
    origins: s.origins,
    fingerprints: new FingerprintHistory(s.fingerprints),
    strings: s.strings,
    index: s.index,
  };
}
