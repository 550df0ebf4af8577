// Which open incident an alert joins (docs/alerts.md "Incidents"): an open or acknowledged incident whose
// last alert is at most `windowMinutes` before this alert, and that either holds the same relation or
// shares an upstream root with it (a root: a relation upstream of the alerted one, or the relation itself,
// that has nothing further upstream). Among several, the one with the latest last alert wins (ties: the
// smaller id). None: the alert opens a new incident.
import type { Incident } from '../../graph/incidents/types.ts';

export interface GroupingInput {
  relation: string;
  roots: readonly string[];
  at: string;
  windowMinutes: number;
}

export function incidentToJoin(open: readonly Incident[], a: GroupingInput): Incident | null {
  const from = Date.parse(a.at) - a.windowMinutes * 60_000;
  const roots = new Set(a.roots);
  const fits = open.filter(
    (i) =>
      i.state !== 'resolved' &&
      Date.parse(i.lastAlertAt) >= from &&
      (i.relations.includes(a.relation) || i.roots.some((r) => roots.has(r))),
  );
  fits.sort((x, y) =>
    x.lastAlertAt !== y.lastAlertAt ? (x.lastAlertAt > y.lastAlertAt ? -1 : 1) : x.id < y.id ? -1 : 1,
  );
  return fits[0] ?? null;
}
