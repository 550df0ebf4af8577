// Every GraphQL enum of api/schema.graphql and the constant its values come from; test/api/enums.test.ts
// keeps the two equal, so an analysis that adds a value cannot drift from the schema unnoticed.
import { CHANGE_KINDS, IMPACT_MODES } from '../src/analysis/impact.ts';
import { DROP_VERDICTS } from '../src/analysis/can-drop.ts';
import { COMPONENT_NAMES } from '../src/analysis/complexity.ts';
import { SEVERITIES } from '../src/analysis/importance.ts';
import { GRAPH_DIRECTIONS } from '../src/analysis/lineage-graph.ts';
import { UNUSED_SORTS } from '../src/analysis/unused.ts';

/** complexity(scope): the analysis takes 'MODEL' | 'SCHEMA' and has no constant of its own. */
export const COMPLEXITY_SCOPES = ['MODEL', 'SCHEMA'] as const;
/** The node types (graph/store.ts NodeType) in upper case. */
export const ASSET_TYPES = ['RELATION', 'COLUMN', 'CONSUMER'] as const;

export const GRAPHQL_ENUMS: Record<string, readonly string[]> = {
  AssetType: ASSET_TYPES,
  ChangeKind: CHANGE_KINDS,
  ImpactMode: IMPACT_MODES,
  Severity: SEVERITIES,
  DropVerdict: DROP_VERDICTS,
  UnusedSort: UNUSED_SORTS,
  ComplexityScope: COMPLEXITY_SCOPES,
  ComplexitySort: ['score', ...COMPONENT_NAMES],
  Direction: GRAPH_DIRECTIONS,
};
