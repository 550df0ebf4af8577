// The "Must show", end to end with real local HTTP receivers: a failing dbt test on a staging
// column of the demo -> one incident -> a PagerDuty page for the key asset's owner, a Slack message for the
// dashboard's owner, nothing for owners whose assets are not impacted; a second alert within the window
// joins the same incident; resolving sends resolved messages to the same recipients; a receiver that fails
// twice then succeeds gets exactly one delivery. Every payload is checked against the destination's
// documented shape (test/alerts/receivers.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedIncidentStore } from '../../graph/incidents/embedded.ts';
import { openNeo4jIncidentStore } from '../../graph/incidents/neo4j.ts';
import type { Incident, IncidentStore } from '../../graph/incidents/types.ts';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { fromDbtRunResults } from '../../src/alerts/adapters.ts';
import { RulesSource } from '../../src/alerts/rules.ts';
import { AlertService } from '../../src/alerts/service.ts';
import { loadConfig } from '../../src/config.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { CUSTOMER_360, CUSTOMERS, NOT_NULL, ownedDemoTarget, runResults, UNIQUE } from './owned-demo.ts';
import { closeTestStore, neo4jTarget, openTestStore } from '../graph/neo4j/server.ts';
import { pagerDutyEventSchema, slackMessageSchema, startReceiver, type Receiver } from './receivers.ts';

const T0 = '2026-12-01T06:00:01.000Z';
const ROUTING_KEY = 'R0UT1NGKEYFINANCE0000000000000000';

// The incident store under test: the embedded file, and Neo4j when the test server runs (the lineage store
// is embedded in both; its own conformance suite covers Neo4j).
interface IncidentStoreKind {
  name: string;
  enabled: () => boolean;
  open: (dataDir: string) => Promise<IncidentStore>;
  cleanup: () => Promise<void>;
}
let neo4jHolder: LineageStore | null = null;
const KINDS: IncidentStoreKind[] = [
  {
    name: 'embedded',
    enabled: () => true,
    open: async (dataDir) => openEmbeddedIncidentStore({ dataDir }),
    cleanup: async () => undefined,
  },
  {
    name: 'neo4j',
    enabled: () => neo4jTarget() !== null,
    open: async () => {
      if (!neo4jHolder) neo4jHolder = await openTestStore(neo4jTarget()!); // locks and wipes the test database
      return openNeo4jIncidentStore(neo4jTarget()!);
    },
    cleanup: async () => {
      if (neo4jHolder) await closeTestStore(neo4jHolder);
      neo4jHolder = null;
    },
  },
];

