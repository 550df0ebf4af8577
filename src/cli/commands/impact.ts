// `lineage impact <ref>`: downstream blast radius of a change (src/analysis/impact.ts).
import { contextFromConfig } from '../../analysis/context.ts';
import {
  CHANGE_KINDS,
  IMPACT_MODES,
  impact,
  type ChangeKind,
  type ImpactMode,
  type ImpactRequest,
  type ImpactResult,
} from '../../analysis/impact.ts';
import { lineageError } from '../../errors.ts';
import { RELATION_KINDS, type RelationKind } from '../../model/lineage.ts';
import { configFromFlags, enumFlag, intFlag, parseCommand, withStore, type ParsedCommand } from '../args.ts';
import type { CliIO } from '../io.ts';
import { renderFields, renderTable } from '../table.ts';

const SPEC = {
  name: 'impact',
  usage: 'impact <ref> [--change DROP|RENAME|RETYPE|VALUES] [--mode STRICT|CONSERVATIVE] [--depth n]',
  help: [
    '  <ref> is a column or relation key (db.schema.table[.column]), a dbt unique_id, or a unique name.',
    '  --change <kind>   DROP (default), RENAME, RETYPE or VALUES',
    '  --mode <mode>     CONSERVATIVE (default: every column edge kind) or STRICT (value-bearing edges only)',
    '  --depth <n>       maximum hops downstream (default 10)',
    '  --kind <k>        only relations of this kind (model, source, table, …; repeatable)',
    '  --schema <s>      only relations in this schema',
    '  --tag <t>         only relations/exposures with this tag',
    '  --limit <n>       rows per table in the human output (default 20)',
    '  Exit code: 0 nothing breaks, 10 something breaks or goes stale.',
  ],
  options: {
    change: { type: 'string', default: 'DROP' },
    mode: { type: 'string', default: 'CONSERVATIVE' },
    depth: { type: 'string', default: '10' },
    kind: { type: 'string', multiple: true },
    schema: { type: 'string' },
    tag: { type: 'string' },
    limit: { type: 'string', default: '20' },
  } as const,
  positionals: 1,
};

/** Exit code when the change breaks or stales something (so scripts can gate on it). */
export const EXIT_IMPACTED = 10;

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const config = configFromFlags(io, cmd.values);
  const { request, limit } = impactRequestOf(cmd.values, cmd.positionals[0]);
  const result = await withStore(config, (store) => impact(store, request, contextFromConfig(config)), {
    readOnly: true,
  });
  if (cmd.values.json) io.out(JSON.stringify(result, null, 2) + '\n');
  else writeImpact(io, result, limit);
  return result.breaks.length + result.stale.length > 0 ? EXIT_IMPACTED : 0;
}

/** The impact request the flags ask for, and the rows per table of the human output. */
function impactRequestOf(
  values: ParsedCommand<typeof SPEC.options>['values'],
  ref: string,
): { request: ImpactRequest; limit: number } {
  const change = enumFlag<ChangeKind>('change', values.change, CHANGE_KINDS);
  const mode = enumFlag<ImpactMode>('mode', values.mode, IMPACT_MODES);
  const depth = intFlag('depth', values.depth);
  const limit = intFlag('limit', values.limit);
  const kinds = (values.kind ?? []).map((k) => {
    if (!(RELATION_KINDS as readonly string[]).includes(k))
      throw lineageError(
        'LINEAGE_BAD_ARGUMENT',
        `--kind must be one of ${RELATION_KINDS.join(', ')}, got '${k}'`,
      );
    return k as RelationKind;
  });
  const filters = { kinds: kinds.length ? kinds : undefined, schema: values.schema, tag: values.tag };
  return { request: { ref, change, mode, depth, filters }, limit };
}

/** The human output: the summary fields, then relations, columns and consumers (at most `limit` rows each). */
function writeImpact(io: CliIO, result: ImpactResult, limit: number): void {
  const s = result.summary;
  io.out(
    renderFields([
      ['target', `${result.target.key} (${result.target.kind})`],
      ['change', `${result.change} (${result.mode}, depth ${result.depth})`],
      ['breaks', s.breaks],
      ['stale', s.stale],
      ['values change', s.values],
      ['exposures', s.exposures],
      ['metrics/semantic', s.semanticConsumers],
      ['owners', s.owners],
      ['max severity', s.maxSeverity],
      ...(result.partial ? ([['partial', result.partialReasons.join('; ')]] as [string, string][]) : []),
    ]),
  );
  const rel = renderTable(result.breaks.concat(result.stale).slice(0, limit), [
    { header: 'impact', value: (r) => (r.via.length > 0 ? 'BREAKS' : 'STALE') },
    { header: 'relation', value: (r) => r.key },
    { header: 'kind', value: (r) => r.kind },
    { header: 'dist', value: (r) => r.distance, align: 'right' },
    { header: 'importance', value: (r) => r.importance.score, align: 'right' },
    { header: 'severity', value: (r) => r.importance.severity },
    { header: 'owners', value: (r) => r.owners.map((o) => o.email ?? o.id).join(', ') },
  ]);
  io.out(`\nRelations (${s.breaks + s.stale}):\n${rel}`);
  io.out(
    `\nColumns whose values change (${s.values}):\n` +
      renderTable(result.values.slice(0, limit), [
        { header: 'column', value: (v) => v.key },
        { header: 'dist', value: (v) => v.distance, align: 'right' },
        { header: 'strict', value: (v) => (v.strict ? 'yes' : 'no') },
        { header: 'kinds', value: (v) => v.kinds.join(' > ') },
      ]),
  );
  io.out(
    `\nConsumers reached (${s.exposures} exposures, ${s.semanticConsumers} metrics/semantic models):\n` +
      renderTable(result.exposures.slice(0, limit), [
        { header: 'exposure', value: (e) => e.key },
        { header: 'kind', value: (e) => e.kind },
        { header: 'via', value: (e) => e.via },
        { header: 'severity', value: (e) => e.importance.severity },
        { header: 'owners', value: (e) => e.owners.map((o) => o.email ?? o.id).join(', ') },
      ]),
  );
  const more = [
    result.breaks.length + result.stale.length,
    result.values.length,
    result.exposures.length,
  ].some((n) => n > limit);
  if (more) io.out(`\n(showing at most ${limit} rows per table; --limit or --json for all)\n`);
}
