// `lineage diff <base-target-dir> <new-target-dir>`: what changed between two dbt builds, with blast radius,
// as a table, a PR comment (markdown) or JSON, and a gate (--fail-on) with documented exit codes (docs/dbt.md).
import { lineageError } from '../../errors.ts';
import { diffDbtTargets, type DiffReport } from '../../pipeline/dbt-diff.ts';
import { configFromFlags, parseCommand, requireDirectory } from '../args.ts';
import type { CliIO } from '../io.ts';
import { formatMarkdown, formatTable } from './diff-format.ts';

const FAIL_ON = ['breaks', 'tests', 'exposures', 'any'] as const;
type FailOn = (typeof FAIL_ON)[number];
const FORMATS = ['table', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

const SPEC = {
  name: 'diff',
  usage:
    'diff <base-target-dir> <new-target-dir> [--format table|markdown|json] [--fail-on breaks|tests|exposures|any[,…]]',
  help: [
    '  Compares two dbt target/ directories (e.g. production and a pull request build): removed, renamed',
    '  and retyped columns, removed, changed and added models, each with its blast radius on the base graph',
    '  and a verdict: BLOCK (a model fails to build or a dbt test cannot compile), REVIEW (something may',
    '  break, goes stale, or an exposure is reached), SAFE.',
    '  --format markdown    a pull-request comment; json the full report; table (default) for a terminal',
    '  --fail-on breaks     exit 1 when a downstream model fails to build for certain (verdict BLOCK by a model)',
    '  --fail-on tests      exit 1 when a dbt test on a removed/renamed column or model can no longer compile',
    '  --fail-on exposures  exit 1 when a change reaches an exposure (dashboard, ML model, app)',
    '  --fail-on any        exit 1 unless the verdict is SAFE',
    '  Several may be given, comma-separated. Exit codes: 0 passed, 1 gate failed, 2 bad arguments,',
    '  5 unreadable dbt artifacts.',
  ],
  options: { 'fail-on': { type: 'string' }, format: { type: 'string' } } as const,
  positionals: 2,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const failOn = parseFailOn(cmd.values['fail-on']);
  const format = parseFormat(cmd.values.format, cmd.values.json === true);
  const [baseDir, headDir] = cmd.positionals;
  requireDirectory(baseDir, 'base dbt target directory');
  requireDirectory(headDir, 'new dbt target directory');
  const config = configFromFlags(io, cmd.values);
  const report = await diffDbtTargets(baseDir, headDir, { cacheDir: config.dataDir });
  const failed = gateFailures(report, failOn);
  io.out(
    format === 'json'
      ? `${JSON.stringify({ ...report, gate: { failOn, failed } }, null, 2)}\n`
      : format === 'markdown'
        ? formatMarkdown(report, { failOn, failed })
        : formatTable(report),
  );
  return failed.length > 0 ? 1 : 0;
}

function parseFailOn(value: string | undefined): FailOn[] {
  if (value === undefined) return [];
  const parts = value.split(',').map((p) => p.trim());
  for (const p of parts)
    if (!(FAIL_ON as readonly string[]).includes(p))
      throw lineageError(
        'LINEAGE_BAD_ARGUMENT',
        `lineage diff: --fail-on takes ${FAIL_ON.join(', ')} (comma-separated), not '${p}'`,
      );
  return [...new Set(parts as FailOn[])];
}

function parseFormat(value: string | undefined, json: boolean): Format {
  if (value === undefined) return json ? 'json' : 'table';
  if (!(FORMATS as readonly string[]).includes(value))
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `lineage diff: --format must be ${FORMATS.join(', ')}, not '${value}'`,
    );
  return value as Format;
}

/** The --fail-on conditions the report meets (empty: the gate passes). */
function gateFailures(r: DiffReport, failOn: readonly FailOn[]): FailOn[] {
  const s = r.summary;
  const hit: Record<FailOn, boolean> = {
    breaks: s.certainBreaks > 0,
    tests: s.tests > 0,
    exposures: s.exposures > 0,
    any: s.verdict !== 'SAFE',
  };
  return failOn.filter((f) => hit[f]);
}
