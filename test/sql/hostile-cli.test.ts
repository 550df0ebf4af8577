// Hostile SQL through the user-facing command: one `lineage sql` process is fed statements built to blow
// up a parser (unclosed parentheses on every platform, balanced-but-broken deep nesting that makes a PEG
// grammar backtrack exponentially, a huge IN list, a deep CASE chain) between ordinary ones. Every line
// is answered — hostile ones with a coded diagnostic — the process exits 0, and the last ordinary line is
// still answered at column level. Bounds are generous (a shared machine); bench/sql-speed.ts times it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SqlResponse } from '../../parsers/sql/jsonl.ts';
import { PLATFORMS } from '../../src/model/lineage.ts';

const BIN = join(import.meta.dirname, '../../bin/lineage.mjs');
export const UNCLOSED = `SELECT ${'('.repeat(36)}a FROM t WHERE b IN (${'('.repeat(15)}1`;
export const DEEP_BROKEN = `SELECT ${'('.repeat(14)}a +${')'.repeat(14)} FROM t`;
const HUGE_IN = `SELECT a FROM t WHERE b IN (${Array.from({ length: 20_000 }, (_, i) => i).join(', ')})`;
const DEEP_CASE = `SELECT ${'CASE WHEN a THEN '.repeat(300)}1${' END'.repeat(300)} AS c FROM t`;

describe('lineage sql on hostile SQL', () => {
  it(
    'answers every hostile line with a coded diagnostic, survives, and answers the next line',
    { timeout: 240_000 },
    () => {
      const lines: { id: string; sql: string; dialect: string }[] = [];
      for (const p of PLATFORMS) {
        lines.push({ id: `unclosed:${p}`, sql: UNCLOSED, dialect: p });
        lines.push({ id: `ok:${p}`, sql: 'SELECT a FROM t', dialect: p });
      }
      lines.push({ id: 'deep-broken', sql: DEEP_BROKEN, dialect: 'postgres' });
      lines.push({ id: 'huge-in', sql: HUGE_IN, dialect: 'mysql' });
      lines.push({ id: 'deep-case', sql: DEEP_CASE, dialect: 'duckdb' });
      lines.push({ id: 'last', sql: 'INSERT INTO o SELECT a + b AS c FROM t', dialect: 'redshift' });
      const run = spawnSync(process.execPath, [BIN, 'sql'], {
        input: `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      expect(run.status, run.stderr).toBe(0);
      const out = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as SqlResponse);
      expect(out.map((r) => r.id)).toEqual(lines.map((l) => l.id));
      const byId = new Map(out.map((r) => [String(r.id), r]));
      for (const p of PLATFORMS) {
        const codes = byId.get(`unclosed:${p}`)!.diagnostics.map((d) => d.code);
        expect(codes, p).toEqual(['SQL_PARSE_FAILED']);
        expect(byId.get(`ok:${p}`)!.column_lineage.map((c) => c.target.column.toLowerCase())).toEqual(['a']);
      }
      expect(byId.get('deep-broken')!.diagnostics.map((d) => d.code)).toEqual(['SQL_PARSE_FAILED']);
      // A hostile line that a grammar does read is answered at column level, or with a coded diagnostic.
      for (const id of ['huge-in', 'deep-case']) {
        const r = byId.get(id)!;
        expect(r.column_lineage.length > 0 || r.diagnostics.length > 0, id).toBe(true);
        for (const d of r.diagnostics) expect(d.code, id).toMatch(/^SQL_[A-Z_]+$/);
      }
      expect(byId.get('last')!).toMatchObject({
        outputs: ['o'],
        column_lineage: [
          {
            target: { table: 'o', column: 'c' },
            sources: [
              { table: 't', column: 'a', kind: 'TRANSFORMATION' },
              { table: 't', column: 'b', kind: 'TRANSFORMATION' },
            ],
          },
        ],
      });
    },
  );
});
