// Streams one JSON document whose top level is an object without ever holding its whole text. Each
// top-level member's value, or, for members read entry by entry, each member of that object (or element of
// that array), is cut out of the byte stream and parsed on its own with JSON.parse. Memory is bounded by the
// largest single entry plus what the caller keeps, so a manifest above V8's string limit (~512 MB) reads.
// Every byte is syntax-checked: the skeleton by the scanner below, each cut-out value by JSON.parse (also
// in skipped members). Errors carry the absolute byte offset and the JSON path of the entry.

/** How to read one top-level member. */
export type MemberPlan = 'entries' | 'whole' | 'skip';

export interface JsonStreamVisitor {
  /** 'entries': members of an object / elements of an array one by one; 'whole': one value; 'skip': checked, dropped. */
  plan(key: string): MemberPlan;
  /** A whole top-level value (plan 'whole', or plan 'entries' for a value that is not an object or array). */
  whole(key: string, value: unknown): void;
  /** An 'entries' member's value is an object or an array; its entries follow. */
  begin(key: string, kind: 'object' | 'array'): void;
  entry(key: string, entryKey: string | number, value: unknown): void;
  /** The document is not an object at all (then nothing else is called). */
  root(value: unknown): void;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    /** Absolute byte offset of the error. */
    readonly offset: number,
    /** The entry (or member) being read, `$` for the skeleton. */
    readonly jsonPath: string,
    readonly truncated: boolean,
  ) {
    super(message);
  }
}

export interface JsonStreamStats {
  bytes: number;
  /** The largest single value cut out and parsed: the most text the reader ever held at once. */
  maxHeldBytes: number;
  entries: number;
}

const S = {
  START: 0,
  TOP_KEY_OR_END: 1,
  TOP_KEY: 2,
  TOP_COLON: 3,
  TOP_VALUE: 4,
  TOP_NEXT: 5,
  SEC_KEY_OR_END: 6,
  SEC_KEY: 7,
  SEC_COLON: 8,
  SEC_VALUE: 9,
  SEC_NEXT: 10,
  ARR_ELEM_OR_END: 11,
  ARR_ELEM: 12,
  ARR_NEXT: 13,
  DONE: 14,
} as const;
type State = (typeof S)[keyof typeof S];

/** What a finished capture is. */
type Purpose = 'root' | 'topKey' | 'topValue' | 'secKey' | 'entry';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function pathKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Reads `source` (chunks of bytes) and calls `visitor`; throws JsonSyntaxError on malformed or truncated input. */
export async function streamJsonObject(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  visitor: JsonStreamVisitor,
): Promise<JsonStreamStats> {
  const reader = new ObjectStreamReader(visitor);
  for await (const raw of source)
    reader.chunk(
      typeof raw === 'string'
        ? Buffer.from(raw, 'utf8')
        : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
    );
  return reader.end();
}

/** The value being cut out of the byte stream: where it started and how far its scan got. */
interface Capture {
  purpose: Purpose;
  kind: 'container' | 'string' | 'primitive';
  /** Bytes of earlier chunks. */
  parts: Buffer[];
  /** Index in the current chunk where the capture's bytes start (0 after the first chunk). */
  start: number;
  startAbs: number;
  depth: number;
  inStr: boolean;
  esc: boolean;
}

/** A UTF-8 byte order mark, which some editors and Windows tools write before the document. */
const BOM = [0xef, 0xbb, 0xbf];

/**
 * The reader's phases: `chunk` walks the skeleton (`skeleton`, one structural byte at a time) and hands every
 * value to `scanCapture`, which finds where it ends across chunks; `finishCapture` parses it and `deliver`
 * routes it to the visitor and the next skeleton state.
 */
class ObjectStreamReader {
  private state: State = S.START;
  /** Absolute offset of the current chunk. */
  private base = 0;
  private bomBytes = 0;
  private readonly stats: JsonStreamStats = { bytes: 0, maxHeldBytes: 0, entries: 0 };
  private topKey = '';
  private plan: MemberPlan = 'skip';
  private secKey: string | number = '';
  private arrIndex = 0;
  private cap: Capture | null = null;
  /** The purpose of the last capture, which names the path while the skeleton is between values. */
  private lastPurpose: Purpose = 'topKey';

  constructor(private readonly visitor: JsonStreamVisitor) {}

  chunk(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    if (this.cap) this.cap.start = 0;
    while (i < n) i = this.cap ? this.scanCapture(this.cap, chunk, i) : this.skeleton(chunk, i);
    this.base += n;
    this.stats.bytes = this.base;
  }

