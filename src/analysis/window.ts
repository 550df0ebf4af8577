// Time windows for analyses: `since` given as a duration (`90d`, `12h`, `2w`) or an ISO date/time,
// resolved against an explicit `now` so results are reproducible.
import { lineageError } from '../errors.ts';

const DURATION = /^(\d{1,5})\s*([hdw])$/i;
const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** Resolves `since` to an ISO instant. Throws LINEAGE_BAD_ARGUMENT on anything else. */
export function resolveSince(since: string, now: Date): string {
  const text = since.trim();
  const m = DURATION.exec(text);
  if (m) {
    const unit = m[2].toLowerCase() as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(m[1]) * UNIT_MS[unit]).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const t = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  throw lineageError(
    'LINEAGE_BAD_ARGUMENT',
    `invalid time window '${since}': use a duration like 90d, 12h, 2w or an ISO date`,
  );
}

/** The UTC day `YYYY-MM-DD` of an ISO instant. */
export function utcDay(iso: string): string {
  return iso.slice(0, 10);
}
