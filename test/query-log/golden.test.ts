// Golden files: each fixture log -> the batch it produces (edges, usage, nodes, diagnostics, counts), built
// against a real (empty) embedded store. Regenerate with UPDATE_GOLDEN=1 and review the diff like code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { buildQueryLogBatch } from '../../src/pipeline/ingest-query-log.ts';
import type { IngestQueryLogOptions } from '../../src/pipeline/ingest-query-log.ts';
import { expectGoldenValue } from '../helpers/golden.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/query-logs');

const CASES: { file: string; options: IngestQueryLogOptions }[] = [
  { file: 'snowflake/query_history.csv', options: { format: 'snowflake' } },
  { file: 'snowflake/query_history_access.jsonl', options: { format: 'snowflake' } },
  { file: 'bigquery/jobs.jsonl', options: { format: 'bigquery' } },
  { file: 'postgres/csvlog.csv', options: { format: 'postgres-csvlog' } },
  { file: 'postgres/pg_stat_statements.csv', options: { format: 'pg-stat-statements' } },
  { file: 'redshift/sys_query_history.csv', options: { format: 'redshift', defaultDatabase: 'dev' } },
  { file: 'redshift/stl_query_text.csv', options: { format: 'redshift' } },
  { file: 'generic/queries.jsonl', options: { format: 'generic' } },
];

let dir: string;
let store: LineageStore;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-qlog-golden-'));
  store = await openEmbeddedStore({ dataDir: dir });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function snapshot(file: string, options: IngestQueryLogOptions): Promise<unknown> {
  const path = join(ROOT, file);
  const { batch, summary } = await buildQueryLogBatch(store, path, {
    ...options,
    origin: `golden:${file}`,
    now: () => new Date('2024-06-01T00:00:00Z'),
  });
  const rel = (s: string | undefined) => (s === undefined ? s : relative(ROOT, s));
  return {
    summary: { ...summary, file: rel(summary.file) },
    relations: batch.relations.map((r) => `${r.key} (${r.kind}, ${r.platform}) "${r.displayName}"`),
    columns: batch.columns.map((c) => c.key),
    columnEdges: batch.columnEdges.map(
      (e) =>
        `${e.from} -> ${e.to} ${e.kind} ${e.provenance}/${e.confidence} x${e.queryCount} ${e.firstSeen}..${e.lastSeen} ${e.statementId}`,
    ),
    relationEdges: batch.relationEdges.map((e) => `${e.from} -> ${e.to} x${e.queryCount} ${e.statementId}`),
    usage: batch.usage.map(
      (u) =>
        `${u.access} ${u.target} by ${u.user}${u.role ? `/${u.role}` : ''} ${u.day} x${u.count} last ${u.lastAt}`,
    ),
    evidence: batch.evidence,
    diagnostics: batch.diagnostics.map((d) => ({ ...d, where: { ...d.where, file: rel(d.where?.file) } })),
  };
}

describe('query-log golden files', () => {
  for (const c of CASES) {
    it(c.file, async () => {
      const actual = await snapshot(c.file, c.options);
      expectGoldenValue(join(ROOT, `${c.file}.golden.json`), actual);
    });
  }
});