  end(): JsonStreamStats {
    const cap = this.cap;
    if (cap && cap.kind === 'primitive' && cap.purpose === 'root') {
      // A bare top-level primitive ends at end of input.
      this.cap = null;
      let value: unknown;
      try {
        value = JSON.parse(Buffer.concat(cap.parts).toString('utf8'));
      } catch (err) {
        this.fail((err as Error).message, cap.startAbs);
      }
      this.visitor.root(value);
      return this.stats;
    }
    if (this.state !== S.DONE || cap) this.fail('Unexpected end of JSON input', this.base, true);
    return this.stats;
  }

  private where(): string {
    const purpose = this.cap?.purpose ?? this.lastPurpose;
    if (this.state === S.START || purpose === 'root' || purpose === 'topKey') return '$';
    const top = `$${pathKey(this.topKey)}`;
    if (purpose === 'topValue' || purpose === 'secKey') return top;
    return typeof this.secKey === 'number' ? `${top}[${this.secKey}]` : `${top}${pathKey(this.secKey)}`;
  }

  private fail(message: string, offset: number, truncated = false): never {
    throw new JsonSyntaxError(message, offset, this.where(), truncated);
  }

  private unexpected(c: number, offset: number): never {
    return this.fail(`Unexpected token '${String.fromCharCode(c)}' in JSON at position ${offset}`, offset);
  }

  /** One byte of the document's skeleton (outside any captured value); returns where to go on. */
  private skeleton(chunk: Buffer, i: number): number {
    const c = chunk[i];
    const abs = this.base + i;
    if (this.state === S.START && abs === this.bomBytes && abs < 3 && c === BOM[abs]) {
      this.bomBytes++;
      return i + 1;
    }
    if (isWs(c)) return i + 1;
    switch (this.state) {
      case S.START:
        if (c !== LBRACE) return this.startCapture(chunk, i, 'root');
        this.state = S.TOP_KEY_OR_END;
        return i + 1;
      case S.TOP_KEY_OR_END:
      case S.TOP_KEY:
        if (c === RBRACE && this.state === S.TOP_KEY_OR_END) return this.to(S.DONE, i + 1);
        if (c === QUOTE) return this.startCapture(chunk, i, 'topKey');
        return this.unexpected(c, abs);
      case S.TOP_COLON:
      case S.SEC_COLON:
        if (c !== COLON) this.unexpected(c, abs);
        return this.to(this.state === S.TOP_COLON ? S.TOP_VALUE : S.SEC_VALUE, i + 1);
      case S.TOP_VALUE:
        return this.topValue(chunk, i);
      case S.TOP_NEXT:
        if (c === COMMA) return this.to(S.TOP_KEY, i + 1);
        if (c === RBRACE) return this.to(S.DONE, i + 1);
        return this.unexpected(c, abs);
      case S.SEC_KEY_OR_END:
      case S.SEC_KEY:
        if (c === RBRACE && this.state === S.SEC_KEY_OR_END) return this.to(S.TOP_NEXT, i + 1);
        if (c === QUOTE) return this.startCapture(chunk, i, 'secKey');
        return this.unexpected(c, abs);
      case S.SEC_VALUE:
        return this.startCapture(chunk, i, 'entry');
      case S.SEC_NEXT:
        if (c === COMMA) return this.to(S.SEC_KEY, i + 1);
        if (c === RBRACE) return this.to(S.TOP_NEXT, i + 1);
        return this.unexpected(c, abs);
      case S.ARR_ELEM_OR_END:
      case S.ARR_ELEM:
        if (c === RBRACKET && this.state === S.ARR_ELEM_OR_END) return this.to(S.TOP_NEXT, i + 1);
        this.secKey = this.arrIndex;
        this.state = S.ARR_ELEM;
        return this.startCapture(chunk, i, 'entry');
      case S.ARR_NEXT:
        if (c === COMMA) return this.to(S.ARR_ELEM, i + 1);
        if (c === RBRACKET) return this.to(S.TOP_NEXT, i + 1);
        return this.unexpected(c, abs);
      case S.DONE:
        return this.fail(`Unexpected non-whitespace character after JSON at position ${abs}`, abs);
    }
  }

  private to(state: State, i: number): number {
    this.state = state;
    return i;
  }

  /** A top-level member's value: entered entry by entry, or captured whole. */
  private topValue(chunk: Buffer, i: number): number {
    const c = chunk[i];
    this.plan = this.visitor.plan(this.topKey);
    if (this.plan !== 'whole' && c === LBRACE) {
      if (this.plan === 'entries') this.visitor.begin(this.topKey, 'object');
      return this.to(S.SEC_KEY_OR_END, i + 1);
    }
    if (this.plan !== 'whole' && c === LBRACKET) {
      if (this.plan === 'entries') this.visitor.begin(this.topKey, 'array');
      this.arrIndex = 0;
      return this.to(S.ARR_ELEM_OR_END, i + 1);
    }
    return this.startCapture(chunk, i, 'topValue');
  }

