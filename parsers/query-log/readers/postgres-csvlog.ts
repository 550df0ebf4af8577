// PostgreSQL csvlog (log_destination = 'csvlog', logging_collector = on) with log_statement = 'all' or
// log_min_duration_statement = 0. Columns (PostgreSQL 15, "Using CSV-Format Log Output"): log_time,
// user_name, database_name, process_id, connection_from, session_id, session_line_num, command_tag,
// session_start_time, virtual_transaction_id, transaction_id, error_severity, sql_state_code, message,
// detail, hint, internal_query, internal_query_pos, context, query, query_pos, location, application_name,
// backend_type, leader_pid, query_id. PostgreSQL 12 (23 columns) and 13 (24) share the first 23.
//
// A statement is logged before it runs (log_statement) or after (duration); whether it failed is only
// known from a later ERROR row of the same session, so each session's last statement waits until the
// session's next statement, an ERROR, or the end of the file. The pending set is bounded by open sessions.
import { lineageError } from '../../../src/errors.ts';
import { readCsv } from '../stream.ts';
import { malformedRow } from '../table.ts';
import { badTime, parseTimestamp } from '../time.ts';
import type { LogRecord, QueryLogReader, QueryRecord } from '../types.ts';

const C = {
  logTime: 0,
  user: 1,
  database: 2,
  sessionId: 5,
  sessionLine: 6,
  severity: 11,
  sqlState: 12,
  message: 13,
  query: 19,
} as const;

const SEVERITIES = new Set(['DEBUG', 'DEBUG1', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'DEBUG5', 'INFO', 'NOTICE']);
for (const s of ['WARNING', 'ERROR', 'LOG', 'FATAL', 'PANIC']) SEVERITIES.add(s);
const FAILING = new Set(['ERROR', 'FATAL', 'PANIC']);
/** 57014 query_canceled (statement_timeout, pg_cancel_backend). */
const CANCELED = '57014';

/**
 * The statement text in a LOG message, or null when the message is not a statement: `statement: …`,
 * `execute <name>: …`, `duration: 1.2 ms  statement: …`. Parse/bind steps and bare durations are not.
 */
export function statementOf(message: string): string | null {
  let m = message;
  const dur = /^duration: [\d.]+ ms {2}/.exec(m);
  if (dur) m = m.slice(dur[0].length);
  else if (m.startsWith('duration: ')) return null;
  if (m.startsWith('statement: ')) return m.slice('statement: '.length);
  const exec = /^execute [^:]*: /.exec(m);
  if (exec) return m.slice(exec[0].length);
  return null;
}

/** PostgreSQL 12 writes 23 columns, 13 writes 24, 14 writes 25, 15 and later 26. */
function csvlogShape(cells: readonly string[]): string | null {
  return cells.length >= 23 && cells.length <= 26 ? null : `${cells.length} columns (a csvlog row has 23-26)`;
}

/** How many rows may precede the first csvlog row before the file is declared not a csvlog. */
const PROBE_ROWS = 20;

function wrongFormat(line: number, why: string) {
  return lineageError('QUERY_LOG_WRONG_FORMAT', `not a PostgreSQL csvlog: line ${line}: ${why}`);
}

function queryRecord(
  r: { line: number; cells: string[] },
  text: string,
  at: string,
  status: QueryRecord['status'],
): QueryRecord {
  const cells = r.cells;
  return {
    kind: 'query',
    line: r.line,
    text,
    user: cells[C.user] || 'unknown',
    at,
    // session_id + session_line_num name one log row, so one execution, across files of the same server.
    queryId: `${cells[C.sessionId]}:${cells[C.sessionLine]}`,
    database: cells[C.database] || undefined,
    status,
    executions: 1,
  };
}

/**
 * Statements waiting for their session's next row: each session's last statement may still be failed by a
 * later ERROR row. Bounded by open sessions (MAX_PENDING).
 */
class PendingStatements {
  private readonly bySession = new Map<string, QueryRecord>();

  /** A new statement of `session`: yields the session's previous one (it succeeded). */
  *statement(session: string, rec: QueryRecord): Generator<LogRecord> {
    const previous = this.bySession.get(session);
    if (previous) yield previous;
    this.bySession.delete(session); // re-insert last, so the map's first key is the longest-waiting session
    this.bySession.set(session, rec);
    if (this.bySession.size > MAX_PENDING) {
      // A session that logged nothing for a long time: its statement succeeded (no ERROR followed).
      const [oldest, waiting] = this.bySession.entries().next().value as [string, QueryRecord];
      this.bySession.delete(oldest);
      yield waiting;
    }
  }

  /** The session's waiting statement, removed (an ERROR row decides its status). */
  take(session: string): QueryRecord | undefined {
    const rec = this.bySession.get(session);
    this.bySession.delete(session);
    return rec;
  }

  /** What is still waiting at the end of the file, in file order. */
  rest(): QueryRecord[] {
    return [...this.bySession.values()].sort((a, b) => a.line - b.line);
  }
}

const MAX_PENDING = 10_000;

/** One csvlog row that is known to be a csvlog row: what it adds to the records. */
function* csvlogRow(
  r: { line: number; cells: string[] },
  at: string,
  pending: PendingStatements,
): Generator<LogRecord> {
  const cells = r.cells;
  const session = cells[C.sessionId];
  const severity = cells[C.severity];
  if (FAILING.has(severity)) {
    const status = cells[C.sqlState] === CANCELED ? 'cancelled' : 'failed';
    const failed = pending.take(session);
    if (failed) yield { ...failed, status };
    // Only log_min_duration_statement: the failing statement is in the query column.
    else if (cells[C.query]) yield queryRecord(r, cells[C.query], at, status);
    return;
  }
  if (severity !== 'LOG') return;
  const text = statementOf(cells[C.message]);
  if (text !== null) yield* pending.statement(session, queryRecord(r, text, at, 'success'));
}

export const postgresCsvlogReader: QueryLogReader = {
  async *read(file, options): AsyncIterable<LogRecord> {
    const pending = new PendingStatements();
    let checked = false;
    let before = 0;
    for await (const r of readCsv(file, options, csvlogShape)) {
      if (!r.ok) {
        if (!checked && ++before >= PROBE_ROWS) throw wrongFormat(r.line, r.reason);
        yield malformedRow(r);
        continue;
      }
      const severity = r.cells[C.severity];
      if (!SEVERITIES.has(severity)) {
        if (!checked) throw wrongFormat(r.line, `error_severity '${severity}' is not a log level`);
        yield { kind: 'malformed', line: r.line, reason: `not a csvlog row (error_severity '${severity}')` };
        continue;
      }
      checked = true;
      const at = parseTimestamp(r.cells[C.logTime], options.timeZone);
      if (!at.ok) yield { kind: 'malformed', line: r.line, reason: badTime('log_time', at) };
      else yield* csvlogRow(r, at.at, pending);
    }
    if (!checked && before > 0) throw wrongFormat(1, 'no csvlog row in the file');
    yield* pending.rest();
  },
};
