// Example queries preloaded in the playground (they run on the demo graph: `lineage demo`).
import type { ExampleQuery } from './graphiql.ts';

export const DEMO_COLUMN = 'jaffle_shop.main.stg_orders.order_total';
export const DEMO_RELATION = 'jaffle_shop.main.orders';

export const EXAMPLE_QUERIES: ExampleQuery[] = [
  {
    title: `What breaks if ${DEMO_COLUMN} is dropped?`,
    query: `query Impact {
  impact(ref: "${DEMO_COLUMN}", change: DROP, mode: CONSERVATIVE, depth: 5) {
    summary { breaks stale values exposures owners maxSeverity }
    breaks(first: 10) { edges { node { asset { key kind } certainty via { from to kind } importance { score severity } } } }
    stale(first: 10) { edges { node { asset { key } distance } } }
    values(first: 10) { edges { node { key strict kinds } } }
    exposures { asset { key name owners { email } } via importance { severity } }
    owners { id email count maxSeverity }
    partial partialReasons
  }
}`,
  },
  {
    title: 'Can this column be dropped?',
    query: `query CanDrop {
  canDrop(ref: "${DEMO_COLUMN}") { key verdict reasons { code verdict message assets } }
}`,
  },
  {
    title: 'Likely root causes of a problem on the orders model',
    query: `query RootCause {
  rootCause(ref: "${DEMO_RELATION}", since: "3650d") {
    candidates(first: 10) { asset { key kind } distance score evidence { kind at message weight } }
  }
}`,
  },
  {
    title: 'Who to alert when orders is broken',
    query: `query AlertRoutes {
  alertRoutes(ref: "${DEMO_RELATION}") {
    severity assetCount exposureCount
    routes { owner email severity assetCount assets { asset { key } importance { severity } } }
  }
}`,
  },
  {
    title: 'Unused tables and the most complex models',
    query: `query Cleanup {
  unusedTables(since: "90d", first: 10) { totalCount hasUsageData edges { node { key sizeBytes lastReadAt } } }
  complexity(scope: MODEL, first: 5) { edges { node { key score breakdown { component raw contribution } } } }
}`,
  },
  {
    title: 'Lineage around a model, for drawing',
    query: `query Graph {
  lineageGraph(ref: "${DEMO_RELATION}", direction: BOTH, depth: 2) {
    nodes { key type kind distance }
    edges { from to kind }
  }
  stats { relations columns columnEdges consumers }
}`,
  },
];
