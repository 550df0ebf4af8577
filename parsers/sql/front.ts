// Front end: statement text -> our tree. Tries the platform's grammar chain, then known rewrites
// (WITH before INSERT), and reads MERGE piecewise. Returns the parser's message when nothing reads it.
import type { Platform } from '../../src/model/lineage.ts';
import { convertMerge, convertStatement } from './convert.ts';
import { parseMerge } from './merge.ts';
import { pStatement } from './convert-polyglot.ts';
import { parsePolyglot } from './parse-polyglot.ts';
import { parseStatement } from './parse.ts';
import { hoistWith, identifierQuoting, leadingWords } from './tokens.ts';
import type { Statement } from './tree.ts';

export type FrontEnd = 'node-sql-parser' | 'merge' | 'polyglot';
export type FrontResult = { ok: true; tree: Statement; frontEnd: FrontEnd } | { ok: false; message: string };

/** Which front end reads first: node-sql-parser (default) or polyglot (faster; see docs/sql.md). */
export type FrontEndOrder = 'node-sql-parser-first' | 'polyglot-first';

export function readStatement(
  text: string,
  platform: Platform,
  order: FrontEndOrder = 'node-sql-parser-first',
): FrontResult {
  const { quoted, bare } = identifierQuoting(text);
  const doubleQuoteIsIdent = !['bigquery', 'mysql', 'databricks'].includes(platform);
  if (/^MERGE\b/.test(leadingWords(text, 1))) {
    const m = parseMerge(text, platform);
    if (!m.ok) return { ok: false, message: `MERGE: ${m.message}` };
    return {
      ok: true,
      tree: convertMerge(m.pieces, { quoted, bare, doubleQuoteIsIdent, sqlOf: m.pieces.sqlOf }),
      frontEnd: 'merge',
    };
  }
  if (order === 'polyglot-first') {
    const poly = parsePolyglot(text, platform);
    if (poly.ok) {
      const tree = pStatement(poly.ast, text);
      if (tree.kind !== 'other') return { ok: true, tree, frontEnd: 'polyglot' };
    }
  }
  let parsed = parseStatement(text, platform);
  if (!parsed.ok) {
    const hoisted = hoistWith(text);
    if (hoisted) {
      const again = parseStatement(hoisted, platform);
      if (again.ok) parsed = again;
    }
  }
  if (!parsed.ok) {
    // Second front end: sqlglot's grammars (WASM) for what node-sql-parser cannot read.
    const poly = parsePolyglot(text, platform);
    if (poly.ok) return { ok: true, tree: pStatement(poly.ast, text), frontEnd: 'polyglot' };
    return {
      ok: false,
      message: `no grammar read the statement (${parsed.grammars.join(', ')}, polyglot): ${parsed.message}; ${poly.message}`,
    };
  }
  return {
    ok: true,
    tree: convertStatement(parsed.ast, { quoted, bare, doubleQuoteIsIdent, sqlOf: parsed.sqlOf }),
    frontEnd: 'node-sql-parser',
  };
}
