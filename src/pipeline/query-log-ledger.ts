// Which executions each query-log origin counted, so the same execution seen in two logs (the same export
// under another path, two overlapping exports) is counted once across origins. An execution is its
// warehouse query id and start time, hashed to 64 bits (parsers/query-log/executions.ts).
//
// Kept beside the store in the data dir, two files per origin under query-log-ledger/:
//   <id>.bin   the hashes, per UTC day in day order, as sorted little-endian (hi, lo) uint32 pairs
//   <id>.json  {format, originId, originIngestedAt, days: [[day, count]…], sha256 of the .bin}
// A ledger is consulted only while its origin is in the store with the same ingest time (a removed or
// replaced origin's ledger is stale and ignored). A damaged ledger (checksum, shape) is ignored with a
// QUERY_LOG_LEDGER_CORRUPT warning: its executions may then be counted again, never lost.
//
// Writing is two-phase around the store's apply: the body is written to a temporary file first (a full disk
// fails there, STORE_WRITE_FAILED, before the store is touched), then renamed and its header written once
// the apply succeeded; a failed apply removes the temporary file. Ledgers are only a de-duplication aid:
// one that cannot be committed after the apply is a warning, and the store keeps what was applied.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerDay } from '../../parsers/query-log/aggregate.ts';
import type { ExecutionSet } from '../../parsers/query-log/executions.ts';
import { SortedHashes, unionOf } from '../../parsers/query-log/executions.ts';
import type { Diagnostic, Origin } from '../model/lineage.ts';
import { writeFileAtomically } from './atomic-file.ts';

const FORMAT = 1;
const DIR = 'query-log-ledger';

interface LedgerHeader {
  format: number;
  originId: string;
  originIngestedAt: string;
  days: [string, number][];
  sha256: string;
}

function baseName(originId: string): string {
  return createHash('sha256').update(originId).digest('hex').slice(0, 24);
}

/** The other origins' ledgers, by day; read once when the ingest starts. */
export class QueryLogLedgers {
  private constructor(
    private readonly dir: string,
    private readonly originId: string,
    private readonly byDay: Map<string, ExecutionSet[]>,
    readonly diagnostics: Diagnostic[],
  ) {}

  /** Reads every live ledger but `originId`'s own (`live`: the store's origins with their ingest times). */
  static open(
    dataDir: string,
    originId: string,
    live: readonly Pick<Origin, 'id' | 'ingestedAt'>[],
  ): QueryLogLedgers {
    const dir = join(dataDir, DIR);
    const liveAt = new Map(live.map((o) => [o.id, o.ingestedAt]));
    const byDay = new Map<string, ExecutionSet[]>();
    const diagnostics: Diagnostic[] = [];
    const files = existsSync(dir) ? readdirSync(dir).sort() : [];
    // A staged body this origin left behind (a crash between stage and commit) is never committed.
    const own = baseName(originId);
    for (const n of files)
      if (n.startsWith(`${own}.bin.`) && n.endsWith('.staged')) rmSync(join(dir, n), { force: true });
    const names = files.filter((n) => n.endsWith('.json'));
    for (const name of names) {
      const file = join(dir, name);
      const read = readLedger(file);
      if ('problem' in read) {
        diagnostics.push(corrupt(file, read.problem));
        continue;
      }
      const { header, body } = read;
      if (header.originId === originId || liveAt.get(header.originId) !== header.originIngestedAt) continue;
      let at = 0;
      for (const [day, count] of header.days) {
        const list = byDay.get(day) ?? [];
        list.push(new SortedHashes(body.subarray(at, at + 2 * count)));
        byDay.set(day, list);
        at += 2 * count;
      }
    }
    return new QueryLogLedgers(dir, originId, byDay, diagnostics);
  }

  /** Executions other live origins counted on `day` (the aggregator's CountedElsewhere). */
  countedElsewhere = (day: string): Promise<ExecutionSet | undefined> =>
    Promise.resolve(unionOf(this.byDay.get(day) ?? []));

