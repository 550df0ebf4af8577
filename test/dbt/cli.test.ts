// `lineage ingest dbt` through the CLI entry: summary on stdout, one-line errors with exit codes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/capture-io.ts';

const io = () => captureIO();

describe('lineage ingest dbt', () => {
  it('ingests the demo and prints a JSON summary', async () => {
    const x = io();
    const dataDir = mkdtempSync(join(tmpdir(), 'dbt-cli-'));
    const code = await main(['ingest', 'dbt', 'fixtures/demo/target', '--data-dir', dataDir, '--json'], x);
    expect(code).toBe(0);
    const s = JSON.parse(x.stdout);
    expect(s).toMatchObject({ originId: 'dbt:jaffle_shop', models: 13, columnLineageCoverage: 1 });
    expect(x.stderr).toBe('');
  });

  it('a truncated manifest: one error line with the code, exit 5', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dbt-cli-bad-'));
    const text = readFileSync('fixtures/demo/target/manifest.json', 'utf8');
    writeFileSync(join(dir, 'manifest.json'), text.slice(0, 1000));
    const x = io();
    const code = await main(['ingest', 'dbt', dir, '--data-dir', mkdtempSync(join(tmpdir(), 'd-'))], x);
    expect(code).toBe(5);
    expect(x.stderr).toMatch(
      /^error \[DBT_INVALID_JSON\]: .*manifest\.json: invalid JSON at line 1 column \d+/,
    );
    expect(x.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a missing directory or an unknown source kind are argument errors', async () => {
    const a = io();
    expect(await main(['ingest', 'dbt', '/no/such/dir'], a)).toBe(3);
    expect(a.stderr).toContain('LINEAGE_NOT_FOUND');
    const b = io();
    expect(await main(['ingest', 'airflow', 'x'], b)).toBe(2);
    expect(b.stderr).toContain('LINEAGE_BAD_ARGUMENT');
  });
});
