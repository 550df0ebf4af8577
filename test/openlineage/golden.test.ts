// Golden tests: each fixture of fixtures/openlineage (event shapes from the OpenLineage spec examples, dbt-ol,
// the Airflow provider and the Spark listener, with facets we ignore) ingested into a fresh store; the graph it
// leaves is compared (as JSON, so prettier may format the file) with test/openlineage/golden/<name>.golden.json. Regenerate with
// UPDATE_GOLDEN=1 npx vitest run test/openlineage/golden.test.ts and review the diff.
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { createMemoryStore } from '../../graph/create-store.ts';
import type { LineageStore } from '../../graph/store.ts';
import { memoryLedger } from '../../src/pipeline/openlineage.ts';
import { ingestOpenLineageFile } from '../../src/pipeline/openlineage-file.ts';
import { expectGoldenValue } from '../helpers/golden.ts';

const FIXTURES = ['spec-examples', 'dbt-ol', 'dbt-ol-fail', 'airflow', 'spark'];
const NOW = new Date('2026-12-02T00:00:00.000Z');

export async function graphView(store: LineageStore): Promise<unknown> {
  const relations = await store.listRelations();
  const keys = relations.map((r) => r.key);
  const columns: Record<string, string> = {};
  const columnEdges: string[] = [];
  const relationEdges: string[] = [];
  for (const r of relations) {
    const cols = await store.columnsOf(r.key);
    columns[r.key] = cols.map((c) => `${c.name}${c.dataType ? `:${c.dataType}` : ''}`).join(' ');
    for (const c of cols)
      for (const e of await store.edgesOf(c.key, 'upstream'))
        columnEdges.push(`${e.from} -> ${e.to} ${e.kind} ${e.confidence}`);
    for (const e of await store.edgesOf(r.key, 'upstream')) relationEdges.push(`${e.from} -> ${e.to}`);
  }
  const fps = await store.fingerprints(keys, 5);
  return {
    relations: relations.map((r) => `${r.key} ${r.kind} ${r.platform} (${r.displayName})`),
    columns,
    columnEdges: columnEdges.sort(),
    relationEdges: relationEdges.sort(),
    evidence: (await store.evidence(keys)).map((e) => `${e.nodeKey} ${e.kind} ${e.at}: ${e.message}`),
    fingerprints: [...fps].map(
      ([k, list]) => `${k} ${list.length}: ${list[0].columns.map((c) => c.name).join(',')}`,
    ),
    origins: (await store.origins()).map((o) => `${o.id} ${o.provenance}`).sort(),
    diagnostics: (await store.diagnostics({ limit: 100 })).map((d) => `${d.severity} ${d.code}`).sort(),
  };
}

describe('OpenLineage golden fixtures', () => {
  for (const name of FIXTURES) {
    it(name, async () => {
      const store = await createMemoryStore();
      try {
        await ingestOpenLineageFile(store, memoryLedger(), `fixtures/openlineage/${name}.ndjson`, {
          now: () => NOW,
        });
        expectGoldenValue(join('test/openlineage/golden', `${name}.golden.json`), await graphView(store));
      } finally {
        await store.close();
      }
    });
  }
});
