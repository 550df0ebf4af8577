// Reads one dbt artifact file as a stream (never the whole text: manifests of large projects exceed V8's
// ~512 MB string limit) and keeps only what the parser reads (schemas.ts ARTIFACT_SHAPES), so memory grows
// with what is kept, not with the file. The result has the artifact's own shape (top-level members, sections
// as records or arrays) and is validated by the same readers as before. A UTF-8 byte order mark is skipped.
// A key listed twice in a section keeps its first entry (onDuplicateKey). Invalid or truncated JSON becomes
// DBT_INVALID_JSON naming the file, the line/column, and the JSON path of the entry being read.
import { createReadStream } from 'node:fs';
import { lineageError } from '../../src/errors.ts';
import { JsonSyntaxError, streamJsonObject, type JsonStreamStats } from './json-stream.ts';
import { ARTIFACT_SHAPES, pathKey, pickKnown, setOwn } from './schemas.ts';
import type { ArtifactKind } from './versions.ts';

export interface ReadArtifactOptions {
  /** Read-stream chunk size (bytes); default 1 MiB. */
  highWaterMark?: number;
  /** Called with the reader's statistics (bytes read, the largest value held at once). */
  onStats?: (stats: JsonStreamStats) => void;
  /**
   * Called with the JSON path of an entry whose key appeared before in the same section (a node listed
   * twice); the first one is kept. Without it, duplicates are kept silently the same way.
   */
  onDuplicateKey?: (section: string, key: string, jsonPath: string) => void;
}

/** A node's fields that only some resource types use, dropped early to keep memory down (tests' SQL; raw SQL when compiled SQL is there). */
function trimEntry(kind: ArtifactKind, section: string, value: unknown): unknown {
  if (kind === 'manifest' && section === 'nodes' && isObject(value)) {
    if (value.resource_type === 'test') {
      delete value.compiled_code;
      delete value.compiled_sql;
    }
    if (value.resource_type === 'test' || value.compiled_code || value.compiled_sql) {
      delete value.raw_code;
      delete value.raw_sql;
    }
  }
  return value;
}

export async function readArtifactFile(
  file: string,
  kind: ArtifactKind,
  options: ReadArtifactOptions = {},
): Promise<unknown> {
  const shape = ARTIFACT_SHAPES[kind];
  const topShape = shape.top.shape as Record<string, Parameters<typeof pickKnown>[0]>;
  const sections = shape.sections as Record<string, Parameters<typeof pickKnown>[0]>;
  let root: unknown;
  const doc: Record<string, unknown> = {};
  const stream = createReadStream(file, { highWaterMark: options.highWaterMark ?? 1 << 20 });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw lineageError('LINEAGE_NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`, { file }, err);
  }
  try {
    const stats = await streamJsonObject(stream, {
      plan: (key) => (key in sections ? 'entries' : key in topShape ? 'whole' : 'skip'),
      whole: (key, value) => setOwn(doc, key, key in topShape ? pickKnown(topShape[key], value) : value),
      begin: (key, kind) => setOwn(doc, key, kind === 'object' ? {} : []),
      entry: (key, entryKey, value) => {
        const picked = pickKnown(sections[key], trimEntry(kind, key, value));
        const section = doc[key];
        if (Array.isArray(section)) section.push(picked);
        else if (Object.hasOwn(section as object, String(entryKey)))
          options.onDuplicateKey?.(key, String(entryKey), `$.${key}${pathKey(String(entryKey))}`);
        else setOwn(section as Record<string, unknown>, String(entryKey), picked);
      },
      root: (value) => {
        root = value;
      },
    });
    options.onStats?.(stats);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) {
      if ((err as { code?: string }).code?.startsWith('E'))
        throw lineageError(
          'LINEAGE_NOT_FOUND',
          `cannot read ${file}: ${(err as Error).message}`,
          { file },
          err,
        );
      throw err;
    }
    const { line, column } = await lineColumn(file, err.offset);
    throw lineageError(
      'DBT_INVALID_JSON',
      `${file}: invalid JSON at line ${line} column ${column}${err.truncated ? ' (the file looks truncated)' : ''}: ${err.message}${err.jsonPath !== '$' ? ` (in ${err.jsonPath})` : ''}`,
      { file, jsonPath: err.jsonPath, line, column, position: err.offset },
      err,
    );
  } finally {
    stream.destroy();
  }
  return root !== undefined ? root : doc;
}

/** 1-based line and column (bytes) of a byte offset, by reading the file again up to it. */
async function lineColumn(file: string, offset: number): Promise<{ line: number; column: number }> {
  let line = 1;
  let last = -1;
  let base = 0;
  if (offset > 0)
    for await (const chunk of createReadStream(file, { end: offset - 1 })) {
      const b = chunk as Buffer;
      for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) {
        line++;
        last = base + i;
      }
      base += b.length;
    }
  return { line, column: offset - last };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
