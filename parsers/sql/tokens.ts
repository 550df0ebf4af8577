// A small SQL tokenizer: statement splitting, the table-level fallback for statements no grammar reads,
// and the set of identifiers written with quotes (node-sql-parser drops that fact for some names).

export type TokenType = 'word' | 'quoted' | 'string' | 'number' | 'punct';

export interface Token {
  type: TokenType;
  /** Word text as written; a quoted identifier without its quotes; a string with its quotes. */
  text: string;
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff@#$]/;
const WORD_CHAR = /[A-Za-z0-9_\u0080-\uffff@#$]/;

/** Tokenizes without ever throwing; comments and whitespace are dropped. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const ch = sql[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f') {
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (ch === "'") {
      const start = i;
      i++;
      while (i < n) {
        if (sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i = Math.min(n, i + 1);
      out.push({ type: 'string', text: sql.slice(start, i), start, end: i });
    } else if (ch === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 40))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 40))![0];
      const start = i;
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
      out.push({ type: 'string', text: sql.slice(start, i), start, end: i });
    } else if (ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      const start = i;
      let value = '';
      i++;
      while (i < n) {
        if (sql[i] === close) {
          if (sql[i + 1] === close && close !== ']') {
            value += close;
            i += 2;
            continue;
          }
          break;
        }
        value += sql[i];
        i++;
      }
      i = Math.min(n, i + 1);
      if (ch === '[' && !/^[\w .$-]+$/.test(value)) {
        out.push({ type: 'punct', text: '[', start, end: start + 1 });
        i = start + 1;
      } else out.push({ type: 'quoted', text: value, start, end: i });
    } else if (/[0-9]/.test(ch)) {
      const start = i;
      while (i < n && /[0-9.eE]/.test(sql[i])) i++;
      out.push({ type: 'number', text: sql.slice(start, i), start, end: i });
    } else if (WORD_START.test(ch)) {
      const start = i;
      while (i < n && WORD_CHAR.test(sql[i])) i++;
      out.push({ type: 'word', text: sql.slice(start, i), start, end: i });
    } else {
      out.push({ type: 'punct', text: ch, start: i, end: i + 1 });
      i++;
    }
  }
  return out;
}

export interface StatementText {
  text: string;
  /** 1-based line of the statement's first character in the whole text. */
  line: number;
}

/**
 * Splits a script on top-level semicolons. BEGIN … END blocks (procedures, scripts) stay whole, so the
 * caller can look inside them.
 */
export function splitStatements(sql: string): StatementText[] {
  const tokens = tokenize(sql);
  const out: StatementText[] = [];
  let start = 0;
  let depth = 0;
  let blockDepth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type === 'punct') {
      if (t.text === '(') depth++;
      else if (t.text === ')') depth = Math.max(0, depth - 1);
      else if (t.text === ';' && depth === 0 && blockDepth === 0) {
        push(sql.slice(start, t.start), start);
        start = t.end;
      }
    } else if (t.type === 'word') {
      const w = t.text.toUpperCase();
      if (w === 'BEGIN') {
        const next = tokens[k + 1];
        const nw = next?.type === 'word' ? next.text.toUpperCase() : '';
        const isTxn = nw === 'TRANSACTION' || nw === 'WORK' || nw === 'TRAN' || !next || next.text === ';';
        if (!isTxn) blockDepth++;
      } else if (w === 'END' && blockDepth > 0) {
        const next = tokens[k + 1];
        const nw = next?.type === 'word' ? next.text.toUpperCase() : '';
        if (nw !== 'IF' && nw !== 'LOOP' && nw !== 'WHILE' && nw !== 'FOR' && !isCaseEnd(tokens, k))
          blockDepth--;
      }
    }
  }
  push(sql.slice(start), start);
  return out;

  function push(text: string, offset: number): void {
    if (tokenize(text).length === 0) return;
    const lead = text.length - text.trimStart().length;
    const line = sql.slice(0, offset + lead).split('\n').length;
    out.push({ text: text.trim(), line });
  }
}

/** True when the END at index k closes a CASE expression rather than a block. */
function isCaseEnd(tokens: Token[], k: number): boolean {
  let cases = 0;
  for (let j = k - 1; j >= 0; j--) {
    const t = tokens[j];
    if (t.type !== 'word') continue;
    const w = t.text.toUpperCase();
    if (w === 'END') cases--;
    else if (w === 'CASE') {
      cases++;
      if (cases > 0) return true;
    } else if (w === 'BEGIN') return false;
  }
  return false;
}

/** Values written inside quotes anywhere in the text, and those written bare. */
export function identifierQuoting(sql: string): { quoted: Set<string>; bare: Set<string> } {
  const quoted = new Set<string>();
  const bare = new Set<string>();
  for (const t of tokenize(sql)) {
    if (t.type === 'quoted') {
      quoted.add(t.text);
      if (t.text.includes('.')) for (const p of t.text.split('.')) quoted.add(p);
    } else if (t.type === 'word') bare.add(t.text);
  }
  return { quoted, bare };
}

