// dbt inlines every ephemeral model a node reads as a CTE named `__dbt__cte__<model>` at the head of its
// compiled SQL. Left in place, the SQL engine resolves through those CTEs to the ephemeral's own inputs
// and the ephemeral model gets no column edges out. This step removes them, so the node's SQL reads
// `__dbt__cte__<model>` as a relation; lineage.ts maps that name to the ephemeral model, whose columns
// are known from its own (earlier analysed) SQL. The rest of the SQL is kept byte for byte.
//
//   with  __dbt__cte__a as (select ...),  __dbt__cte__b as (select ...), own as (select ...) select ...
//   ->  with own as (select ...) select ...
//   with  __dbt__cte__a as (select ...) select * from __dbt__cte__a   ->   select * from __dbt__cte__a

const EPHEMERAL_CTE = /^__dbt__cte__/i;

interface CteSpan {
  name: string;
  /** Offset of the CTE name, and just past its closing parenthesis. */
  start: number;
  end: number;
}

/** The compiled SQL without its inlined ephemeral CTEs (unchanged when it has none or cannot be read). */
export function stripEphemeralCtes(sql: string): string {
  if (!/__dbt__cte__/i.test(sql)) return sql;
  const s = new Scanner(sql);
  s.skipTrivia();
  const withAt = s.pos;
  if (!s.keyword('with')) return sql;
  s.skipTrivia();
  if (s.keyword('recursive')) s.skipTrivia();
  const ctes = readCteList(s);
  if (!ctes || !ctes.some((c) => EPHEMERAL_CTE.test(c.name))) return sql;
  const kept = ctes.filter((c) => !EPHEMERAL_CTE.test(c.name));
  const listEnd = ctes[ctes.length - 1].end;
  if (kept.length === 0) return sql.slice(0, withAt) + sql.slice(listEnd).trimStart();
  const keptText = kept.map((c) => sql.slice(c.start, c.end)).join(', ');
  return `${sql.slice(0, ctes[0].start)}${keptText}${sql.slice(listEnd)}`;
}

/** `name [(cols)] as [[not] materialized] ( ... )`, comma separated; null when the text is not that shape. */
function readCteList(s: Scanner): CteSpan[] | null {
  const out: CteSpan[] = [];
  for (;;) {
    s.skipTrivia();
    const start = s.pos;
    const name = s.identifier();
    if (name === null) return null;
    s.skipTrivia();
    if (s.peek() === '(') {
      if (!s.skipParens()) return null;
      s.skipTrivia();
    }
    if (!s.keyword('as')) return null;
    s.skipTrivia();
    if (s.keyword('not')) s.skipTrivia();
    if (s.keyword('materialized')) s.skipTrivia();
    if (s.peek() !== '(' || !s.skipParens()) return null;
    out.push({ name, start, end: s.pos });
    s.skipTrivia();
    if (s.peek() !== ',') return out;
    s.pos++;
  }
}

/** Just enough SQL lexing to find CTE boundaries: strings, quoted names and comments are skipped whole. */
class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipTrivia(): void {
    for (;;) {
      const rest = this.text.slice(this.pos, this.pos + 2);
      if (/^\s/.test(rest)) this.pos++;
      else if (rest === '--') this.pos = this.lineEnd();
      else if (rest === '/*') this.pos = this.after('*/', this.pos + 2);
      else return;
    }
  }

  /** A bare word matching `word` case-insensitively, not followed by a word character. */
  keyword(word: string): boolean {
    const next = this.text.slice(this.pos, this.pos + word.length);
    if (next.toLowerCase() !== word || /[\w$]/.test(this.text[this.pos + word.length] ?? '')) return false;
    this.pos += word.length;
    return true;
  }

  /** A bare or quoted identifier, unquoted; null when none starts here. */
  identifier(): string | null {
    const q = this.peek();
    if (q === '"' || q === '`' || q === '[') {
      const close = q === '[' ? ']' : q;
      const end = this.after(close, this.pos + 1);
      const name = this.text.slice(this.pos + 1, end - 1);
      this.pos = end;
      return name;
    }
    const m = /^[A-Za-z_][\w$]*/.exec(this.text.slice(this.pos, this.pos + 512));
    if (!m) return null;
    this.pos += m[0].length;
    return m[0];
  }

  /** Skips a balanced `( ... )` starting here; false when it never closes. */
  skipParens(): boolean {
    let depth = 0;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      const two = this.text.slice(this.pos, this.pos + 2);
      if (two === '--') this.pos = this.lineEnd();
      else if (two === '/*') this.pos = this.after('*/', this.pos + 2);
      else if (ch === "'" || ch === '"' || ch === '`') this.pos = this.afterQuoted(ch);
      else {
        if (ch === '(') depth++;
        else if (ch === ')' && --depth === 0) {
          this.pos++;
          return true;
        }
        this.pos++;
      }
    }
    return false;
  }

  private lineEnd(): number {
    const i = this.text.indexOf('\n', this.pos);
    return i < 0 ? this.text.length : i + 1;
  }

  private after(close: string, from: number): number {
    const i = this.text.indexOf(close, from);
    return i < 0 ? this.text.length : i + close.length;
  }

  /** Past a quoted run starting at pos; a doubled quote inside is an escaped one. */
  private afterQuoted(q: string): number {
    let i = this.pos + 1;
    while (i < this.text.length) {
      if (this.text[i] === q) {
        if (this.text[i + 1] === q) i += 2;
        else return i + 1;
      } else i++;
    }
    return i;
  }
}
