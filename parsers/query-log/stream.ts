// Streaming primitives shared by the readers: lines and CSV rows with their 1-based line numbers. Memory is
// bounded by the longest record, never by the file. The only importer of csv-parse in this folder.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import type { ReaderHooks } from './types.ts';

function fileStream(file: string, hooks: ReaderHooks) {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  if (hooks.onBytes) {
    const onBytes = hooks.onBytes;
    stream.on('data', (chunk) => onBytes(chunk.length));
  }
  return stream;
}

/** Lines of a text file (any of \n, \r\n), with their 1-based numbers. */
export async function* readLines(
  file: string,
  hooks: ReaderHooks,
): AsyncGenerator<{ line: number; text: string }> {
  const rl = createInterface({ input: fileStream(file, hooks), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    yield { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text };
  }
}

export type CsvRow =
  { ok: true; line: number; cells: string[] } | { ok: false; line: number; reason: string };

/**
 * Rows of a CSV file as arrays of strings (no header handling), with the line each row starts on. Rows
 * the CSV grammar rejects (an unclosed quote…) come back as `ok: false` and reading continues.
 */
export async function* readCsv(file: string, hooks: ReaderHooks): AsyncGenerator<CsvRow> {
  const skipped: CsvRow[] = [];
  let lastEnd = 0;
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      const lines = (err as { lines?: number } | undefined)?.lines ?? lastEnd + 1;
      skipped.push({ ok: false, line: lastEnd + 1, reason: err?.message ?? 'invalid CSV record' });
      lastEnd = lines;
      return undefined;
    },
  });
  const source = fileStream(file, hooks);
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    while (skipped.length > 0) yield skipped.shift()!;
    const start = lastEnd + 1;
    lastEnd = item.info.lines;
    yield { ok: true, line: start, cells: item.record };
  }
  while (skipped.length > 0) yield skipped.shift()!;
}

/** First non-whitespace character of a file (to tell JSON lines from CSV), or '' when the head is blank. */
export async function firstChar(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const m = /\S/.exec(head);
    return m ? m[0] : '';
  } finally {
    await handle.close();
  }
}
