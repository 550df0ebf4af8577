// zod model of OpenLineage events, written from the published JSON Schema: spec 2-0-2
// (https://openlineage.io/spec/2-0-2/OpenLineage.json) and the facets this service reads —
//   columnLineage 1-2-0 (ColumnLineageDatasetFacet), schema 1-2-0 (SchemaDatasetFacet), sql 1-1-0 (SQLJobFacet),
//   errorMessage 1-0-1 (ErrorMessageRunFacet), parent 1-2-0 (ParentRunFacet), nominalTime 1-0-1, symlinks 1-0-1.
// Loose like the spec: every object allows additional properties, and facets we do not read are accepted
// as any object and ignored. Deliberate leniencies, each because real emitters need it:
//   - `schemaURL` (required since 2-0-0) may be missing: the spec's own examples and 1.x clients omit it;
//   - facets' `_producer` / `_schemaURL` (BaseFacet) may be missing: dbt-ol and Spark test shapes omit them;
//   - `eventType` may be missing (the spec does not require it): treated as OTHER;
//   - a facet we read that has the wrong shape is dropped with a diagnostic, not a rejection of the event
//     (the rest of the event is still good lineage) — except `run.runId`, `job` and dataset identities.
// The only module of parsers/openlineage that imports zod.
import { z } from 'zod';

