// Dialect spellings no front end reads, rewritten (token-exact, same line breaks) before parsing:
//   snowflake  bind-style output aliases `expr AS :name` -> `expr AS name`
//   teradata   column attribute phrases `a (TITLE 'x')`, `(FORMAT 'x')`, `(NAMED x)` after an
//              expression carry no lineage and are blanked out
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

export function rewriteForParse(text: string, platform: Platform): string {
  if (platform !== 'snowflake' && platform !== 'teradata') return text;
  if (platform === 'snowflake' && !text.includes(':')) return text;
  const tokens = tokenize(text);
  const ranges = platform === 'snowflake' ? snowflakeBinds(tokens) : teradataPhrases(tokens);
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [s, e] of ranges) {
    out += text.slice(at, s) + text.slice(s, e).replace(/[^\n]/g, ' ');
    at = e;
  }
  return out + text.slice(at);
}
