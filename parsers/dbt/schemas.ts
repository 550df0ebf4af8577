// zod schemas for the parts of dbt artifacts this parser reads. Loose: unknown fields are allowed (they
// differ between schema versions); only what we use is checked. The only module that imports zod here.
import { z } from 'zod';
import { lineageError } from '../../src/errors.ts';

const str = z.string();
const optStr = z.string().nullish();
const tags = z.union([z.string(), z.array(z.string())]).nullish();
const meta = z.record(z.string(), z.unknown()).nullish();
const dependsOn = z.looseObject({ nodes: z.array(z.string()).nullish() }).nullish();

const column = z.looseObject({
  name: str,
  description: optStr,
  data_type: optStr,
  tags: tags,
  meta: meta,
});

export const nodeSchema = z.looseObject({
  unique_id: str,
  resource_type: str,
  name: str,
  package_name: str,
  database: optStr,
  schema: optStr,
  alias: optStr,
  identifier: optStr,
  relation_name: optStr,
  description: optStr,
  columns: z.record(z.string(), column).nullish(),
  depends_on: dependsOn,
  config: z
    .looseObject({
      materialized: optStr,
      tags: tags,
      meta: meta,
      group: optStr,
      access: optStr,
      unique_key: z.unknown().optional(),
      updated_at: optStr,
      strategy: optStr,
    })
    .nullish(),
  compiled_code: optStr,
  compiled_sql: optStr,
  raw_code: optStr,
  raw_sql: optStr,
  compiled: z.boolean().nullish(),
  checksum: z.looseObject({ name: optStr, checksum: optStr }).nullish(),
  tags: tags,
  meta: meta,
  access: optStr,
  group: optStr,
  column_name: optStr,
  attached_node: optStr,
  test_metadata: z.looseObject({ name: optStr }).nullish(),
  original_file_path: optStr,
  root_path: optStr,
  source_name: optStr,
  loaded_at_field: optStr,
});
export type RawNode = z.infer<typeof nodeSchema>;

const ownerSchema = z.looseObject({
  name: optStr,
  email: z.union([z.string(), z.array(z.string())]).nullish(),
});

export const exposureSchema = z.looseObject({
  unique_id: str,
  name: str,
  type: str,
  owner: ownerSchema,
  label: optStr,
  description: optStr,
  url: optStr,
  maturity: optStr,
  tags: tags,
  meta: meta,
  depends_on: dependsOn,
});

/** Metrics, semantic models and saved queries: only identity and dependencies are read. */
export const semanticSchema = z.looseObject({
  unique_id: str,
  name: str,
  description: optStr,
  label: optStr,
  depends_on: dependsOn,
  group: optStr,
  tags: tags,
});

export const groupSchema = z.looseObject({ name: str, owner: ownerSchema.nullish() });

export const manifestTopSchema = z.looseObject({
  metadata: z.looseObject({
    dbt_schema_version: str,
    adapter_type: optStr,
    project_name: optStr,
    project_id: optStr,
    generated_at: optStr,
    dbt_version: optStr,
  }),
  nodes: z.record(z.string(), z.unknown()),
  sources: z.record(z.string(), z.unknown()).nullish(),
  exposures: z.record(z.string(), z.unknown()).nullish(),
  metrics: z.record(z.string(), z.unknown()).nullish(),
  semantic_models: z.record(z.string(), z.unknown()).nullish(),
  groups: z.record(z.string(), z.unknown()).nullish(),
});

const catalogColumn = z.looseObject({
  name: str,
  type: optStr,
  index: z.number().nullish(),
  comment: optStr,
});
const stat = z.looseObject({ id: optStr, value: z.unknown().optional(), include: z.boolean().nullish() });
export const catalogTableSchema = z.looseObject({
  unique_id: optStr,
  metadata: z.looseObject({ database: optStr, schema: optStr, name: str, type: optStr, owner: optStr }),
  columns: z.record(z.string(), catalogColumn),
  stats: z.record(z.string(), stat).nullish(),
});
export const catalogTopSchema = z.looseObject({
  metadata: z.looseObject({ dbt_schema_version: str, generated_at: optStr }),
  nodes: z.record(z.string(), z.unknown()),
  sources: z.record(z.string(), z.unknown()).nullish(),
});

