// zod validation of GraphQL arguments at the edge: typed data or API_BAD_INPUT / API_LIMIT_EXCEEDED.
import { z } from 'zod';
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';
import { RELATION_KINDS } from '../src/model/lineage.ts';
import { CHANGE_KINDS, IMPACT_MODES } from '../src/analysis/impact.ts';
import { COMPONENT_NAMES } from '../src/analysis/complexity.ts';
import { GRAPH_DIRECTIONS } from '../src/analysis/lineage-graph.ts';
import { UNUSED_SORTS } from '../src/analysis/unused.ts';
import { COMPLEXITY_SCOPES } from './enums.ts';

const ref = z.string().trim().min(1, 'must not be empty').max(1000, 'is too long');
const window = z
  .string()
  .trim()
  .max(40)
  .regex(
    /^(\d{1,5}\s*[hdwHDW]|\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)$/,
    'must be a duration like 90d or an ISO date',
  );
const name = z.string().trim().min(1).max(200);
const nameList = z.array(name).max(100).optional().nullable();

const built = new WeakMap<Config['limits'], ReturnType<typeof buildSchemas>>();

/** The argument schemas for `config`'s limits, built once per limits object. */
export function schemas(config: Config): ReturnType<typeof buildSchemas> {
  let s = built.get(config.limits);
  if (!s) built.set(config.limits, (s = buildSchemas(config)));
  return s;
}

function buildSchemas(config: Config) {
  const depth = z
    .number()
    .int()
    .refine((d) => d >= 1, 'must be at least 1')
    .refine((d) => d <= config.limits.maxTraversalDepth, {
      message: `exceeds the maximum traversal depth ${config.limits.maxTraversalDepth}`,
      params: { limit: true },
    });
  return {
    asset: z.object({ ref }),
    search: z.object({
      text: z.string().trim().min(1).max(200),
      types: z.array(z.string()).optional().nullable(),
      first: z.number().int().min(1).max(config.limits.maxPageSize).optional().nullable(),
    }),
    impact: z.object({
      ref,
      change: z.enum(CHANGE_KINDS),
      mode: z.enum(IMPACT_MODES),
      depth,
      filter: z
        .object({
          kinds: z.array(z.enum(RELATION_KINDS)).max(RELATION_KINDS.length).optional().nullable(),
          schema: name.optional().nullable(),
          tag: name.optional().nullable(),
        })
        .optional()
        .nullable(),
      indirectColumns: z.boolean().optional().nullable(),
    }),
    canDrop: z.object({ ref, window }),
    rootCause: z.object({ ref, since: window, depth }),
    unused: z.object({
      since: window,
      schema: name.optional().nullable(),
      ignoreUsers: nameList,
      ignoreRoles: nameList,
      sort: z.enum(UNUSED_SORTS),
    }),
    complexity: z.object({
      scope: z.enum(COMPLEXITY_SCOPES),
      schema: name.optional().nullable(),
      sortBy: z.enum(['score', ...COMPONENT_NAMES]),
    }),
    alertRoutes: z.object({ ref, depth }),
    lineageGraph: z.object({
      ref,
      direction: z.enum(GRAPH_DIRECTIONS),
      depth,
      limit: z
        .number()
        .int()
        .min(1)
        .refine((n) => n <= config.limits.maxPageSize * 20, {
          message: `exceeds the maximum node limit ${config.limits.maxPageSize * 20}`,
          params: { limit: true },
        }),
    }),
    alert: z.object({ asset: ref, message: z.string().max(10_000).optional(), depth: depth.optional() }),
  };
}

const artifact = z.string().min(1, 'must not be empty');
const optionalArtifact = artifact.optional().nullable();

/** Mutation arguments (the body limit already bounds the artifact sizes). */
export const mutationSchemas = {
  ingestDbtPath: z.object({ path: z.string().trim().min(1, 'must not be empty').max(4096) }),
  ingestDbtArtifacts: z.object({
    manifest: artifact,
    catalog: optionalArtifact,
    runResults: optionalArtifact,
    sources: optionalArtifact,
  }),
  removeOrigin: z.object({ originId: z.string().trim().min(1, 'must not be empty').max(500) }),
};

/** Parses `input`; a refinement marked as a limit becomes API_LIMIT_EXCEEDED, anything else API_BAD_INPUT. */
export function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.join('.') || 'input';
  const isLimit =
    issue.code === 'custom' && (issue as { params?: { limit?: boolean } }).params?.limit === true;
  throw lineageError(isLimit ? 'API_LIMIT_EXCEEDED' : 'API_BAD_INPUT', `argument ${where} ${issue.message}`);
}
