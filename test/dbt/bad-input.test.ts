// Bad artifacts fail with a stable code naming the file and JSON path, and leave the store untouched.
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { isLineageError } from '../../src/errors.ts';
import { ingestDbt, parseDbt } from '../../src/pipeline/ingest-dbt.ts';

const DEMO = 'fixtures/demo/target';
const demoManifest = readFileSync(join(DEMO, 'manifest.json'), 'utf8');
const demoCatalog = readFileSync(join(DEMO, 'catalog.json'), 'utf8');

function target(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dbt-bad-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form edits of parsed JSON
function editManifest(edit: (m: Record<string, any>) => void): string {
  const m = JSON.parse(demoManifest);
  edit(m);
  return JSON.stringify(m);
}

describe('bad dbt input', () => {
  let dataDir: string;
  let store: LineageStore;
  let before: string;
  const snapshot = async (s: LineageStore) =>
    JSON.stringify([
      await s.stats(),
      await s.listRelations(),
      await s.columnsOf('jaffle_shop.main.customers'),
    ]);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dbt-bad-store-'));
    store = await openEmbeddedStore({ dataDir });
    await ingestDbt(store, DEMO, { analyzeSql: null });
    before = await snapshot(store);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cases: [string, Record<string, string>, string, RegExp][] = [
    [
      'a truncated manifest',
      { 'manifest.json': demoManifest.slice(0, Math.floor(demoManifest.length / 2)) },
      'DBT_INVALID_JSON',
      /manifest\.json: invalid JSON at line 1 column \d+ \(the file looks truncated\)/,
    ],
    [
      'an unknown (too old) schema version',
      {
        'manifest.json': editManifest(
          (m) => (m.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/manifest/v0.json'),
        ),
      },
      'DBT_UNKNOWN_VERSION',
      /manifest schema v0 is not supported .* at \$\.metadata\.dbt_schema_version/,
    ],
    [
      'no schema version',
      { 'manifest.json': editManifest((m) => delete m.metadata.dbt_schema_version) },
      'DBT_UNKNOWN_VERSION',
      /no schema version at \$\.metadata\.dbt_schema_version/,
    ],
    [
      'a catalog passed as the manifest',
      { 'manifest.json': demoCatalog },
      'DBT_INVALID_ARTIFACT',
      /expected a dbt manifest artifact but \$\.metadata\.dbt_schema_version says 'catalog'/,
    ],
    [
      'a node missing a required field',
      { 'manifest.json': editManifest((m) => delete m.nodes['model.jaffle_shop.customers'].resource_type) },
      'DBT_INVALID_ARTIFACT',
      /missing required field at \$\.nodes\["model\.jaffle_shop\.customers"\]\.resource_type/,
    ],
    [
      'a newer version with an incompatible shape',
      {
        'manifest.json': editManifest((m) => {
          m.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/manifest/v13.json';
          m.nodes = Object.values(m.nodes);
        }),
      },
      'DBT_INVALID_ARTIFACT',
      /at \$\.nodes/,
    ],
    [
      'a catalog of another project',
      {
        'manifest.json': demoManifest,
        'catalog.json': demoCatalog.replaceAll('.jaffle_shop.', '.other_shop.'),
      },
      'DBT_CATALOG_MISMATCH',
      /catalog\.json: 25 of 25 catalog entries are not in .*manifest\.json .*other project/,
    ],
    [
      'a truncated run_results.json',
      {
        'manifest.json': demoManifest,
        'run_results.json':
          '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"}, "results": [',
      },
      'DBT_INVALID_JSON',
      /run_results\.json: invalid JSON/,
    ],
    [
      'a project name too long to be part of a key (src/model/key-size.ts)',
      { 'manifest.json': editManifest((m) => (m.metadata.project_name = 'p'.repeat(5000))) },
      'DBT_INVALID_ARTIFACT',
      /manifest\.json: the origin id dbt:<project name> of 5004 UTF-8 bytes is over the 4096-byte limit: dbt:ppp/,
    ],
  ];

  for (const [what, files, code, message] of cases) {
    it(`${what} -> ${code}, store untouched`, async () => {
      const dir = target(files);
      const err = await ingestDbt(store, dir, { analyzeSql: null }).catch((e: unknown) => e);
      expect(isLineageError(err)).toBe(true);
      if (!isLineageError(err)) return;
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(String(err.details?.file)).toContain(dir);
      expect(err.details?.jsonPath).toMatch(/^\$/);
      expect(await snapshot(store)).toBe(before);
      const reopened = await openEmbeddedStore({ dataDir });
      try {
        expect(await snapshot(reopened)).toBe(before);
      } finally {
        await reopened.close();
      }
    });
  }

  it('reads a newer version with a compatible shape best effort, with a warning', async () => {
    const dir = target({
      'manifest.json': editManifest(
        (m) => (m.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/manifest/v13.json'),
      ),
    });
    copyFileSync(join(DEMO, 'catalog.json'), join(dir, 'catalog.json'));
    const scratch = await openEmbeddedStore({ dataDir: mkdtempSync(join(tmpdir(), 'dbt-newer-')) });
    try {
      const summary = await ingestDbt(scratch, dir, { analyzeSql: null });
      expect(summary.diagnosticsByCode.DBT_NEWER_VERSION).toBe(1);
      expect(summary.counts.relations).toBe(19);
    } finally {
      await scratch.close();
    }
  });
});

describe('messy dbt input that is handled, each with a coded diagnostic', () => {
  const demoRunResults = readFileSync(join(DEMO, 'run_results.json'), 'utf8');
  /** Parses a target (default SQL engine, one thread) and answers what these cases compare. */
  const parse = async (files: Record<string, string>) => {
    const { batch } = await parseDbt(target({ 'catalog.json': demoCatalog, ...files }), { sqlWorkers: 1 });
    const codes: Record<string, string[]> = {};
    for (const d of batch.diagnostics) (codes[d.code] ??= []).push(d.message);
    return {
      relations: batch.relations.map((r) => r.key),
      edges: batch.columnEdges.map((e) => `${e.from} -> ${e.to} ${e.kind}`),
      evidence: batch.evidence.length,
      codes,
    };
  };
  let intact: Awaited<ReturnType<typeof parse>>;
  beforeAll(async () => {
    intact = await parse({ 'manifest.json': demoManifest, 'run_results.json': demoRunResults });
  });

  it('a unique_id listed twice under one key, or claimed by two keys: the first is kept, DBT_DUPLICATE_UNIQUE_ID', async () => {
    const id = 'model.jaffle_shop.customers';
    const entry = JSON.stringify(JSON.parse(demoManifest).nodes[id]);
    // The same key twice in the text (JSON.parse would keep the last; a hand-merged manifest).
    const twice = demoManifest.replace('"nodes": {', `"nodes": {${JSON.stringify(id)}: ${entry}, `);
    expect(twice).not.toBe(demoManifest);
    const sameKey = await parse({ 'manifest.json': twice, 'run_results.json': demoRunResults });
    expect(sameKey.codes.DBT_DUPLICATE_UNIQUE_ID).toEqual([
      expect.stringMatching(/listed twice at \$\.nodes/),
    ]);
    expect(sameKey.edges).toEqual(intact.edges);
    // Another key whose entry claims the same unique_id (with different content) does not replace it.
    const twoKeys = editManifest((m) => {
      m.nodes['model.jaffle_shop.customers_copy'] = { ...m.nodes[id], compiled_code: 'select 1 as one' };
    });
    const other = await parse({ 'manifest.json': twoKeys, 'run_results.json': demoRunResults });
    expect(other.codes.DBT_DUPLICATE_UNIQUE_ID).toEqual([
      expect.stringMatching(
        /defined twice \(\$\.nodes\["model\.jaffle_shop\.customers"\] and .*customers_copy/,
      ),
    ]);
    expect(other.edges).toEqual(intact.edges);
  });

  it('a relation with null database/schema and no relation_name stays joined to its lineage: DBT_INCOMPLETE_RELATION', async () => {
    const nulled = (fields: string[]) =>
      editManifest((m) => {
        const n = m.nodes['model.jaffle_shop.stg_orders'];
        n.relation_name = null;
        for (const f of fields) n[f] = null;
      });
    for (const fields of [['database'], ['schema'], ['database', 'schema']]) {
      const r = await parse({ 'manifest.json': nulled(fields), 'run_results.json': demoRunResults });
      expect(r.relations, fields.join('+')).toEqual(intact.relations);
      expect(r.edges, fields.join('+')).toEqual(intact.edges);
      expect(r.codes.DBT_INCOMPLETE_RELATION).toEqual([
        expect.stringMatching(
          /model\.jaffle_shop\.stg_orders has no relation_name .*; using .*from the catalog/,
        ),
      ]);
    }
    // Without a catalog the database comes from the project's other relations, and the warning says so.
    const { batch } = await parseDbt(target({ 'manifest.json': nulled(['database']) }), { sqlWorkers: 1 });
    expect(batch.relations.map((r) => r.key)).toEqual(intact.relations);
    expect(batch.diagnostics.find((d) => d.code === 'DBT_INCOMPLETE_RELATION')?.message).toMatch(
      /using database 'jaffle_shop' \(the database of \d+ other relations\)/,
    );
  });

  it('lists DBT_INCOMPLETE_RELATION for the first 50 nodes and counts the rest in one warning', async () => {
    // An old manifest may lack relation_name on every node: 150k per-node warnings were one list spread into
    // another (a RangeError) and noise. 70 copies of a model here, none named.
    const many = editManifest((m) => {
      const base = m.nodes['model.jaffle_shop.stg_orders'];
      for (let i = 0; i < 70; i++) {
        const id = `model.jaffle_shop.copy_${i}`;
        m.nodes[id] = {
          ...base,
          unique_id: id,
          name: `copy_${i}`,
          alias: `copy_${i}`,
          relation_name: null,
          schema: null,
        };
      }
    });
    const r = await parse({ 'manifest.json': many, 'run_results.json': demoRunResults });
    const warnings = r.codes.DBT_INCOMPLETE_RELATION;
    expect(warnings).toHaveLength(51);
    expect(warnings.filter((w) => /copy_\d+ has no relation_name/.test(w))).toHaveLength(50);
    expect(warnings).toContain(
      '20 more relations have no relation_name and no database or schema (not listed)',
    );
  });

  it("another project's run_results.json is a DBT_RESULTS_MISMATCH warning naming the file", async () => {
    const foreign = demoRunResults.replaceAll('.jaffle_shop.', '.other_shop.');
    const r = await parse({ 'manifest.json': demoManifest, 'run_results.json': foreign });
    expect(r.codes.DBT_RESULTS_MISMATCH).toEqual([
      expect.stringMatching(
        /run_results\.json: \d+ of \d+ results name nodes that are not in .*another project/,
      ),
    ]);
    expect(intact.codes.DBT_RESULTS_MISMATCH).toBeUndefined();
  });

  it('artifacts starting with a UTF-8 byte order mark read the same', async () => {
    const bom = '\uFEFF';
    const r = await parse({
      'manifest.json': bom + demoManifest,
      'catalog.json': bom + demoCatalog,
      'run_results.json': bom + demoRunResults,
    });
    expect(r).toEqual(intact);
  });
});
