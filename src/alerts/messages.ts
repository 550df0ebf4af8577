// What each destination receives, built from one Notice (an incident as one recipient sees it):
// - Slack incoming webhook: Block Kit `{ text, blocks }` — `text` is the notification fallback; a header
//   (plain_text, ≤ 150 chars), sections in mrkdwn (≤ 3000 chars each), a context line; ≤ 50 blocks.
// - PagerDuty Events API v2: `{ routing_key, event_action: trigger|acknowledge|resolve, dedup_key, payload,
//   links, client, client_url }`; `payload` (trigger only) has summary (≤ 1024), source, severity
//   (critical|error|warning|info), timestamp, component, group, class, custom_details. The dedup key is
//   stable per incident and recipient, so acknowledge/resolve close the same PagerDuty alert.
// - Generic webhook: the Notice itself as JSON, `{ type: "lineage.incident", version: 1, event, … }`.
import type { IncidentState, RootCauseSummary } from '../../graph/incidents/types.ts';

export type NoticeEvent = 'trigger' | 'acknowledge' | 'resolve';

export interface NoticeAsset {
  key: string;
  kind: string;
  displayName: string;
  severity: string;
  score: number;
  distance: number;
  exposure: boolean;
}

export interface Notice {
  event: NoticeEvent;
  incidentId: string;
  state: IncidentState;
  title: string;
  /** The incident's severity and this recipient's urgency. */
  severity: string;
  urgency: string;
  at: string;
  owner: { id: string; name: string | null; email: string | null; team: string | null };
  /** This recipient's impacted assets, most important first. */
  assets: NoticeAsset[];
  alerts: { source: string; asset: string; level: string; message: string; at: string }[];
  rootCause: RootCauseSummary[];
  links: { incident: string | null; assets: { key: string; href: string }[] };
  dedupKey: string;
}

const PD_SEVERITY: Record<string, 'critical' | 'error' | 'warning' | 'info'> = {
  CRITICAL: 'critical',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'info',
};

const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

function verb(n: Notice): string {
  switch (n.event) {
    case 'trigger':
      return 'Incident';
    case 'acknowledge':
      return 'Acknowledged';
    case 'resolve':
      return 'Resolved';
  }
}

export function summaryLine(n: Notice): string {
  const dashboards = n.assets.filter((a) => a.exposure).length;
  return cut(
    `${verb(n)} [${n.severity}] ${n.title} — ${n.assets.length} of your assets impacted` +
      (dashboards ? `, ${dashboards} exposure${dashboards > 1 ? 's' : ''}` : '') +
      ` (${n.incidentId})`,
    1024,
  );
}

/** Slack Block Kit message for an incoming webhook. */
export function slackMessage(n: Notice): { text: string; blocks: unknown[] } {
  const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: cut(text, 3000) });
  const assetLine = (a: NoticeAsset) => {
    const link = n.links.assets.find((l) => l.key === a.key)?.href;
    const name = link ? `<${link}|${a.displayName}>` : `\`${a.displayName}\``;
    return `• ${name} (${a.kind}, ${a.severity}${a.distance ? `, ${a.distance} hop${a.distance > 1 ? 's' : ''} away` : ''})`;
  };
  const exposures = n.assets.filter((a) => a.exposure);
  const others = n.assets.filter((a) => !a.exposure);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(`${verb(n)}: ${n.title}`, 150) } },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Severity*\n${n.severity}`),
        mrkdwn(`*State*\n${n.state}`),
        mrkdwn(`*Incident*\n${n.incidentId}`),
        mrkdwn(`*Owner*\n${n.owner.name ?? n.owner.id}${n.owner.team ? ` (${n.owner.team})` : ''}`),
      ],
    },
    {
      type: 'section',
      text: mrkdwn(
        `*What happened*\n${n.alerts
          .slice(0, 5)
          .map((a) => `• ${a.source}: \`${a.asset}\` ${a.message}`)
          .join('\n')}`,
      ),
    },
  ];
  if (exposures.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Dashboards and models impacted*\n${exposures.slice(0, 15).map(assetLine).join('\n')}`),
    });
  if (others.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Tables impacted*\n${others.slice(0, 15).map(assetLine).join('\n')}` +
          (others.length > 15 ? `\n…and ${others.length - 15} more` : ''),
      ),
    });
  if (n.rootCause.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `*Likely root cause*\n${n.rootCause
          .map(
            (c) =>
              `• \`${c.key}\` (score ${c.score}${c.evidence.length ? `: ${c.evidence.join(', ')}` : ''})`,
          )
          .join('\n')}`,
      ),
    });
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        `lineage · urgency ${n.urgency}${n.links.incident ? ` · <${n.links.incident}|open in the explorer>` : ''}`,
      ),
    ],
  });
  return { text: summaryLine(n), blocks };
}

/** PagerDuty Events API v2 event. */
export function pagerDutyEvent(n: Notice, routingKey: string): Record<string, unknown> {
  const base = { routing_key: routingKey, event_action: n.event, dedup_key: n.dedupKey };
  if (n.event !== 'trigger') return base;
  return {
    ...base,
    payload: {
      summary: summaryLine(n),
      source: n.alerts[0]?.asset ?? n.assets[0]?.key ?? 'lineage',
      severity: PD_SEVERITY[n.severity] ?? 'error',
      timestamp: n.at,
      component: n.assets[0]?.key,
      group: n.owner.team ?? undefined,
      class: n.alerts[0]?.source ?? 'lineage',
      custom_details: {
        incident: n.incidentId,
        owner: n.owner.id,
        impacted: n.assets.map((a) => `${a.key} (${a.severity})`),
        root_cause: n.rootCause.map((c) => `${c.key} (score ${c.score})`),
        alerts: n.alerts.map((a) => `${a.source}: ${a.asset} ${a.message}`),
      },
    },
    client: 'lineage',
    ...(n.links.incident ? { client_url: n.links.incident } : {}),
    links: n.links.assets.slice(0, 5).map((l) => ({ href: l.href, text: l.key })),
  };
}

/** Generic JSON webhook body. */
export function webhookBody(n: Notice): Record<string, unknown> {
  return { type: 'lineage.incident', version: 1, ...n };
}

/** One digest message: the queued lines since the last digest. */
export function digestSlack(destination: string, lines: string[]): { text: string; blocks: unknown[] } {
  const text = `Lineage digest (${destination}): ${lines.length} notice${lines.length === 1 ? '' : 's'}`;
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: cut(text, 150) } }];
  for (let i = 0; i < lines.length && blocks.length < 49; i += 10)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: cut(lines.slice(i, i + 10).join('\n'), 3000) },
    });
  return { text, blocks };
}
