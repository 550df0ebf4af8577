// The one golden-file helper. `UPDATE_GOLDEN=1` writes the actual text as the expectation; otherwise a
// missing expectation file fails (a new golden never passes by writing itself) and a present one must
// match byte for byte. Review regenerated files like code.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

export const updatingGolden = (): boolean => process.env.UPDATE_GOLDEN === '1';

/** Compares `actual` with the expectation file `file` (or rewrites it under UPDATE_GOLDEN=1). */
export function expectGolden(file: string, actual: string): void {
  if (updatingGolden()) return writeExpectation(file, actual);
  expectPresent(file);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** The same for a JSON value, rendered with two-space indentation and a final newline. */
export function expectGoldenJson(file: string, value: unknown): void {
  expectGolden(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** A JSON value compared as a value, not as text: for expectation files prettier formats. */
export function expectGoldenValue(file: string, value: unknown): void {
  if (updatingGolden()) return writeExpectation(file, `${JSON.stringify(value, null, 2)}\n`);
  expectPresent(file);
  expect(JSON.parse(JSON.stringify(value))).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

function writeExpectation(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function expectPresent(file: string): void {
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
}
