// The CLI skeleton end to end: real `node bin/lineage.mjs` processes for bad input (one line, a code, a
// non-zero exit, no stack trace) and in-process `main()` for every command's --help.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';

const BIN = new URL('../../bin/lineage.mjs', import.meta.url).pathname;
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function lineage(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr: stderr.replace(/^npm warn.*\n/gm, '') });
      },
    );
  });
}

function fakeIO(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    stdin: new PassThrough(),
    isTTY: false,
    env: {},
  };
}

const ONE_LINE_ERROR = /^error \[([A-Z0-9_]+)\]: [^\n]+\n$/;

describe('lineage CLI (real processes)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lineage-cli-'));
  const runs: Record<string, Run> = {};
  const cases: Record<string, string[]> = {
    version: ['--version'],
    unknownCommand: ['frobnicate'],
    missingDir: ['ingest', 'dbt', join(dataDir, 'no-such-target')],
    unknownFormat: ['ingest', 'query-log', BIN, '--format', 'oracle-audit'],
    badRef: ['impact', 'no_such_db.no_such_schema.no_such_table.col', '--data-dir', dataDir],
    unknownFlag: ['impact', 'x', '--frobnicate'],
    badRefJson: ['impact', 'no_such_db.no_such_schema.no_such_table.col', '--json', '--data-dir', dataDir],
  };

  beforeAll(async () => {
    // Started together: each process pays tsx start-up, so this keeps the file fast.
    const entries = await Promise.all(
      Object.entries(cases).map(async ([name, args]) => [name, await lineage(args)] as const),
    );
    for (const [name, run] of entries) runs[name] = run;
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('--version prints the package version', () => {
    expect(runs.version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it.each([
    ['unknownCommand', 'LINEAGE_BAD_ARGUMENT', 2],
    ['missingDir', 'LINEAGE_NOT_FOUND', 3],
    ['unknownFormat', 'QUERY_LOG_UNKNOWN_FORMAT', 2],
    ['badRef', 'LINEAGE_NOT_FOUND', 3],
    ['unknownFlag', 'LINEAGE_BAD_ARGUMENT', 2],
  ])('%s: one-line error with code %s, exit %i, no stack trace', (name, code, exit) => {
    const run = runs[name];
    expect(run.stderr).toMatch(ONE_LINE_ERROR);
    expect(ONE_LINE_ERROR.exec(run.stderr)?.[1]).toBe(code);
    expect(run.code).toBe(exit);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('--json: the error is also one JSON object on stdout, with the same code and exit', () => {
    const run = runs.badRefJson;
    expect(ONE_LINE_ERROR.exec(run.stderr)?.[1]).toBe('LINEAGE_NOT_FOUND');
    expect(run.code).toBe(3);
    expect(run.stdout.endsWith('\n')).toBe(true);
    const body = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe('LINEAGE_NOT_FOUND');
    expect(run.stderr).toBe(`error [LINEAGE_NOT_FOUND]: ${body.error.message}\n`);
  });
});

describe('lineage CLI (in process)', () => {
  it('lists every command in --help and exits 0; no command is usage with exit 2', async () => {
    const io = fakeIO();
    expect(await main(['--help'], io)).toBe(0);
    const text = io.stdout.join('');
    expect(text).toMatch(/^usage: lineage <command>/);
    for (const c of ['ingest', 'impact', 'upstream', 'unused', 'complexity', 'diff', 'sql', 'serve', 'demo'])
      expect(text).toMatch(new RegExp(`^  ${c} `, 'm'));
    const none = fakeIO();
    expect(await main([], none)).toBe(2);
  });

  it('every command answers --help with its usage on stdout and exit 0', async () => {
    const io = fakeIO();
    await main(['--help'], io);
    const commands = [...io.stdout.join('').matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThanOrEqual(9);
    for (const args of [...commands.map((c) => [c]), ['ingest', 'dbt'], ['ingest', 'query-log']]) {
      const cmd = fakeIO();
      const code = await main([...args, '--help'], cmd);
      expect({ args, code, err: cmd.stderr.join('') }).toEqual({ args, code: 0, err: '' });
      expect(cmd.stdout.join('')).toMatch(/^usage: lineage /);
    }
  });

  it('--json errors: an unknown flag is JSON on stdout too; after `--`, --json is not a flag', async () => {
    const bad = fakeIO();
    expect(await main(['impact', 'x', '--json', '--frobnicate'], bad)).toBe(2);
    expect(JSON.parse(bad.stdout.join('')).error.code).toBe('LINEAGE_BAD_ARGUMENT');
    const plain = fakeIO();
    expect(await main(['impact', 'x', '--frobnicate', '--', '--json'], plain)).toBe(2);
    expect(plain.stdout.join('')).toBe('');
  });

  it('prints multi-line error messages as one line', async () => {
    const io = fakeIO();
    // A ref containing a newline reaches the error path with a two-line message.
    const code = await main(['frob\nnicate'], io);
    expect(code).toBe(2);
    expect(io.stderr.join('')).toMatch(ONE_LINE_ERROR);
  });
});
