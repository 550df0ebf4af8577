// `lineage diff <base-target-dir> <new-target-dir>`: what changed between two dbt builds, with blast radius.
import { lineageError } from '../../errors.ts';
import { diffDbtTargets, type DiffChange, type DiffReport } from '../../pipeline/dbt-diff.ts';
import { configFromFlags, parseCommand, requireDirectory } from '../args.ts';
import type { CliIO } from '../io.ts';

const SPEC = {
  name: 'diff',
  usage: 'diff <base-target-dir> <new-target-dir> [--fail-on breaks|exposures]',
  help: [
    '  Compares two dbt target/ directories (e.g. production and a pull request build): removed, renamed',
    '  and retyped columns, removed, changed and added models, each with its blast radius on the base graph.',
    '  --fail-on breaks     exit 1 when a change breaks a downstream model',
    '  --fail-on exposures  exit 1 when a change reaches an exposure (dashboard, ML model, app)',
  ],
  options: { 'fail-on': { type: 'string' } } as const,
  positionals: 2,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const failOn = cmd.values['fail-on'];
  if (failOn !== undefined && failOn !== 'breaks' && failOn !== 'exposures')
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `lineage diff: --fail-on must be breaks or exposures, not '${failOn}'`,
    );
  const [baseDir, headDir] = cmd.positionals;
  requireDirectory(baseDir, 'base dbt target directory');
  requireDirectory(headDir, 'new dbt target directory');
  const config = configFromFlags(io, cmd.values);
  const report = await diffDbtTargets(baseDir, headDir, { cacheDir: config.dataDir });
  io.out(cmd.values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  if (failOn === 'breaks' && report.summary.breaks > 0) return 1;
  if (failOn === 'exposures' && report.summary.exposures > 0) return 1;
  return 0;
}

const LABEL: Record<DiffChange['kind'], string> = {
  column_removed: 'removed column',
  column_renamed: 'renamed column',
  column_retyped: 'retyped column',
  column_added: 'added column',
  model_removed: 'removed model',
  model_changed: 'changed SQL',
  model_added: 'added model',
};

export function formatReport(r: DiffReport): string {
  const s = r.summary;
  const lines = [
    `diff ${r.base.dir} (manifest v${r.base.manifestVersion}) -> ${r.head.dir} (manifest v${r.head.manifestVersion}), project ${r.head.project}`,
    `  ${s.column_removed} removed, ${s.column_renamed} renamed, ${s.column_retyped} retyped, ${s.column_added} added columns; ${s.model_removed} removed, ${s.model_changed} changed, ${s.model_added} added models`,
    `  blast radius: ${s.breaks} broken models, ${s.exposures} exposures reached`,
  ];
  for (const c of r.changes) {
    const what = c.column !== undefined ? `${c.relation}.${c.column}` : c.relation;
    const detail =
      c.kind === 'column_renamed'
        ? ` -> ${c.renamedTo} (${c.renameEvidence === 'same_upstream' ? 'same upstream columns' : 'same type and position'})`
        : c.kind === 'column_retyped'
          ? ` ${c.fromType} -> ${c.toType}`
          : '';
    lines.push(`${LABEL[c.kind].padEnd(15)} ${what}${detail}`);
    const b = c.blastRadius;
    if (!b) continue;
    if (b.breaks.length) lines.push(`    breaks:    ${b.breaks.join(', ')}`);
    if (b.stale.length) lines.push(`    stale:     ${b.stale.join(', ')}`);
    if (b.exposures.length)
      lines.push(
        `    exposures: ${b.exposures.map((e) => `${e.name} (${e.kind}${e.owners.length ? `, ${e.owners.map((o) => o.email ?? o.name ?? o.id).join(', ')}` : ''})`).join('; ')}`,
      );
    if (b.values.length) lines.push(`    values:    ${b.values.length} downstream columns change`);
    if (b.semantic.length) lines.push(`    semantic:  ${b.semantic.map((e) => e.name).join(', ')}`);
    if (b.partial) lines.push('    (partial result)');
  }
  return `${lines.join('\n')}\n`;
}
