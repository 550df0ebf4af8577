// The GraphQL documents behind each view (shown in GraphiQL by every view's "GraphQL query" link) and the
// shapes of their answers.

export const SEARCH = `query Search($text: String!, $first: Int) {
  fuzzySearch(text: $text, first: $first) { key type name displayName score }
  ownerSearch(text: $text, first: 5) { id name email team assetCount assets { key type displayName } }
}`;

export interface OwnerHit {
  id: string;
  name: string | null;
  email: string | null;
  team: string | null;
  assetCount: number;
  assets: { key: string; type: 'RELATION' | 'COLUMN' | 'CONSUMER'; displayName: string }[];
}

export interface SearchHit {
  key: string;
  type: 'RELATION' | 'COLUMN' | 'CONSUMER';
  name: string;
  displayName: string;
  score: number;
}

export const STATS = `query Stats { stats { store relations columns consumers columnEdges origins { id label ingestedAt } } }`;

export interface Stats {
  store: string;
  relations: number;
  columns: number;
  consumers: number;
  columnEdges: number;
  origins: { id: string; label: string; ingestedAt: string }[];
}

export const ASSET = `query Asset($ref: String!) {
  asset(ref: $ref) {
    key type kind name displayName schema database uniqueId description
    owners { id name email team } tags isKeyAsset materialization sizeBytes rowCount url dataType relationKey
    sqlShape { joins ctes subqueries maxNesting caseExpressions windowFunctions setOperations lines }
    sql { kind relationKey text lines originId }
    columns(first: 500) { key name displayName dataType description tags }
    upstream { key kind confidence provenances queryCount }
    downstream { key kind confidence provenances queryCount }
    usage(since: "90d") { reads distinctReaders lastReadAt lastReader writes lastWriteAt lastWriter }
    readsPerDay(days: 30) { day reads writes }
    checks { id name testType columnKey status at message }
    freshness { kind at message }
  }
}`;

export interface Owner {
  id: string;
  name: string | null;
  email: string | null;
  team: string | null;
}

/** A relation's compiled SQL, or its raw dbt SQL when it was not compiled (Asset.sql). */
export interface AssetSql {
  kind: 'compiled' | 'raw';
  relationKey: string;
  text: string;
  lines: number;
  originId: string;
}

export interface NeighbourRow {
  key: string;
  kind: string;
  confidence: string;
  provenances: string[];
  queryCount: number;
}

export interface AssetPage {
  key: string;
  type: 'RELATION' | 'COLUMN' | 'CONSUMER';
  kind: string;
  name: string;
  displayName: string;
  schema: string | null;
  database: string | null;
  uniqueId: string | null;
  description: string | null;
  owners: Owner[];
  tags: string[];
  isKeyAsset: boolean;
  materialization: string | null;
  sizeBytes: number | null;
  rowCount: number | null;
  url: string | null;
  dataType: string | null;
  relationKey: string | null;
  sqlShape: Record<string, number> | null;
  sql: AssetSql | null;
  columns: {
    key: string;
    name: string;
    displayName: string;
    dataType: string | null;
    description: string | null;
    tags: string[];
  }[];
  upstream: NeighbourRow[];
  downstream: NeighbourRow[];
  usage: {
    reads: number;
    distinctReaders: number;
    lastReadAt: string | null;
    lastReader: string | null;
    writes: number;
    lastWriteAt: string | null;
    lastWriter: string | null;
  } | null;
  readsPerDay: { day: string; reads: number; writes: number }[];
  checks: {
    id: string;
    name: string;
    testType: string | null;
    columnKey: string | null;
    status: string | null;
    at: string | null;
    message: string | null;
  }[];
  freshness: { kind: string; at: string; message: string } | null;
}

export const NEIGHBOURHOOD = `query Neighbourhood($ref: String!, $upstreamDepth: Int, $downstreamDepth: Int,
    $expandUpstream: [String!], $expandDownstream: [String!], $expandGroups: [String!]) {
  neighbourhood(ref: $ref, upstreamDepth: $upstreamDepth, downstreamDepth: $downstreamDepth,
      expandUpstream: $expandUpstream, expandDownstream: $expandDownstream, expandGroups: $expandGroups) {
    root focus upstreamDepth downstreamDepth
    nodes { key type kind name displayName schema distance columnCount hiddenUpstream hiddenDownstream
      columns { key name dataType } }
    groups { id direction distance schema kind count sample }
    edges { from to kind }
    columnEdges { from to kind }
    partial partialReasons
  }
}`;

export interface NeighbourhoodNode {
  key: string;
  type: 'RELATION' | 'CONSUMER';
  kind: string;
  name: string;
  displayName: string;
  schema: string | null;
  distance: number;
  columnCount: number;
  hiddenUpstream: number;
  hiddenDownstream: number;
  columns: { key: string; name: string; dataType: string | null }[];
}

export interface NeighbourhoodEdge {
  from: string;
  to: string;
  kind: string;
}

export interface Neighbourhood {
  root: string;
  focus: string | null;
  upstreamDepth: number;
  downstreamDepth: number;
  nodes: NeighbourhoodNode[];
  groups: {
    id: string;
    direction: string;
    distance: number;
    schema: string | null;
    kind: string;
    count: number;
    sample: string[];
  }[];
  edges: NeighbourhoodEdge[];
  columnEdges: NeighbourhoodEdge[];
  partial: boolean;
  partialReasons: string[];
}

