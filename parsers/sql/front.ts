// Front end: statement text -> our tree. Tries the platform's grammar chain, then known rewrites
// (WITH before INSERT), and reads MERGE piecewise. Returns the parser's message when nothing reads it.
import type { Platform } from '../../src/model/lineage.ts';
import { convertMerge, convertStatement } from './convert.ts';
import { parseMerge } from './merge.ts';
import { pStatement } from './convert-polyglot.ts';
import { parsePolyglot, polyglotSqlOf } from './parse-polyglot.ts';
import type { ParseOutcome } from './parse.ts';
import { GRAMMARS, parseStatement } from './parse.ts';
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
      tree: convertMerge(m.pieces, { platform, quoted, bare, doubleQuoteIsIdent, sqlOf: m.pieces.sqlOf }),
      frontEnd: 'merge',
    };
  }
  if (order === 'polyglot-first') {
    const poly = parsePolyglot(text, platform);
    if (poly.ok) {
      const tree = pStatement(poly.ast, platform, (n) => polyglotSqlOf(n, platform));
      if (tree.kind !== 'other') return { ok: true, tree, frontEnd: 'polyglot' };
    }
  }
  // The platform's own grammar (also on the WITH-before-INSERT rewrite), then polyglot, then the
  // related grammars: a failed PEG parse of a long statement is the most expensive step, so the
  // grammars most likely to fail come last.
  const [own, ...related] = GRAMMARS[platform];
  const hoisted = hoistWith(text);
  const attempt = (grammars: readonly string[]): ParseOutcome => {
    const first = parseStatement(text, platform, grammars);
    if (first.ok || !hoisted) return first;
    const again = parseStatement(hoisted, platform, grammars);
    return again.ok ? again : first;
  };
  let parsed = attempt([own]);
  let polyMessage = '';
  if (!parsed.ok && order !== 'polyglot-first') {
    const poly = parsePolyglot(text, platform);
    if (poly.ok) {
      const tree = pStatement(poly.ast, platform, (n) => polyglotSqlOf(n, platform));
      if (tree.kind !== 'other' || related.length === 0) return { ok: true, tree, frontEnd: 'polyglot' };
    } else polyMessage = poly.message;
  }
  if (!parsed.ok && related.length > 0) {
    const rest = attempt(related);
    if (rest.ok) parsed = rest;
  }
  if (!parsed.ok) {
    return {
      ok: false,
      message: `no grammar read the statement (${GRAMMARS[platform].join(', ')}, polyglot): ${[parsed.message, polyMessage].filter(Boolean).join('; ')}`,
    };
  }
  return {
    ok: true,
    tree: convertStatement(parsed.ast, { platform, quoted, bare, doubleQuoteIsIdent, sqlOf: parsed.sqlOf }),
    frontEnd: 'node-sql-parser',
  };
}
