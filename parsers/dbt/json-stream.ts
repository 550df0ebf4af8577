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
  let state: State = S.START;
  let base = 0; // absolute offset of the current chunk
  const stats: JsonStreamStats = { bytes: 0, maxHeldBytes: 0, entries: 0 };

  let topKey = '';
  let plan: MemberPlan = 'skip';
  let secKey: string | number = '';
  let arrIndex = 0;

  // The capture in progress.
  let capturing = false;
  let purpose: Purpose = 'topKey';
  let kind: 'container' | 'string' | 'primitive' = 'string';
  let parts: Buffer[] = [];
  let capStart = 0; // index in the current chunk
  let capStartAbs = 0;
  let depth = 0;
  let inStr = false;
  let esc = false;

  const where = (): string => {
    if (state === S.START || purpose === 'root') return '$';
    if (purpose === 'topKey') return '$';
    const top = `$${pathKey(topKey)}`;
    if (purpose === 'topValue') return top;
    if (purpose === 'secKey') return top;
    return typeof secKey === 'number' ? `${top}[${secKey}]` : `${top}${pathKey(secKey)}`;
  };
  const fail = (message: string, offset: number, truncated = false): never => {
    throw new JsonSyntaxError(message, offset, where(), truncated);
  };
  const unexpected = (c: number, offset: number): never =>
    fail(`Unexpected token '${String.fromCharCode(c)}' in JSON at position ${offset}`, offset);

  const startCapture = (chunk: Buffer, i: number, p: Purpose): void => {
    capturing = true;
    purpose = p;
    parts = [];
    capStart = i;
    capStartAbs = base + i;
    const c = chunk[i];
    if (c === LBRACE || c === LBRACKET) {
      kind = 'container';
      depth = 0;
      inStr = false;
    } else if (c === QUOTE) {
      kind = 'string';
      inStr = false; // the opening quote is consumed by the scan below
    } else kind = 'primitive';
    esc = false;
  };

  const finishCapture = (chunk: Buffer, end: number): void => {
    capturing = false;
    const last = chunk.subarray(capStart, end);
    const bytes = parts.length > 0 ? Buffer.concat([...parts, last]) : last;
    parts = [];
    if (bytes.length > stats.maxHeldBytes) stats.maxHeldBytes = bytes.length;
    const text = bytes.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      const pos = /position (\d+)/.exec(message);
      const rel = pos ? Buffer.byteLength(text.slice(0, Number(pos[1])), 'utf8') : 0;
      const abs = capStartAbs + rel;
      fail(message.replace(/position \d+/, `position ${abs}`), abs);
    }
    switch (purpose) {
      case 'root':
        state = S.DONE;
        visitor.root(value);
        return;
      case 'topKey':
        topKey = value as string;
        state = S.TOP_COLON;
        return;
      case 'topValue':
        state = S.TOP_NEXT;
        if (plan !== 'skip') visitor.whole(topKey, value);
        return;
      case 'secKey':
        secKey = value as string;
        state = S.SEC_COLON;
        return;
      case 'entry':
        stats.entries++;
        if (plan === 'entries') visitor.entry(topKey, secKey, value);
        if (state === S.SEC_VALUE) state = S.SEC_NEXT;
        else {
          state = S.ARR_NEXT;
          arrIndex++;
        }
        return;
    }
  };

  /** Advances the capture from i; returns where scanning resumes (chunk.length when the capture goes on). */
  const scanCapture = (chunk: Buffer, i: number): number => {
    const n = chunk.length;
    if (kind === 'primitive') {
      while (i < n) {
        const c = chunk[i];
        if (c === COMMA || c === RBRACE || c === RBRACKET || isWs(c)) {
          finishCapture(chunk, i);
          return i;
        }
        i++;
      }
      parts.push(chunk.subarray(capStart));
      capStart = 0;
      return n;
    }
    if (kind === 'string' && !inStr && i === capStart && base + i === capStartAbs) {
      inStr = true; // skip the opening quote
      i++;
    }
    let nextBs = -2;
    while (i < n) {
      if (inStr) {
        if (esc) {
          esc = false;
          i++;
          continue;
        }
        const q = chunk.indexOf(QUOTE, i);
        if (nextBs !== -1 && nextBs < i) nextBs = chunk.indexOf(BACKSLASH, i);
        const end = q === -1 ? n : q;
        if (nextBs !== -1 && nextBs < end) {
          if (nextBs + 1 >= n) {
            esc = true;
            i = n;
          } else i = nextBs + 2;
          continue;
        }
        if (q === -1) {
          i = n;
          break;
        }
        inStr = false;
        i = q + 1;
        if (kind === 'string') {
          finishCapture(chunk, i);
          return i;
        }
        continue;
      }
      for (; i < n; i++) {
        const c = chunk[i];
        if (c === QUOTE) {
          inStr = true;
          i++;
          break;
        }
        if (c === LBRACE || c === LBRACKET) depth++;
        else if (c === RBRACE || c === RBRACKET) {
          depth--;
          if (depth === 0) {
            finishCapture(chunk, i + 1);
            return i + 1;
          }
        }
      }
    }
    parts.push(chunk.subarray(capStart));
    capStart = 0;
    return n;
  };

  for await (const raw of source) {
    const chunk =
      typeof raw === 'string'
        ? Buffer.from(raw, 'utf8')
        : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const n = chunk.length;
    let i = 0;
    if (capturing) capStart = 0;
    while (i < n) {
      if (capturing) {
        i = scanCapture(chunk, i);
        continue;
      }
      const c = chunk[i];
      if (isWs(c)) {
        i++;
        continue;
      }
      switch (state as State) {
        case S.START:
          if (c === LBRACE) {
            state = S.TOP_KEY_OR_END;
            i++;
          } else startCapture(chunk, i, 'root');
          break;
        case S.TOP_KEY_OR_END:
        case S.TOP_KEY:
          if (c === RBRACE && state === S.TOP_KEY_OR_END) {
            state = S.DONE;
            i++;
          } else if (c === QUOTE) startCapture(chunk, i, 'topKey');
          else unexpected(c, base + i);
          break;
        case S.TOP_COLON:
          if (c !== COLON) unexpected(c, base + i);
          state = S.TOP_VALUE;
          i++;
          break;
        case S.TOP_VALUE:
          plan = visitor.plan(topKey);
          if (plan !== 'whole' && c === LBRACE) {
            if (plan === 'entries') visitor.begin(topKey, 'object');
            state = S.SEC_KEY_OR_END;
            i++;
          } else if (plan !== 'whole' && c === LBRACKET) {
            if (plan === 'entries') visitor.begin(topKey, 'array');
            state = S.ARR_ELEM_OR_END;
            arrIndex = 0;
            i++;
          } else startCapture(chunk, i, 'topValue');
          break;
        case S.TOP_NEXT:
          if (c === COMMA) state = S.TOP_KEY;
          else if (c === RBRACE) state = S.DONE;
          else unexpected(c, base + i);
          i++;
          break;
        case S.SEC_KEY_OR_END:
        case S.SEC_KEY:
          if (c === RBRACE && state === S.SEC_KEY_OR_END) {
            state = S.TOP_NEXT;
            i++;
          } else if (c === QUOTE) startCapture(chunk, i, 'secKey');
          else unexpected(c, base + i);
          break;
        case S.SEC_COLON:
          if (c !== COLON) unexpected(c, base + i);
          state = S.SEC_VALUE;
          i++;
          break;
        case S.SEC_VALUE:
          startCapture(chunk, i, 'entry');
          break;
        case S.SEC_NEXT:
          if (c === COMMA) state = S.SEC_KEY;
          else if (c === RBRACE) state = S.TOP_NEXT;
          else unexpected(c, base + i);
          i++;
          break;
        case S.ARR_ELEM_OR_END:
        case S.ARR_ELEM:
          if (c === RBRACKET && state === S.ARR_ELEM_OR_END) {
            state = S.TOP_NEXT;
            i++;
          } else {
            secKey = arrIndex;
            state = S.ARR_ELEM;
            startCapture(chunk, i, 'entry');
          }
          break;
        case S.ARR_NEXT:
          if (c === COMMA) state = S.ARR_ELEM;
          else if (c === RBRACKET) state = S.TOP_NEXT;
          else unexpected(c, base + i);
          i++;
          break;
        case S.DONE:
          fail(`Unexpected non-whitespace character after JSON at position ${base + i}`, base + i);
      }
    }
    base += n;
    stats.bytes = base;
  }
  if (capturing && (kind as string) === 'primitive' && (purpose as Purpose) === 'root') {
    // A bare top-level primitive ends at end of input.
    capturing = false;
    const bytes = Buffer.concat(parts);
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      fail((err as Error).message, capStartAbs);
    }
    visitor.root(value);
    return stats;
  }
  if (state !== S.DONE || capturing) fail('Unexpected end of JSON input', base, true);
  return stats;
}
