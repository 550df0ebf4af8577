// Dialect spellings no front end reads, rewritten (token-exact, same line breaks) before parsing:
//   snowflake  bind-style output aliases `expr AS :name` -> `expr AS name`
//   teradata   column attribute phrases `a (TITLE 'x')`, `(FORMAT 'x')`, `(NAMED x)` after an
//              expression carry no lineage and are blanked out
//   every      a long literal list `IN (1, 2, …, 20000)` keeps its first literal (literals carry no
//              lineage; a 20,000-item list took polyglot about 2 s) — only looked for in long statements
// Everything else is passed through unchanged.
import type { Platform } from '../../src/model/lineage.ts';
import { tokenize } from './tokens.ts';
import type { Token } from './tokens.ts';

const TD_PHRASES = new Set(['TITLE', 'FORMAT', 'NAMED']);

/** [start, end) ranges of the text to blank. */
function snowflakeBinds(tokens: Token[]): [number, number][] {
  const out: [number, number][] = [];
  tokens.forEach((t, i) => {
    const next = tokens[i + 1];
    if (t.type === 'word' && t.text.toUpperCase() === 'AS' && next?.type === 'punct' && next.text === ':')
      out.push([next.start, next.end]);
  });
  return out;
}

function teradataPhrases(tokens: Token[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i + 3 < tokens.length; i++) {
    const [open, word, value, close] = tokens.slice(i, i + 4);
    const prev = tokens[i - 1];
    if (open.text !== '(' || close.text !== ')' || word.type !== 'word') continue;
    if (!TD_PHRASES.has(word.text.toUpperCase()) || (value.type !== 'string' && value.type !== 'word'))
      continue;
    // After an expression (a name, a literal or a closing parenthesis), not a function call's parentheses.
    if (prev.type === 'punct' && prev.text !== ')') continue;
    out.push([open.start, close.end]);
  }
  return out;
}

/** Statements shorter than this are not scanned for long literal lists. */
const LONG_STATEMENT = 10_000;
/** Literal lists longer than this keep only their first item. */
const MAX_LITERAL_LIST = 64;

function literalLists(tokens: Token[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < tokens.length; i++) {
    if (tokens[i].text !== '(' || tokens[i - 1].text.toUpperCase() !== 'IN') continue;
    let j = i + 1;
    let items = 0;
    while (j + 1 < tokens.length && (tokens[j].type === 'number' || tokens[j].type === 'string')) {
      items++;
      if (tokens[j + 1].text !== ',') break;
      j += 2;
    }
    if (items > MAX_LITERAL_LIST && tokens[j + 1]?.text === ')') out.push([tokens[i + 1].end, tokens[j].end]);
    i = j;
  }
  return out;
}

function rangesFor(text: string, platform: Platform): [number, number][] {
  const bind = platform === 'snowflake' && text.includes(':');
  const long = text.length > LONG_STATEMENT;
  if (!bind && platform !== 'teradata' && !long) return [];
  const tokens = tokenize(text);
  const ranges = long ? literalLists(tokens) : [];
  if (bind) ranges.push(...snowflakeBinds(tokens));
  if (platform === 'teradata') ranges.push(...teradataPhrases(tokens));
  return ranges.sort((a, b) => a[0] - b[0]);
}

export function rewriteForParse(text: string, platform: Platform): string {
  const ranges = rangesFor(text, platform);
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [s, e] of ranges) {
    out += text.slice(at, s) + text.slice(s, e).replace(/[^\n]/g, ' ');
    at = e;
  }
  return out + text.slice(at);
}
