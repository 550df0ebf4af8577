// The embedded store's file: `<dataDir>/store.jsonl`, JSON lines.
//
//   line 1      {"format":"lineage-embedded-store","version":1}
//   per origin  ["origin",{"origin":{…}}] then ["<section>",[record,…]] chunks of ≤ CHUNK records
//               (columns and edges as positional arrays, see codec.ts; other records as objects)
//   history     ["fingerprints",[[nodeKey,[fingerprint,…]],…]] chunks, sorted by node key
//   last line   ["end",{"lines":<number of lines before this one>}]
//
// Written to a temp file in the same directory, fsynced, renamed over the old file, then the directory is
// fsynced: a reader (or a process killed mid-save) only ever sees the old file or the new one. A missing or
// wrong end line, a bad header or a line that does not parse is STORE_CORRUPT.
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { lineageError } from '../../src/errors.ts';
import type { Fingerprint } from '../../src/model/lineage.ts';
import { compareStrings } from '../merge.ts';
import { decodeRecord, encodeRecord } from './codec.ts';
import { emptyOriginData, SECTIONS, type OriginData, type Section } from './contributions.ts';

export const STORE_FILE = 'store.jsonl';
export const FORMAT = 'lineage-embedded-store';
export const VERSION = 1;
const CHUNK = 2000;
const FLUSH_CHARS = 4 * 1024 * 1024;

export interface Snapshot {
  origins: OriginData[];
  /** Oldest first per node. */
  fingerprints: Map<string, Fingerprint[]>;
}

export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

export function storePath(dataDir: string): string {
  return path.join(dataDir, STORE_FILE);
}

export function stampOf(file: string): FileStamp | null {
  try {
    const st = fs.statSync(file);
    return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

export function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  return (
    a === b || (a !== null && b !== null && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs)
  );
}

/** Serializes a snapshot, calling `write` with pieces of text in order. */
export function serialize(snapshot: Snapshot, write: (text: string) => void): void {
  let lines = 0;
  const line = (value: unknown) => {
    write(JSON.stringify(value) + '\n');
    lines++;
  };
  line({ format: FORMAT, version: VERSION });
  const origins = [...snapshot.origins].sort((a, b) => compareStrings(a.origin.id, b.origin.id));
  for (const o of origins) {
    line(['origin', { origin: o.origin }]);
    for (const s of SECTIONS) {
      const list = o[s];
      for (let i = 0; i < list.length; i += CHUNK) {
        line([s, list.slice(i, i + CHUNK).map((r: OriginData[Section][number]) => encodeRecord(s, r))]);
      }
    }
  }
  const keys = [...snapshot.fingerprints.keys()].sort(compareStrings);
  for (let i = 0; i < keys.length; i += CHUNK) {
    line(['fingerprints', keys.slice(i, i + CHUNK).map((k) => [k, snapshot.fingerprints.get(k)])]);
  }
  write(JSON.stringify(['end', { lines }]) + '\n');
}

function removeStaleTemps(dataDir: string): void {
  for (const name of fs.readdirSync(dataDir)) {
    const m = /^store\.jsonl\.tmp-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && isAlive(pid)) continue;
    try {
      fs.unlinkSync(path.join(dataDir, name));
    } catch {
      // another process cleaned it up
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes the snapshot atomically; returns the new file's stamp and size. Throws STORE_WRITE_FAILED. */
export function writeSnapshot(dataDir: string, snapshot: Snapshot): { stamp: FileStamp; bytes: number } {
  const target = storePath(dataDir);
  const temp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let fd = -1;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    removeStaleTemps(dataDir);
    fd = fs.openSync(temp, 'w', 0o644);
    let pending: string[] = [];
    let pendingChars = 0;
    const flush = () => {
      if (pending.length === 0) return;
      fs.writeSync(fd, pending.join(''));
      pending = [];
      pendingChars = 0;
    };
    serialize(snapshot, (text) => {
      pending.push(text);
      pendingChars += text.length;
      if (pendingChars >= FLUSH_CHARS) flush();
    });
    flush();
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(temp, target);
    try {
      const dfd = fs.openSync(dataDir, 'r');
      fs.fsyncSync(dfd);
      fs.closeSync(dfd);
    } catch {
      // directories cannot be fsynced on every platform; the rename is still atomic
    }
  } catch (err) {
    if (fd >= 0) fs.closeSync(fd);
    try {
      fs.unlinkSync(temp);
    } catch {
      // not created
    }
    throw lineageError(
      'STORE_WRITE_FAILED',
      `cannot save the store to ${target}: ${(err as Error).message}`,
      {},
      err,
    );
  }
  const stamp = stampOf(target)!;
  return { stamp, bytes: stamp.size };
}

function corrupt(file: string, why: string): never {
  throw lineageError(
    'STORE_CORRUPT',
    `the store file ${file} cannot be read: ${why}; move it away and ingest again`,
  );
}

/** Reads the store file; null when there is none. Throws STORE_CORRUPT. */
export function readSnapshot(dataDir: string): { snapshot: Snapshot; stamp: FileStamp } | null {
  const file = storePath(dataDir);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw lineageError('STORE_CORRUPT', `cannot open ${file}: ${(err as Error).message}`);
  }
  const st = fs.fstatSync(fd);
  const stamp: FileStamp = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  const origins: OriginData[] = [];
  const fingerprints = new Map<string, Fingerprint[]>();
  let lineNo = 0;
  let ended = false;
  let current: OriginData | null = null;
  const handle = (text: string) => {
    lineNo++;
    if (ended) corrupt(file, `data after the end line (line ${lineNo})`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      corrupt(file, `line ${lineNo} is not valid JSON`);
    }
    if (lineNo === 1) {
      const h = value as { format?: unknown; version?: unknown };
      if (h?.format !== FORMAT) corrupt(file, 'not a lineage store file');
      if (h.version !== VERSION) corrupt(file, `format version ${String(h.version)} is not ${VERSION}`);
      return;
    }
    if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string')
      corrupt(file, `line ${lineNo} has an unexpected shape`);
    const [tag, payload] = value as [string, unknown];
    if (tag === 'origin') {
      const p = payload as { origin: OriginData['origin'] };
      current = emptyOriginData(p.origin);
      origins.push(current);
    } else if (tag === 'fingerprints') {
      for (const [k, list] of payload as [string, Fingerprint[]][]) fingerprints.set(k, list);
    } else if (tag === 'end') {
      const lines = (payload as { lines?: unknown })?.lines;
      if (lines !== lineNo - 1) corrupt(file, `end line counts ${String(lines)} lines, found ${lineNo - 1}`);
      ended = true;
    } else if ((SECTIONS as readonly string[]).includes(tag)) {
      if (current === null || !Array.isArray(payload))
        corrupt(file, `line ${lineNo}: ${tag} outside an origin`);
      const list = (current as OriginData)[tag as Section] as unknown[];
      for (const rec of payload) list.push(decodeRecord(tag as Section, rec));
    } else corrupt(file, `line ${lineNo}: unknown record ${tag}`);
  };
  try {
    const decoder = new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(16 * 1024 * 1024);
    let rest = '';
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + decoder.write(buf.subarray(0, n));
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        handle(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest !== '') corrupt(file, 'the last line is incomplete');
    if (lineNo === 0) corrupt(file, 'the file is empty');
    if (!ended) corrupt(file, 'the end line is missing (truncated file)');
  } finally {
    fs.closeSync(fd);
  }
  return { snapshot: { origins, fingerprints }, stamp };
}
