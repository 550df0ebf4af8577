// Incident documents: opening one from an alert, an alert joining one, and adding recipients. Pure; the
// service stores the result.
import { createHash } from 'node:crypto';
import type { Incident, IncidentAlert, RootCauseSummary } from '../../graph/incidents/types.ts';
import { maxSeverity, type AlertSeverity } from '../analysis/importance.ts';
import type { PlannedRecipient } from './plan.ts';

/** Impacted assets kept per incident. */
const MAX_IMPACTED = 500;

export interface AlertFacts {
  alert: IncidentAlert;
  title: string;
  roots: string[];
  impacted: string[];
  severity: AlertSeverity;
  rootCause: RootCauseSummary[];
}

const line = (a: IncidentAlert) => `${a.source}: ${a.asset} ${a.message}`.trim();

export function openIncident(f: AlertFacts): Incident {
  const { alert, roots, impacted, severity } = f;
  const at = alert.at;
  return {
    id: `inc-${at.slice(0, 10).replace(/-/g, '')}-${hash(alert.id).slice(0, 8)}`,
    state: 'open',
    title: f.title,
    severity,
    openedAt: at,
    updatedAt: at,
    lastAlertAt: at,
    acknowledgedAt: null,
    resolvedAt: null,
    assets: [alert.asset],
    relations: [alert.relation],
    roots,
    impacted: sorted(impacted).slice(0, MAX_IMPACTED),
    rootCause: f.rootCause,
    alerts: [alert],
    recipients: [],
    timeline: [{ at, kind: 'opened', message: line(alert) }],
  };
}

export function joinIncident(incident: Incident, f: AlertFacts): Incident {
  const { alert, roots, impacted, severity } = f;
  const at = alert.at;
  incident.alerts.push(alert);
  incident.assets = sorted([...incident.assets, alert.asset]);
  incident.relations = sorted([...incident.relations, alert.relation]);
  incident.roots = sorted([...incident.roots, ...roots]);
  incident.impacted = sorted([...incident.impacted, ...impacted]).slice(0, MAX_IMPACTED);
  incident.severity = maxSeverity([incident.severity as AlertSeverity, severity]);
  incident.lastAlertAt = at > incident.lastAlertAt ? at : incident.lastAlertAt;
  incident.updatedAt = at;
  if (incident.rootCause.length === 0) incident.rootCause = f.rootCause;
  incident.timeline.push({ at, kind: 'alert', message: line(alert) });
  return incident;
}

/** Adds the plan's recipients to the incident; returns the ones not notified before (whole or new assets). */
export function mergeRecipients(
  incident: Incident,
  planned: readonly PlannedRecipient[],
): PlannedRecipient[] {
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

export function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function sorted(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}

export function emptyIncident(id: string, at: string): Incident {
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
