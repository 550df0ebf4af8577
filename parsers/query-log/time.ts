// Query-log timestamps to ISO-8601 UTC, per the layouts the warehouses document:
//   Snowflake TIMESTAMP_LTZ exports   2024-05-01 02:00:00.123 -0700
//   BigQuery TIMESTAMP                2024-05-01 03:00:00.123456 UTC   or ISO 2024-05-01T03:00:00.123Z
//   PostgreSQL csvlog log_time        2024-05-01 12:00:00.123 CEST      (%Z: the abbreviation of log_timezone)
//   pg_stat_statements now()          2024-05-01 12:00:00.123+02
//   Redshift STL/SYS times            2024-05-01 10:00:00.123456        (no zone: UTC)
//   epoch numbers                     seconds, milliseconds, microseconds or nanoseconds (told by magnitude)
// A time without a zone is in `zone` (an IANA name, default UTC). A zone abbreviation resolves through
// `zone` when one is given (so `IST` under Asia/Kolkata is +05:30), else through the table below. A date
// that does not exist (Feb 30, 25:00, a local time skipped by a DST change) is rejected with the reason.

export type TimeResult = { ok: true; at: string } | { ok: false; reason: string };

/**
 * Zone abbreviations with one dominant meaning, offsets in minutes (PostgreSQL's `Default`
 * timezone_abbreviations set for the ones it lists). IST (India, Israel, Ireland) is not here: it needs a zone.
 */
// prettier-ignore
const ABBREVIATIONS: Readonly<Record<string, number>> = {
  UTC: 0, UT: 0, GMT: 0, Z: 0, WET: 0, WEST: 60, BST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120,
  EET: 120, EEST: 180, MSK: 180, SAST: 120,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600, AST: -240, ADT: -180, NST: -210, NDT: -150, BRT: -180, ART: -180,
  JST: 540, KST: 540, HKT: 480, SGT: 480, AWST: 480, ACST: 570, ACDT: 630, AEST: 600, AEDT: 660,
  NZST: 720, NZDT: 780, WIB: 420,
};

const EXPLICIT_UTC = new Set(['UTC', 'UT', 'GMT', 'Z']);

const LAYOUT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?|[A-Za-z][A-Za-z_+\-/0-9]*)?$/;

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** The malformed-row reason for a time field that did not parse. */
export function badTime(field: string, result: Extract<TimeResult, { ok: false }>): string {
  return `bad ${field}: ${result.reason}`;
}

/** Parses one timestamp value (string or epoch number); `zone` is an IANA zone checked by `checkZone`. */
export function parseTimestamp(value: unknown, zone?: string): TimeResult {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return { ok: false, reason: 'missing' };
  const s = value.trim();
  if (s === '') return { ok: false, reason: 'missing' };
  if (/^-?\d+(\.\d+)?$/.test(s)) return fromEpoch(Number(s));
  const m = LAYOUT.exec(s);
  if (!m) return { ok: false, reason: `'${s}' is not a timestamp` };
  const wall: Wall = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
    ms: m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0')),
  };
  const impossible = checkWall(wall);
  if (impossible) return { ok: false, reason: `'${s}': ${impossible}` };
  const offset = offsetOf(wall, m[8], zone);
  if (typeof offset === 'string') return { ok: false, reason: `'${s}': ${offset}` };
  return inRange(
    Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.ms) -
      offset * 60_000,
    s,
  );
}

/** Epoch seconds, ms, µs or ns: below 1e11 seconds (up to year 5138), then each unit 1000 times larger. */
function fromEpoch(n: number): TimeResult {
  if (!Number.isFinite(n)) return { ok: false, reason: `epoch ${n} is not a number` };
  const abs = Math.abs(n);
  const ms = abs < 1e11 ? n * 1000 : abs < 1e14 ? n : abs < 1e17 ? n / 1000 : n / 1e6;
  return inRange(Math.round(ms), String(n));
}

function inRange(ms: number, shown: string): TimeResult {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (Number.isNaN(ms) || year < 1970 || year > 9999)
    return { ok: false, reason: `'${shown}' is outside 1970-9999` };
  return { ok: true, at: d.toISOString() };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function checkWall(w: Wall): string | null {
  if (w.month < 1 || w.month > 12) return `month ${w.month} does not exist`;
  if (w.day < 1 || w.day > daysIn(w.year, w.month))
    return `day ${w.day} does not exist in ${w.year}-${String(w.month).padStart(2, '0')}`;
  if (w.hour > 23 || w.minute > 59 || w.second > 59) return 'the time of day does not exist';
  return null;
}

/** The UTC offset in minutes that applies, or why none does. */
function offsetOf(wall: Wall, spelled: string | undefined, zone: string | undefined): number | string {
  if (spelled === undefined) return zone ? zoneOffset(wall, zone) : 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(spelled);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    if (Number(numeric[2]) > 15 || Number(numeric[3] ?? 0) > 59) return `offset ${spelled} does not exist`;
    return numeric[1] === '-' ? -minutes : minutes;
  }
  const upper = spelled.toUpperCase();
  if (EXPLICIT_UTC.has(upper)) return 0;
  if (spelled.includes('/'))
    return isZone(spelled) ? zoneOffset(wall, spelled) : `unknown time zone ${spelled}`;
  if (zone) {
    // The log's own zone decides; the abbreviation only picks between the two offsets of a DST change.
    const candidates = zoneOffsets(wall, zone);
    if (candidates.length === 0) return `local time skipped by a DST change in ${zone}`;
    const named = ABBREVIATIONS[upper];
    return candidates.includes(named) ? named : candidates[0];
  }
  const named = ABBREVIATIONS[upper];
  if (named === undefined)
    return `time zone abbreviation ${spelled} is ambiguous or unknown (give the log's IANA time zone, e.g. --timezone Europe/Paris)`;
  return named;
}

function zoneOffset(wall: Wall, zone: string): number | string {
  const candidates = zoneOffsets(wall, zone);
  return candidates.length === 0 ? `local time skipped by a DST change in ${zone}` : candidates[0];
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number[]>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA time zone this runtime knows. */
export function isZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC of `zone` at the instant `ms`. */
function offsetAt(zone: string, ms: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(ms)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wallMs = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((wallMs - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

/**
 * The offsets under which this wall-clock minute exists in `zone`, earliest instant first: one normally, two
 * in the repeated hour of a DST fall-back, none in the skipped hour of a spring-forward.
 */
function zoneOffsets(wall: Wall, zone: string): number[] {
  const key = `${zone} ${wall.year}-${wall.month}-${wall.day} ${wall.hour}:${wall.minute}`;
  let found = offsetCache.get(key);
  if (found) return found;
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const tried = new Set<number>();
  for (const probe of [asUtc - 86_400_000, asUtc, asUtc + 86_400_000]) tried.add(offsetAt(zone, probe));
  found = [...tried].filter((o) => offsetAt(zone, asUtc - o * 60_000) === o).sort((a, b) => b - a); // larger offset = earlier instant
  if (offsetCache.size > 100_000) offsetCache.clear();
  offsetCache.set(key, found);
  return found;
}
