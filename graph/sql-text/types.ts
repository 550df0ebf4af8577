// The compiled SQL of relations, kept beside the lineage graph (not in it: the graph is held in memory by the
// embedded store, and a warehouse's SQL text is as large as the graph itself). One origin's texts are
// replaced as a whole after that origin's ingest; a relation's text comes from the first origin holding it.

/**
 * `compiled`: the SQL as its tool compiled it (dbt `compiled_code` / `compiled_sql`); `raw`: the model's
 * source (dbt `raw_code` / `raw_sql`, Jinja unrendered), kept only when the manifest has no compiled SQL.
 */
export type SqlTextKind = 'compiled' | 'raw';

/** A relation's SQL text. */
export interface SqlText {
  relationKey: string;
  originId: string;
  kind: SqlTextKind;
  sql: string;
}

/** One origin's texts being written; nothing is visible to readers until commit. */
export interface SqlTextStage {
  add(relationKey: string, sql: string, kind?: SqlTextKind): void;
  /** Makes the staged texts the origin's texts (replacing what it held before), atomically. */
  commit(originId: string): Promise<{ texts: number }>;
  /** Drops the staged texts (after a failed ingest); safe to call after commit. */
  abort(): void;
}

export interface SqlTextStore {
  kind: 'embedded' | 'neo4j';
  stage(): Promise<SqlTextStage>;
  get(relationKey: string): Promise<SqlText | null>;
  /** Forgets an origin's texts (with the origin's removal from the lineage store); false when none. */
  removeOrigin(originId: string): Promise<boolean>;
  close(): Promise<void>;
}
