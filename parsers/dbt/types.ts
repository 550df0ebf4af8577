// The normalized, version-independent view of a dbt project the rest of parsers/dbt works on.
import type { Owner, Platform } from '../../src/model/lineage.ts';

export type DbtResourceType = 'model' | 'source' | 'seed' | 'snapshot' | 'analysis' | 'test' | 'other';

export interface DbtColumn {
  name: string;
  description?: string;
  dataType?: string;
  tags: string[];
}

export interface DbtNode {
  uniqueId: string;
  resourceType: DbtResourceType;
  name: string;
  packageName: string;
  database: string | null;
  schema: string | null;
  /** alias (nodes) or identifier (sources) or name. */
  identifier: string;
  relationName: string | null;
  description?: string;
  columns: DbtColumn[];
  dependsOn: string[];
  materialized?: string;
  /** Compiled SQL (compiled_code v7+, compiled_sql before); null for parse-only manifests. */
  compiledSql: string | null;
  /** The model's Jinja SQL (raw_code / raw_sql), kept only when there is no compiled SQL. */
  rawSql: string | null;
  checksum?: string;
  tags: string[];
  owners: Owner[];
  access?: string;
  group?: string;
  /** Tests only. */
  testName?: string;
  testColumn?: string;
  attachedNode?: string;
  /** Snapshots. */
  snapshot?: { uniqueKey: string[]; updatedAt?: string; strategy?: string };
  originalFilePath?: string;
  rootPath?: string;
  /** Where it sits in the manifest, for diagnostics. */
  jsonPath: string;
}

export interface DbtExposure {
  uniqueId: string;
  name: string;
  type: string;
  label?: string;
  description?: string;
  url?: string;
  maturity?: string;
  owners: Owner[];
  tags: string[];
  dependsOn: string[];
}

export interface DbtSemantic {
  uniqueId: string;
  kind: 'metric' | 'semantic_model';
  name: string;
  description?: string;
  dependsOn: string[];
  tags: string[];
}

export interface DbtProject {
  file: string;
  schemaVersion: number;
  dbtVersion?: string;
  projectName: string;
  adapterType: string;
  platform: Platform;
  generatedAt?: string;
  /** unique_id -> node (models, sources, seeds, snapshots, analyses, tests). */
  nodes: Map<string, DbtNode>;
  exposures: DbtExposure[];
  semantics: DbtSemantic[];
}
