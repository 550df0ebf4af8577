// Statement fingerprints: the text with literals replaced by `?`, comments dropped and whitespace collapsed,
// hashed. Two executions that differ only in constants share a fingerprint and are parsed once.
// Identifiers keep their case (BigQuery table names are case-sensitive); quoted identifiers are kept verbatim.
import { createHash } from 'node:crypto';

function isIdentChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || // 0-9
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 || // _
    c === 36 || // $
    c > 127
  );
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The normalized text: literals -> `?`, `$n` parameters -> `?`, comments removed, one space between tokens. */
export function normalizeSql(sql: string): string {
  let out = '';
  let space = false;
  const n = sql.length;
  let i = 0;
  const emit = (s: string): void => {
    if (space && out !== '') out += ' ';
    space = false;
    out += s;
  };
  while (i < n) {
    const ch = sql[i];
    const c = sql.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      space = true;
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      space = true;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      space = true;
    } else if (ch === "'") {
      i++;
      while (i < n) {
        if (sql[i] === '\\') i += 2;
        else if (sql[i] === "'") {
          if (sql[i + 1] === "'") i += 2;
          else break;
        } else i++;
      }
      i++;
      emit('?');
    } else if (ch === '"' || ch === '`') {
      const start = i;
      i++;
      while (i < n && sql[i] !== ch) i++;
      i++;
      emit(sql.slice(start, i));
    } else if (ch === '$' && sql[i + 1] === '$') {
      const end = sql.indexOf('$$', i + 2);
      i = end < 0 ? n : end + 2;
      emit('?');
    } else if (
      ch === '$' &&
      isDigit(sql.charCodeAt(i + 1)) &&
      (i === 0 || !isIdentChar(sql.charCodeAt(i - 1)))
    ) {
      i++;
      while (i < n && isDigit(sql.charCodeAt(i))) i++;
      emit('?');
    } else if (isDigit(c) || (ch === '.' && isDigit(sql.charCodeAt(i + 1)))) {
      // a number (not part of an identifier such as t1): digits, fraction, exponent
      while (i < n && (isDigit(sql.charCodeAt(i)) || sql[i] === '.')) i++;
      if ((sql[i] === 'e' || sql[i] === 'E') && /[-+\d]/.test(sql[i + 1] ?? '')) {
        i += 2;
        while (i < n && isDigit(sql.charCodeAt(i))) i++;
      }
      emit('?');
    } else if (isIdentChar(c)) {
      const start = i;
      while (i < n && isIdentChar(sql.charCodeAt(i))) i++;
      emit(sql.slice(start, i));
    } else {
      // punctuation: no space needed around it, but keep one where the source had one
      emit(ch);
      i++;
    }
  }
  return collapseLists(out.replace(/[\s;]+$/, ''));
}

/** `IN (?, ?, ?)` -> `IN (?)`; `VALUES (?, ?), (?, ?)` -> `VALUES (?, ?)`. */
function collapseLists(text: string): string {
  return text.replace(/\( ?\?(?: ?, ?\?)+ ?\)/g, '(?)').replace(/(\(\?\))(?: ?, ?\(\?\))+/g, '$1');
}

export function fingerprintOf(normalized: string): string {
  return createHash('sha1').update(normalized).digest('hex').slice(0, 16);
}

/** Normalizes and hashes, remembering recent exact texts (most log rows repeat a text verbatim). */
export class Fingerprinter {
  private readonly recent = new Map<string, string>();
  constructor(private readonly capacity = 20_000) {}

  of(sql: string): string {
    const hit = this.recent.get(sql);
    if (hit !== undefined) return hit;
    const fp = fingerprintOf(normalizeSql(sql));
    if (this.recent.size >= this.capacity) this.recent.delete(this.recent.keys().next().value as string);
    this.recent.set(sql, fp);
    return fp;
  }
}
