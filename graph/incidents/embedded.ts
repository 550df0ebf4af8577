// The embedded incident store: one JSON document `<dataDir>/incidents.json` holding every incident and
// delivery record. Same guarantees as the lineage store's file: a write goes to a temporary file that is
// flushed (fsync) and renamed over the old one, so a reader or a crash sees the old file or the new one,
// never a mix. Writers in several processes (`lineage alert` in CI while `lineage serve` runs) take
// `incidents.lock` (an exclusive create holding the writer's pid; a lock whose pid is dead is taken over),
// re-read the file, apply their change and write it back. Readers re-read when the file's mtime or size
// changed.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lineageError } from '../../src/errors.ts';
import { processAlive } from '../process-alive.ts';
import {
  compareDeliveries,
  compareIncidents,
  matchesDelivery,
  matchesIncident,
  type DeliveryQuery,
  type DeliveryRecord,
  type Incident,
  type IncidentQuery,
  type IncidentStore,
} from './types.ts';

export const INCIDENTS_FILE = 'incidents.json';
const LOCK_FILE = 'incidents.lock';
const FORMAT = 'lineage-incidents/1';

interface Doc {
  format: typeof FORMAT;
  incidents: Record<string, Incident>;
  deliveries: Record<string, DeliveryRecord>;
}

const empty = (): Doc => ({ format: FORMAT, incidents: {}, deliveries: {} });

/** One data directory's incident file, with this process's cache of it and its queue of writers. */
interface IncidentFile {
  file: string;
  lockFile: string;
  lockTimeoutMs: number;
  cached: { doc: Doc; stamp: string } | null;
  queue: Promise<unknown>;
}

export function openEmbeddedIncidentStore(options: {
  dataDir: string;
  lockTimeoutMs?: number;
}): IncidentStore {
  const f: IncidentFile = {
    file: path.join(options.dataDir, INCIDENTS_FILE),
    lockFile: path.join(options.dataDir, LOCK_FILE),
    lockTimeoutMs: options.lockTimeoutMs ?? 30_000,
    cached: null,
    queue: Promise.resolve(),
  };
  return {
    kind: 'embedded',
    getIncident: async (id) => structuredClone(read(f).incidents[id] ?? null),
    listIncidents: async (q: IncidentQuery) =>
      structuredClone(
        Object.values(read(f).incidents)
          .filter((i) => matchesIncident(i, q))
          .sort(compareIncidents)
          .slice(0, q.limit),
      ),
    putIncident: (incident) =>
      write(f, (doc) => {
        doc.incidents[incident.id] = structuredClone(incident);
      }),
    getDelivery: async (key) => structuredClone(read(f).deliveries[key] ?? null),
    putDelivery: (record) =>
      write(f, (doc) => {
        doc.deliveries[record.key] = structuredClone(record);
      }),
    listDeliveries: async (q: DeliveryQuery) =>
      structuredClone(
        Object.values(read(f).deliveries)
          .filter((d) => matchesDelivery(d, q))
          .sort(compareDeliveries)
          .slice(0, q.limit),
      ),
    close: async () => {
      await f.queue;
    },
  };
}

/** The document, re-read only when the file's mtime, size or inode changed. */
function read(f: IncidentFile): Doc {
  const file = f.file;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    f.cached = null;
    return empty();
  }
  const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
  if (f.cached && f.cached.stamp === stamp) return f.cached.doc;
  let doc: Doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Doc;
  } catch (err) {
    throw lineageError('STORE_CORRUPT', `cannot read the incident store ${file}: ${(err as Error).message}`, {
      file,
    });
  }
  if (doc?.format !== FORMAT || typeof doc.incidents !== 'object' || typeof doc.deliveries !== 'object')
    throw lineageError('STORE_CORRUPT', `${file} is not an incident store (${FORMAT})`, { file });
  f.cached = { doc, stamp };
  return doc;
}

/** One writer at a time in this process (queue) and across processes (lock file). */
function write(f: IncidentFile, change: (doc: Doc) => void): Promise<void> {
  const next = f.queue.then(async () => {
    const release = await lock(f.lockFile, f.lockTimeoutMs);
    try {
      const doc = structuredClone(read(f));
      change(doc);
      writeAtomically(f.file, JSON.stringify(doc));
      f.cached = null;
    } finally {
      release();
    }
  });
  f.queue = next.catch(() => undefined);
  return next;
}

async function lock(file: string, timeoutMs: number): Promise<() => void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw lineageError('STORE_WRITE_FAILED', `cannot lock ${file}: ${(err as Error).message}`, { file });
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(file, 'utf8'));
      } catch {
        // released meanwhile
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !processAlive(owner))
        fs.rmSync(file, { force: true });
      if (Date.now() > deadline)
        throw lineageError('STORE_WRITE_FAILED', `timed out waiting for the incident store lock ${file}`, {
          file,
        });
      await sleep(20);
    }
  }
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'w');
    const bytes = Buffer.from(text, 'utf8');
    for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw lineageError(
      'STORE_WRITE_FAILED',
      `cannot write the incident store ${file}: ${(err as Error).message}`,
      {
        file,
      },
    );
  }
}
