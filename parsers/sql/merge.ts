// MERGE front end: node-sql-parser has no MERGE grammar, so the statement is cut at its top-level
// keywords (tokens.ts) and every piece is read by the ordinary grammars through parse.ts.
import type { Platform } from '../../src/model/lineage.ts';
import type { RawNode } from './parse.ts';
import { parseStatement } from './parse.ts';
import type { Token } from './tokens.ts';
import { tokenize } from './tokens.ts';

export interface MergePieces {
  target: RawNode;
  source: RawNode;
  on: RawNode | null;
  updates: { condition: RawNode | null; set: RawNode[] }[];
  inserts: { condition: RawNode | null; columns: unknown[]; values: RawNode[] }[];
  sqlOf: (e: RawNode) => string;
}

type Result = { ok: true; pieces: MergePieces } | { ok: false; message: string };

function word(t: Token | undefined, w: string): boolean {
  return t !== undefined && t.type === 'word' && t.text.toUpperCase() === w;
}

/** Top-level token indexes of the given keywords (depth 0 only). */
function topLevel(tokens: Token[], words: Set<string>): number[] {
  const out: number[] = [];
  let depth = 0;
  tokens.forEach((t, k) => {
    if (t.type === 'punct' && t.text === '(') depth++;
    else if (t.type === 'punct' && t.text === ')') depth--;
    else if (depth === 0 && t.type === 'word' && words.has(t.text.toUpperCase())) out.push(k);
  });
  return out;
}

export function parseMerge(sql: string, platform: Platform): Result {
  const tokens = tokenize(sql);
  if (!word(tokens[0], 'MERGE')) return { ok: false, message: 'not a MERGE' };
  const text = (a: number, b: number): string =>
    a >= b ? '' : sql.slice(tokens[a].start, tokens[b - 1].end);
  const marks = topLevel(tokens, new Set(['USING', 'ON', 'WHEN']));
  const using = marks.find((k) => word(tokens[k], 'USING'));
  const on = marks.find((k) => word(tokens[k], 'ON') && k > (using ?? Infinity));
  if (using === undefined || on === undefined) return { ok: false, message: 'MERGE without USING … ON' };
  const whens = marks.filter((k) => word(tokens[k], 'WHEN') && k > on);
  const targetStart = word(tokens[1], 'INTO') ? 2 : 1;
  let sqlOf: (e: RawNode) => string = () => '';
  const piece = (sqlText: string): RawNode | null => {
    const r = parseStatement(sqlText, platform);
    if (!r.ok) return null;
    sqlOf = r.sqlOf;
    return r.ast;
  };
  const fromItem = (src: string): RawNode | null => {
    const ast = piece(`SELECT 1 FROM ${src}`);
    const from = ast?.from;
    return Array.isArray(from) && from.length === 1 ? (from[0] as RawNode) : null;
  };
  const condition = (cond: string): RawNode | null => {
    if (cond.trim() === '') return null;
    const ast = piece(`SELECT 1 FROM merge_condition WHERE ${cond}`);
    return (ast?.where as RawNode | undefined) ?? null;
  };
  const target = fromItem(text(targetStart, using));
  const source = fromItem(text(using + 1, on));
  if (!target || !source) return { ok: false, message: 'MERGE target or source unreadable' };
  const pieces: MergePieces = {
    target,
    source,
    on: condition(text(on + 1, whens[0] ?? tokens.length)),
    updates: [],
    inserts: [],
    sqlOf,
  };
  for (let w = 0; w < whens.length; w++) {
    const start = whens[w];
    const end = whens[w + 1] ?? tokens.length;
    const then = tokens.findIndex((t, k) => k > start && k < end && word(t, 'THEN'));
    if (then < 0) return { ok: false, message: 'WHEN without THEN' };
    const and = tokens.findIndex((t, k) => k > start && k < then && word(t, 'AND'));
    const cond = and < 0 ? null : condition(text(and + 1, then));
    const action = text(then + 1, end).replace(/;\s*$/, '');
    if (word(tokens[then + 1], 'UPDATE')) {
      const ast = piece(`UPDATE merge_target ${action.replace(/^UPDATE/i, '')}`);
      if (!ast || !Array.isArray(ast.set))
        return { ok: false, message: `unreadable MERGE action: ${action.slice(0, 80)}` };
      pieces.updates.push({ condition: cond, set: ast.set as RawNode[] });
    } else if (word(tokens[then + 1], 'INSERT')) {
      const ast = piece(`INSERT INTO merge_target ${action.replace(/^INSERT/i, '')}`);
      const values = ast?.values as RawNode | undefined;
      const rows = values && Array.isArray(values.values) ? (values.values as RawNode[]) : [];
      const first = rows[0]?.value;
      if (!ast || !Array.isArray(first))
        return { ok: false, message: `unreadable MERGE action: ${action.slice(0, 80)}` };
      pieces.inserts.push({
        condition: cond,
        columns: Array.isArray(ast.columns) ? ast.columns : [],
        values: first as RawNode[],
      });
    }
  }
  return { ok: true, pieces };
}
