// `lineage alert …`: alerts in from CI (after `dbt build`) and incident handling from a terminal.
//   lineage alert <kind> <file>     kind: generic | dbt-run-results | dbt-sources | great-expectations | soda
//   lineage alert route <ref>       where would an alert on <ref> go? (nothing stored or sent)
//   lineage alert incidents         open and acknowledged incidents (--all: resolved too)
//   lineage alert ack|resolve <id>  acknowledge / resolve (resolving notifies everyone who was notified)
//   lineage alert digest [--force]  send the digests that are due
//   lineage alert retry             send failed deliveries again
import { readFileSync } from 'node:fs';
import { adapt, ALERT_KINDS } from '../../alerts/adapters.ts';
import { openAlertService } from '../../alerts/open.ts';
import type { AlertService } from '../../alerts/service.ts';
import { lineageError } from '../../errors.ts';
import { configFromFlags, parseCommand, requireFile, withStore } from '../args.ts';
import type { CliIO } from '../io.ts';
import { renderTable } from '../table.ts';

const SPEC = {
  name: 'alert',
  usage: `alert <${ALERT_KINDS.join('|')}> <file> | alert route <ref> | alert incidents [--all] | alert ack|resolve <id> | alert digest [--force] | alert retry`,
  help: [
    '  Alerts in (one incident per problem, deliveries to the impacted owners per $LINEAGE_ALERT_RULES),',
    '  and incident handling. See docs/alerts.md.',
    '  --level <level>   route: the alert level to assume (info|warning|error|critical, default error)',
    '  --all             incidents: include resolved ones',
    '  --force           digest: send every queued digest now',
    '  --by <name>       ack/resolve: who (default $USER)',
  ],
  options: {
    level: { type: 'string', default: 'error' },
    all: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    by: { type: 'string' },
  } as const,
  positionals: [1, 2] as [number, number],
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const config = configFromFlags(io, cmd.values);
  const [verb, arg] = cmd.positionals;
  const json = (v: unknown) => io.out(JSON.stringify(v, null, 2) + '\n');
  return withStore(config, async (store) => {
    const service = await openAlertService(config, store);
    try {
      const problem = service.rulesError();
      if (problem) throw lineageError('CONFIG_INVALID', problem);
      return await dispatch(service, verb, arg, cmd.values, io, json, store);
    } finally {
      await service.incidents.close();
    }
  });
}

async function dispatch(
  service: AlertService,
  verb: string,
  arg: string | undefined,
  values: { level?: string; all?: boolean; force?: boolean; by?: string; json?: boolean },
  io: CliIO,
  json: (v: unknown) => void,
  store: Parameters<typeof adapt>[2],
): Promise<number> {
  const need = (what: string) => {
    if (!arg) throw lineageError('LINEAGE_BAD_ARGUMENT', `alert ${verb} needs ${what}`);
    return arg;
  };
  const actor = values.by ?? io.env.USER ?? 'cli';
  switch (verb) {
    case 'route': {
      const level = values.level as 'info' | 'warning' | 'error' | 'critical';
      if (!['info', 'warning', 'error', 'critical'].includes(level))
        throw lineageError('LINEAGE_BAD_ARGUMENT', `unknown level '${values.level}'`);
      const plan = await service.routeTest(need('an asset'), level);
      if (values.json) json({ recipients: plan.recipients, unrouted: plan.unrouted });
      else
        io.out(
          renderTable(plan.recipients, [
            { header: 'destination', value: (r) => r.destination },
            { header: 'owner', value: (r) => r.owner },
            { header: 'urgency', value: (r) => r.urgency },
            { header: 'assets', value: (r) => r.assets.join(', '), max: 70 },
            { header: 'rules', value: (r) => r.rules.join('; '), max: 40 },
          ]) +
            (plan.unrouted.length
              ? `\nunrouted: ${plan.unrouted.map((u) => `${u.owner} (${u.assets.length})`).join(', ')}\n`
              : ''),
        );
      return 0;
    }
    case 'incidents': {
      const list = await service.incidents.listIncidents({
        states: values.all ? undefined : ['open', 'acknowledged'],
        limit: 200,
      });
      if (values.json) json(list);
      else
        io.out(
          renderTable(list, [
            { header: 'id', value: (i) => i.id },
            { header: 'state', value: (i) => i.state },
            { header: 'severity', value: (i) => i.severity },
            { header: 'opened', value: (i) => i.openedAt },
            { header: 'alerts', value: (i) => i.alerts.length, align: 'right' },
            { header: 'title', value: (i) => i.title, max: 60 },
          ]),
        );
      return 0;
    }
    case 'ack':
    case 'resolve': {
      const id = need('an incident id');
      const inc = verb === 'ack' ? await service.acknowledge(id, actor) : await service.resolve(id, actor);
      if (values.json) json(inc);
      else io.out(`${inc.id} ${inc.state}\n`);
      return 0;
    }
    case 'retry': {
      const sent = await service.retryFailed();
      if (values.json) json(sent);
      else
        io.out(
          sent.length ? sent.map((s) => `${s.key}: ${s.status}`).join('\n') + '\n' : 'nothing to retry\n',
        );
      return sent.some((s) => s.status === 'failed') ? 8 : 0;
    }
    case 'digest': {
      const sent = await service.flushDigests(values.force ?? false);
      if (values.json) json(sent);
      else
        io.out(
          sent.length
            ? sent.map((s) => `${s.destination}: ${s.notices} notices ${s.status}`).join('\n') + '\n'
            : 'no digest due\n',
        );
      return 0;
    }
  }
  const file = need('a file');
  requireFile(file, 'alert file');
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw lineageError('API_BAD_INPUT', `${file} is not JSON: ${(err as Error).message}`);
  }
  const { alerts, skipped } = await adapt(verb, body, store, file);
  const results = await service.receive(alerts);
  if (values.json) json({ results: results.map((r) => ({ ...r, incident: r.incident.id })), skipped });
  else {
    for (const r of results)
      io.out(
        `${r.outcome.padEnd(9)} ${r.incident.id || '-'}  ${r.asset}` +
          (r.delivered.length
            ? `  -> ${r.delivered.map((d) => `${d.destination}:${d.owner}:${d.status}`).join(', ')}`
            : '') +
          '\n',
      );
    for (const s of skipped) io.err(`skipped ${s.ref}: ${s.reason}\n`);
    if (alerts.length === 0) io.out('no failing results\n');
  }
  const failed = results.some((r) => r.delivered.some((d) => d.status === 'failed'));
  return failed ? 8 : 0;
}
