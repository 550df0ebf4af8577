// The node-sql-parser front end: statement text -> our tree through the given grammars (also on the
// WITH-before-INSERT rewrite), and MERGE read piecewise. Loaded lazily by the front-end worker.
import type { Platform } from '../../src/model/lineage.ts';
import { convertMerge, convertStatement } from './convert.ts';
import type { ConvertContext } from './convert.ts';
import type { FrontResult } from './front.ts';
import { parseMerge } from './merge.ts';
import type { ParseOutcome } from './parse.ts';
import { parseStatement } from './parse.ts';
import { hoistWith, identifierQuoting } from './tokens.ts';

/** Platforms where "x" is a string literal, not an identifier. */
const DOUBLE_QUOTE_STRINGS: ReadonlySet<Platform> = new Set(['bigquery', 'mysql', 'databricks']);

function convertContext(text: string, platform: Platform, sqlOf: ConvertContext['sqlOf']): ConvertContext {
  const { quoted, bare } = identifierQuoting(text);
  return { platform, quoted, bare, doubleQuoteIsIdent: !DOUBLE_QUOTE_STRINGS.has(platform), sqlOf };
}

/** Reads a statement with the grammars in order; the first that reads it wins. */
export function readWithGrammars(text: string, platform: Platform, grammars: readonly string[]): FrontResult {
  let parsed: ParseOutcome = parseStatement(text, platform, grammars);
  if (!parsed.ok) {
    const hoisted = hoistWith(text);
    const again = hoisted ? parseStatement(hoisted, platform, grammars) : null;
    if (again?.ok) parsed = again;
  }
  if (!parsed.ok) return { ok: false, message: parsed.message };
  return {
    ok: true,
    tree: convertStatement(parsed.ast, convertContext(text, platform, parsed.sqlOf)),
    frontEnd: 'node-sql-parser',
  };
}

/** MERGE, which node-sql-parser has no grammar for: cut at its keywords, each piece parsed. */
export function readMerge(text: string, platform: Platform): FrontResult {
  const m = parseMerge(text, platform);
  if (!m.ok) return { ok: false, message: `MERGE: ${m.message}` };
  return {
    ok: true,
    tree: convertMerge(m.pieces, convertContext(text, platform, m.pieces.sqlOf)),
    frontEnd: 'merge',
  };
}
