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
      const run: Run = { service, arg, values: cmd.values, io, json, store, verb };
      const handler = HANDLERS[verb as keyof typeof HANDLERS] as ((r: Run) => Promise<number>) | undefined;
      return await (handler ?? intake)(run);
    } finally {
      await service.incidents.close();
    }
  });
}

interface Run {
  service: AlertService;
  verb: string;
  arg: string | undefined;
  values: { level?: string; all?: boolean; force?: boolean; by?: string; json?: boolean };
  io: CliIO;
  json: (v: unknown) => void;
  store: Parameters<typeof adapt>[2];
}

function need(r: Run, what: string): string {
  if (!r.arg) throw lineageError('LINEAGE_BAD_ARGUMENT', `alert ${r.verb} needs ${what}`);
  return r.arg;
}

async function route(r: Run): Promise<number> {
  const level = r.values.level as 'info' | 'warning' | 'error' | 'critical';
  if (!['info', 'warning', 'error', 'critical'].includes(level))
    throw lineageError('LINEAGE_BAD_ARGUMENT', `unknown level '${r.values.level}'`);
  const plan = await r.service.routeTest(need(r, 'an asset'), level);
  if (r.values.json) {
    r.json({ recipients: plan.recipients, unrouted: plan.unrouted });
    return 0;
  }
  r.io.out(
    renderTable(plan.recipients, [
      { header: 'destination', value: (x) => x.destination },
      { header: 'owner', value: (x) => x.owner },
      { header: 'urgency', value: (x) => x.urgency },
      { header: 'assets', value: (x) => x.assets.join(', '), max: 70 },
      { header: 'rules', value: (x) => x.rules.join('; '), max: 40 },
    ]),
  );
  if (plan.unrouted.length)
    r.io.out(`\nunrouted: ${plan.unrouted.map((u) => `${u.owner} (${u.assets.length})`).join(', ')}\n`);
  return 0;
}

async function incidents(r: Run): Promise<number> {
  const list = await r.service.incidents.listIncidents({
    states: r.values.all ? undefined : ['open', 'acknowledged'],
    limit: 200,
  });
  if (r.values.json) r.json(list);
  else
    r.io.out(
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

async function transition(r: Run): Promise<number> {
  const id = need(r, 'an incident id');
  const actor = r.values.by ?? r.io.env.USER ?? 'cli';
  const inc = r.verb === 'ack' ? await r.service.acknowledge(id, actor) : await r.service.resolve(id, actor);
  if (r.values.json) r.json(inc);
  else r.io.out(`${inc.id} ${inc.state}\n`);
  return 0;
}

async function retry(r: Run): Promise<number> {
  const sent = await r.service.retryFailed();
  if (r.values.json) r.json(sent);
  else
    r.io.out(sent.length ? sent.map((s) => `${s.key}: ${s.status}`).join('\n') + '\n' : 'nothing to retry\n');
  return sent.some((s) => s.status === 'failed') ? 8 : 0;
}

async function digest(r: Run): Promise<number> {
  const sent = await r.service.flushDigests(r.values.force ?? false);
  if (r.values.json) r.json(sent);
  else
    r.io.out(
      sent.length
        ? sent.map((s) => `${s.destination}: ${s.notices} notices ${s.status}`).join('\n') + '\n'
        : 'no digest due\n',
    );
  return 0;
}

/** `alert <kind> <file>`: the adapter for the kind, then the service. Exit 8 when a delivery failed. */
async function intake(r: Run): Promise<number> {
  const file = need(r, 'a file');
  requireFile(file, 'alert file');
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw lineageError('API_BAD_INPUT', `${file} is not JSON: ${(err as Error).message}`);
  }
  const { alerts, skipped } = await adapt(r.verb, body, r.store, file);
  const results = await r.service.receive(alerts);
  if (r.values.json) r.json({ results: results.map((x) => ({ ...x, incident: x.incident.id })), skipped });
  else {
    for (const x of results)
      r.io.out(
        `${x.outcome.padEnd(9)} ${x.incident.id || '-'}  ${x.asset}` +
          (x.delivered.length
            ? `  -> ${x.delivered.map((d) => `${d.destination}:${d.owner}:${d.status}`).join(', ')}`
            : '') +
          '\n',
      );
    for (const s of skipped) r.io.err(`skipped ${s.ref}: ${s.reason}\n`);
    if (alerts.length === 0) r.io.out('no failing results\n');
  }
  return results.some((x) => x.delivered.some((d) => d.status === 'failed')) ? 8 : 0;
}

const HANDLERS = { route, incidents, ack: transition, resolve: transition, retry, digest };
