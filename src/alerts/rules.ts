// Routing rules: a JSON file (docs/alerts.md "Rule file") validated with zod, re-read when it changes (no
// restart), matched per impacted asset. A rule's `match` holds optional conditions, every one given must
// hold, each a list meaning "any of":
//   asset (globs over the canonical key, `*` any run of characters, `?` one), schema, group (dbt group),
//   tag, owner (globs over owner id/email), team, exposureKind (the asset is an exposure of that kind),
//   severity (the asset's lineage severity LOW…CRITICAL), urgency (page/notify/digest), source (detector).
// mode "all" (default): every matching rule routes the asset; mode "first": only the first matching rule,
// in file order. An asset no rule matches is not routed (add a last rule with `"match": {}` as a
// catch-all). Assets nobody owns are routed only by a rule whose `owner` lists "(unowned)".
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { lineageError } from '../errors.ts';

const names = z.array(z.string().min(1).max(500)).min(1).max(1000);
const secretName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment-style name (A-Z, 0-9, _): LINEAGE_SECRET_<name>');

const destinationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('slack'),
    /** LINEAGE_SECRET_<secret> holds the incoming-webhook URL. */
    secret: secretName,
  }),
  z.strictObject({
    type: z.literal('pagerduty'),
    /** LINEAGE_SECRET_<secret> holds the Events API v2 integration (routing) key. */
    secret: secretName,
    url: z.url().default('https://events.pagerduty.com/v2/enqueue'),
  }),
  z.strictObject({
    type: z.literal('webhook'),
    /** LINEAGE_SECRET_<secret> holds the URL the JSON is POSTed to. */
    secret: secretName,
  }),
  z.strictObject({
    type: z.literal('digest'),
    every: z.enum(['hourly', 'daily']),
    /** A slack or webhook destination the summary is sent through. */
    via: z.string().min(1),
  }),
]);

const SEVERITY = z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
const URGENCY = z.enum(['page', 'notify', 'digest']);

const matchSchema = z.strictObject({
  asset: names.optional(),
  schema: names.optional(),
  group: names.optional(),
  tag: names.optional(),
  owner: names.optional(),
  team: names.optional(),
  exposureKind: names.optional(),
  severity: z.array(SEVERITY).min(1).optional(),
  urgency: z.array(URGENCY).min(1).optional(),
  source: names.optional(),
});

export const rulesFileSchema = z
  .strictObject({
    mode: z.enum(['all', 'first']).default('all'),
    /** Alerts within this many minutes of an open incident's last alert may join it. */
    windowMinutes: z.number().int().min(1).max(10_080).default(60),
    delivery: z
      .strictObject({
        attempts: z.number().int().min(1).max(10).default(4),
        backoffMs: z.number().int().min(0).max(600_000).default(500),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .default({ attempts: 4, backoffMs: 500, timeoutMs: 10_000 }),
    /** Base URL of the explorer for links in messages (e.g. https://lineage.example.com). */
    explorerUrl: z.url().optional(),
    destinations: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), destinationSchema),
    rules: z
      .array(z.strictObject({ name: z.string().min(1).max(200), match: matchSchema, to: names }))
      .max(10_000),
  })
  .superRefine((file, ctx) => {
    for (const [i, r] of file.rules.entries())
      for (const d of r.to)
        if (!file.destinations[d])
          ctx.addIssue({ code: 'custom', path: ['rules', i, 'to'], message: `unknown destination '${d}'` });
    for (const [name, d] of Object.entries(file.destinations))
      if (d.type === 'digest') {
        const via = file.destinations[d.via];
        if (!via || (via.type !== 'slack' && via.type !== 'webhook'))
          ctx.addIssue({
            code: 'custom',
            path: ['destinations', name, 'via'],
            message: `'${d.via}' must be a slack or webhook destination`,
          });
      }
  });

export type RulesFile = z.infer<typeof rulesFileSchema>;
export type Destination = RulesFile['destinations'][string];
export type RuleMatch = z.infer<typeof matchSchema>;
export type Urgency = z.infer<typeof URGENCY>;

