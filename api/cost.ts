// The cost of one GraphQL operation, computed with graphql-query-complexity once the variables are known
// and refused above LINEAGE_MAX_QUERY_COST before anything runs (docs/api.md "Limits" has the table).
//
//   cost(field) = own(field, args) + size(field, args) × cost(selection)
//
// - own: an analysis field costs by the work it starts — a traversal by its depth, a whole-graph scan a
//   flat amount; a field resolved with a store call per parent (Asset.columns, Neighbour.asset, …) costs 1;
//   other object fields 1; scalars 0; introspection 0.
// - size: how many times the selection runs — `first` (default page size) on lists and connections, an
//   assumed LIST_SIZE on other lists, 1 on a connection's `edges` (its connection already counted `first`).
// Aliases repeat a field, so they add up; lists multiply. It runs only on documents that passed the
// selections rule (api/limits.ts), so its walk is short.
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isLeafType,
  isListType,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { getComplexity, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import type { LineageStore, StoreSize } from '../graph/store.ts';
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';
import { DEFAULT_PAGE } from './pagination.ts';

type Limits = Config['limits'];
type Args = Record<string, unknown>;

/** A number argument clamped to [lo, hi] (values outside are refused by the argument checks anyway). */
const clamp = (v: unknown, lo: number, hi: number, fallback: number) =>
  typeof v === 'number' ? Math.min(Math.max(v, lo), hi) : fallback;

/**
 * What one cost unit stands for: about this many ms of work (CPU of one request alone, on the 2-core
 * reference machine; measured by bench/api-calibrate.ts). LINEAGE_MAX_QUERY_COST's default 20,000 is then
 * about 10 s of work, two thirds of the default 15 s deadline.
 */
export const COST_UNIT_MS = 0.5;

/** The size assumed when none is known (tests, offline cost checks): the 10,000-table benchmark warehouse. */
export const REFERENCE_SIZE: StoreSize = { relations: 10_000, columns: 200_000 };

/**
 * A traversal analysis of `depth` hops: a part that grows with the store (ranking what it reaches reads
 * whole-store tables) plus each level it may reach. Its walks stop at 5,000 nodes (src/analysis/context.ts).
 * Measured on 10,000 tables: impact, rootCause, alertRoutes and lineageGraph 100-145 ms at depth 50 (and
 * about as much at depth 10); on 2,000 tables under 6 ms.
 */
export const traversalCost = (depth: number, size: StoreSize = REFERENCE_SIZE) =>
  per1000(size.relations, 20, 25) + 5 * depth;
/** `units` for every 1,000 of `n` (rounded up), over a fixed `base`. */
function per1000(n: number, base: number, units: number): number {
  return base + Math.ceil((n / 1000) * units);
}

/** Assumed length of a list field without `first` (neighbours, owners, columns of a path, …). */
export const LIST_SIZE = 20;
/**
 * Selections the cost walk may visit: a backstop, since the selections rule (api/limits.ts) already
 * refused documents expanding to more than LINEAGE_MAX_SELECTIONS fields.
 */
const maxQueryNodes = (limits: Limits) => 4 * limits.maxSelections;

/** Fields whose own cost is the work they start (default: 1 for objects, 0 for scalars). */
/**
 * Fields whose own cost is the work they start (default: 1 for objects, 0 for scalars). Whole-graph analyses
 * cost by the store's size; the coefficients are bench/api-calibrate.ts' times on 2,000 and 10,000 tables
 * (docs/api.md, "Limits"), in COST_UNIT_MS units, with about a third more for a loaded machine.
 */
export function fieldCosts(limits: Limits, size: StoreSize): Record<string, (args: Args) => number> {
  const depth = (a: Args) => traversalCost(clamp(a.depth, 1, limits.maxTraversalDepth, 10), size);
  // unusedColumns scans at most 400 pages of columns (api/resolvers.ts)
  const scannedColumns = Math.min(size.columns, limits.maxPageSize * 400);
  const nodes = size.relations + size.columns;
  return {
    'Query.impact': depth,
    'Query.rootCause': depth,
    'Query.alertRoutes': depth,
    'Query.lineageGraph': depth,
    'Query.canDrop': () => traversalCost(Math.min(10, limits.maxTraversalDepth), size) + 20,
    'Query.unusedTables': () => per1000(size.relations, 20, 5),
    'Query.unusedColumns': () => per1000(scannedColumns, 20, 10),
    'Query.complexity': () => per1000(size.relations, 20, 60),
    'Query.search': () => per1000(nodes, 10, 1),
    'Query.ownerSearch': () => per1000(size.relations, 10, 3),
    'Query.stats': () => 10,
    'Query.asset': () => 2,
  };
}

function listSize(field: ComplexityEstimatorArgs['field'], args: Args, limits: Limits): number {
  if (field.args.some((a) => a.name === 'first'))
    return clamp(args.first, 0, limits.maxPageSize, Math.min(DEFAULT_PAGE, limits.maxPageSize));
  if (field.name === 'edges') return 1;
  return isListType(getNullableType(field.type)) ? LIST_SIZE : 1;
}

/** The graphql-query-complexity estimator of our cost model. */
export function costEstimator(limits: Limits, size: StoreSize) {
  const costs = fieldCosts(limits, size);
  return ({ type, field, args, childComplexity }: ComplexityEstimatorArgs): number => {
    if (field.name.startsWith('__')) return 0;
    const own = costs[`${type.name}.${field.name}`]?.(args) ?? (isLeafType(getNamedType(field.type)) ? 0 : 1);
    return own + listSize(field, args, limits) * childComplexity;
  };
}

/** The cost of the operation `operationName` (or the only one) of `document`. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  limits: Limits,
  operationName?: string,
  size: StoreSize = REFERENCE_SIZE,
): number {
  try {
    return getComplexity({
      schema,
      query: document,
      variables,
      operationName,
      estimators: [costEstimator(limits, size)],
      maxQueryNodes: maxQueryNodes(limits),
    });
  } catch (err) {
    if (err instanceof GraphQLError && /maximum allowed number of nodes/.test(err.message))
      throw lineageError(
        'API_LIMIT_EXCEEDED',
        `the query expands to more than ${maxQueryNodes(limits)} selections`,
      );
    throw err;
  }
}

/** Throws API_LIMIT_EXCEEDED when the operation costs more than `max`; returns the cost otherwise. */
export function checkCost(cost: number, max: number): number {
  if (cost > max)
    throw lineageError(
      'API_LIMIT_EXCEEDED',
      `the query costs ${cost}, more than the limit of ${max} (LINEAGE_MAX_QUERY_COST)`,
    );
  return cost;
}

const sizes = new WeakMap<object, { at: number; size: Promise<StoreSize> }>();
/** How long a store's size is reused before it is asked again. */
const SIZE_TTL_MS = 10_000;

/** The store's size for the cost model, asked at most every SIZE_TTL_MS. */
export function storeSize(store: Pick<LineageStore, 'size'>): Promise<StoreSize> {
  const hit = sizes.get(store);
  if (hit && Date.now() - hit.at < SIZE_TTL_MS) return hit.size;
  const size = store.size().catch(() => REFERENCE_SIZE);
  sizes.set(store, { at: Date.now(), size });
  return size;
}
