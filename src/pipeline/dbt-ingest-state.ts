// What the last dbt ingest of a target saw, so an ingest of byte-identical artifacts can be skipped whole
// (no JSON parse, no SQL, no store write). Kept beside the lineage cache in the data dir, one file per manifest.
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbtArtifactPaths } from '../../parsers/dbt/index.ts';
import { writeFileAtomically } from './atomic-file.ts';

const FORMAT = 1;

export interface DbtIngestState<Summary> {
  format: number;
  digest: string;
  originId: string;
  /** The origin's ingest time in the store right after that ingest: a later write by anyone else changes it. */
  originIngestedAt: string;
  summary: Summary;
}

function stateFile(cacheDir: string, manifestPath: string): string {
  const id = createHash('sha256').update(resolve(manifestPath)).digest('hex').slice(0, 24);
  return join(cacheDir, 'dbt-ingest-state', `${id}.json`);
}

/** A stamp of the code that turns artifacts into a batch: changing it must re-ingest. */
function parserCodeStamp(): string {
  const h = createHash('sha256');
  for (const rel of ['../../parsers/dbt/', '../../parsers/sql/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    try {
      for (const name of readdirSync(dir).sort()) {
        const s = statSync(join(dir, name));
        h.update(`${rel}${name}:${s.size}:${s.mtimeMs}\n`);
      }
    } catch {
      h.update(`${rel}:missing\n`);
    }
  }
  return h.digest('hex');
}

/** sha256 over every artifact's bytes (streamed: manifests can be hundreds of MB), the parser code and extras. */
export async function artifactDigest(paths: DbtArtifactPaths, extra: string): Promise<string> {
  const h = createHash('sha256');
  h.update(`${parserCodeStamp()}\n${extra}\n`);
  for (const [name, file] of Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : 1))) {
    h.update(`\n${name}:`);
    if (file === undefined) continue;
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

export function readIngestState<Summary>(
  cacheDir: string,
  manifestPath: string,
): DbtIngestState<Summary> | null {
  try {
    const state = JSON.parse(
      readFileSync(stateFile(cacheDir, manifestPath), 'utf8'),
    ) as DbtIngestState<Summary>;
    return state.format === FORMAT ? state : null;
  } catch {
    return null; // absent or unreadable: just ingest normally
  }
}

/** Forgets the state of a target (its next ingest parses in full). Best effort. */
export function forgetIngestState(cacheDir: string, manifestPath: string): void {
  try {
    rmSync(stateFile(cacheDir, manifestPath), { force: true });
  } catch {
    // a state that cannot be removed is checked against the store's origin time before any skip
  }
}

/** Writes the state atomically; STORE_WRITE_FAILED (naming the file, no temp file left) when it cannot. */
export function writeIngestState<Summary>(
  cacheDir: string,
  manifestPath: string,
  state: Omit<DbtIngestState<Summary>, 'format'>,
): void {
  writeFileAtomically(stateFile(cacheDir, manifestPath), 'the dbt ingest state', () => [
    JSON.stringify({ format: FORMAT, ...state }),
  ]);
}