export const IMPACT = `query Impact($ref: String!, $change: ChangeKind!, $mode: ImpactMode!, $depth: Int!) {
  impact(ref: $ref, change: $change, mode: $mode, depth: $depth) {
    target { key type displayName }
    summary { breaks stale values exposures semanticConsumers owners teams maxSeverity }
    breaks(first: 500) { totalCount edges { node { asset { key kind displayName owners { id } }
      distance certainty importance { score severity } } } }
    stale(first: 500) { totalCount edges { node { asset { key kind displayName owners { id } }
      distance importance { score severity } } } }
    values(first: 500) { totalCount edges { node { key relationKey name distance strict kinds
      importance { score severity } } } }
    exposures { asset { key kind name owners { id email } } distance via url maturity
      importance { score severity exposuresDownstream reads keyAsset } }
    owners { id name email team count maxSeverity assets }
    partial partialReasons
  }
  canDrop(ref: $ref) { verdict reasons { code verdict message assets } }
  impactPicture(ref: $ref, change: $change, mode: $mode, depth: $depth) {
    nodes { key type kind name displayName schema status distance severity columns { key name status } }
    edges { from to kind }
    omitted
  }
}`;

interface Importance {
  score: number;
  severity: string;
}

export interface ImpactRelationRow {
  asset: { key: string; kind: string; displayName: string; owners: { id: string }[] };
  distance: number;
  certainty?: string;
  importance: Importance;
}

export interface ImpactAnswer {
  impact: {
    target: { key: string; type: string; displayName: string };
    summary: Record<string, number | string>;
    breaks: { totalCount: number; edges: { node: ImpactRelationRow }[] };
    stale: { totalCount: number; edges: { node: ImpactRelationRow }[] };
    values: {
      totalCount: number;
      edges: {
        node: {
          key: string;
          relationKey: string;
          name: string;
          distance: number;
          strict: boolean;
          kinds: string[];
          importance: Importance;
        };
      }[];
    };
    exposures: {
      asset: { key: string; kind: string; name: string; owners: { id: string; email: string | null }[] };
      distance: number;
      via: string;
      url: string | null;
      maturity: string | null;
      importance: Importance & { exposuresDownstream: number; reads: number; keyAsset: boolean };
    }[];
    owners: {
      id: string;
      name: string | null;
      email: string | null;
      team: string | null;
      count: number;
      maxSeverity: string;
      assets: string[];
    }[];
    partial: boolean;
    partialReasons: string[];
  };
  canDrop: {
    verdict: string;
    reasons: { code: string; verdict: string; message: string; assets: string[] }[];
  };
  impactPicture: {
    nodes: {
      key: string;
      type: string;
      kind: string;
      name: string;
      displayName: string;
      schema: string | null;
      status: string;
      distance: number;
      severity: string;
      columns: { key: string; name: string; status: string }[];
    }[];
    edges: NeighbourhoodEdge[];
    omitted: number;
  };
}

export const ROOT_CAUSE = `query RootCause($ref: String!, $since: String!, $depth: Int!) {
  rootCause(ref: $ref, since: $since, depth: $depth) {
    target { key displayName }
    since
    candidates(first: 25) { asset { key kind displayName } distance score columns
      evidence { kind nodeKey at message subject weight } }
    partial partialReasons
  }
}`;

export interface RootCauseAnswer {
  rootCause: {
    target: { key: string; displayName: string };
    since: string;
    candidates: {
      asset: { key: string; kind: string; displayName: string };
      distance: number;
      score: number;
      columns: string[];
      evidence: {
        kind: string;
        nodeKey: string;
        at: string;
        message: string;
        subject: string | null;
        weight: number;
      }[];
    }[];
    partial: boolean;
    partialReasons: string[];
  };
}

export const UNUSED_TABLES = `query UnusedTables($since: String!, $schema: String, $sort: UnusedSort) {
  unusedTables(since: $since, schema: $schema, sort: $sort, first: 500) {
    totalCount since hasUsageData partial partialReasons
    edges { node { key kind displayName schema sizeBytes rowCount owners { id } lastReadAt lastReader } }
  }
}`;

export const UNUSED_COLUMNS = `query UnusedColumns($since: String!, $schema: String, $sort: UnusedSort) {
  unusedColumns(since: $since, schema: $schema, sort: $sort, first: 500) {
    totalCount since hasUsageData partial partialReasons
    edges { node { key relationKey name dataType relationSizeBytes owners { id } lastReadAt lastReader } }
  }
}`;

export interface UnusedAnswer {
  totalCount: number;
  since: string;
  hasUsageData: boolean;
  partial: boolean;
  partialReasons: string[];
  edges: { node: Record<string, unknown> & { key: string; owners: { id: string }[] } }[];
}

export const COMPLEXITY = `query Complexity($scope: ComplexityScope!, $schema: String) {
  complexity(scope: $scope, schema: $schema, first: 200) {
    totalCount
    edges { node { key kind schema score relations top breakdown { component raw contribution } } }
  }
}`;

export interface ComplexityItem {
  key: string;
  kind: string;
  schema: string | null;
  score: number;
  relations: number;
  top: string | null;
  breakdown: { component: string; raw: number; contribution: number }[];
}
