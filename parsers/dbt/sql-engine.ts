// The SQL engine contract as the dbt parser uses it (parsers/sql/index.ts implements it), as a local
// structural type so tests can pass `null` (table level only) and a failing engine load degrades to
// table-level lineage with a diagnostic.
import type {
  Confidence,
  Diagnostic,
  Platform,
  RelationKey,
  SqlShape,
  TransformKind,
} from '../../src/model/lineage.ts';

export interface SchemaLookup {
  /** Folded column names of a relation in order, or undefined when unknown. */
  columns(relationKey: RelationKey): readonly string[] | undefined;
}

export interface SourceColumnRef {
  table: { key: RelationKey; displayName: string };
  column: string;
  kind: TransformKind;
}

export interface OutputColumn {
  name: string;
  displayName: string;
  sources: SourceColumnRef[];
}

export interface StatementLineage {
  reads: { key: RelationKey; displayName: string }[];
  write?: { key: RelationKey; displayName: string } | null;
  columns: OutputColumn[];
  /** Statement-level JOIN/FILTER/GROUP_BY… sources that affect every output column. */
  indirect: SourceColumnRef[];
  starSources?: unknown;
  /** False when an unexpandable * reaches the output: `columns` is not the relation's full list. */
  complete?: boolean;
  shape?: SqlShape;
  confidence: Confidence | string;
  diagnostics: Diagnostic[];
}

export interface AnalyzeSqlInput {
  sql: string;
  platform: Platform;
  defaultDatabase?: string | null;
  defaultSchema?: string | null;
  schema: SchemaLookup;
  statementId: string;
  cache?: unknown;
}

export type AnalyzeSql = (input: AnalyzeSqlInput) => Promise<StatementLineage[]>;

/** Loads parsers/sql/index.ts lazily; null when it is not available in this build. */
export async function loadSqlEngine(): Promise<AnalyzeSql | null> {
  try {
    const mod = await import('../sql/index.ts');
    return mod.analyzeSql as AnalyzeSql;
  } catch {
    return null;
  }
}
