// Small value coercions shared by readers: strings and JSON-ish cells.

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
