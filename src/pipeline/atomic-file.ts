// Files the pipeline keeps beside the store (the dbt lineage cache, the last-ingest state), written so a
// reader sees the old file or the new one: chunks go to `<file>.<pid>.tmp`, which is flushed and renamed over
// the file. Any failure (ENOSPC, a read-only directory) removes the temporary file and is STORE_WRITE_FAILED
// naming what was being written.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { lineageError } from '../errors.ts';

/** Writes the text (or bytes) `chunks` yields to `file` atomically; `what` names the file in the error. */
export function writeFileAtomically(
  file: string,
  what: string,
  chunks: () => Iterable<string | Uint8Array>,
): void {
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number | null = null;
  try {
    mkdirSync(dirname(file), { recursive: true });
    fd = openSync(tmp, 'w');
    let buf = '';
    for (const chunk of chunks()) {
      if (typeof chunk !== 'string') {
        writeAll(fd, buf);
        buf = '';
        writeAll(fd, chunk);
        continue;
      }
      buf += chunk;
      if (buf.length > 1 << 20) {
        writeAll(fd, buf);
        buf = '';
      }
    }
    writeAll(fd, buf);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) quietly(() => closeSync(fd as number));
    quietly(() => rmSync(tmp, { force: true }));
    throw lineageError(
      'STORE_WRITE_FAILED',
      `cannot write ${what} ${file}: ${(err as Error).message}`,
      { file },
      err,
    );
  }
}

/** writeSync may write less than asked (a filling disk writes what fits, then fails): loop until done. */
function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
}

function quietly(step: () => void): void {
  try {
    step();
  } catch {
    // already failing: the write error is the one reported
  }
}
