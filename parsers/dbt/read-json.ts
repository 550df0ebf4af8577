// Reads one dbt artifact file as JSON. Invalid or truncated JSON becomes DBT_INVALID_JSON naming the file
// and the position; the text is released as soon as it is parsed (one extra copy at most).
import { readFile } from 'node:fs/promises';
import { lineageError } from '../../src/errors.ts';

export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw lineageError('LINEAGE_NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`, { file }, err);
  }
  return parseJsonText(text, file);
}

export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    const position = pos ? Number(pos[1]) : text.length;
    const { line, column } = lineColumn(text, position);
    const truncated = /end of JSON input|Unterminated|Expected/.test(message) && position >= text.length - 1;
    throw lineageError(
      'DBT_INVALID_JSON',
      `${file}: invalid JSON at line ${line} column ${column}${truncated ? ' (the file looks truncated)' : ''}: ${message}`,
      { file, jsonPath: '$', line, column, position },
      err,
    );
  }
}

function lineColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  const end = Math.min(position, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: end - last };
}
