// `lineage complexity`: complexity scores with their breakdown (src/analysis/complexity.ts).
import { COMPONENT_NAMES, complexity, type ComplexityComponent } from '../../analysis/complexity.ts';
import { lineageError } from '../../errors.ts';
import { configFromFlags, enumFlag, intFlag, parseCommand, withStore } from '../args.ts';
import type { CliIO } from '../io.ts';
import { renderTable } from '../table.ts';

const SPEC = {
  name: 'complexity',
  usage: 'complexity [--scope MODEL|SCHEMA] [--schema s] [--sort score|<component>]',
  help: [
    '  Score 0-100 = 100 × Σ weight × normalized component; formula in docs/api.md.',
    '  --scope <s>     MODEL (default: per relation) or SCHEMA (mean per schema)',
    '  --schema <s>    only relations of this schema',
    `  --sort <c>      score (default) or a component: ${COMPONENT_NAMES.join(', ')}`,
    '  --limit <n>     rows shown (default 20)',
  ],
  options: {
    scope: { type: 'string', default: 'MODEL' },
    schema: { type: 'string' },
    sort: { type: 'string', default: 'score' },
    limit: { type: 'string', default: '20' },
  } as const,
  positionals: 0,
};

const SHORT: Record<ComplexityComponent, string> = {
  fanInTables: 'inT',
  fanOutTables: 'outT',
  fanInColumns: 'inC',
  fanOutColumns: 'outC',
  depth: 'depth',
  downstreamReach: 'reach',
  sqlShape: 'sql',
  crossSchemaEdges: 'xschema',
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const config = configFromFlags(io, cmd.values);
  const scope = enumFlag<'MODEL' | 'SCHEMA'>('scope', cmd.values.scope, ['MODEL', 'SCHEMA']);
  const limit = intFlag('limit', cmd.values.limit);
  const sortBy = cmd.values.sort ?? 'score';
  if (sortBy !== 'score' && !(COMPONENT_NAMES as string[]).includes(sortBy))
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `--sort must be score or one of ${COMPONENT_NAMES.join(', ')}`,
    );
  const r = await withStore(
    config,
    (store) =>
      complexity(store, {
        scope,
        schema: cmd.values.schema,
        sortBy: sortBy as ComplexityComponent | 'score',
      }),
    { readOnly: true },
  );
  if (cmd.values.json) {
    io.out(JSON.stringify(r, null, 2) + '\n');
    return 0;
  }
  io.out(
    renderTable(r.items.slice(0, limit), [
      { header: scope === 'MODEL' ? 'relation' : 'schema', value: (i) => i.key },
      ...(scope === 'SCHEMA'
        ? [
            {
              header: 'relations',
              value: (i: (typeof r.items)[number]) => i.relations,
              align: 'right' as const,
            },
          ]
        : []),
      { header: 'score', value: (i) => i.score.toFixed(1), align: 'right' },
      ...COMPONENT_NAMES.map((c) => ({
        header: SHORT[c],
        value: (i: (typeof r.items)[number]) => i.breakdown.find((b) => b.component === c)?.raw ?? 0,
        align: 'right' as const,
      })),
    ]),
  );
  io.out(`columns show raw values: ${COMPONENT_NAMES.map((c) => `${SHORT[c]}=${c}`).join(', ')}\n`);
  if (r.partial) io.out(`note: ${r.partialReasons.join('; ')}\n`);
  return 0;
}
