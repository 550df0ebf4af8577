// Executions counted once across origins: the same export under another path, or two overlapping exports,
// count each (query id, start time) once in usage, through every origin's ledger in the data dir. Lineage
// is still each origin's own; a stale, damaged or unwritable ledger never loses or half-writes anything.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { ingestQueryLog } from '../../src/pipeline/ingest-query-log.ts';

let dir: string;
let dataDir: string;
let store: LineageStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-qlog-cross-'));
  dataDir = join(dir, 'store');
  store = await openEmbeddedStore({ dataDir });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A generic log of reads of t, query ids q<from>..q<to>, one a minute on 2024-05-01. */
function log(name: string, from: number, to: number): string {
  const file = join(dir, name);
  const rows: string[] = [];
  for (let i = from; i <= to; i++)
    rows.push(
      JSON.stringify({
        query: `SELECT a FROM t WHERE x = ${i}`,
        user: i % 2 === 0 ? 'amy' : 'bob',
        timestamp: `2024-05-01T10:${String(i).padStart(2, '0')}:00Z`,
        query_id: `q${i}`,
      }),
    );
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

const ingest = (file: string, origin?: string) =>
  ingestQueryLog(store, file, { format: 'generic', ledgerDir: dataDir, ...(origin ? { origin } : {}) });
const reads = async () => (await store.usage({ sinceDay: '2024-05-01', targets: ['t'] }))[0]?.reads ?? 0;
const ledgerDir = () => join(dataDir, 'query-log-ledger');
const ledgerBase = (origin: string) =>
  join(ledgerDir(), createHash('sha256').update(origin).digest('hex').slice(0, 24));

describe('executions counted once across origins', () => {
  it('the same log under another path counts once; its lineage is still recorded', async () => {
    const a = await ingest(log('a.jsonl', 1, 10));
    expect(a).toMatchObject({ executions: 10, duplicates: 0, countedElsewhere: 0 });
    const b = await ingest(log('copy-of-a.jsonl', 1, 10));
    expect(b).toMatchObject({ executions: 0, duplicates: 10, countedElsewhere: 10 });
    expect(b.columnEdges).toBe(a.columnEdges);
    expect(await reads()).toBe(10);
    // Re-ingesting the first origin replaces it and still counts its executions (its own ledger is not
    // "elsewhere", and the copy's ledger holds none of them).
    expect(await ingest(log('a.jsonl', 1, 10))).toMatchObject({ executions: 10, countedElsewhere: 0 });
    expect(await reads()).toBe(10);
  });

  it('two overlapping exports count the overlap once', async () => {
    await ingest(log('mon-wed.jsonl', 1, 30));
    const s = await ingest(log('tue-thu.jsonl', 21, 50));
    expect(s).toMatchObject({ executions: 20, countedElsewhere: 10 });
    expect(await reads()).toBe(50);
  });

  it("a removed origin's ledger no longer counts; the next log counts its executions itself", async () => {
    await ingest(log('a.jsonl', 1, 10), 'first');
    await store.removeOrigin('first');
    expect(await ingest(log('b.jsonl', 1, 10), 'second')).toMatchObject({
      executions: 10,
      countedElsewhere: 0,
    });
    expect(await reads()).toBe(10);
  });

  it('without a ledger dir, only duplicates within the log are dropped', async () => {
    await ingestQueryLog(store, log('a.jsonl', 1, 5), { format: 'generic' });
    await ingestQueryLog(store, log('b.jsonl', 1, 5), { format: 'generic' });
    expect(await reads()).toBe(10);
  });

  it('a damaged ledger is ignored with QUERY_LOG_LEDGER_CORRUPT (counted again, never lost)', async () => {
    await ingest(log('a.jsonl', 1, 10), 'first');
    const bin = `${ledgerBase('first')}.bin`;
    const bytes = readFileSync(bin);
    bytes[3] ^= 0x10;
    writeFileSync(bin, bytes);
    const s = await ingest(log('b.jsonl', 1, 10), 'second');
    expect(s).toMatchObject({ executions: 10, countedElsewhere: 0 });
    const diags = await store.diagnostics({ code: 'QUERY_LOG_LEDGER_CORRUPT', limit: 10 });
    expect(diags.map((d) => d.message)).toEqual([expect.stringMatching(/checksum mismatch; ignored/)]);
  });
});

describe('a ledger that cannot be written', () => {
  it('is STORE_WRITE_FAILED before the store is touched, and leaves no file (ENOSPC)', async () => {
    await ingest(log('a.jsonl', 1, 10), 'first');
    const before = JSON.stringify([await store.stats(), await reads()]);
    mkdirSync(ledgerDir(), { recursive: true });
    const staged = `${ledgerBase('second')}.bin.${process.pid}.staged`;
    symlinkSync('/dev/full', `${staged}.${process.pid}.tmp`);
    const err = await ingest(log('b.jsonl', 5, 20), 'second').catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'STORE_WRITE_FAILED',
      message: expect.stringMatching(/cannot write the query-log ledger .*ENOSPC/),
    });
    expect(JSON.stringify([await store.stats(), await reads()])).toBe(before);
    expect(readdirSync(ledgerDir()).filter((f) => f.startsWith(ledgerBase('second').slice(-24)))).toEqual([]);
  });

  it('a failed apply leaves no ledger behind, so later logs still count those executions', async () => {
    const failing = Object.create(store) as LineageStore;
    failing.applyBatch = () => Promise.reject(new Error('disk gone'));
    await expect(
      ingestQueryLog(failing, log('a.jsonl', 1, 10), {
        format: 'generic',
        ledgerDir: dataDir,
        origin: 'lost',
      }),
    ).rejects.toThrow('disk gone');
    expect(existsSync(ledgerDir()) ? readdirSync(ledgerDir()) : []).toEqual([]);
    expect(await ingest(log('b.jsonl', 1, 10))).toMatchObject({ executions: 10, countedElsewhere: 0 });
  });
});
