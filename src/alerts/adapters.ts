// Adapters from the artifacts detectors already write to AlertInput:
// - dbt `run_results.json`: each failing (fail/error) or warning test becomes an alert on the column it
//   tests (or its relation), found through the checks of the manifest already ingested; a model that
//   errored becomes an alert on the model.
// - dbt `sources.json`: each source whose freshness is warn/error becomes an alert on the source.
// - Great Expectations validation results (a suite validation result, a list of them, or a checkpoint
//   result with run_results): each failed expectation becomes an alert on its batch's table and column.
// - Soda scan results (`soda scan -srf results.json`): each check with outcome fail/warn.
// Results that cannot be attached to an asset are returned as `skipped` with the reason, never guessed.
import { z } from 'zod';
import type { LineageStore } from '../../graph/store.ts';
import { readRunResults, readSourcesFreshness } from '../../parsers/dbt/run-artifacts.ts';
import { lineageError } from '../errors.ts';
import { parseGenericAlerts, type AlertInput } from './intake.ts';

export const ALERT_KINDS = [
  'generic',
  'dbt-run-results',
  'dbt-sources',
  'great-expectations',
  'soda',
] as const;

export interface AdapterResult {
  alerts: AlertInput[];
  skipped: { ref: string; reason: string }[];
}

const base = (over: Partial<AlertInput> & Pick<AlertInput, 'source' | 'asset'>): AlertInput => ({
  id: null,
  column: null,
  level: 'error',
  status: 'firing',
  message: '',
  at: null,
  url: null,
  ...over,
});

/** dbt run_results.json: failing tests on their column (or relation), errored models on the model. */
export async function fromDbtRunResults(
  json: unknown,
  store: LineageStore,
  file = 'run_results.json',
): Promise<AdapterResult> {
  const artifact = readRunResults(json, file);
  const bad = artifact.facts.filter(
    (f) => f.kind === 'test_failed' || f.kind === 'test_warned' || f.kind === 'model_error',
  );
  const out: AdapterResult = { alerts: [], skipped: [] };
  if (bad.length === 0) return out;
  const checks = await checkIndex(store);
  for (const f of bad) {
    if (f.kind === 'model_error') {
      const nodes = await store.findByUniqueId(f.uniqueId);
      const rel = nodes.find((n) => n.type === 'relation');
      if (!rel) out.skipped.push({ ref: f.uniqueId, reason: 'not in the ingested manifest' });
      else
        out.alerts.push(
          base({
            source: 'dbt',
            id: `${f.uniqueId}@${f.at}`,
            asset: rel.node.key,
            message: f.message,
            at: f.at,
          }),
        );
      continue;
    }
    const check = checks.get(f.uniqueId);
    if (!check) {
      out.skipped.push({ ref: f.uniqueId, reason: 'test not in the ingested manifest (ingest it first)' });
      continue;
    }
    out.alerts.push(
      base({
        source: 'dbt',
        id: `${f.uniqueId}@${f.at}`,
        asset: check.columnKey ?? check.relationKey,
        level: f.kind === 'test_warned' ? 'warning' : 'error',
        message: `${check.name}: ${f.message}`,
        at: f.at,
      }),
    );
  }
  return out;
}

/** dbt sources.json: stale sources (warn → warning, error → error). */
export async function fromDbtSources(
  json: unknown,
  store: LineageStore,
  file = 'sources.json',
): Promise<AdapterResult> {
  const artifact = readSourcesFreshness(json, file);
  const out: AdapterResult = { alerts: [], skipped: [] };
  const raw = json as { results?: { unique_id?: string; status?: string }[] };
  const statusOf = new Map((raw.results ?? []).map((r) => [r.unique_id, String(r.status).toLowerCase()]));
  for (const f of artifact.facts) {
    if (f.kind !== 'source_stale') continue;
    // A source that is also a seed (same relation) carries the seed's unique_id: fall back to its name.
    const rel = (await store.findByUniqueId(f.uniqueId)).find((n) => n.type === 'relation');
    const name = f.uniqueId.split('.').at(-1) ?? f.uniqueId;
    out.alerts.push(
      base({
        source: 'dbt',
        id: `${f.uniqueId}@${f.at}`,
        asset: rel ? rel.node.key : name,
        level: statusOf.get(f.uniqueId) === 'warn' ? 'warning' : 'error',
        message: f.message,
        at: f.at,
      }),
    );
  }
  return out;
}

/** Check id (dbt test unique_id) → its check, over every relation of the graph. */
async function checkIndex(store: LineageStore) {
  const keys = (await store.listRelations()).map((r) => r.key);
  const all = await store.checks(keys);
  return new Map(all.map((c) => [c.id, c]));
}

// ------------------------------------------------------------------------------ Great Expectations

