// The alert service: alerts in → incidents (grouped, remembered) → deliveries to the impacted owners only.
// One instance per process; its steps run one at a time (a queue), so two alerts arriving together cannot
// both open an incident for the same problem. Used by the CLI (`lineage alert`), REST and GraphQL.
import type { Incident, IncidentAlert, IncidentStore, Recipient } from '../../graph/incidents/types.ts';
import type { LineageStore } from '../../graph/store.ts';
import { contextFromConfig, type AnalysisContext } from '../analysis/context.ts';
import { resolveRef } from '../analysis/resolve-ref.ts';
import type { Config } from '../config.ts';
import { lineageError } from '../errors.ts';
import { deliver, httpTransport, type DeliveryJob, type Transport } from './delivery.ts';
import { incidentToJoin } from './grouping.ts';
import { emptyIncident, hash, joinIncident, mergeRecipients, openIncident } from './incident-record.ts';
import { likelyRootCause, resolveAlertAsset, upstreamRoots } from './locate.ts';
import type { AlertInput } from './intake.ts';
import { summaryLine, type NoticeEvent } from './messages.ts';
import { buildNotice, importanceByKey, ownerInfo, requestFor } from './notice.ts';
import { flushDigests, queueDigest } from './digest.ts';
import { planAlert, type Plan } from './plan.ts';
import type { RulesFile, RulesSource } from './rules.ts';