export interface NameTokens {
  parts: { value: string; quoted: boolean }[];
}

const READ_AFTER = new Set(['FROM', 'JOIN', 'USING']);
const WRITE_AFTER = new Set(['INTO', 'UPDATE', 'TABLE', 'VIEW', 'OVERWRITE']);
const NOT_NAMES = new Set([
  'SELECT',
  'LATERAL',
  'UNNEST',
  'TABLE',
  'ONLY',
  'IF',
  'NOT',
  'EXISTS',
  'OR',
  'REPLACE',
  'WITH',
  'VALUES',
  'FLATTEN',
  'SET',
]);

/** Best-effort table-level reads and writes of a statement no grammar could read. */
export function tableLevelNames(sql: string): { reads: NameTokens[]; writes: NameTokens[] } {
  const tokens = tokenize(sql);
  const cteNames = new Set<string>();
  for (let k = 0; k + 2 < tokens.length; k++) {
    const t = tokens[k];
    const a = tokens[k + 1];
    if ((t.type === 'word' || t.type === 'quoted') && a.type === 'word' && a.text.toUpperCase() === 'AS') {
      const p = tokens[k - 1];
      if (p && (p.text === ',' || p.text.toUpperCase() === 'WITH' || p.text.toUpperCase() === 'RECURSIVE'))
        cteNames.add(t.text.toLowerCase());
    }
  }
  const reads: NameTokens[] = [];
  const writes: NameTokens[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type !== 'word') continue;
    const w = t.text.toUpperCase();
    const isRead = READ_AFTER.has(w);
    const isWrite = WRITE_AFTER.has(w);
    if (!isRead && !isWrite) continue;
    if (w === 'TABLE' && tokens[k - 1]?.text.toUpperCase() === 'DROP') continue;
    let j = k + 1;
    while (j < tokens.length && tokens[j].type === 'word' && NOT_NAMES.has(tokens[j].text.toUpperCase())) j++;
    const parts: { value: string; quoted: boolean }[] = [];
    while (j < tokens.length && (tokens[j].type === 'word' || tokens[j].type === 'quoted')) {
      if (tokens[j].type === 'quoted' && tokens[j].text.includes('.') && parts.length === 0) {
        for (const p of tokens[j].text.split('.')) parts.push({ value: p, quoted: true });
      } else parts.push({ value: tokens[j].text, quoted: tokens[j].type === 'quoted' });
      if (tokens[j + 1]?.text === '.') j += 2;
      else break;
    }
    if (parts.length === 0 || (tokens[j + 1]?.text === '(' && isWrite === false)) continue;
    if (parts.length === 1 && cteNames.has(parts[0].value.toLowerCase())) continue;
    if (!parts[0].quoted && /^[@$]/.test(parts[0].value)) continue; // a stage or variable, not a relation
    if (parts.length === 1 && !parts[0].quoted && NOT_NAMES.has(parts[0].value.toUpperCase())) continue;
    (isWrite ? writes : reads).push({ parts });
  }
  return { reads, writes };
}

/**
 * `WITH c AS (…) INSERT INTO t … SELECT …` (Hive/Spark/T-SQL order) rewritten as
 * `INSERT INTO t … WITH c AS (…) SELECT …`, the order node-sql-parser reads. Null when not that shape.
 */
export function hoistWith(sql: string): string | null {
  const tokens = tokenize(sql);
  if (tokens[0]?.type !== 'word' || tokens[0].text.toUpperCase() !== 'WITH') return null;
  let depth = 0;
  let insertAt = -1;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type === 'punct') {
      if (t.text === '(') depth++;
      else if (t.text === ')') depth--;
    } else if (depth === 0 && t.type === 'word') {
      const w = t.text.toUpperCase();
      if (insertAt < 0 && (w === 'INSERT' || w === 'SELECT')) {
        if (w === 'SELECT') return null;
        insertAt = k;
      } else if (insertAt >= 0 && (w === 'SELECT' || w === 'WITH' || w === 'VALUES')) {
        const ins = tokens[insertAt].start;
        const sel = t.start;
        return `${sql.slice(ins, sel)} ${sql.slice(0, ins)} ${sql.slice(sel)}`;
      }
    }
  }
  return null;
}

/** The first keyword(s) of a statement, upper case, after comments (e.g. `CREATE OR REPLACE PROCEDURE`). */
export function leadingWords(sql: string, n = 4): string {
  const out: string[] = [];
  for (const t of tokenize(sql.slice(0, 2000))) {
    if (t.type !== 'word' || out.length >= n) break;
    out.push(t.text.toUpperCase());
  }
  return out.join(' ');
}