describe.each(KINDS)('a failing dbt test on stg_customers.customer_id (incidents: $name)', (kind) => {
  let dir: string;
  let store: LineageStore;
  let service: AlertService;
  let clock = new Date(T0);
  let pd: Receiver, slackCrm: Receiver, slackPlatform: Receiver, audit: Receiver;
  let incidentId: string;

  beforeAll(async () => {
    if (!kind.enabled()) return;
    dir = mkdtempSync(join(tmpdir(), 'lineage-alerts-e2e-'));
    store = await openEmbeddedStore({ dataDir: join(dir, 'data') });
    await ingestDbt(store, ownedDemoTarget(dir), {
      now: '2026-11-30T00:00:00.000Z',
      cacheDir: join(dir, 'cache'),
    });
    pd = await startReceiver([], 202);
    slackCrm = await startReceiver();
    slackPlatform = await startReceiver();
    audit = await startReceiver([500, 503]); // fails twice, then succeeds
    const rulesFile = join(dir, 'alert-rules.json');
    writeFileSync(
      rulesFile,
      JSON.stringify({
        mode: 'all',
        windowMinutes: 60,
        delivery: { attempts: 4, backoffMs: 5, timeoutMs: 5000 },
        explorerUrl: 'https://lineage.jaffle.example',
        destinations: {
          'pager-finance': { type: 'pagerduty', secret: 'PD_FINANCE', url: pd.url },
          'slack-crm': { type: 'slack', secret: 'SLACK_CRM' },
          'slack-platform': { type: 'slack', secret: 'SLACK_PLATFORM' },
          audit: { type: 'webhook', secret: 'AUDIT_HOOK' },
        },
        rules: [
          {
            name: 'key assets page their owner',
            match: { tag: ['key_asset'], urgency: ['page'] },
            to: ['pager-finance'],
          },
          { name: 'dashboards to their owners', match: { exposureKind: ['dashboard'] }, to: ['slack-crm'] },
          { name: 'platform models', match: { team: ['platform'] }, to: ['slack-platform'] },
          { name: 'ml models', match: { exposureKind: ['ml'] }, to: ['slack-platform'] },
          { name: 'finance audit trail', match: { team: ['finance'] }, to: ['audit'] },
        ],
      }),
    );
    const config = loadConfig({
      LINEAGE_DATA_DIR: join(dir, 'data'),
      LINEAGE_ALERT_RULES: rulesFile,
      LINEAGE_SECRET_PD_FINANCE: ROUTING_KEY,
      LINEAGE_SECRET_SLACK_CRM: slackCrm.url,
      LINEAGE_SECRET_SLACK_PLATFORM: slackPlatform.url,
      LINEAGE_SECRET_AUDIT_HOOK: audit.url,
    });
    service = new AlertService({
      store,
      incidents: await kind.open(config.dataDir),
      config,
      rules: new RulesSource(rulesFile),
      now: () => clock,
    });
  });

  afterAll(async () => {
    await service?.incidents.close();
    await kind.cleanup();
    await store?.close();
    for (const r of [pd, slackCrm, slackPlatform, audit]) await r?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!kind.enabled())(
    'opens one incident and notifies only the impacted owners, each with their own assets',
    async () => {
      const { alerts, skipped } = await fromDbtRunResults(runResults([NOT_NULL], T0), store);
      expect(skipped).toEqual([]);
      expect(alerts.map((a) => a.asset)).toEqual(['jaffle_shop.main.stg_customers.customer_id']);
      clock = new Date('2026-12-01T06:01:00.000Z');
      const [r] = await service.receive(alerts);
      expect(r.outcome).toBe('opened');
      incidentId = r.incident.id;
      expect(r.incident.severity).toBe('CRITICAL');
      expect(r.incident.roots).toEqual(['jaffle_shop.raw.raw_customers']);
      expect(r.incident.rootCause[0]).toMatchObject({
        key: 'jaffle_shop.main.stg_customers',
        evidence: ['test_failed'],
      });
      expect(r.incident.recipients.map((x) => [x.destination, x.owner, x.urgency, x.assets])).toEqual([
        ['audit', 'dana.reyes@jaffle.example', 'page', [CUSTOMERS]],
        ['pager-finance', 'dana.reyes@jaffle.example', 'page', [CUSTOMERS]],
        ['slack-crm', 'ana.lopez@jaffle.example', 'page', [CUSTOMER_360]],
      ]);
      expect(await service.incidents.listIncidents({ limit: 10 })).toHaveLength(1);

      // PagerDuty: one trigger, documented shape, severity mapped, stable dedup key, the key asset in it
      expect(pd.requests).toHaveLength(1);
      const page = pagerDutyEventSchema.parse(pd.requests[0].body);
      expect(page.event_action).toBe('trigger');
      expect(page.routing_key).toBe(ROUTING_KEY);
      expect(page.dedup_key).toBe(`lineage/${incidentId}/dana.reyes@jaffle.example`);
      if (page.event_action !== 'trigger') throw new Error('unreachable');
      expect(page.payload.severity).toBe('critical');
      expect(page.payload.summary).toContain(incidentId);
      expect(JSON.stringify(page.payload.custom_details)).toContain(CUSTOMERS);
      expect(JSON.stringify(page)).not.toContain('customer_360');

      // Slack: one Block Kit message for the dashboard's owner, with the dashboard, the root cause and links
      expect(slackCrm.requests).toHaveLength(1);
      const msg = slackMessageSchema.parse(slackCrm.requests[0].body);
      const text = JSON.stringify(msg);
      expect(text).toContain('Customer 360');
      expect(text).toContain('Likely root cause');
      expect(text).toContain('jaffle_shop.main.stg_customers');
      expect(text).toContain('https://lineage.jaffle.example/explorer#/asset/');
      expect(text).not.toContain(CUSTOMERS + ' ('); // Dana's table is not Ana's asset

      // nobody else: Lee (platform) and Sam (revenue forecast) own nothing impacted
      expect(slackPlatform.requests).toHaveLength(0);

      // the flaky receiver: 500, 503, then 200 — exactly one delivery, logged with 3 attempts
      expect(audit.requests.map((x) => x.status)).toEqual([500, 503, 200]);
      expect(audit.accepted()).toHaveLength(1);
      expect(audit.accepted()[0]).toMatchObject({ type: 'lineage.incident', event: 'trigger', incidentId });
      const log = await service.incidents.listDeliveries({ incidentId, limit: 100 });
      expect(log.find((d) => d.destination === 'audit')).toMatchObject({ status: 'delivered', attempts: 3 });
      expect(JSON.stringify(log)).not.toContain(audit.url);
      expect(JSON.stringify(log)).not.toContain(ROUTING_KEY);
    },
  );

  it.skipIf(!kind.enabled())(
    'a second alert within the window joins the same incident and pages nobody again',
    async () => {
      clock = new Date('2026-12-01T06:15:00.000Z');
      const { alerts } = await fromDbtRunResults(runResults([UNIQUE], '2026-12-01T06:14:00.000Z'), store);
      const [r] = await service.receive(alerts);
      expect(r.outcome).toBe('joined');
      expect(r.incident.id).toBe(incidentId);
      expect(r.incident.alerts).toHaveLength(2);
      expect(await service.incidents.listIncidents({ limit: 10 })).toHaveLength(1);
      // the same artifact sent again is the same alert
      const [again] = await service.receive(alerts);
      expect(again.outcome).toBe('duplicate');
      expect([pd.requests.length, slackCrm.requests.length, audit.accepted().length]).toEqual([1, 1, 1]);
      expect(slackPlatform.requests).toHaveLength(0);
    },
  );

  it.skipIf(!kind.enabled())(
    'resolving sends resolved messages to the same recipients, and only to them',
    async () => {
      clock = new Date('2026-12-01T07:00:00.000Z');
      const inc = await service.resolve(incidentId, 'admin');
      expect(inc.state).toBe('resolved');
      expect(pd.requests).toHaveLength(2);
      const resolved = pagerDutyEventSchema.parse(pd.requests[1].body);
      expect(resolved).toEqual({
        routing_key: ROUTING_KEY,
        event_action: 'resolve',
        dedup_key: `lineage/${incidentId}/dana.reyes@jaffle.example`,
      });
      expect(slackCrm.requests).toHaveLength(2);
      const msg = slackMessageSchema.parse(slackCrm.requests[1].body);
      expect(msg.text).toMatch(/^Resolved/);
      expect(audit.accepted()).toHaveLength(2);
      expect(audit.accepted()[1]).toMatchObject({ event: 'resolve', state: 'resolved', incidentId });
      expect(slackPlatform.requests).toHaveLength(0);
      // resolving twice sends nothing more
      await service.resolve(incidentId, 'admin');
      expect([pd.requests.length, slackCrm.requests.length, audit.requests.length]).toEqual([2, 2, 4]);
    },
  );

  it.skipIf(!kind.enabled())('the incident and its timeline survive a restart', async () => {
    const reopened = await kind.open(join(dir, 'data'));
    const inc = (await reopened.getIncident(incidentId)) as Incident;
    expect(inc.state).toBe('resolved');
    expect(inc.timeline.map((t) => t.kind)).toEqual([
      'opened',
      'notified',
      'notified',
      'notified',
      'alert',
      'resolved',
      'notified',
      'notified',
      'notified',
    ]);
    await reopened.close();
  });
});
