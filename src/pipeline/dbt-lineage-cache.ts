// A per-project cache of the SQL engine's results for dbt models, persisted in the data dir, so re-ingesting
// an unchanged manifest does not re-parse unchanged SQL. An entry is reused only when the model's SQL hash
// and every schema the engine looked up are unchanged (see parsers/dbt/lineage.ts). Entries not used by the
// latest ingest are dropped on save. A corrupt or foreign file is ignored (the cache is only a speed-up).
// The file is JSON lines (a header, then one `[uniqueId, entry]` per line): a 150k-model project's cache is
// larger than V8's maximum string length, so it is never one string.
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
  readdirSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CachedLineage, LineageCache } from '../../parsers/dbt/index.ts';

const FORMAT = 2;
const HEADER = JSON.stringify({ format: FORMAT });

export class FileLineageCache implements LineageCache {
  private readonly previous: Map<string, CachedLineage>;
  private readonly next = new Map<string, CachedLineage>();

  private constructor(
    readonly file: string,
    previous: Map<string, CachedLineage>,
  ) {
    this.previous = previous;
  }

  static open(dataDir: string, projectName: string): FileLineageCache {
    const file = join(dataDir, 'dbt-lineage-cache', `${projectName.replace(/[^A-Za-z0-9_.-]/g, '_')}.jsonl`);
    let previous = new Map<string, CachedLineage>();
    try {
      previous = readEntries(readFileSync(file));
    } catch {
      // missing, unreadable or another format: start empty
    }
    return new FileLineageCache(file, previous);
  }

  get(uniqueId: string): CachedLineage | undefined {
    const e = this.previous.get(uniqueId);
    if (e) this.next.set(uniqueId, e);
    return e;
  }

  set(uniqueId: string, entry: CachedLineage): void {
    this.next.set(uniqueId, entry);
  }

  get size(): number {
    return this.next.size;
  }

  /** Drops every entry from memory (after save). */
  release(): void {
    this.previous.clear();
    this.next.clear();
  }

  /** Writes the entries used by this ingest, sorted by unique_id (atomically: temp file + rename). */
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      let buf = `${HEADER}\n`;
      for (const id of [...this.next.keys()].sort()) {
        buf += `${JSON.stringify([id, this.next.get(id)])}\n`;
        if (buf.length > 1 << 20) {
          writeSync(fd, buf);
          buf = '';
        }
      }
      writeSync(fd, buf);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}

function readEntries(bytes: Buffer): Map<string, CachedLineage> {
  const out = new Map<string, CachedLineage>();
  let start = bytes.indexOf(10);
  if (start === -1 || bytes.subarray(0, start).toString('utf8') !== HEADER) return out;
  start++;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    if (end > start) {
      const [id, entry] = JSON.parse(bytes.subarray(start, end).toString('utf8')) as [string, CachedLineage];
      out.set(id, entry);
    }
    start = end + 1;
  }
  return out;
}

/** A stamp of the SQL engine's source files, so a changed engine invalidates cached results. */
export function sqlEngineStamp(): string {
  const dir = fileURLToPath(new URL('../../parsers/sql/', import.meta.url));
  const h = createHash('sha256');
  try {
    for (const name of readdirSync(dir).sort()) {
      const s = statSync(join(dir, name));
      h.update(`${name}:${s.size}:${s.mtimeMs}\n`);
    }
  } catch {
    h.update('no-engine');
  }
  return h.digest('hex').slice(0, 16);
}
