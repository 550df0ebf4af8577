// test/helpers/golden.ts: a missing expectation fails unless UPDATE_GOLDEN=1, which writes it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectGolden } from '../helpers/golden.ts';

const dir = mkdtempSync(join(tmpdir(), 'golden-helper-'));
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('expectGolden', () => {
  it('fails on a missing expectation file and does not create it', () => {
    vi.stubEnv('UPDATE_GOLDEN', '');
    const file = join(dir, 'missing.json');
    expect(() => expectGolden(file, 'x\n')).toThrow(/missing: run with UPDATE_GOLDEN=1/);
    expect(existsSync(file)).toBe(false);
  });
  it('fails on a different expectation and passes on the same one', () => {
    vi.stubEnv('UPDATE_GOLDEN', '');
    const file = join(dir, 'present.json');
    writeFileSync(file, 'a\n');
    expect(() => expectGolden(file, 'b\n')).toThrow();
    expect(() => expectGolden(file, 'a\n')).not.toThrow();
  });
  it('writes the expectation under UPDATE_GOLDEN=1', () => {
    vi.stubEnv('UPDATE_GOLDEN', '1');
    const file = join(dir, 'new.json');
    expectGolden(file, 'c\n');
    expect(readFileSync(file, 'utf8')).toBe('c\n');
    rmSync(dir, { recursive: true, force: true });
  });
});
