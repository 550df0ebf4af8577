// Alerts in: the generic shape (POST /v1/alerts/events, `lineage alert generic`) validated with zod, and
// the adapters from what teams already run (src/alerts/adapters.ts) all produce AlertInput. An alert names
// an asset as the user would (a canonical key, a dbt unique_id or a name) and optionally a column; the
// service resolves it against the graph.
import { z } from 'zod';
import { lineageError } from '../errors.ts';

export const ALERT_LEVELS = ['info', 'warning', 'error', 'critical'] as const;
export type AlertLevelName = (typeof ALERT_LEVELS)[number];

const text = (max: number) => z.string().trim().min(1).max(max);

/** One alert in the generic shape. */
export const genericAlertSchema = z.strictObject({
  /** The detector (e.g. "dbt", "great_expectations", "soda", "monte-carlo"). */
  source: text(100).default('webhook'),
  /** The detector's id for this alert: the same id sent twice is one alert. */
  id: text(500).optional(),
  /** The asset: canonical key, dbt unique_id, or a name the graph resolves to one asset. */
  asset: text(1000),
  /** A column of that asset, when the asset is a relation. */
  column: text(500).optional(),
  level: z.enum(ALERT_LEVELS).default('error'),
  status: z.enum(['firing', 'resolved']).default('firing'),
  message: z.string().max(10_000).default(''),
  /** When the detector saw it (ISO-8601); default: when it arrives. */
  at: z.iso.datetime({ offset: true }).optional(),
  url: z.url().max(2000).optional(),
});

/** A validated alert, before its asset is resolved. */
export interface AlertInput {
  source: string;
  id: string | null;
  asset: string;
  column: string | null;
  level: AlertLevelName;
  status: 'firing' | 'resolved';
  message: string;
  at: string | null;
  url: string | null;
}

/** `{ alerts: [...] }` (a single alert is accepted too), at most 1000. */
export const genericBatchSchema = z.strictObject({ alerts: z.array(genericAlertSchema).min(1).max(1000) });

/** Parses the generic shape; the first issue is API_BAD_INPUT with its path. */
export function parseGenericAlerts(input: unknown): AlertInput[] {
  const batch = typeof input === 'object' && input !== null && 'alerts' in input;
  const r = (batch ? genericBatchSchema : genericAlertSchema.transform((a) => ({ alerts: [a] }))).safeParse(
    input,
  );
  if (!r.success) {
    const issue = r.error.issues[0];
    throw lineageError('API_BAD_INPUT', `alert ${issue.path.join('.') || 'body'}: ${issue.message}`, {
      path: issue.path.join('.'),
    });
  }
  return r.data.alerts.map((a) => ({
    source: a.source,
    id: a.id ?? null,
    asset: a.asset,
    column: a.column ?? null,
    level: a.level,
    status: a.status,
    message: a.message,
    at: a.at ? new Date(a.at).toISOString() : null,
    url: a.url ?? null,
  }));
}
