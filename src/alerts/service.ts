// The alert service: alerts in → incidents (grouped, remembered) → deliveries to the impacted owners only.
// One instance per process; its steps run one at a time (a queue), so two alerts arriving together cannot
// both open an incident for the same problem. Used by the CLI (`lineage alert`), REST and GraphQL.
import { createHash } from 'node:crypto';
import type { Incident, IncidentAlert, IncidentStore, Recipient } from '../../graph/incidents/types.ts';
import type { LineageStore } from '../../graph/store.ts';
import { contextFromConfig, type AnalysisContext } from '../analysis/context.ts';
import { maxSeverity, SEVERITIES, type AlertSeverity } from '../analysis/importance.ts';
import { relationOf, resolveRef } from '../analysis/resolve-ref.ts';
import { EVIDENCE_WEIGHTS, rootCause, rootCauseScore } from '../analysis/root-cause.ts';
import type { Config } from '../config.ts';
import { lineageError } from '../errors.ts';
import { deliver, httpTransport, type DeliveryJob, type Transport } from './delivery.ts';
import { incidentToJoin } from './grouping.ts';
import type { AlertInput } from './intake.ts';
import {
  digestSlack,
  pagerDutyEvent,
  slackMessage,
  summaryLine,
  webhookBody,
  type Notice,
  type NoticeEvent,
} from './messages.ts';
import { planAlert, type Plan, type PlannedRecipient } from './plan.ts';
import type { Destination, RulesFile, RulesSource } from './rules.ts';

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

