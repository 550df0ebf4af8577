// Date-part keywords: the unit argument of DATEADD / DATEDIFF / DATEPART / DATE_TRUNC / EXTRACT … is a
// keyword (`day`, `month`, `yy`), not a column, even when a grammar reads it as a bare column reference.
// Which argument is the unit depends on the function and the dialect (BigQuery puts it last), so only
// that argument is dropped: `dateadd(day, 1, d)` still reads column `d`.
import type { Platform } from '../../src/model/lineage.ts';
import type { Expr } from './tree.ts';

/** Functions whose first argument is the unit, on every platform that has them. */
const UNIT_FIRST = new Set([
  'DATEADD',
  'DATEDIFF',
  'DATEDIFF_BIG',
  'DATEPART',
  'DATENAME',
  'DATETRUNC',
  'DATE_PART',
  'DATE_TRUNC',
  'DATE_DIFF',
  'DATE_BUCKET',
  'TIMEADD',
  'TIMEDIFF',
  'TIMESTAMPADD',
  'TIMESTAMPDIFF',
  'TIMESTAMP_DIFF',
  'EXTRACT',
]);

/** BigQuery's unit positions: `DATE_DIFF(a, b, DAY)`, `DATE_TRUNC(d, MONTH)`. */
const BIGQUERY_UNIT: Record<string, number> = {
  DATE_DIFF: 2,
  DATETIME_DIFF: 2,
  TIMESTAMP_DIFF: 2,
  TIME_DIFF: 2,
  DATE_TRUNC: 1,
  DATETIME_TRUNC: 1,
  TIMESTAMP_TRUNC: 1,
  TIME_TRUNC: 1,
  LAST_DAY: 1,
  EXTRACT: 0,
};

/** Functions whose unit comes second on every platform: `LAST_DAY(d, MONTH)`. */
const UNIT_SECOND = new Set(['LAST_DAY']);

/** Dialects where two-argument DATEDIFF(end, start) has no unit (the three-argument form has one). */
const TWO_ARG_DATEDIFF: ReadonlySet<Platform> = new Set(['databricks', 'mysql']);

export const DATE_PARTS: ReadonlySet<string> = new Set(
  (
    'YEAR YEARS YY YYYY Y YRS QUARTER QUARTERS QTR QQ Q MONTH MONTHS MM M MON WEEK WEEKS WK WW W ' +
    'ISOWEEK WEEKISO WEEKOFYEAR WEEKDAY DAY DAYS DD D DY DAYOFWEEK DAYOFWEEKISO DAYOFMONTH DAYOFYEAR DOW ' +
    'ISODOW DOY DW HOUR HOURS HH MINUTE MINUTES MI N SECOND SECONDS SS S MILLISECOND MILLISECONDS MS ' +
    'MICROSECOND MICROSECONDS MCS US NANOSECOND NANOSECONDS NS EPOCH ISOYEAR YEAROFWEEK YEAROFWEEKISO ' +
    'DECADE CENTURY MILLENNIUM TIMEZONE_HOUR TIMEZONE_MINUTE DATE TIME DATETIME'
  ).split(' '),
);

/** Units with an argument: BigQuery's `WEEK(MONDAY)`. */
const WEEK_UNITS = new Set(['WEEK', 'ISOWEEK']);

/** 0-based position of the unit argument of `name` called with `argc` arguments, or -1 when none. */
export function unitPosition(name: string, platform: Platform, argc: number): number {
  const fn = (name.split('.').pop() ?? name).toUpperCase();
  if (platform === 'bigquery' && fn in BIGQUERY_UNIT) return BIGQUERY_UNIT[fn];
  if (UNIT_SECOND.has(fn)) return argc >= 2 ? 1 : -1;
  if (fn === 'DATEDIFF' && argc < 3 && TWO_ARG_DATEDIFF.has(platform)) return -1;
  return UNIT_FIRST.has(fn) && argc >= 1 ? 0 : -1;
}

/** True for an expression that is a date-part keyword as the grammar read it (`day`, `WEEK(MONDAY)`). */
export function isDatePart(e: Expr): boolean {
  if (e.kind === 'column')
    return e.qualifier.length === 0 && !e.name.quoted && DATE_PARTS.has(e.name.value.toUpperCase());
  return e.kind === 'func' && WEEK_UNITS.has(e.name) && e.args.every(isDatePartArg);
}

function isDatePartArg(e: Expr): boolean {
  return e.kind === 'literal' || (e.kind === 'column' && e.qualifier.length === 0 && !e.name.quoted);
}

/**
 * A function's arguments (all of them, in call order) without its unit argument when that argument is
 * a date-part keyword; the caller drops literals afterwards.
 */
export function withoutDatePart(name: string, platform: Platform, args: Expr[]): Expr[] {
  const at = unitPosition(name, platform, args.length);
  if (at < 0 || at >= args.length || !isDatePart(args[at])) return args;
  return args.filter((_, i) => i !== at);
}
