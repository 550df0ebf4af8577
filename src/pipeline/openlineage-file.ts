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
  ingestOpenLineage,
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
  const name = file;
  let count = 0;
  const tv = performance.now();
  for await (const { line, text } of lines(path)) count += decode(name, line, text).length;
  const validateMs = Math.round(performance.now() - tv);

  const progress = options.progress;
  progress?.setTotal(statSync(path).size);
  const jobs = new Set<string>();
  const summary: FileSummary = {
    file: path,
    lines: 0,
    events: 0,
    runEvents: 0,
    jobEvents: 0,
    datasetEvents: 0,
    lateEvents: 0,
    jobs: [],
    origins: 0,
    relations: 0,
    columns: 0,
    columnEdges: 0,
    relationEdges: 0,
    evidence: 0,
    diagnostics: 0,
    diagnosticsByCode: {},
    writes: 0,
    unchanged: 0,
    timingsMs: { validate: 0, build: 0, apply: 0 },
  };
  let chunk: OpenLineageEvent[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const s = await ingestOpenLineage(store, ledger, chunk, options);
    chunk = [];
    summary.events += s.events;
    summary.runEvents += s.runEvents;
    summary.jobEvents += s.jobEvents;
    summary.datasetEvents += s.datasetEvents;
    summary.lateEvents += s.lateEvents;
    summary.origins += s.origins;
    summary.relations += s.relations;
    summary.columns += s.columns;
    summary.columnEdges += s.columnEdges;
    summary.relationEdges += s.relationEdges;
    summary.evidence += s.evidence;
    summary.diagnostics += s.diagnostics.length;
    for (const d of s.diagnostics)
      summary.diagnosticsByCode[d.code] = (summary.diagnosticsByCode[d.code] ?? 0) + 1;
    summary.writes += s.apply.length;
    summary.unchanged += s.unchanged;
    summary.timingsMs.build += s.timingsMs.build;
    summary.timingsMs.apply += s.timingsMs.apply;
    for (const j of s.jobs) jobs.add(j);
  };
  try {
    for await (const { line, text } of lines(path, (n) => progress?.tick(n))) {
      summary.lines = line;
      chunk.push(...decode(name, line, text));
      if (chunk.length >= FILE_CHUNK) await flush();
    }
    await flush();
  } finally {
    progress?.done();
  }
  if (summary.events !== count)
    throw lineageError(
      'OPENLINEAGE_INVALID_EVENT',
      `${file} changed while it was read (${count} then ${summary.events} events)`,
    );
  summary.jobs = [...jobs].sort();
  summary.timingsMs.validate = validateMs;
  return summary;
}
