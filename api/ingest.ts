// Ingest mutations: a dbt target directory on the server (only under config.server.ingestPaths) or
// uploaded artifact text (written to a private temp dir, ingested, removed).
import { mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { lineageError } from '../src/errors.ts';
import { ingestDbt, type IngestDbtSummary } from '../src/pipeline/ingest-dbt.ts';
import type { ApiContext } from './context.ts';

export interface IngestHandlers {
  fromPath(ctx: ApiContext, path: string): Promise<IngestOut>;
  fromArtifacts(
    ctx: ApiContext,
    files: { manifest: string; catalog?: string | null; runResults?: string | null; sources?: string | null },
  ): Promise<IngestOut>;
}

export interface IngestOut {
  originId: string;
  unchanged: boolean;
  relations: number;
  columns: number;
  columnEdges: number;
  relationEdges: number;
  diagnostics: number;
}

function out(s: IngestDbtSummary): IngestOut {
  return {
    originId: s.originId,
    unchanged: s.unchanged,
    relations: s.counts.relations,
    columns: s.counts.columns,
    columnEdges: s.counts.columnEdges,
    relationEdges: s.counts.relationEdges,
    diagnostics: s.diagnostics.error + s.diagnostics.warning + s.diagnostics.info,
  };
}

async function allowedPath(path: string, roots: readonly string[]): Promise<string> {
  if (roots.length === 0)
    throw lineageError('API_FORBIDDEN', 'server-side ingest is disabled: LINEAGE_INGEST_PATHS is not set');
  if (!isAbsolute(path)) throw lineageError('API_BAD_INPUT', 'the ingest path must be absolute');
  let real: string;
  try {
    real = await realpath(path);
    if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw lineageError('LINEAGE_NOT_FOUND', 'the ingest path does not exist or is not a directory');
  }
  for (const root of roots) {
    let r: string;
    try {
      r = await realpath(root);
    } catch {
      continue;
    }
    const rel = relative(r, real);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return real;
  }
  throw lineageError('API_FORBIDDEN', 'the ingest path is outside the allowed ingest paths');
}

export const ingestHandlers: IngestHandlers = {
  async fromPath(ctx, path) {
    const dir = await allowedPath(path, ctx.config.server.ingestPaths);
    return out(await ingestDbt(ctx.store, dir, { cacheDir: ctx.config.dataDir, sqlText: ctx.sqlText }));
  },
  async fromArtifacts(ctx, files) {
    const dir = await mkdtemp(join(tmpdir(), 'lineage-upload-'));
    try {
      await writeFile(join(dir, 'manifest.json'), files.manifest);
      if (files.catalog) await writeFile(join(dir, 'catalog.json'), files.catalog);
      if (files.runResults) await writeFile(join(dir, 'run_results.json'), files.runResults);
      if (files.sources) await writeFile(join(dir, 'sources.json'), files.sources);
      return out(await ingestDbt(ctx.store, dir, { sqlText: ctx.sqlText }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
