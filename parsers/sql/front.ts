// Front end: statement text -> our tree. A plan of attempts per statement (front end and grammars, in
// order), run by the front-end worker (front-worker.ts), which loads each front end only when a step
// needs it. A cheap pre-check keeps node-sql-parser's PEG grammars away from what makes them
// backtrack exponentially (unbalanced or very deep parentheses).
import type { Platform } from '../../src/model/lineage.ts';
import { GRAMMARS } from './grammars.ts';
import { leadingWords, tokenize } from './tokens.ts';
import type { Statement } from './tree.ts';

export type FrontEnd = 'node-sql-parser' | 'merge' | 'polyglot';
export type FrontResult = { ok: true; tree: Statement; frontEnd: FrontEnd } | { ok: false; message: string };

/**
 * Which front end reads first. Default polyglot (sqlglot's grammars: faster, and bounded by its own
 * nesting guards), then node-sql-parser's platform grammar and its related grammars; see docs/sql.md.
 */
export type FrontEndOrder = 'polyglot-first' | 'node-sql-parser-first';
export const DEFAULT_ORDER: FrontEndOrder = 'polyglot-first';

export type Step =
  | { frontEnd: 'polyglot' }
  | { frontEnd: 'node-sql-parser'; grammars: readonly string[] }
  | { frontEnd: 'merge' };

/**
 * Deepest parenthesis nesting node-sql-parser is given. A failed PEG parse backtracks at every open
 * parenthesis (about ×1.7 per level: 10 levels take seconds), and real SQL stays far below this
 * (the 885-statement corpus: 99% at most 6, deepest 11).
 */
export const MAX_PEG_DEPTH = 16;
/**
 * The same limit when node-sql-parser only reads what polyglot could not (the default order). Such
 * statements are rare and shallow (4 of the corpus' 885, nesting at most 5), while a broken statement
 * polyglot rejects goes through every grammar of the chain: at depth 10 that took about 3 s.
 */
export const MAX_PEG_DEPTH_AFTER_POLYGLOT = 6;

/** Statements with reads and writes but no column lineage any front end maps: the tokenizer reads them. */
const TABLE_LEVEL_ONLY = new Set(['COPY', 'UNLOAD']);

/** Parenthesis shape of a statement: deepest nesting, and whether every `(` is closed. */
export function parenShape(text: string): { depth: number; balanced: boolean } {
  let depth = 0;
  let max = 0;
  let balanced = true;
  for (const t of tokenize(text)) {
    if (t.type !== 'punct') continue;
    if (t.text === '(') max = Math.max(max, ++depth);
    else if (t.text === ')' && --depth < 0) balanced = false;
  }
  return { depth: max, balanced: balanced && depth === 0 };
}

/** The attempts for one statement, in order, and why node-sql-parser was left out (if it was). */
export function frontPlan(
  text: string,
  platform: Platform,
  order: FrontEndOrder = DEFAULT_ORDER,
): { steps: Step[]; skipped: string | null } {
  const lead = leadingWords(text, 1);
  if (TABLE_LEVEL_ONLY.has(lead))
    return { steps: [], skipped: `${lead} is read at table level (no front end maps it to column lineage)` };
  const shape = parenShape(text);
  const limit = order === 'polyglot-first' ? MAX_PEG_DEPTH_AFTER_POLYGLOT : MAX_PEG_DEPTH;
  const skipped = !shape.balanced
    ? 'unbalanced parentheses'
    : shape.depth > limit
      ? `parentheses nested ${shape.depth} deep (node-sql-parser limit ${limit})`
      : null;
  const nsp: Step[] = [];
  if (!skipped) {
    const [own, ...related] = GRAMMARS[platform];
    if (lead === 'MERGE') nsp.push({ frontEnd: 'merge' });
    nsp.push({ frontEnd: 'node-sql-parser', grammars: [own] });
    if (related.length > 0) nsp.push({ frontEnd: 'node-sql-parser', grammars: related });
  }
  const poly: Step = { frontEnd: 'polyglot' };
  const steps = order === 'polyglot-first' ? [poly, ...nsp] : [nsp[0], poly, ...nsp.slice(1)];
  return { steps: steps.filter((s): s is Step => s !== undefined), skipped };
}

/** Runs one step (the worker supplies the loaded front ends). */
export type StepRunner = (step: Step, text: string, platform: Platform) => Promise<FrontResult>;

/**
 * The first step whose tree is a statement we analyse. node-sql-parser's tree of kind 'other' (SET, USE,
 * GRANT…) is kept in case no later step does better; polyglot's is not (our converter does not map that
 * statement: the tokenizer's table-level reading is better). Otherwise every step's message.
 */
export async function readStatement(
  text: string,
  platform: Platform,
  order: FrontEndOrder,
  run: StepRunner,
): Promise<FrontResult> {
  const { steps, skipped } = frontPlan(text, platform, order);
  const messages: string[] = [];
  let other: FrontResult | null = null;
  for (const step of steps) {
    const r = await run(step, text, platform);
    if (r.ok && r.tree.kind !== 'other') return r;
    if (r.ok && r.frontEnd !== 'polyglot') other ??= r;
    else if (!r.ok) messages.push(r.message);
  }
  if (other) return other;
  if (steps.length === 0 && skipped) return { ok: false, message: skipped };
  if (skipped) messages.push(`node-sql-parser not tried: ${skipped}`);
  const tried = [
    ...new Set(steps.flatMap((s) => (s.frontEnd === 'node-sql-parser' ? s.grammars : [s.frontEnd]))),
  ];
  return {
    ok: false,
    message: `no grammar read the statement (${tried.join(', ')}): ${messages.join('; ')}`,
  };
}