const timing = z.looseObject({ name: optStr, started_at: optStr, completed_at: optStr });
export const runResultSchema = z.looseObject({
  unique_id: str,
  status: str,
  message: optStr,
  failures: z.number().nullish(),
  timing: z.array(timing).nullish(),
});
export const runResultsSchema = z.looseObject({
  metadata: z.looseObject({ dbt_schema_version: str, generated_at: optStr }),
  results: z.array(z.unknown()),
});

export const freshnessResultSchema = z.looseObject({
  unique_id: str,
  status: str,
  max_loaded_at: optStr,
  snapshotted_at: optStr,
  max_loaded_at_time_ago_in_s: z.number().nullish(),
  error: optStr,
});
export const sourcesSchema = z.looseObject({
  metadata: z.looseObject({ dbt_schema_version: str, generated_at: optStr }),
  results: z.array(z.unknown()),
});

/** What a streamed artifact keeps: top-level members read whole, and sections read entry by entry. */
export interface ArtifactShape {
  top: z.ZodObject;
  /** Section -> the schema of one of its entries (record values or array elements). */
  sections: Record<string, z.ZodType>;
}

export const ARTIFACT_SHAPES = {
  manifest: {
    top: manifestTopSchema,
    sections: {
      nodes: nodeSchema,
      sources: nodeSchema,
      exposures: exposureSchema,
      metrics: semanticSchema,
      semantic_models: semanticSchema,
      groups: groupSchema,
    },
  },
  catalog: { top: catalogTopSchema, sections: { nodes: catalogTableSchema, sources: catalogTableSchema } },
  'run-results': { top: runResultsSchema, sections: { results: runResultSchema } },
  sources: { top: sourcesSchema, sections: { results: freshnessResultSchema } },
} satisfies Record<string, ArtifactShape>;

/**
 * Keeps only what `schema` reads of `value`: the fields its object shapes name, recursively through
 * optional/nullable, records and arrays (anything else is kept whole). Validating the result gives the
 * same answer, and the same issue paths, as validating the full value; unknown fields are dropped.
 */
export function pickKnown(schema: z.ZodType, value: unknown): unknown {
  return pickerFor(schema)(value);
}

type Picker = (value: unknown) => unknown;
const keep: Picker = (v) => v;
const pickers = new WeakMap<z.ZodType, Picker>();

/** pickKnown compiled once per schema (it runs for every entry of a manifest). */
function pickerFor(schema: z.ZodType): Picker {
  const known = pickers.get(schema);
  if (known) return known;
  let p: Picker = keep;
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    p = pickerFor(schema.unwrap() as z.ZodType);
  else if (schema instanceof z.ZodObject) {
    const fields = Object.entries(schema.shape as Record<string, z.ZodType>).map(
      ([k, s]) => [k, pickerFor(s)] as const,
    );
    p = (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, f] of fields) if (Object.hasOwn(o, k)) out[k] = f(o[k]);
      return out;
    };
  } else if (schema instanceof z.ZodRecord) {
    const f = pickerFor(schema.valueType as z.ZodType);
    if (f !== keep)
      p = (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) setOwn(out, k, f(x));
        return out;
      };
  } else if (schema instanceof z.ZodArray) {
    const f = pickerFor(schema.element as z.ZodType);
    if (f !== keep) p = (v) => (Array.isArray(v) ? v.map(f) : v);
  }
  pickers.set(schema, p);
  return p;
}

/** obj[key] = value as an own data property, even for a key such as `__proto__` (as JSON.parse does). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Validates `value` or throws DBT_INVALID_ARTIFACT naming the file and the JSON path of the first issue. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, file: string, basePath: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const jsonPath =
    basePath + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : pathKey(String(p)))).join('');
  const what =
    issue.code === 'invalid_type' && /received undefined/.test(issue.message)
      ? 'missing required field'
      : issue.message;
  throw lineageError('DBT_INVALID_ARTIFACT', `${file}: ${what} at ${jsonPath}`, { file, jsonPath });
}

export function pathKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
