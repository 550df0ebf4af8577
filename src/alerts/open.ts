// The alert service for a configured process: the incident store beside the lineage store, and the rules
// file of LINEAGE_ALERT_RULES (re-read when it changes).
import { openIncidentStore } from '../../graph/incidents/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import type { Config } from '../config.ts';
import { RulesSource } from './rules.ts';
import { AlertService } from './service.ts';

export async function openAlertService(
  config: Config,
  store: LineageStore,
  over: { now?: () => Date } = {},
): Promise<AlertService> {
  const incidents = await openIncidentStore(config);
  return new AlertService({
    store,
    incidents,
    config,
    rules: new RulesSource(config.alerts.rulesFile),
    ...over,
  });
}
