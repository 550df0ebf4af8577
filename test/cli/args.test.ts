import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromFlags, parseCommand, requireDirectory, requireFile } from '../../src/cli/args.ts';
import { isLineageError } from '../../src/errors.ts';

const spec = {
  name: 'impact',
  usage: 'impact <ref> [--change KIND]',
  help: ['  --change <kind>     DROP|RENAME'],
  options: { change: { type: 'string' as const } },
  positionals: 1,
};

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isLineageError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

describe('parseCommand', () => {
  const out: string[] = [];
  const io = { out: (t: string) => void out.push(t) };

  it('parses command flags, common flags and positionals', () => {
    const p = parseCommand(['a.b.c', '--change', 'DROP', '--json', '--data-dir', 'd'], spec, io);
    expect(p.help).toBe(false);
    expect(p.positionals).toEqual(['a.b.c']);
    expect({ ...p.values }).toEqual({ change: 'DROP', json: true, 'data-dir': 'd', help: false });
  });

  it('turns parse problems into one-line LINEAGE_BAD_ARGUMENT errors naming the command', () => {
    expect(errorOf(() => parseCommand(['x', '--nope'], spec, io))).toBe(
      "LINEAGE_BAD_ARGUMENT: lineage impact: Unknown option '--nope' (see 'lineage impact --help')",
    );
    expect(errorOf(() => parseCommand(['x', '--change'], spec, io))).toMatch(
      /^LINEAGE_BAD_ARGUMENT: lineage impact: Option '--change <value>' argument missing/,
    );
    expect(errorOf(() => parseCommand([], spec, io))).toBe(
      'LINEAGE_BAD_ARGUMENT: lineage impact: expected 1 argument(s), got 0 (usage: lineage impact <ref> [--change KIND])',
    );
    expect(errorOf(() => parseCommand(['a', 'b', 'c'], { ...spec, positionals: [1, 2] }, io))).toMatch(
      /expected 1-2 argument\(s\), got 3/,
    );
  });

  it('prints help (command lines, then the common flags) and skips positional checks', () => {
    out.length = 0;
    const p = parseCommand(['--help'], spec, io);
    expect(p.help).toBe(true);
    const text = out.join('');
    expect(text.split('\n').slice(0, 3)).toEqual([
      'usage: lineage impact <ref> [--change KIND]',
      '',
      '  --change <kind>     DROP|RENAME',
    ]);
    expect(text).toContain('--data-dir <dir>');
  });
});

describe('configFromFlags', () => {
  it('applies --data-dir and --store over the environment', () => {
    const c = configFromFlags({ env: { LINEAGE_DATA_DIR: 'env' } }, { 'data-dir': 'flag', store: 'neo4j' });
    expect(c.dataDir).toBe('flag');
    expect(c.store).toBe('neo4j');
    expect(configFromFlags({ env: { LINEAGE_DATA_DIR: 'env' } }, {}).dataDir).toBe('env');
    expect(errorOf(() => configFromFlags({ env: {} }, { store: 'sqlite' }))).toBe(
      "LINEAGE_BAD_ARGUMENT: unknown store 'sqlite' (expected embedded or neo4j)",
    );
  });
});

describe('requireDirectory / requireFile', () => {
  it('accept what exists and name what does not with LINEAGE_NOT_FOUND', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-args-'));
    const file = join(dir, 'f.json');
    writeFileSync(file, '{}');
    try {
      expect(errorOf(() => requireDirectory(dir))).toBe('no error');
      expect(errorOf(() => requireFile(file))).toBe('no error');
      expect(errorOf(() => requireDirectory(join(dir, 'missing'), 'dbt target directory'))).toBe(
        `LINEAGE_NOT_FOUND: dbt target directory '${join(dir, 'missing')}' does not exist`,
      );
      expect(errorOf(() => requireDirectory(file))).toMatch(/is not a directory$/);
      expect(errorOf(() => requireFile(dir))).toMatch(/is not a file$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
