// dbt artifacts are read as a stream, entry by entry: never the whole text (manifests of large projects pass
// V8's ~512 MB string limit), same result and same errors as parsing the whole file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, streamJsonObject, type JsonStreamStats } from '../../parsers/dbt/json-stream.ts';
import { readArtifactFile } from '../../parsers/dbt/read-json.ts';
import { readManifest } from '../../parsers/dbt/manifest.ts';
import { readCatalog } from '../../parsers/dbt/catalog.ts';
import { isLineageError } from '../../src/errors.ts';

/** Rebuilds the document from the visitor's calls (every member read entry by entry or whole). */
const set = (o: object, k: string, value: unknown): void => {
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
};

async function rebuild(chunks: Buffer[], entries = true): Promise<unknown> {
  let root: unknown;
  const doc: Record<string, unknown> = {};
  async function* source() {
    yield* chunks;
  }
  await streamJsonObject(source(), {
    plan: () => (entries ? 'entries' : 'whole'),
    whole: (k, v) => set(doc, k, v),
    begin: (k, kind) => set(doc, k, kind === 'object' ? {} : []),
    entry: (k, key, v) => {
      const s = doc[k];
      if (Array.isArray(s)) s.push(v);
      else set(s as object, String(key), v);
    },
    root: (v) => (root = v),
  });
  return root !== undefined ? root : doc;
}

function split(text: string, cuts: number[]): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

describe('streaming JSON reader', () => {
  it('gives what JSON.parse gives, whatever the chunk boundaries (also inside strings, escapes, UTF-8)', async () => {
    const doc = fc.dictionary(
      fc.string({ unit: 'grapheme' }),
      fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue())),
    );
    await fc.assert(
      fc.asyncProperty(doc, fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), async (d, cuts, entries) => {
        const text = JSON.stringify(d, null, entries ? 1 : 0);
        expect(await rebuild(split(text, cuts), entries)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every truncation of a document as truncated, and malformed JSON even in skipped members', async () => {
    const text = JSON.stringify({ metadata: { v: 'x\\"y' }, nodes: { a: { b: [1, 2, 'é'] } }, n: 1 });
    for (let cut = 0; cut < Buffer.byteLength(text) - 1; cut++) {
      const err = await rebuild([Buffer.from(text).subarray(0, cut)]).catch((e: unknown) => e);
      expect(err, `cut at ${cut}`).toBeInstanceOf(JsonSyntaxError);
      expect((err as JsonSyntaxError).truncated || /Unexpected|Expected/.test((err as Error).message)).toBe(
        true,
      );
    }
    for (const bad of [
      '{"macros": {"m": tru}}',
      '{"a": 1 "b": 2}',
      '{"a": {"x": 1,}}',
      '{"a": [1 2]}',
      '{} x',
    ]) {
      const err = await rebuild([Buffer.from(bad)]).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(JsonSyntaxError);
    }
  });
});

describe('dbt artifacts read as a stream', () => {
  const files = [
    'fixtures/demo/target/manifest.json',
    'fixtures/dbt/v01/manifest.json',
    'fixtures/dbt/v07/manifest.json',
  ];
  for (const file of files) {
    it(`${file}: same project as parsing the whole text; holds one entry at a time`, async () => {
      let stats: JsonStreamStats | undefined;
      // A small highWaterMark: the file arrives in hundreds of chunks, so entries span chunk boundaries.
      const streamed = await readArtifactFile(file, 'manifest', {
        highWaterMark: 1024,
        onStats: (s) => (stats = s),
      });
      const full = readManifest(JSON.parse(readFileSync(file, 'utf8')), file);
      for (const n of full.project.nodes.values()) if (n.resourceType === 'test') n.compiledSql = null;
      expect(readManifest(streamed, file)).toEqual(full);
      const size = readFileSync(file).length;
      expect(stats?.bytes).toBe(size);
      // Never more than the largest single node/macro text, a small fraction of the file.
      expect(stats!.maxHeldBytes).toBeGreaterThan(0);
      expect(stats!.maxHeldBytes * 8).toBeLessThan(size);
    });
  }

  it('catalog: same tables as parsing the whole text', async () => {
    const file = 'fixtures/demo/target/catalog.json';
    const streamed = await readArtifactFile(file, 'catalog', { highWaterMark: 512 });
    expect(readCatalog(streamed, file)).toEqual(readCatalog(JSON.parse(readFileSync(file, 'utf8')), file));
  });

  it('a manifest truncated inside a node: DBT_INVALID_JSON with the file, the node path and "truncated"', async () => {
    const text = readFileSync('fixtures/demo/target/manifest.json', 'utf8');
    const at = text.indexOf('"model.jaffle_shop.customers":') + 200;
    const dir = mkdtempSync(join(tmpdir(), 'dbt-stream-'));
    const file = join(dir, 'manifest.json');
    writeFileSync(file, text.slice(0, at));
    const err = await readArtifactFile(file, 'manifest', { highWaterMark: 4096 }).catch((e: unknown) => e);
    expect(isLineageError(err)).toBe(true);
    if (!isLineageError(err)) return;
    expect(err.code).toBe('DBT_INVALID_JSON');
    expect(err.message).toContain(file);
    expect(err.message).toContain('(the file looks truncated)');
    expect(err.details?.jsonPath).toBe('$.nodes["model.jaffle_shop.customers"]');
  });

  it('a syntax error in the middle names its line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dbt-stream-'));
    const file = join(dir, 'manifest.json');
    writeFileSync(file, '{\n  "metadata": {},\n  "nodes": {\n    "a": {"x": 1,,}\n  }\n}\n');
    const err = await readArtifactFile(file, 'manifest').catch((e: unknown) => e);
    expect(isLineageError(err) && err.code).toBe('DBT_INVALID_JSON');
    expect((err as Error).message).toMatch(/invalid JSON at line 4 column \d+: .* \(in \$\.nodes\.a\)$/);
  });
});
