// `lineage ingest openlineage <file.ndjson>`: exported events, one JSON event per line (a line may also hold a
// JSON array of events). Streamed twice: the first pass validates every line (a malformed one throws
// OPENLINEAGE_INVALID_EVENT with its line number before anything is written), the second folds the events in
// chunks into the ledger and the store. Memory stays bounded by the chunk and the ledger, not the file.
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { LineageStore } from '../../graph/store.ts';
import { validateEvent, type OpenLineageEvent } from '../../parsers/openlineage/schema.ts';
import { lineageError } from '../errors.ts';
import {
  COUNTED,
  ingestOpenLineage,
  noCounts,
  type Ledger,
  type OpenLineageIngestOptions,
  type OpenLineageSummary,
} from './openlineage.ts';

/** Events folded per store write in the second pass. */
export const FILE_CHUNK = 5000;

export interface FileProgress {
  setTotal(total: number): void;
  tick(n?: number): void;
  done(): void;
}

async function* lines(
  path: string,
  onBytes?: (n: number) => void,
): AsyncGenerator<{ line: number; text: string }> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  if (onBytes) stream.on('data', (chunk) => onBytes(Buffer.byteLength(chunk)));
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() === '') continue;
    yield { line: n, text };
  }
}

function decode(file: string, line: number, text: string): OpenLineageEvent[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw lineageError(
      'OPENLINEAGE_INVALID_EVENT',
      `${file} line ${line}: not JSON (${(e as Error).message})`,
      { line },
    );
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => {
    const r = validateEvent(v);
    if ('invalid' in r)
      throw lineageError(
        'OPENLINEAGE_INVALID_EVENT',
        `${file} line ${line}${Array.isArray(value) ? ` item ${i}` : ''}: ${r.invalid.message}`,
        { line, path: r.invalid.path },
      );
    return r.ok;
  });
}

export interface FileSummary extends Omit<
  OpenLineageSummary,
  'apply' | 'diagnostics' | 'timingsMs' | 'unchanged'
> {
  timingsMs: { validate: number; build: number; apply: number };
  file: string;
  lines: number;
  diagnostics: number;
  diagnosticsByCode: Record<string, number>;
  writes: number;
  /** Job batches identical to the last written one (not written). */
  unchanged: number;
}

/** One file ingest's working state, shared by its phases. */
interface FileRun {
  store: LineageStore;
  ledger: Ledger;
  options: OpenLineageIngestOptions;
  /** The file as named (messages) and resolved (summary). */
  name: string;
  path: string;
  summary: FileSummary;
  jobs: Set<string>;
}

export async function ingestOpenLineageFile(
  store: LineageStore,
  ledger: Ledger,
  file: string,
  options: OpenLineageIngestOptions & { progress?: FileProgress } = {},
): Promise<FileSummary> {
  const path = resolve(file);
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch {
    throw lineageError('LINEAGE_NOT_FOUND', `OpenLineage file '${file}' does not exist or is not a file`);
  }
  const tv = performance.now();
  const count = await validateFile(file, path);
  const validateMs = Math.round(performance.now() - tv);
  const run: FileRun = {
    store,
    ledger,
    options,
    name: file,
    path,
    summary: emptyFileSummary(path),
    jobs: new Set(),
  };
  await foldFile(run, options.progress);
  const summary = run.summary;
  if (summary.events !== count)
    throw lineageError(
      'OPENLINEAGE_INVALID_EVENT',
      `${file} changed while it was read (${count} then ${summary.events} events)`,
    );
  summary.jobs = [...run.jobs].sort();
  summary.timingsMs.validate = validateMs;
  return summary;
}

/** The first pass: decodes and validates every line; answers the number of events. */
async function validateFile(name: string, path: string): Promise<number> {
  let count = 0;
  for await (const { line, text } of lines(path)) count += decode(name, line, text).length;
  return count;
}

function emptyFileSummary(path: string): FileSummary {
  return {
    file: path,
    lines: 0,
    ...noCounts(),
    diagnostics: 0,
    diagnosticsByCode: {},
    writes: 0,
    unchanged: 0,
    timingsMs: { validate: 0, build: 0, apply: 0 },
  };
}

/** The second pass: folds the events in chunks of FILE_CHUNK into the ledger and the store. */
async function foldFile(run: FileRun, progress: FileProgress | undefined): Promise<void> {
  progress?.setTotal(statSync(run.path).size);
  let chunk: OpenLineageEvent[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const s = await ingestOpenLineage(run.store, run.ledger, chunk, run.options);
    chunk = [];
    addChunk(run, s);
  };
  try {
    for await (const { line, text } of lines(run.path, (n) => progress?.tick(n))) {
      run.summary.lines = line;
      chunk.push(...decode(run.name, line, text));
      if (chunk.length >= FILE_CHUNK) await flush();
    }
    await flush();
  } finally {
    progress?.done();
  }
}

/** Adds one chunk's summary to the file's. */
function addChunk(run: FileRun, s: OpenLineageSummary): void {
  const summary = run.summary;
  for (const k of COUNTED) summary[k] += s[k];
  summary.diagnostics += s.diagnostics.length;
  for (const d of s.diagnostics)
    summary.diagnosticsByCode[d.code] = (summary.diagnosticsByCode[d.code] ?? 0) + 1;
  summary.writes += s.apply.length;
  summary.unchanged += s.unchanged;
  summary.timingsMs.build += s.timingsMs.build;
  summary.timingsMs.apply += s.timingsMs.apply;
  for (const j of s.jobs) run.jobs.add(j);
}
