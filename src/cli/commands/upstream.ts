// `lineage upstream <ref>`: ranked root-cause candidates (src/analysis/root-cause.ts).
import { contextFromConfig } from '../../analysis/context.ts';
import { rootCause } from '../../analysis/root-cause.ts';
import { resolveSince } from '../../analysis/window.ts';
import { configFromFlags, intFlag, parseCommand, withStore } from '../args.ts';
import type { CliIO } from '../io.ts';
import { renderFields, renderTable } from '../table.ts';

const SPEC = {
  name: 'upstream',
  usage: 'upstream <ref> [--since 7d|<ISO date>] [--depth n]',
  help: [
    '  Upstream columns/models/sources of <ref>, ranked by evidence (schema changes, changed SQL,',
    '  failing tests, stale sources, recent writes) weighted by distance. See docs/api.md.',
    '  --since <window>  evidence window: a duration (7d, 12h, 2w) or an ISO date (default 7d)',
    '  --depth <n>       maximum hops upstream (default 10)',
    '  --limit <n>       candidates shown (default 20)',
  ],
  options: {
    since: { type: 'string', default: '7d' },
    depth: { type: 'string', default: '10' },
    limit: { type: 'string', default: '20' },
  } as const,
  positionals: 1,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const config = configFromFlags(io, cmd.values);
  const depth = intFlag('depth', cmd.values.depth);
  const limit = intFlag('limit', cmd.values.limit);
  const ctx = contextFromConfig(config);
  const since = resolveSince(cmd.values.since ?? '7d', ctx.now);
  const result = await withStore(
    config,
    (store) =>
      rootCause(store, { ref: cmd.positionals[0], since, depth: Math.min(depth, ctx.maxDepth) }, ctx),
    { readOnly: true },
  );
  if (cmd.values.json) {
    io.out(JSON.stringify(result, null, 2) + '\n');
    return 0;
  }
  const withEvidence = result.candidates.filter((c) => c.score > 0).length;
  io.out(
    renderFields([
      ['target', `${result.target.key} (${result.target.kind})`],
      ['since', result.since],
      ['candidates', `${result.candidates.length} upstream, ${withEvidence} with evidence`],
      ...(result.partial ? ([['partial', result.partialReasons.join('; ')]] as [string, string][]) : []),
    ]),
  );
  io.out(
    '\n' +
      renderTable(result.candidates.slice(0, limit), [
        { header: 'rank', value: (c) => result.candidates.indexOf(c) + 1, align: 'right' },
        { header: 'candidate', value: (c) => c.key },
        { header: 'kind', value: (c) => c.kind },
        { header: 'dist', value: (c) => c.distance, align: 'right' },
        { header: 'score', value: (c) => c.score, align: 'right' },
        {
          header: 'evidence',
          value: (c) =>
            c.evidence
              .filter((e) => e.weight > 0)
              .map((e) => `${e.kind} ${e.weight}`)
              .join(', ') || '-',
          max: 80,
        },
      ]),
  );
  const top = result.candidates[0];
  if (top && top.score > 0)
    io.out(
      `\nevidence for ${top.key}:\n` +
        top.evidence
          .filter((e) => e.weight > 0)
          .map((e) => `  ${e.at}  ${e.kind.padEnd(24)} ${e.message}${e.subject ? ` (${e.subject})` : ''}\n`)
          .join(''),
    );
  return 0;
}
