// The only importer of node-sql-parser. Maps each platform to the grammars that read it best and tries
// them in order; returns the first AST, or the parser's message when none reads the statement.
import NodeSqlParser from 'node-sql-parser';
import type { Platform } from '../../src/model/lineage.ts';
import { GRAMMARS } from './grammars.ts';

const { Parser } = NodeSqlParser;

/** A node of node-sql-parser's AST, read defensively by convert.ts. */
export type RawNode = Record<string, unknown>;

export type ParseOutcome =
  | { ok: true; ast: RawNode; grammar: string; sqlOf: (expr: RawNode) => string }
  | { ok: false; message: string; grammars: readonly string[] };

let parser: InstanceType<typeof Parser> | null = null;
function getParser(): InstanceType<typeof Parser> {
  parser ??= new Parser();
  return parser;
}

/** Parses one statement (no top-level semicolons) with the platform's grammar chain. Never throws. */
export function parseStatement(sql: string, platform: Platform, grammars?: readonly string[]): ParseOutcome {
  const chain = grammars ?? GRAMMARS[platform];
  let first = '';
  for (const grammar of chain) {
    try {
      const p = getParser();
      const result = p.astify(sql, { database: grammar }) as unknown;
      const ast = Array.isArray(result) ? (result.length === 1 ? result[0] : null) : result;
      if (!ast || typeof ast !== 'object') {
        if (!first) first = `${grammar}: not exactly one statement`;
        continue;
      }
      const sqlOf = (expr: RawNode): string => {
        try {
          return p.exprToSQL(expr as never, { database: grammar });
        } catch {
          return '';
        }
      };
      return { ok: true, ast: ast as RawNode, grammar, sqlOf };
    } catch (err) {
      if (!first) first = `${grammar}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 400);
    }
  }
  return { ok: false, message: first || 'no grammar', grammars: chain };
}
