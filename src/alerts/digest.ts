// Digests: notices queued for a digest destination (or with urgency digest) are sent as one message per
// destination when the oldest is an hour (`hourly`) or a day (`daily`, and non-digest destinations) old.
import type { DeliveryRecord, IncidentStore } from '../../graph/incidents/types.ts';
import type { Config } from '../config.ts';
import { deliver, type DeliveryDeps, type DeliveryJob } from './delivery.ts';
import { digestSlack } from './messages.ts';
import type { RulesFile } from './rules.ts';

/** Queues `job` for the digest of `destination` (once per key). */
export async function queueDigest(
  incidents: IncidentStore,
  job: DeliveryJob,
  destination: string,
  now: () => Date,
): Promise<DeliveryRecord> {
  const prev = await incidents.getDelivery(job.key);
  if (prev) return prev;
  const at = now().toISOString();
  const rec = {
    key: job.key,
    incidentId: job.incidentId,
    destination,
    destinationType: 'digest',
    owner: job.owner,
    event: job.event,
    status: 'queued' as const,
    attempts: 0,
    lastError: null,
    createdAt: at,
    updatedAt: at,
    deliveredAt: null,
    httpStatus: null,
    summary: job.summary,
  };
  await incidents.putDelivery(rec);
  return rec;
}

/** Sends the digests that are due (all with `force`); answers one line per destination. */
export async function flushDigests(
  deps: DeliveryDeps,
  config: Config,
  rules: RulesFile,
  force: boolean,
): Promise<{ destination: string; notices: number; status: string }[]> {
  const now = deps.now();
  const out: { destination: string; notices: number; status: string }[] = [];
  const queued = await deps.incidents.listDeliveries({ status: 'queued', limit: 100_000 });
  const byDest = new Map<string, typeof queued>();
  for (const q of queued) byDest.set(q.destination, [...(byDest.get(q.destination) ?? []), q]);
  for (const [name, list] of byDest) {
    const dest = rules.destinations[name];
    const period = dest?.type === 'digest' && dest.every === 'hourly' ? 3600_000 : 86_400_000;
    const oldest = Date.parse(list[0].createdAt);
    if (!force && now.getTime() - oldest < period) continue;
    const via = dest?.type === 'digest' ? rules.destinations[dest.via] : dest;
    const lines = list.map((q) => `• ${q.owner}: ${q.summary}`);
    let request: DeliveryJob['request'] = { error: `destination '${name}' cannot send a digest` };
    if (via && (via.type === 'slack' || via.type === 'webhook')) {
      const secret = config.alerts.secret(via.secret);
      const body =
        via.type === 'slack'
          ? digestSlack(name, lines)
          : {
              type: 'lineage.digest',
              version: 1,
              destination: name,
              notices: list.map((q) => ({ owner: q.owner, incident: q.incidentId, summary: q.summary })),
            };
      request = secret ? { url: secret, body } : { error: `LINEAGE_SECRET_${via.secret} is not set` };
    }
    const rec = await deliver(
      {
        key: `digest|${name}|${list[0].createdAt}|${list.length}`,
        incidentId: null,
        destination: name,
        destinationType: 'digest',
        owner: '(digest)',
        event: 'digest',
        summary: `${list.length} notices`,
        request,
      },
      deps,
    );
    if (rec.status === 'delivered')
      for (const q of list)
        await deps.incidents.putDelivery({
          ...q,
          status: 'delivered',
          deliveredAt: rec.deliveredAt,
          updatedAt: rec.updatedAt,
        });
    out.push({ destination: name, notices: list.length, status: rec.status });
  }
  return out;
}
