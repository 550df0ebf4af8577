// Robustness: random mutations of real statements never throw and never hang (fast-check, bounded runs),
// the shared-CTE shape stays linear, size guards and the tokenizer fallback hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeSqlSync, createSqlCache, multiStatementLineage } from '../../parsers/sql/index.ts';
import { PLATFORMS } from '../../src/model/lineage.ts';
import { goldenStatements, SQL_NOISE } from './mutation-seeds.ts';

const seeds = goldenStatements();

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...SQL_NOISE) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.nat({ max: 60 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(sql: string, ms: { kind: string; at: number; len?: number; text?: string }[]): string {
  let s = sql;
  for (const m of ms) {
    const at = s.length === 0 ? 0 : m.at % s.length;
    if (m.kind === 'delete') s = s.slice(0, at) + s.slice(at + (m.len ?? 0));
    else if (m.kind === 'insert') s = s.slice(0, at) + (m.text ?? '') + s.slice(at);
    else if (m.kind === 'duplicate') s = s.slice(0, at) + s.slice(at, at + (m.len ?? 0)) + s.slice(at);
    else s = s.slice(0, at);
  }
  return s;
}

/** The engine waits synchronously on its front-end worker: let the test runner's messages through. */
const yieldToRunner = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('sql engine robustness', () => {
  it(
    'never throws on mutated real statements and always answers per statement (fixed seed)',
    { timeout: 180_000 },
    () => {
      let slowest = 0;
      fc.assert(
        fc.property(
          fc.nat({ max: seeds.length - 1 }),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          (i, ms) => {
            const sql = mutate(seeds[i], ms);
            const t0 = performance.now();
            const res = analyzeSqlSync({ sql, platform: 'postgres', timeoutMs: 2_000, parseTimeoutMs: 500 });
            slowest = Math.max(slowest, performance.now() - t0);
            expect(Array.isArray(res)).toBe(true);
            for (const r of res) {
              expect(['EXACT', 'INFERRED', 'TABLE_LEVEL']).toContain(r.confidence);
              if (r.confidence === 'TABLE_LEVEL') expect(r.diagnostics.length).toBeGreaterThan(0);
            }
          },
        ),
        { numRuns: 80, seed: 42 },
      );
      // A hang detector, not a benchmark (the machine is shared): bench/sql-fuzz.ts measures.
      expect(slowest).toBeLessThan(30_000);
    },
  );

  it('answers the 80-byte unclosed-parenthesis statement on every platform, then the next one', () => {
    const hostile = `SELECT ${'('.repeat(36)}a FROM t WHERE b IN (${'('.repeat(15)}1`;
    expect(hostile.length).toBeLessThanOrEqual(80);
    analyzeSqlSync({ sql: 'SELECT 1', platform: 'postgres' }); // the front-end worker is started
    for (const platform of PLATFORMS) {
      const t0 = performance.now();
      const [r] = analyzeSqlSync({ sql: hostile, platform });
      expect(performance.now() - t0).toBeLessThan(5_000);
      expect(r.confidence).toBe('TABLE_LEVEL');
      expect(r.diagnostics.map((d) => d.code)).toEqual(['SQL_PARSE_FAILED']);
      const [next] = analyzeSqlSync({ sql: 'SELECT a FROM t', platform });
      expect(next.columns.map((c) => c.sources.map((x) => x.column.toLowerCase()))).toEqual([['a']]);
    }
  });

  it('ends a parse past its time with SQL_TIMEOUT and goes on with the next statement', async () => {
    // node-sql-parser backtracks exponentially on an error inside nested parentheses.
    const deep = `SELECT ${'('.repeat(14)}a +${')'.repeat(14)} FROM t`;
    const [r] = analyzeSqlSync({
      sql: deep,
      platform: 'postgres',
      parseTimeoutMs: 200,
      frontEnd: 'node-sql-parser-first',
    });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SQL_TIMEOUT']);
    expect(r.reads.map((t) => t.key)).toEqual(['t']);
    await yieldToRunner();
    const [next] = analyzeSqlSync({ sql: 'SELECT a FROM t', platform: 'postgres' });
    expect(next.confidence).not.toBe('TABLE_LEVEL');
  });

  it('keeps node-sql-parser off deep nesting polyglot rejected (the default order)', () => {
    const deep = `SELECT ${'('.repeat(10)}a +${')'.repeat(10)} FROM t`;
    const [r] = analyzeSqlSync({ sql: deep, platform: 'postgres' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SQL_PARSE_FAILED']);
    expect(r.diagnostics[0].message).toContain('node-sql-parser not tried: parentheses nested 10 deep');
  });

  it('keeps a chain of shared CTEs linear (each CTE is resolved once)', () => {
    // c_i reads c_{i-1} twice: without per-definition memoisation this is 2^40 walks.
    const depth = 40;
    const ctes = ['c0 AS (SELECT a, b FROM base)'];
    for (let i = 1; i <= depth; i++) {
      ctes.push(`c${i} AS (SELECT x.a + y.a AS a, x.b AS b FROM c${i - 1} x JOIN c${i - 1} y ON x.b = y.b)`);
    }
    const sql = `WITH ${ctes.join(',\n')} SELECT a, b FROM c${depth}`;
    const [r] = analyzeSqlSync({ sql, platform: 'postgres', maxSteps: 5_000 });
    expect(r.confidence).not.toBe('TABLE_LEVEL');
    expect(r.shape.ctes).toBe(depth + 1);
    expect(r.columns.map((c) => c.sources.map((s) => `${s.table.key}.${s.column}`))).toEqual([
      ['base.a'],
      ['base.b'],
    ]);
  });

  it('stops a statement past its step budget with SQL_TOO_LARGE and a table-level answer', () => {
    const sql = `SELECT ${Array.from({ length: 200 }, (_, i) => `c${i}`).join(', ')} FROM raw.wide`;
    const [r] = analyzeSqlSync({ sql, platform: 'postgres', maxSteps: 50 });
    expect(r.confidence).toBe('TABLE_LEVEL');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SQL_TOO_LARGE']);
    expect(r.reads.map((t) => t.key)).toEqual(['raw.wide']);
  });

  it('stops a statement past its deadline with SQL_TIMEOUT and a table-level answer', () => {
    const sql = `SELECT ${Array.from({ length: 800 }, (_, i) => `c${i} + 1`).join(', ')} FROM raw.wide`;
    const [r] = analyzeSqlSync({ sql, platform: 'postgres', timeoutMs: -1 });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SQL_TIMEOUT']);
    expect(r.confidence).toBe('TABLE_LEVEL');
  });

  it('splits scripts, skips empty statements and reports each statement', () => {
    const res = analyzeSqlSync({
      sql: '-- only a comment;\n;;SELECT a FROM t; ; SELECT b FROM u;',
      platform: 'generic',
    });
    expect(res.map((r) => [r.index, r.reads.map((t) => t.key)])).toEqual([
      [0, ['t']],
      [1, ['u']],
    ]);
  });

  it('collapses intermediate tables end to end across a script', () => {
    const r = multiStatementLineage({
      sql: 'CREATE TABLE tmp.a AS SELECT x AS y FROM raw.s; INSERT INTO mart.b (z) SELECT y + 1 FROM tmp.a;',
      platform: 'postgres',
    });
    expect(
      r.edges.map((e) => `${e.from.table.key}.${e.from.column} -> ${e.to.table.key}.${e.to.column}`),
    ).toEqual(['raw.s.x -> mart.b.z']);
  });

  it('caches by (platform, defaults, schema version, text)', async () => {
    const cache = createSqlCache(2);
    const req = { sql: 'SELECT a FROM t', platform: 'postgres' as const };
    const first = await cache.analyze(req, 'v1');
    expect(await cache.analyze(req, 'v1')).toBe(first);
    await cache.analyze(req, 'v2');
    expect(cache.stats()).toEqual({ hits: 1, misses: 2 });
  });
});
