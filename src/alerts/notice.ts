// A Notice: an incident as one recipient sees it (their own assets ranked by importance, the alerts, the
// likely root cause, explorer links, the stable dedup key), and the HTTP request each destination gets.
import type { Incident, Recipient } from '../../graph/incidents/types.ts';
import type { LineageStore } from '../../graph/store.ts';
import { SEVERITIES } from '../analysis/importance.ts';
import type { Config } from '../config.ts';
import type { DeliveryJob } from './delivery.ts';
import { pagerDutyEvent, slackMessage, webhookBody, type Notice, type NoticeEvent } from './messages.ts';
import type { Plan } from './plan.ts';
import type { Destination, RulesFile } from './rules.ts';

export type ImportanceByKey = Map<string, { severity: string; score: number; distance: number }>;

/** Each impacted asset's importance as the plan computed it. */
export function importanceByKey(plan: Plan | null): ImportanceByKey {
  const out: ImportanceByKey = new Map();
  for (const route of plan?.routes.routes ?? [])
    for (const a of route.assets)
      if (!out.has(a.key))
        out.set(a.key, { severity: a.importance.severity, score: a.importance.score, distance: a.distance });
  return out;
}

/** Owners of the incident's impacted assets by id (name, email, team). */
export async function ownerInfo(
  store: LineageStore,
  incident: Incident,
): Promise<Map<string, Notice['owner']>> {
  const nodes = await store.getNodes(incident.impacted);
  const out = new Map<string, Notice['owner']>();
  for (const n of nodes.values())
    for (const o of n.type === 'column' ? [] : n.node.owners)
      if (!out.has(o.id))
        out.set(o.id, { id: o.id, name: o.name ?? null, email: o.email ?? null, team: o.team ?? null });
  return out;
}

export async function buildNotice(
  store: LineageStore,
  incident: Incident,
  r: Recipient,
  event: NoticeEvent,
  rules: RulesFile,
  owners: Map<string, Notice['owner']>,
  plan: Map<string, { severity: string; score: number; distance: number }>,
): Promise<Notice> {
  const nodes = await store.getNodes(r.assets);
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

/** Where and what to POST for `dest`; an error when its secret is not set. */
export function requestFor(config: Config, dest: Destination, notice: Notice): DeliveryJob['request'] {
  if (dest.type === 'digest') return { error: 'digest entries are sent by the digest' };
  const secret = config.alerts.secret(dest.secret);
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
