// Reading a version 1 store file (`<dataDir>/store.jsonl`, JSON lines), so stores written before the
// binary format (persist.ts) still open; the next save writes the binary file and removes this one.
//
//   line 1      {"format":"lineage-embedded-store","version":1}
//   per origin  ["origin",{"origin":{…}}] then ["<section>",[record,…]] chunks
//               (columns and edges as positional arrays, see codec.ts; other records as objects)
//   history     ["fingerprints",[[nodeKey,[fingerprint,…]],…]] chunks, sorted by node key
//   last line   ["end",{"lines":<number of lines before this one>}]
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { lineageError } from '../../src/errors.ts';
import type { Fingerprint } from '../../src/model/lineage.ts';
import { decodeRecord } from './codec.ts';
import { emptyOriginData, SECTIONS, type OriginData, type Section } from '../canonical.ts';

export const FORMAT = 'lineage-embedded-store';
const VERSION = 1;

function corrupt(file: string, why: string): never {
  throw lineageError(
    'STORE_CORRUPT',
    `the store file ${file} cannot be read: ${why}; move it away and ingest again`,
  );
}

/** Reads a version 1 file from `fd` (the caller opens and closes it). Throws STORE_CORRUPT. */
export function readV1(
  file: string,
  fd: number,
): { origins: OriginData[]; fingerprints: Map<string, Fingerprint[]> } {
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
  {
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
  }
  return { origins, fingerprints };
}