export interface AlertServiceOptions {
  store: LineageStore;
  incidents: IncidentStore;
  config: Config;
  rules: RulesSource;
  now?: () => Date;
  transport?: Transport;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReceiveResult {
  alertId: string;
  asset: string;
  incident: Incident;
  /** 'opened' a new incident, 'joined' an open one, 'duplicate' (same alert id seen), 'resolved' one. */
  outcome: 'opened' | 'joined' | 'duplicate' | 'resolved' | 'ignored';
  delivered: { destination: string; owner: string; status: string }[];
}

export class AlertService {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;
  private readonly transport: Transport;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: AlertServiceOptions) {
    this.now = o.now ?? (() => new Date());
    this.transport = o.transport ?? httpTransport;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get incidents(): IncidentStore {
    return this.o.incidents;
  }

  rulesError(): string | null {
    this.o.rules.current();
    return this.o.rules.error;
  }

  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private ctx(): AnalysisContext {
    return contextFromConfig(this.o.config, { now: this.now() });
  }

  /** Takes alerts in, in order. */
  receive(inputs: readonly AlertInput[]): Promise<ReceiveResult[]> {
    return this.serial(async () => {
      const out: ReceiveResult[] = [];
      for (const input of inputs) out.push(await this.receiveOne(input));
      return out;
    });
  }

  /** Where would an alert on `ref` go? The plan, nothing stored or sent. */
  async routeTest(ref: string, level: AlertInput['level'] = 'error', source = 'test'): Promise<Plan> {
    const rules = this.o.rules.current();
    const node = await resolveRef(this.o.store, ref, ['relation', 'column', 'consumer']);
    return planAlert(this.o.store, rules, { asset: node.node.key, level, source }, this.ctx());
  }

  acknowledge(id: string, actor: string): Promise<Incident> {
    return this.serial(() => this.transition(id, 'acknowledged', actor));
  }

  resolve(id: string, actor: string): Promise<Incident> {
    return this.serial(() => this.transition(id, 'resolved', actor));
  }

  /** Sends each digest destination's queued notices as one message (when due, or always with force). */
  flushDigests(force = false): Promise<{ destination: string; notices: number; status: string }[]> {
    return this.serial(() =>
      flushDigests(this.deps(this.o.rules.current()), this.o.config, this.o.rules.current(), force),
    );
  }

  /** Sends again every failed delivery of an open/acknowledged/resolved incident (same key: at most once). */
  retryFailed(): Promise<{ key: string; status: string }[]> {
    return this.serial(async () => {
      const rules = this.o.rules.current();
      const out: { key: string; status: string }[] = [];
      const failed = await this.o.incidents.listDeliveries({ status: 'failed', limit: 10_000 });
      for (const f of failed) {
        if (!f.incidentId || f.event === 'digest') continue;
        const incident = await this.o.incidents.getIncident(f.incidentId);
        const r = incident?.recipients.find((x) => x.destination === f.destination && x.owner === f.owner);
        if (!incident || !r) continue;
        const [d] = await this.notify(incident, [r], f.event, rules);
        await this.o.incidents.putIncident(incident);
        out.push({ key: f.key, status: d?.status ?? 'failed' });
      }
      return out;
    });
  }

  // ------------------------------------------------------------------------------------- intake

  private async receiveOne(input: AlertInput): Promise<ReceiveResult> {
    const rules = this.o.rules.current();
    const at = input.at ?? this.now().toISOString();
    const { asset, relation } = await resolveAlertAsset(this.o.store, input);
    const alertId =
      input.id ?? `${input.source}:${hash(`${input.source}|${asset}|${input.message}|${at}`).slice(0, 16)}`;
    const live = await this.o.incidents.listIncidents({ states: ['open', 'acknowledged'], limit: 10_000 });
    if (input.status === 'resolved') return this.receiveRecovery(input, { alertId, asset, at }, live);
    const seen = live.find((i) => i.alerts.some((a) => a.id === alertId));
    if (seen) return { alertId, asset, incident: seen, outcome: 'duplicate', delivered: [] };

    return this.receiveFiring(input, { alertId, asset, relation, at }, live, rules);
  }

  /** A detector says an asset recovered: it leaves its incident; the last one to leave resolves it. */
  private async receiveRecovery(
    input: AlertInput,
    a: { alertId: string; asset: string; at: string },
    live: Incident[],
  ): Promise<ReceiveResult> {
    const { alertId, asset, at } = a;
    const holder =
      live.find((i) => i.alerts.some((x) => x.id === alertId)) ?? live.find((i) => i.assets.includes(asset));
    if (!holder)
      return { alertId, asset, incident: emptyIncident(alertId, at), outcome: 'ignored', delivered: [] };
    holder.timeline.push({
      at,
      kind: 'alert',
      message: `${input.source}: ${asset} recovered`,
      actor: input.source,
    });
    holder.assets = holder.assets.filter((x) => x !== asset);
    if (holder.assets.length > 0) {
      holder.updatedAt = at;
      await this.o.incidents.putIncident(holder);
      return { alertId, asset, incident: holder, outcome: 'joined', delivered: [] };
    }
    holder.assets = [...new Set(holder.alerts.map((x) => x.asset))].sort();
    await this.o.incidents.putIncident(holder);
    const resolved = await this.transition(holder.id, 'resolved', input.source);
    return { alertId, asset, incident: resolved, outcome: 'resolved', delivered: [] };
  }

  /** A firing alert joins the incident it belongs to or opens one; new recipients are notified. */
  private async receiveFiring(
    input: AlertInput,
    a: { alertId: string; asset: string; relation: string; at: string },
    live: Incident[],
    rules: RulesFile,
  ): Promise<ReceiveResult> {
    const { alertId, asset, relation, at } = a;
    const ctx = this.ctx();
    const roots = await upstreamRoots(this.o.store, relation, ctx);
    const joined = incidentToJoin(live, { relation, roots, at, windowMinutes: rules.windowMinutes });
    const plan = await planAlert(
      this.o.store,
      rules,
      { asset, level: input.level, source: input.source },
      ctx,
    );
    const alert: IncidentAlert = {
      id: alertId,
      source: input.source,
      asset,
      relation,
      level: input.level,
      message: input.message,
      at,
    };
    const causes = await likelyRootCause(this.o.store, alert, ctx);
    const impacted = plan.routes.routes.flatMap((r) => r.assets.map((a) => a.key));
    const severity = plan.routes.severity;
    const facts = {
      alert,
      roots,
      impacted,
      severity,
      rootCause: causes,
      title: `${input.source} alert on ${asset}`,
    };
    const incident = joined ? joinIncident(joined, facts) : openIncident(facts);
    const fresh = mergeRecipients(incident, plan.recipients);
    await this.o.incidents.putIncident(incident);
    const delivered = await this.notify(incident, fresh, 'trigger', rules, plan);
    await this.o.incidents.putIncident(incident);
    return { alertId, asset, incident, outcome: joined ? 'joined' : 'opened', delivered };
  }

  // ------------------------------------------------------------------------------- transitions

  private async transition(id: string, state: 'acknowledged' | 'resolved', actor: string): Promise<Incident> {
    const incident = await this.o.incidents.getIncident(id);
    if (!incident) throw lineageError('LINEAGE_NOT_FOUND', `no incident '${id}'`, { ref: id });
    if (incident.state === 'resolved' || incident.state === state) return incident;
    const at = this.now().toISOString();
    incident.state = state;
    incident.updatedAt = at;
    if (state === 'acknowledged') incident.acknowledgedAt = at;
    else incident.resolvedAt = at;
    incident.timeline.push({ at, kind: state, message: `${state} by ${actor}`, actor });
    await this.o.incidents.putIncident(incident);
    const rules = this.o.rules.current();
    const event: NoticeEvent = state === 'acknowledged' ? 'acknowledge' : 'resolve';
    // Acknowledging tells PagerDuty and webhooks (so a page stops escalating); resolving tells everyone told.
    const targets = incident.recipients.filter((r) => {
      const d = rules.destinations[r.destination];
      return event === 'resolve' || d?.type === 'pagerduty' || d?.type === 'webhook';
    });
    await this.notify(incident, targets, event, rules);
    await this.o.incidents.putIncident(incident);
    return incident;
  }

  // ---------------------------------------------------------------------------------- delivery

  private async notify(
    incident: Incident,
    recipients: readonly Recipient[],
    event: NoticeEvent,
    rules: RulesFile,
    plan?: Plan,
  ): Promise<ReceiveResult['delivered']> {
    const out: ReceiveResult['delivered'] = [];
    if (recipients.length === 0) return out;
    const owners = await ownerInfo(this.o.store, incident);
    const importance = importanceByKey(plan ?? (await this.planOf(incident.alerts[0]?.asset)));
    for (const r of recipients) {
      const dest = rules.destinations[r.destination];
      const notice = await buildNotice(this.o.store, incident, r, event, rules, owners, importance);
      const key = `${incident.id}|${r.destination}|${r.owner}|${event}`;
      if (!dest) {
        incident.timeline.push({
          at: this.now().toISOString(),
          kind: 'delivery_failed',
          message: `destination '${r.destination}' is no longer in the rules`,
          actor: r.destination,
        });
        out.push({ destination: r.destination, owner: r.owner, status: 'failed' });
        continue;
      }
      const job: DeliveryJob = {
        key,
        incidentId: incident.id,
        destination: r.destination,
        destinationType: dest.type,
        owner: r.owner,
        event,
        summary: summaryLine(notice),
        request: requestFor(this.o.config, dest, notice),
      };
      if (
        dest.type === 'digest' ||
        (r.urgency === 'digest' && event === 'trigger' && dest.type !== 'pagerduty')
      ) {
        const digestName = dest.type === 'digest' ? r.destination : null;
        const queued = await queueDigest(this.o.incidents, job, digestName ?? r.destination, this.now);
        out.push({ destination: r.destination, owner: r.owner, status: queued.status });
        continue;
      }
      const rec = await deliver(job, this.deps(rules));
      incident.timeline.push({
        at: rec.updatedAt,
        kind: rec.status === 'delivered' ? 'notified' : 'delivery_failed',
        message: `${event} to ${r.destination} for ${r.owner}: ${rec.status}${rec.lastError ? ` (${rec.lastError})` : ''} after ${rec.attempts} attempt${rec.attempts === 1 ? '' : 's'}`,
        actor: r.destination,
      });
      out.push({ destination: r.destination, owner: r.owner, status: rec.status });
    }
    return out;
  }

  private deps(rules: RulesFile) {
    return {
      incidents: this.o.incidents,
      transport: this.transport,
      policy: rules.delivery,
      now: this.now,
      sleep: this.sleep,
    };
  }

  /** The plan of an alerted asset (for importance in messages); null when the asset is gone from the graph. */
  private async planOf(asset: string | undefined): Promise<Plan | null> {
    if (!asset) return null;
    try {
      return await planAlert(
        this.o.store,
        this.o.rules.current(),
        { asset, level: 'error', source: 'lineage' },
        this.ctx(),
      );
    } catch {
      return null;
    }
  }
}