/** No rules: incidents are kept, nothing is delivered. */
export const EMPTY_RULES: RulesFile = rulesFileSchema.parse({ destinations: {}, rules: [] });

export function parseRules(input: unknown, where: string): RulesFile {
  const r = rulesFileSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw lineageError(
    'CONFIG_INVALID',
    `routing rules ${where}: ${issue.path.join('.') || 'file'}: ${issue.message}`,
    { path: issue.path.join('.') },
  );
}

/**
 * The rule file, re-read when its modification time or size changes. A file that became invalid keeps the
 * last valid rules in force and reports the error (`error`), so a typo never silences routing.
 */
export class RulesSource {
  private stamp = '';
  private rules: RulesFile = EMPTY_RULES;
  error: string | null = null;

  constructor(readonly file: string | undefined) {}

  current(): RulesFile {
    if (!this.file) return EMPTY_RULES;
    let stamp: string;
    try {
      const st = statSync(this.file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch (err) {
      this.error = `cannot read ${this.file}: ${(err as Error).message}`;
      return this.rules;
    }
    if (stamp === this.stamp) return this.rules;
    try {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(this.file, 'utf8'));
      } catch (err) {
        throw lineageError(
          'CONFIG_INVALID',
          `routing rules ${this.file}: not JSON: ${(err as Error).message}`,
        );
      }
      this.rules = parseRules(json, this.file);
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
    this.stamp = stamp;
    return this.rules;
  }

  /** Like current(), but an invalid file is an error (the CLI refuses to run on it). */
  strict(): RulesFile {
    const rules = this.current();
    if (this.error) throw lineageError('CONFIG_INVALID', this.error);
    return rules;
  }
}

// ---------------------------------------------------------------------------------------- matching

/** What a rule sees of one impacted asset. */
export interface MatchSubject {
  key: string;
  schema: string | null;
  group: string | null;
  tags: readonly string[];
  /** Consumer kind for an exposure, else null. */
  exposureKind: string | null;
  owner: { id: string; email: string | null; team: string | null };
  severity: string;
  urgency: Urgency;
  source: string;
}

export function globToRegex(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

const anyGlob = (globs: readonly string[], values: readonly (string | null)[]) =>
  globs.some((g) => {
    const re = globToRegex(g);
    return values.some((v) => v !== null && re.test(v));
  });
const anyEqual = (wanted: readonly string[], values: readonly (string | null)[]) =>
  wanted.some((w) => values.some((v) => v !== null && v.toLowerCase() === w.toLowerCase()));

export function matches(m: RuleMatch, s: MatchSubject): boolean {
  return (
    (!m.asset || anyGlob(m.asset, [s.key])) &&
    (!m.schema || anyEqual(m.schema, [s.schema])) &&
    (!m.group || anyEqual(m.group, [s.group])) &&
    (!m.tag || anyEqual(m.tag, s.tags)) &&
    (!m.owner || anyGlob(m.owner, [s.owner.id, s.owner.email])) &&
    (!m.team || anyEqual(m.team, [s.owner.team])) &&
    (!m.exposureKind || anyEqual(m.exposureKind, [s.exposureKind])) &&
    (!m.severity || m.severity.includes(s.severity as never)) &&
    (!m.urgency || m.urgency.includes(s.urgency)) &&
    (!m.source || anyEqual(m.source, [s.source]))
  );
}

export const UNOWNED_ID = '(unowned)';

/** The rules that route `s` (names, in file order), following the file's mode and the unowned rule. */
export function routeSubject(rules: RulesFile, s: MatchSubject): { rule: string; to: string[] }[] {
  const out: { rule: string; to: string[] }[] = [];
  for (const r of rules.rules) {
    if (s.owner.id === UNOWNED_ID && !(r.match.owner ?? []).includes(UNOWNED_ID)) continue;
    if (!matches(r.match, s)) continue;
    out.push({ rule: r.name, to: r.to });
    if (rules.mode === 'first') break;
  }
  return out;
}
