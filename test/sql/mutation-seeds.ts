// What the SQL engine's fuzzing starts from, shared by the suite's fixed-seed run (robustness.test.ts) and
// the long run (bench/sql-fuzz.ts): the golden statements, in file-name order, and the noise inserted.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const GOLDEN = join(import.meta.dirname, 'golden');

/** The text of every golden `.sql` file, sorted by file name. */
export function goldenStatements(): string[] {
  return readdirSync(GOLDEN)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => readFileSync(join(GOLDEN, f), 'utf8'));
}

/** Tokens a mutation inserts: brackets, quotes, comment starts and keywords out of place. */
export const SQL_NOISE = [
  '(',
  ')',
  ',',
  ';',
  "'",
  '"',
  '`',
  '--',
  '/*',
  '*/',
  ' SELECT ',
  ' FROM ',
  ' JOIN ',
  ' WITH x AS ',
  ' UNION ',
  '*',
  '.',
  ' CASE ',
  ' END ',
  '::',
  '[',
  '$$',
] as const;
