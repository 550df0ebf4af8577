// `lineage unused`: tables (or columns) nobody read in the window and nothing depends on.
import { contextFromConfig } from '../../analysis/context.ts';
import { UNUSED_SORTS, unusedColumns, unusedTables, type UnusedSort } from '../../analysis/unused.ts';
import { resolveSince } from '../../analysis/window.ts';
import { configFromFlags, enumFlag, intFlag, parseCommand, withStore } from '../args.ts';
import type { CliIO } from '../io.ts';
import { formatBytes, renderTable } from '../table.ts';

const SPEC = {
  name: 'unused',
  usage: 'unused [--since 90d] [--schema s] [--columns] [--sort SIZE|AGE|NAME]',
  help: [
    '  --since <window>      usage window: 90d (default), 12w, or an ISO date',
    '  --schema <s>          only this schema',
    '  --columns             unused columns instead of tables',
    '  --ignore-user <u>     reads by this user do not count (repeatable; default $LINEAGE_SERVICE_USERS)',
    '  --ignore-role <r>     reads by this role do not count (repeatable; default $LINEAGE_SERVICE_ROLES)',
    '  --sort <s>            SIZE (default, largest first), AGE (never/longest unread first) or NAME',
    '  --limit <n>           rows shown (default 50)',
  ],
  options: {
    since: { type: 'string', default: '90d' },
    schema: { type: 'string' },
    columns: { type: 'boolean', default: false },
    'ignore-user': { type: 'string', multiple: true },
    'ignore-role': { type: 'string', multiple: true },
    sort: { type: 'string', default: 'SIZE' },
    limit: { type: 'string', default: '50' },
  } as const,
  positionals: 0,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const config = configFromFlags(io, cmd.values);
  const ctx = contextFromConfig(config);
  const sort = enumFlag<UnusedSort>('sort', cmd.values.sort, UNUSED_SORTS);
  const limit = intFlag('limit', cmd.values.limit);
  const req = {
    since: resolveSince(cmd.values.since ?? '90d', ctx.now),
    schema: cmd.values.schema,
    ignoreUsers: cmd.values['ignore-user'],
    ignoreRoles: cmd.values['ignore-role'],
    sort,
  };
  if (cmd.values.columns) {
    const r = await withStore(
      config,
      (store) => unusedColumns(store, { ...req, maxColumns: 5_000_000 }, ctx),
      { readOnly: true },
    );
    if (cmd.values.json) {
      io.out(JSON.stringify(r, null, 2) + '\n');
      return 0;
    }
    io.out(`${r.items.length} unused column(s) of ${r.scanned} scanned since ${r.since}\n`);
    if (!r.hasUsageData)
      io.out('note: no query-log usage is ingested; "unused" here only means "nothing derives from it"\n');
    io.out(
      renderTable(r.items.slice(0, limit), [
        { header: 'column', value: (c) => c.key },
        { header: 'type', value: (c) => c.dataType },
        { header: 'table size', value: (c) => formatBytes(c.relationSizeBytes), align: 'right' },
        { header: 'last read', value: (c) => c.lastReadAt ?? 'never' },
        { header: 'last reader', value: (c) => c.lastReader },
      ]),
    );
    return 0;
  }
  const r = await withStore(config, (store) => unusedTables(store, req, ctx), { readOnly: true });
  if (cmd.values.json) {
    io.out(JSON.stringify(r, null, 2) + '\n');
    return 0;
  }
  io.out(`${r.items.length} unused table(s) of ${r.scanned} since ${r.since}\n`);
  if (!r.hasUsageData)
    io.out('note: no query-log usage is ingested; "unused" here only means "no dependents"\n');
  io.out(
    renderTable(r.items.slice(0, limit), [
      { header: 'table', value: (t) => t.key },
      { header: 'kind', value: (t) => t.kind },
      { header: 'size', value: (t) => formatBytes(t.sizeBytes), align: 'right' },
      { header: 'rows', value: (t) => t.rowCount, align: 'right' },
      { header: 'last read', value: (t) => t.lastReadAt ?? 'never' },
      { header: 'last reader', value: (t) => t.lastReader },
      { header: 'owners', value: (t) => t.owners.map((o) => o.email ?? o.id).join(', ') },
    ]),
  );
  return 0;
}