const geResult = z.looseObject({
  success: z.boolean().nullish(),
  expectation_config: z
    .looseObject({
      expectation_type: z.string().nullish(),
      type: z.string().nullish(),
      kwargs: z.looseObject({ column: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

const geValidation = z.looseObject({
  success: z.boolean().nullish(),
  results: z.array(geResult),
  meta: z
    .looseObject({
      expectation_suite_name: z.string().nullish(),
      run_id: z.unknown().optional(),
      validation_time: z.string().nullish(),
      active_batch_definition: z.looseObject({ data_asset_name: z.string().nullish() }).nullish(),
      batch_spec: z
        .looseObject({ table_name: z.string().nullish(), schema_name: z.string().nullish() })
        .nullish(),
      batch_kwargs: z.looseObject({ table: z.string().nullish(), schema: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

type GeValidation = z.infer<typeof geValidation>;

function geValidations(json: unknown): GeValidation[] {
  if (Array.isArray(json)) return json.flatMap(geValidations);
  const obj = json as Record<string, unknown> | null;
  if (obj && typeof obj === 'object' && obj.run_results && typeof obj.run_results === 'object')
    return Object.values(obj.run_results as Record<string, { validation_result?: unknown }>).flatMap((r) =>
      geValidations(r?.validation_result ?? r),
    );
  const r = geValidation.safeParse(json);
  if (!r.success)
    throw lineageError(
      'API_BAD_INPUT',
      `not a Great Expectations validation result: ${r.error.issues[0].path.join('.') || 'body'} ${r.error.issues[0].message}`,
    );
  return [r.data];
}

export function fromGreatExpectations(json: unknown): AdapterResult {
  const out: AdapterResult = { alerts: [], skipped: [] };
  for (const v of geValidations(json)) {
    const m = v.meta ?? {};
    const table =
      (m.batch_spec?.table_name &&
        [m.batch_spec.schema_name, m.batch_spec.table_name].filter(Boolean).join('.')) ||
      (m.batch_kwargs?.table && [m.batch_kwargs.schema, m.batch_kwargs.table].filter(Boolean).join('.')) ||
      m.active_batch_definition?.data_asset_name ||
      null;
    const suite = m.expectation_suite_name ?? 'suite';
    const at = m.validation_time ? geTime(m.validation_time) : null;
    v.results.forEach((r, i) => {
      if (r.success !== false) return;
      const type = r.expectation_config?.expectation_type ?? r.expectation_config?.type ?? 'expectation';
      if (!table) {
        out.skipped.push({
          ref: `${suite}#${i}`,
          reason: 'the validation result names no table or data asset',
        });
        return;
      }
      const column = r.expectation_config?.kwargs?.column ?? null;
      out.alerts.push(
        base({
          source: 'great_expectations',
          id: `${suite}:${type}:${column ?? ''}@${at ?? ''}`,
          asset: table,
          column,
          message: `${suite}: ${type}${column ? ` on ${column}` : ''} failed`,
          at,
        }),
      );
    });
  }
  return out;
}

/** GE writes `20261201T101500.123456Z`-style times or ISO ones. */
function geTime(t: string): string | null {
  const compact = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(t);
  const d = compact
    ? new Date(`${compact[1]}-${compact[2]}-${compact[3]}T${compact[4]}:${compact[5]}:${compact[6]}Z`)
    : new Date(t);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

// ------------------------------------------------------------------------------------------- Soda

const sodaScan = z.looseObject({
  definitionName: z.string().nullish(),
  dataTimestamp: z.string().nullish(),
  scanEndTimestamp: z.string().nullish(),
  checks: z.array(
    z.looseObject({
      identity: z.string().nullish(),
      name: z.string().nullish(),
      definition: z.string().nullish(),
      table: z.string().nullish(),
      column: z.string().nullish(),
      outcome: z.string().nullish(),
    }),
  ),
});

export function fromSoda(json: unknown): AdapterResult {
  const r = sodaScan.safeParse(json);
  if (!r.success)
    throw lineageError(
      'API_BAD_INPUT',
      `not a Soda scan result: ${r.error.issues[0].path.join('.') || 'body'} ${r.error.issues[0].message}`,
    );
  const out: AdapterResult = { alerts: [], skipped: [] };
  const atRaw = r.data.scanEndTimestamp ?? r.data.dataTimestamp;
  const atDate = atRaw ? new Date(atRaw) : null;
  const at = atDate && !Number.isNaN(atDate.getTime()) ? atDate.toISOString() : null;
  r.data.checks.forEach((c, i) => {
    const outcome = (c.outcome ?? '').toLowerCase();
    if (outcome !== 'fail' && outcome !== 'warn') return;
    const name = c.name ?? c.definition ?? `check ${i}`;
    if (!c.table) {
      out.skipped.push({ ref: c.identity ?? name, reason: 'the check names no table' });
      return;
    }
    out.alerts.push(
      base({
        source: 'soda',
        id: `${c.identity ?? name}@${at ?? ''}`,
        asset: c.table,
        column: c.column ?? null,
        level: outcome === 'warn' ? 'warning' : 'error',
        message: `${name}: ${outcome}`,
        at,
      }),
    );
  });
  return out;
}

/** The adapter for `kind` (`lineage alert <kind> <file>`, POST /v1/alerts/events?kind=…). */
export async function adapt(
  kind: string,
  json: unknown,
  store: LineageStore,
  file?: string,
): Promise<AdapterResult> {
  switch (kind as (typeof ALERT_KINDS)[number]) {
    case 'generic':
      return { alerts: parseGenericAlerts(json), skipped: [] };
    case 'dbt-run-results':
      return fromDbtRunResults(json, store, file);
    case 'dbt-sources':
      return fromDbtSources(json, store, file);
    case 'great-expectations':
      return fromGreatExpectations(json);
    case 'soda':
      return fromSoda(json);
  }
  throw lineageError(
    'LINEAGE_BAD_ARGUMENT',
    `unknown alert kind '${kind}' (expected ${ALERT_KINDS.join(', ')})`,
  );
}
