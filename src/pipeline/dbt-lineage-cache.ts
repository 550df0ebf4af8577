// A per-project cache of the SQL engine's results for dbt models, persisted in the data dir, so re-ingesting
// an unchanged manifest does not re-parse unchanged SQL. An entry is reused only when the model's SQL hash
// and every schema the engine looked up are unchanged (see parsers/dbt/lineage.ts). Entries not used by the
// latest ingest are dropped on save. A corrupt or foreign file is ignored (the cache is only a speed-up).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CachedLineage, LineageCache } from '../../parsers/dbt/index.ts';

const FORMAT = 1;

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
    const file = join(dataDir, 'dbt-lineage-cache', `${projectName.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
    let previous = new Map<string, CachedLineage>();
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as {
        format?: number;
        entries?: Record<string, CachedLineage>;
      };
      if (json.format === FORMAT && json.entries) previous = new Map(Object.entries(json.entries));
    } catch {
      // missing or unreadable: start empty
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

  /** Writes the entries used by this ingest (atomically: temp file + rename). */
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(
      tmp,
      JSON.stringify({
        format: FORMAT,
        entries: Object.fromEntries([...this.next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      }),
    );
    renameSync(tmp, this.file);
  }
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
