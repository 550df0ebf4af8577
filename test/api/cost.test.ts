// The cost model and the document limits, on the real schema: what the playground sends passes, what the
// issue's attacks send is refused, and the numbers in docs/api.md hold.
import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CORE_SDL } from '../../api/resolvers.ts';
import { operationCost } from '../../api/cost.ts';
import { EXAMPLE_QUERIES } from '../../api/examples.ts';
import { checkInputDepth, checkQueryText, documentRules } from '../../api/limits.ts';
import { loadConfig } from '../../src/config.ts';

const schema = buildSchema(CORE_SDL);
const limits = loadConfig({}).limits;
const cost = (q: string, variables?: Record<string, unknown>) =>
  operationCost(schema, parse(q), variables, limits);
const problems = (q: string) =>
  validate(schema, parse(q), [...specifiedRules, ...documentRules(limits)]).map((e) => e.message);

const IMPACT = (depth: number, first: number) =>
  `impact(ref: "x", depth: ${depth}) { breaks(first: ${first}) { edges { node { asset { key } } } } }`;

describe('cost', () => {
  it('matches the documented example: one heavy impact 2,021, ten of them over the limit', () => {
    expect(cost(`{ ${IMPACT(50, 500)} }`)).toBe(2021);
    const ten = `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: ${IMPACT(50, 500)}`).join(' ')} }`;
    expect(cost(ten)).toBe(20210);
    expect(cost(ten)).toBeGreaterThan(limits.maxQueryCost);
  });

  it('uses variables and defaults: depth and first from variables, default depth 10 and page 100', () => {
    const q = `query($d: Int, $f: Int) { impact(ref: "x", depth: $d) { breaks(first: $f) { edges { node { asset { key } } } } } }`;
    expect(cost(q, { d: 50, f: 500 })).toBe(2021);
    expect(cost(`{ impact(ref: "x") { breaks { edges { node { asset { key } } } } } }`)).toBe(
      320 + 1 + 100 * 3,
    );
  });

  it("costs whole-graph and traversal analyses by the store's size (calibrated: bench/api-calibrate.ts)", () => {
    const at = (q: string, relations: number, columns: number) =>
      operationCost(schema, parse(q), {}, limits, undefined, { relations, columns });
    const unused = '{ unusedColumns(first: 1) { totalCount } }';
    const complexity = '{ complexity(first: 1) { totalCount } }';
    // the reference (10,000 tables, 200,000 columns) is also the default size
    expect(cost(unused)).toBe(at(unused, 10_000, 200_000));
    expect([at(unused, 2000, 40_000), at(unused, 10_000, 200_000)]).toEqual([420, 2020]);
    // unusedColumns scans at most 400 pages of columns
    expect(at(unused, 100_000, 2_000_000)).toBe(at(unused, 10_000, 200_000));
    expect([at(complexity, 2000, 40_000), at(complexity, 150_000, 3_000_000)]).toEqual([140, 9020]);
    // nine unusedColumns and a complexity (the benchmark's heaviest allowed query) fit; ten do not
    const fields = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `u${i}: unusedColumns(first: 1) { totalCount }`).join(' ')} }`;
    expect(cost(fields(9))).toBeLessThanOrEqual(limits.maxQueryCost);
    expect(cost(fields(10))).toBeGreaterThan(limits.maxQueryCost);
  });

  it('clamps arguments over their limits (the argument check refuses them with its own message)', () => {
    expect(cost(`{ ${IMPACT(10_000, 1_000_000)} }`)).toBe(cost(`{ ${IMPACT(50, 500)} }`));
  });

  it('nested per-element lists multiply', () => {
    const one = cost(`{ asset(ref: "x") { upstream { asset { key } } } }`);
    const two = cost(`{ asset(ref: "x") { upstream { asset { upstream { asset { key } } } } } }`);
    expect(one).toBe(2 + 1 + 20 * 1);
    expect(two).toBeGreaterThan(20 * one - 100);
  });

  it('every playground example and the introspection query pass every limit', () => {
    for (const e of [...EXAMPLE_QUERIES.map((x) => x.query), getIntrospectionQuery()]) {
      expect(() => checkQueryText(e, limits)).not.toThrow();
      expect(problems(e)).toEqual([]);
      expect(cost(e)).toBeLessThanOrEqual(limits.maxQueryCost);
    }
  });

  it('a fragment bomb is refused in milliseconds, by the expanded-fields rule', () => {
    const k = 40;
    const q =
      '{ asset(ref: "x") { ...F0 } }' +
      Array.from(
        { length: k },
        (_, i) => ` fragment F${i} on Asset { ...F${i + 1} ... on Asset { ...F${i + 1} } }`,
      ).join('') +
      ` fragment F${k} on Asset { key }`;
    const t = performance.now();
    expect(problems(q)).toEqual([
      `the operation expands to ${2 ** k + 1} fields, more than 2000 (LINEAGE_MAX_SELECTIONS)`,
    ]);
    expect(performance.now() - t).toBeLessThan(200);
  });
});

describe('document limits', () => {
  it('aliases, root fields and directives', () => {
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: stats { relations }`).join(' ')} }`;
    expect(problems(aliases).join()).toMatch(/Aliases limit of 30 exceeded, found 31.*LINEAGE_MAX_ALIASES/);
    expect(problems(`{ ${'stats { relations } '.repeat(10)}}`)).toEqual([]);
    const roots = `{ stats { relations } ...R } fragment R on Query { ${Array.from({ length: 10 }, (_, i) => `s${i}: stats { columns }`).join(' ')} }`;
    expect(problems(roots).join()).toMatch(/11 root fields, more than 10 \(LINEAGE_MAX_ROOT_FIELDS\)/);
    const dirs = `{ stats { ${Array.from({ length: 21 }, () => 'relations @include(if: true)').join(' ')} } }`;
    expect(problems(dirs).join()).toMatch(/LINEAGE_MAX_DIRECTIVES/);
  });

  it('query text: bytes, then tokens (a syntax error is left to the parser)', () => {
    expect(() =>
      checkQueryText('{ stats { relations } }' + ' '.repeat(limits.maxQueryBytes), limits),
    ).toThrow(/LINEAGE_MAX_QUERY_BYTES/);
    expect(() => checkQueryText(`{ stats { ${'a '.repeat(limits.maxQueryTokens)} } }`, limits)).toThrow(
      /more than 4000 tokens/,
    );
    expect(() => checkQueryText('{ "unterminated', limits)).not.toThrow();
    const deep = (n: number) =>
      `{ impact(ref: "x", filter: { kinds: ${'['.repeat(n)}${']'.repeat(n)} }) { depth } }`;
    expect(() => checkQueryText(deep(60), limits)).not.toThrow();
    expect(() => checkQueryText(deep(70), limits)).toThrow(/nests brackets deeper than 64/);
  });

  it('input nesting is walked without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => checkInputDepth({ a: deep }, 16)).toThrow(/nested deeper than 16 levels/);
    expect(() => checkInputDepth({ a: [[{ b: 1 }]] }, 16)).not.toThrow();
  });
});
