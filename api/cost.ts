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
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';
import { DEFAULT_PAGE } from './pagination.ts';

type Limits = Config['limits'];
type Args = Record<string, unknown>;

/** A number argument clamped to [lo, hi] (values outside are refused by the argument checks anyway). */
const clamp = (v: unknown, lo: number, hi: number, fallback: number) =>
  typeof v === 'number' ? Math.min(Math.max(v, lo), hi) : fallback;

/** A traversal of `depth` hops: a fixed start-up plus each level it may reach. */
export const traversalCost = (depth: number) => 20 + 10 * depth;
/** An analysis that reads the whole graph (unused assets, complexity). */
export const WHOLE_GRAPH_COST = 500;
/** Assumed length of a list field without `first` (neighbours, owners, columns of a path, …). */
export const LIST_SIZE = 20;
/**
 * Selections the cost walk may visit: a backstop, since the selections rule (api/limits.ts) already
 * refused documents expanding to more than LINEAGE_MAX_SELECTIONS fields.
 */
const maxQueryNodes = (limits: Limits) => 4 * limits.maxSelections;

/** Fields whose own cost is the work they start (default: 1 for objects, 0 for scalars). */
export function fieldCosts(limits: Limits): Record<string, (args: Args) => number> {
  const depth = (a: Args) => traversalCost(clamp(a.depth, 1, limits.maxTraversalDepth, 10));
  return {
    'Query.impact': depth,
    'Query.rootCause': depth,
    'Query.alertRoutes': depth,
    'Query.lineageGraph': depth,
    'Query.canDrop': () => traversalCost(Math.min(10, limits.maxTraversalDepth)) + 10,
    'Query.unusedTables': () => WHOLE_GRAPH_COST,
    'Query.unusedColumns': () => WHOLE_GRAPH_COST,
    'Query.complexity': () => WHOLE_GRAPH_COST,
    'Query.search': () => 10,
    'Query.ownerSearch': () => 10,
    'Query.stats': () => 10,
    'Query.asset': () => 2,
  };
}

function size(field: ComplexityEstimatorArgs['field'], args: Args, limits: Limits): number {
  if (field.args.some((a) => a.name === 'first'))
    return clamp(args.first, 0, limits.maxPageSize, Math.min(DEFAULT_PAGE, limits.maxPageSize));
  if (field.name === 'edges') return 1;
  return isListType(getNullableType(field.type)) ? LIST_SIZE : 1;
}

/** The graphql-query-complexity estimator of our cost model. */
export function costEstimator(limits: Limits) {
  const costs = fieldCosts(limits);
  return ({ type, field, args, childComplexity }: ComplexityEstimatorArgs): number => {
    if (field.name.startsWith('__')) return 0;
    const own = costs[`${type.name}.${field.name}`]?.(args) ?? (isLeafType(getNamedType(field.type)) ? 0 : 1);
    return own + size(field, args, limits) * childComplexity;
  };
}

/** The cost of the operation `operationName` (or the only one) of `document`. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  limits: Limits,
  operationName?: string,
): number {
  try {
    return getComplexity({
      schema,
      query: document,
      variables,
      operationName,
      estimators: [costEstimator(limits)],
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