const MAX_IMPACTED = 500;

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
    return this.serial(() => this.flush(force));
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
    const { asset, relation } = await this.resolveAsset(input);
    const alertId =
      input.id ?? `${input.source}:${hash(`${input.source}|${asset}|${input.message}|${at}`).slice(0, 16)}`;
    const live = await this.o.incidents.listIncidents({ states: ['open', 'acknowledged'], limit: 10_000 });
    const seen = live.find((i) => i.alerts.some((a) => a.id === alertId));
    if (seen) return { alertId, asset, incident: seen, outcome: 'duplicate', delivered: [] };

    if (input.status === 'resolved') {
      const holder = live.find((i) => i.assets.includes(asset));
      if (!holder)
        return { alertId, asset, incident: emptyIncident(alertId, at), outcome: 'ignored', delivered: [] };
      holder.timeline.push({
        at,
        kind: 'alert',
        message: `${input.source}: ${asset} recovered`,
        actor: input.source,
      });
      holder.assets = holder.assets.filter((a) => a !== asset);
      if (holder.assets.length > 0) {
        holder.updatedAt = at;
        await this.o.incidents.putIncident(holder);
        return { alertId, asset, incident: holder, outcome: 'joined', delivered: [] };
      }
      holder.assets = [...new Set(holder.alerts.map((a) => a.asset))].sort();
      await this.o.incidents.putIncident(holder);
      const resolved = await this.transition(holder.id, 'resolved', input.source);
      return { alertId, asset, incident: resolved, outcome: 'resolved', delivered: [] };
    }

    const ctx = this.ctx();
    const roots = await this.upstreamRoots(relation, ctx);
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
    const causes = await this.rootCauses(alert, ctx);
    const impacted = plan.routes.routes.flatMap((r) => r.assets.map((a) => a.key));
    const severity = plan.routes.severity;
    let incident: Incident;
    if (joined) {
      incident = joined;
      incident.alerts.push(alert);
      incident.assets = sorted([...incident.assets, asset]);
      incident.relations = sorted([...incident.relations, relation]);
      incident.roots = sorted([...incident.roots, ...roots]);
      incident.impacted = sorted([...incident.impacted, ...impacted]).slice(0, MAX_IMPACTED);
      incident.severity = maxSeverity([incident.severity as AlertSeverity, severity]);
      incident.lastAlertAt = at > incident.lastAlertAt ? at : incident.lastAlertAt;
      incident.updatedAt = at;
      if (incident.rootCause.length === 0) incident.rootCause = causes;
      incident.timeline.push({
        at,
        kind: 'alert',
        message: `${input.source}: ${asset} ${input.message}`.trim(),
      });
    } else {
      const name = plan.routes.asset.displayName || asset;
      incident = {
        id: `inc-${at.slice(0, 10).replace(/-/g, '')}-${hash(alertId).slice(0, 8)}`,
        state: 'open',
        title: `${input.source} alert on ${name}`,
        severity,
        openedAt: at,
        updatedAt: at,
        lastAlertAt: at,
        acknowledgedAt: null,
        resolvedAt: null,
        assets: [asset],
        relations: [relation],
        roots,
        impacted: sorted(impacted).slice(0, MAX_IMPACTED),
        rootCause: causes,
        alerts: [alert],
        recipients: [],
        timeline: [{ at, kind: 'opened', message: `${input.source}: ${asset} ${input.message}`.trim() }],
      };
    }
    const fresh = this.mergeRecipients(incident, plan.recipients);
    await this.o.incidents.putIncident(incident);
    const delivered = await this.notify(incident, fresh, 'trigger', rules, plan);
    await this.o.incidents.putIncident(incident);
    return { alertId, asset, incident, outcome: joined ? 'joined' : 'opened', delivered };
  }

  private async resolveAsset(input: AlertInput): Promise<{ asset: string; relation: string }> {
    const store = this.o.store;
    let node = await resolveRef(store, input.asset, ['relation', 'column']);
    if (input.column && node.type === 'relation') {
      const wanted = input.column.replace(/^"(.*)"$/, '$1').toLowerCase();
      const col = (await store.columnsOf(node.node.key)).find(
        (c) => c.name.toLowerCase() === wanted || c.displayName.toLowerCase() === wanted,
      );
      if (!col)
        throw lineageError('LINEAGE_NOT_FOUND', `${node.node.key} has no column '${input.column}'`, {
          ref: input.asset,
        });
      node = { type: 'column', node: col };
    }
    return { asset: node.node.key, relation: relationOf(node) ?? node.node.key };
  }

  /** Relations upstream of `relation` (and itself) that have nothing further upstream. */
  private async upstreamRoots(relation: string, ctx: AnalysisContext): Promise<string[]> {
    const t = await this.o.store.traverse([relation], {
      direction: 'upstream',
      level: 'relation',
      maxDepth: ctx.maxDepth,
      limit: ctx.limit,
    });
    const all = [relation, ...t.reached.filter((r) => r.type === 'relation').map((r) => r.key)];
    const hops = await this.o.store.neighbors(all, { direction: 'upstream', level: 'relation' });
    const hasUpstream = new Set(hops.map((h) => h.from));
    return sorted(all.filter((k) => !hasUpstream.has(k)));
  }

  /**
   * Likely root cause: rootCause's ranked upstream candidates, where the alert itself counts as evidence on
   * the alerted relation (a failing check: test_failed's weight, a warning: test_warned's), top 3 with evidence.
   */
  private async rootCauses(alert: IncidentAlert, ctx: AnalysisContext) {
    const since = new Date(Date.parse(alert.at) - 7 * 86_400_000).toISOString();
    const r = await rootCause(
      this.o.store,
      { ref: alert.asset, since, depth: Math.min(10, ctx.maxDepth) },
      ctx,
    );
    const kind = alert.level === 'warning' || alert.level === 'info' ? 'test_warned' : 'test_failed';
    return r.candidates
      .map((c) => {
        const evidence = c.evidence.filter((e) => e.weight > 0);
        const weights = evidence.map((e) => e.weight);
        const kinds = evidence.map((e) => e.kind as string);
        if (c.key === alert.relation && !kinds.includes(kind)) {
          weights.push(EVIDENCE_WEIGHTS[kind]);
          kinds.push(kind);
        }
        return {
          key: c.key,
          kind: c.kind,
          distance: c.distance,
          score: rootCauseScore(weights, c.distance),
          evidence: [...new Set(kinds)],
        };
      })
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score || a.distance - b.distance || (a.key < b.key ? -1 : 1))
      .slice(0, 3);
  }

  /** Adds the plan's recipients to the incident; returns the ones not notified before (whole or new assets). */
  private mergeRecipients(incident: Incident, planned: readonly PlannedRecipient[]): PlannedRecipient[] {
    const fresh: PlannedRecipient[] = [];
    for (const p of planned) {
      const prev = incident.recipients.find((r) => r.destination === p.destination && r.owner === p.owner);
      if (prev) {
        prev.assets = sorted([...prev.assets, ...p.assets]);
        prev.rules = sorted([...prev.rules, ...p.rules]);
        continue;
      }
      incident.recipients.push({
        destination: p.destination,
        owner: p.owner,
        urgency: p.urgency,
        assets: [...p.assets],
        rules: [...p.rules],
      });
      fresh.push(p);
    }
    incident.recipients.sort((a, b) =>
      a.destination !== b.destination ? (a.destination < b.destination ? -1 : 1) : a.owner < b.owner ? -1 : 1,
    );
    return fresh;
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
    const owners = await this.ownerInfo(incident);
    const importance = new Map<string, { severity: string; score: number; distance: number }>();
    for (const route of (plan ?? (await this.planOf(incident.alerts[0]?.asset)))?.routes.routes ?? [])
      for (const a of route.assets)
        if (!importance.has(a.key))
          importance.set(a.key, {
            severity: a.importance.severity,
            score: a.importance.score,
            distance: a.distance,
          });
    for (const r of recipients) {
      const dest = rules.destinations[r.destination];
      const notice = await this.notice(incident, r, event, rules, owners, importance);
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
        request: this.request(dest, notice),
      };
      if (
        dest.type === 'digest' ||
        (r.urgency === 'digest' && event === 'trigger' && dest.type !== 'pagerduty')
      ) {
        const digestName = dest.type === 'digest' ? r.destination : null;
        const queued = await this.queueDigest(job, digestName ?? r.destination);
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

  private request(dest: Destination, notice: Notice): DeliveryJob['request'] {
    if (dest.type === 'digest') return { error: 'digest entries are sent by the digest' };
    const secret = this.o.config.alerts.secret(dest.secret);
    if (!secret) return { error: `LINEAGE_SECRET_${dest.secret} is not set` };
    switch (dest.type) {
      case 'slack':
        return { url: secret, body: slackMessage(notice) };
      case 'pagerduty':
        return { url: dest.url, body: pagerDutyEvent(notice, secret) };
      case 'webhook':
        return { url: secret, body: webhookBody(notice) };
    }
  }

  private async queueDigest(job: DeliveryJob, destination: string) {
    const prev = await this.o.incidents.getDelivery(job.key);
    if (prev) return prev;
    const at = this.now().toISOString();
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
    await this.o.incidents.putDelivery(rec);
    return rec;
  }

  private async flush(force: boolean) {
    const rules = this.o.rules.current();
    const now = this.now();
    const out: { destination: string; notices: number; status: string }[] = [];
    const queued = await this.o.incidents.listDeliveries({ status: 'queued', limit: 100_000 });
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
        const secret = this.o.config.alerts.secret(via.secret);
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
        this.deps(rules),
      );
      if (rec.status === 'delivered')
        for (const q of list)
          await this.o.incidents.putDelivery({
            ...q,
            status: 'delivered',
            deliveredAt: rec.deliveredAt,
            updatedAt: rec.updatedAt,
          });
      out.push({ destination: name, notices: list.length, status: rec.status });
    }
    return out;
  }

  private async ownerInfo(incident: Incident): Promise<Map<string, Notice['owner']>> {
    const nodes = await this.o.store.getNodes(incident.impacted);
    const out = new Map<string, Notice['owner']>();
    for (const n of nodes.values())
      for (const o of n.type === 'column' ? [] : n.node.owners)
        if (!out.has(o.id))
          out.set(o.id, { id: o.id, name: o.name ?? null, email: o.email ?? null, team: o.team ?? null });
    return out;
  }

  private async notice(
    incident: Incident,
    r: Recipient,
    event: NoticeEvent,
    rules: RulesFile,
    owners: Map<string, Notice['owner']>,
    plan: Map<string, { severity: string; score: number; distance: number }>,
  ): Promise<Notice> {
    const nodes = await this.o.store.getNodes(r.assets);
    const assets = r.assets
      .map((key) => {
        const n = nodes.get(key);
        const p = plan.get(key);
        return {
          key,
          kind: n ? (n.type === 'column' ? 'column' : n.node.kind) : 'unknown',
          displayName: n ? (n.type === 'consumer' ? n.node.name : n.node.displayName) : key,
          severity: p?.severity ?? 'LOW',
          score: p?.score ?? 0,
          distance: p?.distance ?? 0,
          exposure: n?.type === 'consumer',
        };
      })
      .sort(
        (a, b) =>
          b.score - a.score ||
          SEVERITIES.indexOf(b.severity as never) - SEVERITIES.indexOf(a.severity as never) ||
          (a.key < b.key ? -1 : 1),
      );
    const link = (key: string) =>
      rules.explorerUrl
        ? `${rules.explorerUrl.replace(/\/$/, '')}/explorer#/asset/${encodeURIComponent(key)}`
        : null;
    const first = incident.assets[0] ?? incident.alerts[0]?.asset;
    return {
      event,
      incidentId: incident.id,
      state: incident.state,
      title: incident.title,
      severity: incident.severity,
      urgency: r.urgency,
      at: incident.updatedAt,
      owner: owners.get(r.owner) ?? { id: r.owner, name: null, email: null, team: null },
      assets,
      alerts: incident.alerts.map((a) => ({
        source: a.source,
        asset: a.asset,
        level: a.level,
        message: a.message,
        at: a.at,
      })),
      rootCause: incident.rootCause,
      links: {
        incident: first ? link(first) : null,
        assets: assets.flatMap((a) => {
          const href = link(a.key);
          return href ? [{ key: a.key, href }] : [];
        }),
      },
      dedupKey: `lineage/${incident.id}/${r.owner}`.slice(0, 255),
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

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function sorted(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}

function emptyIncident(id: string, at: string): Incident {
  return {
    id: '',
    state: 'resolved',
    title: `no open incident for alert ${id}`,
    severity: 'LOW',
    openedAt: at,
    updatedAt: at,
    lastAlertAt: at,
    acknowledgedAt: null,
    resolvedAt: null,
    assets: [],
    relations: [],
    roots: [],
    impacted: [],
    rootCause: [],
    alerts: [],
    recipients: [],
    timeline: [],
  };
}
