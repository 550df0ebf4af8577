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
import type { LogRecord, QueryLogReader, QueryRecord } from '../types.ts';
import { parseTime } from '../values.ts';

const C = {
  logTime: 0,
  user: 1,
  database: 2,
  sessionId: 5,
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

function looksLikeCsvlog(cells: string[]): boolean {
  return cells.length >= 23 && parseTime(cells[C.logTime]) !== null && SEVERITIES.has(cells[C.severity]);
}

export const postgresCsvlogReader: QueryLogReader = {
  async *read(file, hooks): AsyncIterable<LogRecord> {
    const pending = new Map<string, QueryRecord>();
    let checked = false;
    for await (const r of readCsv(file, hooks)) {
      if (!r.ok) {
        yield { kind: 'malformed', line: r.line, reason: r.reason };
        continue;
      }
      const cells = r.cells;
      if (!looksLikeCsvlog(cells)) {
        if (!checked)
          throw lineageError(
            'QUERY_LOG_WRONG_FORMAT',
            `not a PostgreSQL csvlog: line ${r.line} has ${cells.length} columns (expected 23-26 starting with a log_time)`,
          );
        yield { kind: 'malformed', line: r.line, reason: `not a csvlog row (${cells.length} columns)` };
        continue;
      }
      checked = true;
      const session = cells[C.sessionId];
      const severity = cells[C.severity];
      if (FAILING.has(severity)) {
        const failed = pending.get(session);
        const status = cells[C.sqlState] === CANCELED ? 'cancelled' : 'failed';
        if (failed) {
          pending.delete(session);
          yield { ...failed, status };
        } else if (cells[C.query]) {
          // Only log_min_duration_statement: the failing statement is in the query column.
          const at = parseTime(cells[C.logTime])!;
          yield {
            kind: 'query',
            line: r.line,
            text: cells[C.query],
            user: cells[C.user] || 'unknown',
            at,
            database: cells[C.database] || undefined,
            status,
            executions: 1,
          };
        }
        continue;
      }
      if (severity !== 'LOG') continue;
      const text = statementOf(cells[C.message]);
      if (text === null) continue;
      const previous = pending.get(session);
      if (previous) yield previous;
      pending.delete(session); // re-insert last, so the map's first key is the longest-waiting session
      pending.set(session, {
        kind: 'query',
        line: r.line,
        text,
        user: cells[C.user] || 'unknown',
        at: parseTime(cells[C.logTime])!,
        database: cells[C.database] || undefined,
        status: 'success',
        executions: 1,
      });
      if (pending.size > 10_000) {
        // A session that logged nothing for a long time: its statement succeeded (no ERROR followed).
        const oldest = pending.keys().next().value as string;
        yield pending.get(oldest)!;
        pending.delete(oldest);
      }
    }
    for (const rec of [...pending.values()].sort((a, b) => a.line - b.line)) yield rec;
  },
};
