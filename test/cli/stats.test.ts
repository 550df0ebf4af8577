// `lineage stats` (docs/neo4j.md tells users to run it): counts of the configured store, per origin, as a
// table and as JSON, on an embedded store in a temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { dbtBatch } from '../helpers/shapes.ts';

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

describe('lineage stats', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lineage-stats-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the store counts and one row per origin, or JSON', async () => {
    const store = await openEmbeddedStore({ dataDir });
    await store.applyBatch(dbtBatch());
    const expected = await store.stats();
    await store.close();

    const io = fakeIO();
    expect(await main(['stats', '--data-dir', dataDir], io)).toBe(0);
    const text = io.stdout.join('');
    expect(text).toMatch(/^store +embedded$/m);
    expect(text).toMatch(new RegExp(`^relations +${expected.relations}$`, 'm'));
    expect(text).toMatch(new RegExp(`^column edges +${expected.columnEdges}$`, 'm'));
    expect(text).toMatch(/^dbt:proj +dbt_manifest /m);

    const json = fakeIO();
    expect(await main(['stats', '--data-dir', dataDir, '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdout.join(''))).toEqual({ store: 'embedded', ...expected });
  });

  it('has --help', async () => {
    const io = fakeIO();
    expect(await main(['stats', '--help'], io)).toBe(0);
    expect(io.stdout.join('')).toContain('lineage stats');
  });
});
