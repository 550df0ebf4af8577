// Small value coercions shared by readers: timestamps to ISO UTC, header lookup, JSON-ish cells.

/**
 * Parses the timestamp spellings warehouses export into ISO-8601 UTC, or null:
 * ISO (`2024-05-01T10:00:00Z`), `2024-05-01 10:00:00.123 -0700` (Snowflake), `… UTC` (BigQuery, Postgres),
 * no zone (Redshift, taken as UTC), epoch milliseconds or seconds.
 */
export function parseTime(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const ms = value > 1e11 ? value : value * 1000;
    return new Date(ms).toISOString();
  }
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (s === '') return null;
  if (/^\d+(\.\d+)?$/.test(s)) return parseTime(Number(s));
  const m =
    /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i.exec(s);
  if (m) {
    const frac = m[3] ? m[3].slice(0, 4).padEnd(4, '0') : '';
    let zone = m[4] ? m[4].toUpperCase() : 'Z';
    if (zone === 'UTC' || zone === 'GMT') zone = 'Z';
    else if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
    else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
    const time = m[2].length === 5 ? `${m[2]}:00` : m[2];
    const d = new Date(`${m[1]}T${time}${frac}${zone}`);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  // Postgres csvlog with a named zone (log_timezone = 'Europe/Paris' writes CET/CEST): the offset is unknown.
  const named = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? [A-Z]{2,5}$/.exec(s);
  if (named) return parseTime(`${named[1]} ${named[2]}${named[3] ?? ''}`);
  return null;
}

/** Case-insensitive header index: `col('query_text')` -> the cell, or undefined when the column is absent. */
export function headerIndex(header: string[]): Map<string, number> {
  const map = new Map<string, number>();
  header.forEach((h, i) => {
    const name = h.trim().replace(/^"|"$/g, '').toLowerCase();
    if (!map.has(name)) map.set(name, i);
  });
  return map;
}

/** A string field from a JSON object, matched case-insensitively (exports differ in case). */
export function field(obj: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) {
    if (name in obj) return obj[name];
    const upper = name.toUpperCase();
    if (upper in obj) return obj[upper];
  }
  return undefined;
}

export function str(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A cell that holds JSON (an ACCESS_HISTORY array exported to CSV), or the value itself when already parsed. */
export function jsonCell(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const s = value.trim();
  if (s === '' || s.toUpperCase() === 'NULL') return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
