// The one golden-file helper. `UPDATE_GOLDEN=1` writes the actual text as the expectation; otherwise a
// missing expectation file fails (a new golden never passes by writing itself) and a present one must
// match byte for byte. Review regenerated files like code.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export const updatingGolden = (): boolean => process.env.UPDATE_GOLDEN === '1';

/** Compares `actual` with the expectation file `file` (or rewrites it under UPDATE_GOLDEN=1). */
export function expectGolden(file: string, actual: string): void {
  if (updatingGolden()) {
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** The same for a JSON value, rendered with two-space indentation and a final newline. */
export function expectGoldenJson(file: string, value: unknown): void {
  expectGolden(file, `${JSON.stringify(value, null, 2)}\n`);
}
