import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_DOCS_PATH, renderErrorDocs } from '../scripts/gen-error-docs.ts';
import { ERROR_CODES, isLineageError, lineageError, LineageError } from '../src/errors.ts';
import type { ErrorCode } from '../src/errors.ts';
import { DIAGNOSTIC_CODES } from '../src/model/diagnostics.ts';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe('error-code registry', () => {
  it('docs/errors.md is generated from the registry (run `npm run docs:errors` after adding a code)', () => {
    expect(readFileSync(ERROR_DOCS_PATH, 'utf8')).toBe(renderErrorDocs());
  });

  it('documents every error code and every diagnostic code exactly once, each in its own table', () => {
    const [errors, diagnostics] = readFileSync(ERROR_DOCS_PATH, 'utf8').split('\n## Diagnostic codes\n');
    const documented = (part: string) => [...part.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented(errors)).toEqual([...codes].sort());
    expect(documented(diagnostics)).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });

  it('gives every diagnostic code an UPPER_SNAKE name with its area prefix and a one-sentence summary', () => {
    for (const [code, d] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(code).toMatch(/^(SQL|DBT|QUERY_LOG|OPENLINEAGE|INGEST)_[A-Z0-9_]+$/);
      expect(['error', 'warning', 'info']).toContain(d.severity);
      expect(d.summary).toMatch(/^[A-Z(`].*\.$/);
    }
  });

  it('gives every code a stable shape: UPPER_SNAKE name, exit 1-127, 4xx/5xx status, one-sentence summary', () => {
    for (const code of codes) {
      const e = ERROR_CODES[code];
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^INTERNAL$/);
      expect(e.exit).toBeGreaterThanOrEqual(1);
      expect(e.exit).toBeLessThanOrEqual(127);
      expect(e.http).toBeGreaterThanOrEqual(400);
      expect(e.http).toBeLessThan(600);
      expect(e.summary).toMatch(/^[A-Z].*\.$/);
      expect(e.summary).not.toContain('\n');
    }
  });

  it('LineageError carries the registry exit code and HTTP status', () => {
    for (const code of codes) {
      const err = lineageError(code, 'something went wrong', { where: 'x' }, new Error('inner'));
      expect(err).toBeInstanceOf(LineageError);
      expect(isLineageError(err)).toBe(true);
      expect(err.code).toBe(code);
      expect(err.exitCode).toBe(ERROR_CODES[code].exit);
      expect(err.httpStatus).toBe(ERROR_CODES[code].http);
      expect(err.details).toEqual({ where: 'x' });
      expect((err.cause as Error).message).toBe('inner');
    }
    expect(isLineageError(new Error('plain'))).toBe(false);
  });

  it("the README's error-code section names only registered codes", () => {
    let readme = '';
    try {
      readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    } catch {
      return; // no README yet
    }
    // The section under a heading that mentions error codes, up to the next heading of any level.
    const section = /^#+ [^\n]*error code[^\n]*\n([\s\S]*?)(?=^#|(?![\s\S]))/im.exec(readme)?.[1] ?? '';
    const named = [...section.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)].map((m) => m[1]);
    for (const code of named) expect(codes, `README names unknown code ${code}`).toContain(code);
  });
});
