// The `lineage sql` line protocol: one JSON request -> one JSON response. Validation (zod) happens here,
// at the untrusted edge; a bad line becomes a response carrying a diagnostic, never an exception.
import { z } from 'zod';
import { columnName, relationKey } from '../../src/model/identity.ts';
import type { Platform } from '../../src/model/lineage.ts';
import { PLATFORMS } from '../../src/model/lineage.ts';
import { multiStatementLineage } from './multi.ts';
import type { StatementLineage } from './index.ts';
import type { ScriptEdge, ScriptLineage } from './multi.ts';

const RequestSchema = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  sql: z.string(),
  dialect: z.string().nullish(),
  default_database: z.string().nullish(),
  default_schema: z.string().nullish(),
  schema: z.record(z.string(), z.record(z.string(), z.unknown())).nullish(),
  lateral_column_aliases: z.boolean().nullish(),
});

export interface SqlResponse {
  id: string | number | null;
  inputs: string[];
  outputs: string[];
  column_lineage: {
    target: { table: string | null; column: string };
    sources: { table: string; column: string; kind: string }[];
  }[];
  /**
   * The script end to end: intermediate tables collapsed to (first source, last target) column pairs,
   * expression sources only (multi.ts) — what a lineage graph of the whole script draws.
   */
  end_to_end: { source: ColumnRef; target: ColumnRef }[];
  /** Relations read through a * whose columns are unknown: `source.* -> target.*`. */
  star_edges: { source: string; target: string }[];
  diagnostics: { code: string; message: string }[];
}
interface ColumnRef {
  table: string;
  column: string;
}

const ALIASES: Record<string, Platform> = {
  postgresql: 'postgres',
  pg: 'postgres',
  spark: 'databricks',
  sparksql: 'databricks',
  hive: 'databricks',
  athena: 'trino',
  presto: 'trino',
  mariadb: 'mysql',
  sqlserver: 'tsql',
  mssql: 'tsql',
  transactsql: 'tsql',
  synapse: 'tsql',
  fabric: 'tsql',
  ansi: 'generic',
};

/** Dialect name (ours, a sqlglot/sqlfluff name, or a common alias) -> platform. */
export function platformFor(dialect: string | null | undefined): Platform | null {
  const d = (dialect ?? 'generic').toLowerCase();
  if ((PLATFORMS as readonly string[]).includes(d)) return d as Platform;
  return ALIASES[d] ?? null;
}

function invalid(id: SqlResponse['id'], message: string): SqlResponse {
  return {
    id,
    inputs: [],
    outputs: [],
    column_lineage: [],
    end_to_end: [],
    star_edges: [],
    diagnostics: [{ code: 'SQL_INPUT_INVALID', message }],
  };
}

/** Answers one request line. Never throws. */
export function answerLine(line: string, defaultDialect?: string): SqlResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    return invalid(null, `not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = RequestSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && 'id' in raw ? (raw as { id: unknown }).id : null;
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
    return invalid(typeof id === 'string' || typeof id === 'number' ? id : null, issues);
  }
  const req = parsed.data;
  const id = req.id ?? null;
  const diagnostics: SqlResponse['diagnostics'] = [];
  let platform = platformFor(req.dialect ?? defaultDialect);
  if (!platform) {
    diagnostics.push({
      code: 'SQL_INPUT_INVALID',
      message: `unknown dialect '${req.dialect}'; read as generic SQL`,
    });
    platform = 'generic';
  }
  const defaults = { database: req.default_database ?? null, schema: req.default_schema ?? null };
  const known = new Map<string, string[]>();
  for (const [table, cols] of Object.entries(req.schema ?? {})) {
    known.set(
      relationKey(platform, table, defaults),
      Object.keys(cols).map((c) => columnName(platform, c)),
    );
  }
  const script = multiStatementLineage({
    sql: req.sql,
    platform,
    defaultDatabase: defaults.database,
    defaultSchema: defaults.schema,
    schema: { columns: (k) => known.get(k) },
    ...(typeof req.lateral_column_aliases === 'boolean'
      ? { lateralAliases: req.lateral_column_aliases }
      : {}),
  });
  return {
    id,
    ...toResponse(script.statements),
    ...scriptEdges(script),
    diagnostics: [...diagnostics, ...toDiagnostics(script.statements)],
  };
}

/** The script's collapsed column edges and star edges in the response shape. */
export function scriptEdges(script: ScriptLineage): Pick<SqlResponse, 'end_to_end' | 'star_edges'> {
  const ref = (r: ScriptEdge['from']): ColumnRef => ({ table: r.table.displayName, column: r.column });
  return {
    end_to_end: script.edges.map((e) => ({ source: ref(e.from), target: ref(e.to) })),
    star_edges: script.starEdges.map((e) => ({ source: e.from.displayName, target: e.to.displayName })),
  };
}

function toDiagnostics(statements: StatementLineage[]): SqlResponse['diagnostics'] {
  return statements.flatMap((s) => s.diagnostics.map((d) => ({ code: d.code, message: d.message })));
}

/** Statement results in the response shape: direct and in-expression sources, then the statement's indirect ones. */
export function toResponse(
  statements: StatementLineage[],
): Pick<SqlResponse, 'inputs' | 'outputs' | 'column_lineage'> {
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  const column_lineage: SqlResponse['column_lineage'] = [];
  for (const s of statements) {
    for (const r of s.reads) inputs.add(r.displayName);
    if (s.write) outputs.add(s.write.displayName);
    const indirect = s.indirect.map((x) => ({ table: x.table.displayName, column: x.column, kind: x.kind }));
    for (const c of s.columns) {
      column_lineage.push({
        target: { table: s.write?.displayName ?? null, column: c.name },
        sources: [
          ...c.sources.map((x) => ({ table: x.table.displayName, column: x.column, kind: x.kind })),
          ...indirect,
        ],
      });
    }
  }
  return { inputs: [...inputs].sort(), outputs: [...outputs].sort(), column_lineage };
}