export const SPEC_VERSION = '2-0-2';
export const EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** RFC 3339 date-time (the schema's `format: date-time`), with a zone. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/;

const nonEmpty = z.string().min(1, 'must not be empty');
/**
 * A job's or dataset's namespace or name: two of them make an origin id (`openlineage:<ns>/<name>`), which must
 * stay under src/model/key-size.ts's limit; real names are far shorter.
 */
export const MAX_NAME_BYTES = 2000;
const boundedName = nonEmpty.refine(
  (s) => s.length * 3 <= MAX_NAME_BYTES || Buffer.byteLength(s, 'utf8') <= MAX_NAME_BYTES,
  `must be at most ${MAX_NAME_BYTES} UTF-8 bytes`,
);
const facetMap = z.record(z.string(), z.unknown());

const dateTime = z
  .string()
  .regex(DATE_TIME, 'must be an RFC 3339 date-time with a zone')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a valid date-time');

const datasetSchema = z.looseObject({
  namespace: boundedName,
  name: boundedName,
  facets: facetMap.nullish(),
  inputFacets: facetMap.nullish(),
  outputFacets: facetMap.nullish(),
});

const jobSchema = z.looseObject({ namespace: boundedName, name: boundedName, facets: facetMap.nullish() });
const runSchema = z.looseObject({
  runId: z.string().regex(UUID, 'must be a UUID'),
  facets: facetMap.nullish(),
});

const base = {
  eventTime: dateTime,
  producer: nonEmpty,
  schemaURL: z.string().nullish(),
};

export const runEventSchema = z.looseObject({
  ...base,
  eventType: z.enum(EVENT_TYPES).nullish(),
  run: runSchema,
  job: jobSchema,
  inputs: z.array(datasetSchema).nullish(),
  outputs: z.array(datasetSchema).nullish(),
});

/** A JobEvent (static job metadata, no run). */
export const jobEventSchema = z.looseObject({
  ...base,
  job: jobSchema,
  inputs: z.array(datasetSchema).nullish(),
  outputs: z.array(datasetSchema).nullish(),
});

/** A DatasetEvent (static dataset metadata). */
export const datasetEventSchema = z.looseObject({ ...base, dataset: datasetSchema });

export type RunEvent = z.infer<typeof runEventSchema>;
export type JobEvent = z.infer<typeof jobEventSchema>;
export type DatasetEvent = z.infer<typeof datasetEventSchema>;
export type OlDataset = z.infer<typeof datasetSchema>;
export type OlJob = z.infer<typeof jobSchema>;

export type OpenLineageEvent =
  | { type: 'run'; event: RunEvent }
  | { type: 'job'; event: JobEvent }
  | { type: 'dataset'; event: DatasetEvent };

// ------------------------------------------------------------------------------------------------ facets we read

const transformationSchema = z.looseObject({
  type: z.string(),
  subtype: z.string().nullish(),
  description: z.string().nullish(),
  masking: z.boolean().nullish(),
});
const inputFieldSchema = z.looseObject({
  namespace: nonEmpty,
  name: nonEmpty,
  field: nonEmpty,
  transformations: z.array(transformationSchema).nullish(),
});
export const columnLineageFacet = z.looseObject({
  fields: z.record(
    z.string(),
    z.looseObject({
      inputFields: z.array(inputFieldSchema),
      transformationDescription: z.string().nullish(),
      transformationType: z.string().nullish(),
    }),
  ),
  dataset: z.array(inputFieldSchema).nullish(),
});
export type InputField = z.infer<typeof inputFieldSchema>;

interface SchemaField {
  name: string;
  type?: string | null;
  description?: string | null;
  ordinal_position?: number | null;
  fields?: SchemaField[] | null;
}
const schemaFieldSchema: z.ZodType<SchemaField> = z.lazy(() =>
  z.looseObject({
    name: z.string(),
    type: z.string().nullish(),
    description: z.string().nullish(),
    ordinal_position: z.number().int().nullish(),
    fields: z.array(schemaFieldSchema).nullish(),
  }),
);
export const schemaFacet = z.looseObject({ fields: z.array(schemaFieldSchema).nullish() });

export const sqlFacet = z.looseObject({ query: z.string(), dialect: z.string().nullish() });
export const errorMessageFacet = z.looseObject({
  message: z.string(),
  programmingLanguage: z.string().nullish(),
  stackTrace: z.string().nullish(),
});
export const parentFacet = z.looseObject({
  run: z.looseObject({ runId: z.string() }),
  job: z.looseObject({ namespace: z.string(), name: z.string() }),
  root: z
    .looseObject({
      run: z.looseObject({ runId: z.string() }),
      job: z.looseObject({ namespace: z.string(), name: z.string() }),
    })
    .nullish(),
});
export const nominalTimeFacet = z.looseObject({
  nominalStartTime: z.string(),
  nominalEndTime: z.string().nullish(),
});
export const symlinksFacet = z.looseObject({
  identifiers: z.array(
    z.looseObject({ namespace: z.string(), name: z.string(), type: z.string().nullish() }),
  ),
});
export const documentationFacet = z.looseObject({ description: z.string() });

export type ParentFacet = z.infer<typeof parentFacet>;

/** Reads one facet we understand; undefined when absent, `{ bad }` when present with the wrong shape. */
export function readFacet<T extends z.ZodType>(
  facets: Record<string, unknown> | null | undefined,
  name: string,
  schema: T,
): { ok: z.infer<T> } | { bad: string } | undefined {
  const raw = facets?.[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'object' && (raw as { _deleted?: unknown })._deleted === true) return undefined;
  const r = schema.safeParse(raw);
  if (r.success) return { ok: r.data };
  return { bad: issueText(r.error) };
}

// ------------------------------------------------------------------------------------------------ validation

export interface Invalid {
  message: string;
  path: string;
}

function issueText(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'invalid';
  const path = first.path.length ? first.path.map(String).join('.') : '(event)';
  return `${path}: ${first.message}`;
}

/**
 * Classifies and validates one decoded JSON value: a RunEvent (has `run`), a JobEvent (has `job`, no `run`)
 * or a DatasetEvent (has `dataset`). Returns the typed event or why it is not one.
 */
export function validateEvent(value: unknown): { ok: OpenLineageEvent } | { invalid: Invalid } {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { invalid: { message: 'an OpenLineage event must be a JSON object', path: '(event)' } };
  const obj = value as Record<string, unknown>;
  const pick =
    'run' in obj
      ? ({ type: 'run', schema: runEventSchema } as const)
      : 'job' in obj
        ? ({ type: 'job', schema: jobEventSchema } as const)
        : 'dataset' in obj
          ? ({ type: 'dataset', schema: datasetEventSchema } as const)
          : null;
  if (!pick)
    return {
      invalid: {
        message: 'not an OpenLineage event: it has none of run, job or dataset',
        path: '(event)',
      },
    };
  const r = pick.schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    const path = first && first.path.length ? first.path.map(String).join('.') : '(event)';
    return { invalid: { message: `${path}: ${first?.message ?? 'invalid'}`, path } };
  }
  return { ok: { type: pick.type, event: r.data } as OpenLineageEvent };
}
