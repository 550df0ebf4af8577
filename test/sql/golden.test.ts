// Golden files: test/sql/golden/<construct>.sql (header lines `-- dialect:`, `-- schema:`,
// `-- default_database:`, `-- default_schema:`, `-- front_end: polyglot-first | node-sql-parser-first`
// for the front end whose converter is pinned) -> <construct>.json beside it.
// Regenerate with UPDATE_GOLDEN=1 npx vitest run test/sql and review the diff like code; a .sql without
// its .json fails (test/helpers/golden.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSql, mapSchema } from '../../parsers/sql/index.ts';
import type { StatementLineage } from '../../parsers/sql/index.ts';
import { columnName, relationKey } from '../../src/model/identity.ts';
import type { Platform } from '../../src/model/lineage.ts';
import { expectGoldenJson } from '../helpers/golden.ts';

const DIR = join(import.meta.dirname, 'golden');

interface Header {
  dialect: Platform;
  schema: Record<string, string[]>;
  default_database: string | null;
  default_schema: string | null;
  front_end: 'polyglot-first' | 'node-sql-parser-first' | undefined;
}

function header(sql: string): Header {
  const h: Header = {
    dialect: 'generic',
    schema: {},
    default_database: null,
    default_schema: null,
    front_end: undefined,
  };
  for (const line of sql.split('\n')) {
    const m = /^--\s*(dialect|schema|default_database|default_schema|front_end):\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'schema') h.schema = JSON.parse(m[2]) as Record<string, string[]>;
    else if (m[1] === 'dialect') h.dialect = m[2].trim() as Platform;
    else if (m[1] === 'front_end') h.front_end = m[2].trim() as Header['front_end'];
    else h[m[1] as 'default_database' | 'default_schema'] = m[2].trim();
  }
  return h;
}

const edge = (s: { table: { key: string }; column: string; kind: string }): string =>
  `${s.table.key}.${s.column} ${s.kind}`;

/** A reviewable rendering of the engine's result. */
export function render(results: StatementLineage[]): unknown {
  return results.map((r) => ({
    type: r.statementType,
    confidence: r.confidence,
    reads: r.reads.map((t) => t.key),
    write: r.write?.key ?? null,
    columns: Object.fromEntries(r.columns.map((c, i) => [`${i}:${c.name}`, c.sources.map(edge)])),
    indirect: r.indirect.map(edge),
    starSources: r.starSources.map((t) => t.key),
    shape: r.shape,
    diagnostics: r.diagnostics.map((d) => `${d.code}: ${d.message}`),
  }));
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();

describe('sql golden files', () => {
  it('has golden files', () => {
    expect(files.length).toBeGreaterThan(30);
  });
  for (const file of files) {
    it(file, async () => {
      const sql = readFileSync(join(DIR, file), 'utf8');
      const h = header(sql);
      const defaults = { database: h.default_database, schema: h.default_schema };
      const known = new Map<string, string[]>();
      for (const [t, cols] of Object.entries(h.schema)) {
        known.set(
          relationKey(h.dialect, t, defaults),
          cols.map((c) => columnName(h.dialect, c)),
        );
      }
      const results = await analyzeSql({
        sql,
        platform: h.dialect,
        defaultDatabase: h.default_database,
        defaultSchema: h.default_schema,
        schema: mapSchema(known),
        frontEnd: h.front_end,
      });
      expectGoldenJson(join(DIR, file.replace(/\.sql$/, '.json')), render(results));
    });
  }
});
