// The in-memory embedded store (graph/create-store.ts createMemoryStore): the same answers as the
// file-backed store, no file anywhere, and each store its own world.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../graph/create-store.ts';
import { openEmbeddedStore, openMemoryStore } from '../../../graph/embedded/index.ts';
import { answers } from '../../conformance/answers.ts';
import { dbtBatch, standardBatches } from '../../helpers/shapes.ts';

let dir: string;
let cwd: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-mem-'));
  cwd = process.cwd();
  process.chdir(dir);
});
afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('in-memory embedded store', () => {
  it('answers exactly as the file-backed store', async () => {
    const mem = await createMemoryStore();
    const file = await openEmbeddedStore({ dataDir: path.join(dir, 'file') });
    for (const b of standardBatches()) {
      const [m, f] = [await mem.applyBatch(b), await file.applyBatch(b)];
      expect(m).toEqual(f);
    }
    const expected = await answers(file);
    expect(expected.relations).not.toEqual([]);
    expect(await answers(mem)).toEqual(expected);
    await mem.close();
    await file.close();
  });

  it('writes nothing to disk and shares nothing between stores', async () => {
    const a = await openMemoryStore();
    const b = await openMemoryStore();
    expect((await a.applyBatch(dbtBatch())).unchanged).toBe(false);
    expect((await a.applyBatch(dbtBatch())).unchanged).toBe(true);
    expect(a.fileBytes()).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect((await a.stats()).relations).toBeGreaterThan(0);
    expect((await b.stats()).relations).toBe(0);
    await a.close();
    await expect(a.stats()).rejects.toThrow(/closed/);
    await b.close();
  });
});