  private startCapture(chunk: Buffer, i: number, purpose: Purpose): number {
    const c = chunk[i];
    const kind = c === LBRACE || c === LBRACKET ? 'container' : c === QUOTE ? 'string' : 'primitive';
    this.cap = {
      purpose,
      kind,
      parts: [],
      start: i,
      startAbs: this.base + i,
      depth: 0,
      inStr: false,
      esc: false,
    };
    this.lastPurpose = purpose;
    if (kind === 'string') this.cap.inStr = true; // the opening quote, scanned past below
    return this.scanCapture(this.cap, chunk, kind === 'string' ? i + 1 : i);
  }

  /** Advances the capture from i; returns where scanning resumes (chunk.length when the capture goes on). */
  private scanCapture(cap: Capture, chunk: Buffer, i: number): number {
    const end = cap.kind === 'primitive' ? primitiveEnd(chunk, i) : this.nestedEnd(cap, chunk, i);
    if (end === -1) {
      cap.parts.push(chunk.subarray(cap.start));
      return chunk.length;
    }
    this.finishCapture(cap, chunk, end);
    return end;
  }

  /** End (exclusive) of a string or container value in this chunk, or -1 when it goes on. */
  private nestedEnd(cap: Capture, chunk: Buffer, i: number): number {
    const n = chunk.length;
    while (i < n) {
      if (cap.inStr) {
        i = stringEnd(cap, chunk, i);
        if (i === -1) return -1;
        if (cap.kind === 'string') return i;
        continue;
      }
      for (; i < n; i++) {
        const c = chunk[i];
        if (c === QUOTE) {
          cap.inStr = true;
          i++;
          break;
        }
        if (c === LBRACE || c === LBRACKET) cap.depth++;
        else if ((c === RBRACE || c === RBRACKET) && --cap.depth === 0) return i + 1;
      }
    }
    return -1;
  }

  private finishCapture(cap: Capture, chunk: Buffer, end: number): void {
    this.cap = null;
    const last = chunk.subarray(cap.start, end);
    const bytes = cap.parts.length > 0 ? Buffer.concat([...cap.parts, last]) : last;
    if (bytes.length > this.stats.maxHeldBytes) this.stats.maxHeldBytes = bytes.length;
    const text = bytes.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      const pos = /position (\d+)/.exec(message);
      const abs = cap.startAbs + (pos ? Buffer.byteLength(text.slice(0, Number(pos[1])), 'utf8') : 0);
      this.fail(message.replace(/position \d+/, `position ${abs}`), abs);
    }
    this.deliver(cap.purpose, value);
  }

  /** Hands a parsed value to the visitor and moves the skeleton on. */
  private deliver(purpose: Purpose, value: unknown): void {
    switch (purpose) {
      case 'root':
        this.state = S.DONE;
        this.visitor.root(value);
        return;
      case 'topKey':
        this.topKey = value as string;
        this.state = S.TOP_COLON;
        return;
      case 'topValue':
        this.state = S.TOP_NEXT;
        if (this.plan !== 'skip') this.visitor.whole(this.topKey, value);
        return;
      case 'secKey':
        this.secKey = value as string;
        this.state = S.SEC_COLON;
        return;
      case 'entry':
        this.stats.entries++;
        if (this.plan === 'entries') this.visitor.entry(this.topKey, this.secKey, value);
        if (this.state === S.SEC_VALUE) this.state = S.SEC_NEXT;
        else {
          this.state = S.ARR_NEXT;
          this.arrIndex++;
        }
        return;
    }
  }
}

/** End of a primitive (number, true, false, null) in this chunk, or -1 when it may go on. */
function primitiveEnd(chunk: Buffer, i: number): number {
  for (; i < chunk.length; i++) {
    const c = chunk[i];
    if (c === COMMA || c === RBRACE || c === RBRACKET || isWs(c)) return i;
  }
  return -1;
}

/** Index after the closing quote of the string being scanned, or -1 when the chunk ends inside it. */
function stringEnd(cap: Capture, chunk: Buffer, i: number): number {
  const n = chunk.length;
  while (i < n) {
    if (cap.esc) {
      cap.esc = false;
      i++;
      continue;
    }
    const q = chunk.indexOf(QUOTE, i);
    const bs = chunk.indexOf(BACKSLASH, i);
    const stop = q === -1 ? n : q;
    if (bs !== -1 && bs < stop) {
      if (bs + 1 >= n) {
        cap.esc = true;
        return -1;
      }
      i = bs + 2;
      continue;
    }
    if (q === -1) return -1;
    cap.inStr = false;
    return q + 1;
  }
  return -1;
}
