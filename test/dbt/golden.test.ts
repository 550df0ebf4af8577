// Golden tests, one per manifest schema version family (fixtures/dbt/vNN, fixtures/demo for v12): the
// table-level shape of the batch (engine off, so these pin the dbt parser alone). Regenerate with
// UPDATE_GOLDEN=1 npx vitest run test/dbt/golden.test.ts and review the diff.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDbtTarget, type ParseDbtResult } from '../../parsers/dbt/index.ts';
import { expectGolden } from '../helpers/golden.ts';

const NOW = '2026-01-01T00:00:00.000Z';
const FIXTURES: [string, string][] = [
  ...Array.from({ length: 11 }, (_, i): [string, string] => {
    const v = `v${String(i + 1).padStart(2, '0')}`;
    return [v, `fixtures/dbt/${v}`];
  }),
  ['v12-demo', 'fixtures/demo/target'],
];

function goldenView(r: ParseDbtResult): unknown {
  const b = r.batch;
  const columnsOf = new Map<string, string[]>();
  for (const c of b.columns) {
    const list = columnsOf.get(c.relationKey) ?? [];
    list.push(`${c.name}${c.dataType ? `:${c.dataType}` : ''}${c.missingFromCatalog ? '!' : ''}`);
    columnsOf.set(c.relationKey, list);
  }
  const count = (xs: string[]) =>
    Object.fromEntries(
      [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())].sort(([a], [c]) =>
        a < c ? -1 : 1,
      ),
    );
  return {
    project: r.project,
    origin: b.origin.id,
    models: r.models,
    relations: b.relations.map(
      (x) =>
        `${x.key} ${x.kind}${x.materialization ? `/${x.materialization}` : ''} ${x.uniqueId ?? ''}${x.owners.length ? ` owners=${x.owners.map((o) => o.id).join(',')}` : ''}${x.tags.length ? ` tags=${x.tags.join(',')}` : ''}`,
    ),
    columns: Object.fromEntries([...columnsOf].map(([k, v]) => [k, v.join(' ')])),
    relationEdges: b.relationEdges.map((e) => `${e.from} -> ${e.to} ${e.confidence}`),
    consumers: b.consumers.map(
      (c) =>
        `${c.key} ${c.kind} ${c.name}${c.owners.length ? ` ${c.owners.map((o) => o.id).join(',')}` : ''}`,
    ),
    consumerEdges: b.consumerEdges.map((e) => `${e.from} -> ${e.to}`),
    checks: b.checks.map((c) => `${c.testType} ${c.columnKey ?? c.relationKey}`),
    evidence: count(b.evidence.map((e) => e.kind)),
    fingerprints: b.fingerprints.length,
    diagnostics: count(b.diagnostics.map((d) => `${d.severity} ${d.code}`)),
  };
}

describe('dbt golden batches per manifest version', () => {
  for (const [name, dir] of FIXTURES) {
    it(`${name} (${dir})`, async () => {
      const r = await parseDbtTarget(dir, { analyzeSql: null, now: NOW });
      const actual = `${JSON.stringify(goldenView(r), null, 1)}\n`;
      const file = join('test/dbt/golden', `${name}.golden.txt`);
      expectGolden(file, actual);
      expect(r.batch.relations.length).toBeGreaterThan(0);
      expect(r.project.schemaVersion).toBe(name === 'v12-demo' ? 12 : Number(name.slice(1)));
    });
  }
});