  /**
   * Writes this origin's ledger body to a temporary file: STORE_WRITE_FAILED (no file left) when it cannot,
   * before the store is touched. Commit after the store's apply, discard when the apply failed.
   */
  stage(days: readonly LedgerDay[]): StagedLedger {
    const base = join(this.dir, baseName(this.originId));
    const tmp = `${base}.bin.${process.pid}.staged`;
    const hash = createHash('sha256');
    writeFileAtomically(tmp, 'the query-log ledger', () => bodyChunks(days, hash));
    const sha256 = hash.digest('hex');
    const originId = this.originId;
    return {
      discard: () => rmSync(tmp, { force: true }),
      commit(originIngestedAt: string): LedgerWarning | null {
        try {
          rmSync(`${base}.json`, { force: true }); // no header: the old ledger is ignored from here on
          renameSync(tmp, `${base}.bin`);
          const header: LedgerHeader = {
            format: FORMAT,
            originId,
            originIngestedAt,
            days: days.map((d) => [d.day, d.pairs.length / 2]),
            sha256,
          };
          writeFileAtomically(`${base}.json`, 'the query-log ledger', () => [JSON.stringify(header)]);
          return null;
        } catch (err) {
          rmSync(tmp, { force: true });
          return {
            code: 'STORE_WRITE_FAILED',
            severity: 'warning',
            message: `the query-log ledger of ${originId} was not recorded (later logs may count its executions again): ${(err as Error).message}`,
          };
        }
      },
    };
  }
}

/** A problem reported in the summary, not stored (an error code used as a warning). */
export interface LedgerWarning {
  code: 'STORE_WRITE_FAILED';
  severity: 'warning';
  message: string;
}

interface StagedLedger {
  /** Makes the staged ledger the origin's; a warning (not thrown) when that fails. */
  commit(originIngestedAt: string): LedgerWarning | null;
  discard(): void;
}

/** The body, one chunk per day, hashed as it is written. */
function* bodyChunks(days: readonly LedgerDay[], hash: ReturnType<typeof createHash>): Iterable<Buffer> {
  for (const { pairs } of days) {
    const buf = Buffer.allocUnsafe(pairs.length * 4);
    for (let i = 0; i < pairs.length; i++) buf.writeUInt32LE(pairs[i], 4 * i);
    hash.update(buf);
    yield buf;
  }
}

function readLedger(file: string): { header: LedgerHeader; body: Uint32Array } | { problem: string } {
  let header: LedgerHeader;
  let bytes: Buffer;
  try {
    header = JSON.parse(readFileSync(file, 'utf8')) as LedgerHeader;
    bytes = readFileSync(file.replace(/\.json$/, '.bin'));
  } catch (err) {
    return { problem: `unreadable (${(err as Error).message})` };
  }
  if (header.format !== FORMAT || typeof header.originId !== 'string' || !Array.isArray(header.days))
    return { problem: 'not a ledger of this version' };
  const pairs = header.days.reduce(
    (n, d) => n + (Array.isArray(d) && typeof d[1] === 'number' ? d[1] : NaN),
    0,
  );
  if (bytes.length !== pairs * 8)
    return { problem: `${bytes.length} bytes where ${pairs * 8} were recorded` };
  if (createHash('sha256').update(bytes).digest('hex') !== header.sha256)
    return { problem: 'checksum mismatch' };
  const body = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < body.length; i++) body[i] = bytes.readUInt32LE(4 * i);
  return { header, body };
}

function corrupt(file: string, problem: string): Diagnostic {
  return {
    code: 'QUERY_LOG_LEDGER_CORRUPT',
    severity: 'warning',
    message: `query-log ledger ${file}: ${problem}; ignored (its executions may be counted again)`,
    where: { file },
  };
}
