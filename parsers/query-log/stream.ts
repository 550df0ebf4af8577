// Streaming primitives shared by the readers: lines and CSV rows with their 1-based line numbers. Memory is
// bounded by the longest record, never by the file.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CsvSplitter, type CsvRow, type CsvShape } from './csv.ts';
import type { ReadOptions } from './types.ts';

function fileStream(file: string, hooks: ReadOptions) {
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
  hooks: ReadOptions,
): AsyncGenerator<{ line: number; text: string }> {
  const rl = createInterface({ input: fileStream(file, hooks), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    yield { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text };
  }
}

/**
 * Rows of a CSV file as arrays of strings (no header handling), each with the line it starts on. `shape`
 * says whether a complete record fits (column count); a record that does not, or that breaks the CSV
 * grammar, comes back as one `ok: false` row and reading continues with the rows after it (csv.ts).
 */
export async function* readCsv(file: string, hooks: ReadOptions, shape: CsvShape): AsyncGenerator<CsvRow> {
  const splitter = new CsvSplitter(shape);
  for await (const { line, text } of readLines(file, hooks)) yield* splitter.push(line, text);
  yield* splitter.end();
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
