// CSV records from physical lines, with recovery: a broken row is one malformed record carrying its true line
// number, and every good row around it is still read. Pure (no I/O): stream.ts feeds it lines.
//
// Grammar (RFC 4180, lenient where exports are): fields separated by `,`; a field that starts with `"` is
// quoted, `""` inside it is a quote, and it may span lines; after its closing quote only `,` or the end of the
// line may follow. A `"` inside an unquoted field is an error (every CSV writer quotes such a field; a stray
// one is usually the tail of a broken quoted field). Blank lines between records are skipped.
//
// Recovery: a record that does not fit (wrong column count, a character after a closing quote, a quote still
// open at the end of the file or after MAX_RECORD_LINES / MAX_RECORD_CHARS) is malformed. When it spanned
// several lines, the quote that opened on its first line is the likely culprit (an unbalanced quote swallows
// the rows after it), so only that first line is reported and the following lines are read again as rows.
// Malformed records found while re-reading those lines, before any good row, are parts of the same damage and
// extend the one report (`line`..`endLine`) instead of adding reports.

export type CsvRow =
  { ok: true; line: number; cells: string[] } | { ok: false; line: number; endLine?: number; reason: string };

/** Whether a complete record has the expected shape: null when it fits, else the reason it does not. */
export type CsvShape = (cells: readonly string[]) => string | null;

/** A quoted field longer than this many lines or characters is taken for an unclosed quote. */
export const MAX_RECORD_LINES = 20_000;
export const MAX_RECORD_CHARS = 16 << 20;

interface Line {
  line: number;
  text: string;
}

/** Scanning state of one record across its lines. */
interface Scan {
  cells: string[];
  /** Text of the quoted field still open at the end of the last line, or null when no field is open. */
  open: string | null;
  chars: number;
}

type LineResult = { kind: 'done' } | { kind: 'open' } | { kind: 'bad'; reason: string };

/** Scans one physical line into `scan`, continuing an open quoted field. */
function scanLine(scan: Scan, text: string): LineResult {
  let i = 0;
  const field: string | null = scan.open;
  scan.open = null;
  if (field !== null) {
    const r = quotedTail(text, 0, field);
    if (r.end === -1) {
      scan.open = r.value;
      return { kind: 'open' };
    }
    scan.cells.push(r.value);
    i = r.end;
    if (i < text.length && text[i] !== ',') return afterQuote(text, i);
    if (i >= text.length) return { kind: 'done' };
    i++; // the delimiter
  }
  for (;;) {
    if (text[i] === '"') {
      const r = quotedTail(text, i + 1, '');
      if (r.end === -1) {
        scan.open = r.value;
        return { kind: 'open' };
      }
      scan.cells.push(r.value);
      i = r.end;
      if (i >= text.length) return { kind: 'done' };
      if (text[i] !== ',') return afterQuote(text, i);
      i++;
      continue;
    }
    const comma = text.indexOf(',', i);
    const cell = comma === -1 ? text.slice(i) : text.slice(i, comma);
    if (cell.includes('"')) return { kind: 'bad', reason: 'a quote inside an unquoted field' };
    scan.cells.push(cell);
    if (comma === -1) return { kind: 'done' };
    i = comma + 1;
  }
}

/** Reads a quoted field's text from `start` (after the opening quote); end -1 when the line ends inside it. */
function quotedTail(text: string, start: number, prefix: string): { value: string; end: number } {
  let value = prefix;
  let i = start;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q === -1) return { value: value + text.slice(i), end: -1 };
    value += text.slice(i, q);
    if (text[q + 1] === '"') {
      value += '"';
      i = q + 2;
      continue;
    }
    return { value, end: q + 1 };
  }
}

function afterQuote(text: string, i: number): LineResult {
  return { kind: 'bad', reason: `unexpected ${JSON.stringify(text[i])} after a closing quote` };
}

/** A report being held back in case the next malformed record is part of the same damage. */
interface HeldReport {
  row: Extract<CsvRow, { ok: false }>;
  /** Lines up to here were re-read after a multi-line failure; malformed records starting here extend `row`. */
  regionEnd: number;
}

/** Turns physical lines into CSV records; push lines in order, then call end(). */
export class CsvSplitter {
  private lines: Line[] = [];
  private scan: Scan = { cells: [], open: null, chars: 0 };
  private held: HeldReport | null = null;
  /** Lines up to this number are being re-read after a multi-line failure. */
  private regionEnd = 0;

  constructor(private readonly shape: CsvShape) {}

  push(line: number, text: string): CsvRow[] {
    const out: CsvRow[] = [];
    this.feed([{ line, text }], out);
    return out;
  }

  end(): CsvRow[] {
    const out: CsvRow[] = [];
    while (this.lines.length > 0)
      this.feed(this.fail('a quoted field is not closed before the end of the file', out), out);
    this.flushHeld(out);
    return out;
  }

  private feed(queue: Line[], out: CsvRow[]): void {
    while (queue.length > 0) {
      const l = queue.shift()!;
      if (this.lines.length === 0 && l.text.trim() === '') continue;
      this.lines.push(l);
      this.scan.chars += l.text.length;
      const r = scanLine(this.scan, l.text);
      if (r.kind === 'open') {
        if (this.lines.length >= MAX_RECORD_LINES || this.scan.chars >= MAX_RECORD_CHARS)
          queue.unshift(...this.fail('a quoted field is not closed (record too long)', out));
        else this.scan.open += '\n';
        continue;
      }
      const reason = r.kind === 'bad' ? r.reason : this.shape(this.scan.cells);
      if (reason === null) this.accept(out);
      else queue.unshift(...this.fail(reason, out));
    }
  }

  private accept(out: CsvRow[]): void {
    this.flushHeld(out);
    out.push({ ok: true, line: this.lines[0].line, cells: this.scan.cells });
    this.reset();
  }

  /** Reports the current record's first line and returns the lines after it, to be read again. */
  private fail(reason: string, out: CsvRow[]): Line[] {
    const [first, ...rest] = this.lines;
    const spanned = rest.length > 0;
    this.reset();
    if (spanned) this.regionEnd = Math.max(this.regionEnd, rest[rest.length - 1].line);
    const held = this.held;
    if (held && first.line <= held.regionEnd) {
      held.row.endLine = first.line;
      held.regionEnd = this.regionEnd;
    } else {
      this.flushHeld(out);
      const why = spanned
        ? `unbalanced quote: the record it opens breaks at line ${rest[rest.length - 1].line} (${reason}); the lines after this one are read as rows`
        : reason;
      this.held = { row: { ok: false, line: first.line, reason: why }, regionEnd: this.regionEnd };
    }
    return rest;
  }

  private flushHeld(out: CsvRow[]): void {
    if (this.held) out.push(this.held.row);
    this.held = null;
  }

  private reset(): void {
    this.lines = [];
    this.scan = { cells: [], open: null, chars: 0 };
  }
}
