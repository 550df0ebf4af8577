// Alerts over HTTP: POST /v1/alerts/events (write token) takes alerts in; GraphQL lists incidents, their
// timeline and delivery log, answers the routing test, and acknowledges/resolves with the admin token only;
// the rules file is re-read when it changes (no restart), and an invalid edit keeps the previous rules.
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { loadConfig } from '../../src/config.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { CUSTOMER_360, CUSTOMERS, ownedDemoTarget } from './owned-demo.ts';
import { pagerDutyEventSchema, startReceiver, type Receiver } from './receivers.ts';

let dir: string;
let store: LineageStore;
let app: FastifyInstance;
let pd: Receiver, slack: Receiver;
let rulesFile: string;
const WRITE = { authorization: 'Bearer wr1te' };
const ADMIN = { authorization: 'Bearer adm1n' };

const rules = (slackRule: object) => ({
  destinations: {
    pager: { type: 'pagerduty', secret: 'PD', url: pd.url },
    slack: { type: 'slack', secret: 'SLACK' },
  },
  rules: [
    { name: 'page key assets', match: { tag: ['key_asset'], urgency: ['page'] }, to: ['pager'] },
    { name: 'slack', match: slackRule, to: ['slack'] },
  ],
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-alerts-api-'));
  store = await openEmbeddedStore({ dataDir: join(dir, 'data') });
  await ingestDbt(store, ownedDemoTarget(dir), {
    now: '2026-11-30T00:00:00.000Z',
    cacheDir: join(dir, 'cache'),
  });
  pd = await startReceiver([], 202);
  slack = await startReceiver();
  rulesFile = join(dir, 'rules.json');
  writeFileSync(rulesFile, JSON.stringify(rules({ exposureKind: ['dashboard'] })));
  const config = loadConfig({
    LINEAGE_DATA_DIR: join(dir, 'data'),
    LINEAGE_ALERT_RULES: rulesFile,
    LINEAGE_WRITE_TOKEN: 'wr1te',
    LINEAGE_ADMIN_TOKEN: 'adm1n',
    LINEAGE_SECRET_PD: 'PDKEY',
    LINEAGE_SECRET_SLACK: slack.url,
  });
  app = await buildApp({ store, config, now: () => new Date('2026-12-01T06:05:00Z') });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await pd?.close();
  await slack?.close();
  rmSync(dir, { recursive: true, force: true });
});

const gql = async (query: string, headers: Record<string, string> = {}) =>
  (await app.inject({ method: 'POST', url: '/graphql', headers, payload: { query } })).json();

describe('alerts over HTTP', () => {
  let id: string;
  it('POST /v1/alerts/events needs the write token and opens an incident', async () => {
    const alert = {
      source: 'monte-carlo',
      asset: 'stg_customers',
      column: 'customer_id',
      message: 'null rate 40%',
    };
    const denied = await app.inject({ method: 'POST', url: '/v1/alerts/events', payload: alert });
    expect(denied.statusCode).toBe(401);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/alerts/events',
      headers: WRITE,
      payload: alert,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.results).toHaveLength(1);
    expect(body.results[0]).toMatchObject({
      outcome: 'opened',
      asset: 'jaffle_shop.main.stg_customers.customer_id',
    });
    id = body.results[0].incident;
    expect(pd.requests).toHaveLength(1);
    expect(slack.requests).toHaveLength(1);
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/alerts/events',
      headers: WRITE,
      payload: { asset: 'x', level: 'loud' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('API_BAD_INPUT');
  });

  it('GraphQL: incidents, one incident with timeline and deliveries', async () => {
    const r = await gql(`{ incidents { id state severity recipients { destination owner assets } }
      incident(id: "${id}") { title rootCause { key evidence } deliveries { destination status attempts } }
      incidentTimeline(id: "${id}") { kind } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.incidents).toEqual([
      {
        id,
        state: 'open',
        severity: 'CRITICAL',
        recipients: [
          { destination: 'pager', owner: 'dana.reyes@jaffle.example', assets: [CUSTOMERS] },
          { destination: 'slack', owner: 'ana.lopez@jaffle.example', assets: [CUSTOMER_360] },
        ],
      },
    ]);
    expect(r.data.incident.rootCause[0]).toEqual({
      key: 'jaffle_shop.main.stg_customers',
      evidence: ['test_failed'],
    });
    expect(r.data.incident.deliveries.map((d: { status: string }) => d.status)).toEqual([
      'delivered',
      'delivered',
    ]);
    expect(r.data.incidentTimeline.map((t: { kind: string }) => t.kind)).toEqual([
      'opened',
      'notified',
      'notified',
    ]);
  });

  it('acknowledge and resolve need the admin token; ack tells PagerDuty, resolve tells everyone', async () => {
    const denied = await gql(`mutation { acknowledgeIncident(id: "${id}") { state } }`, WRITE);
    expect(denied.errors[0].extensions.code).toMatch(/API_FORBIDDEN|API_UNAUTHENTICATED/);
    const ack = await gql(`mutation { acknowledgeIncident(id: "${id}") { state acknowledgedAt } }`, ADMIN);
    expect(ack.data.acknowledgeIncident.state).toBe('acknowledged');
    expect(pagerDutyEventSchema.parse(pd.requests[1].body).event_action).toBe('acknowledge');
    expect(slack.requests).toHaveLength(1);
    const res = await gql(`mutation { resolveIncident(id: "${id}") { state } }`, ADMIN);
    expect(res.data.resolveIncident.state).toBe('resolved');
    expect(pagerDutyEventSchema.parse(pd.requests[2].body).event_action).toBe('resolve');
    expect(slack.requests).toHaveLength(2);
    const log = await gql(`{ alertDeliveries(incidentId: "${id}") { event destination status } }`);
    expect(log.data.alertDeliveries).toHaveLength(5);
  });

  it('routeTest answers where an alert would go; the rules file is re-read on change', async () => {
    const q = `{ routeTest(ref: "jaffle_shop.main.stg_customers") { severity rulesError recipients { destination owner urgency assets } unrouted { owner } } }`;
    const before = (await gql(q)).data.routeTest;
    expect(
      before.recipients.map((r: { destination: string; owner: string }) => `${r.destination}:${r.owner}`),
    ).toEqual(['pager:dana.reyes@jaffle.example', 'slack:ana.lopez@jaffle.example']);
    // route every finance asset to slack too — no restart
    writeFileSync(rulesFile, JSON.stringify(rules({ team: ['finance'] }), null, 1));
    const after = (await gql(q)).data.routeTest;
    expect(
      after.recipients.map((r: { destination: string; owner: string }) => `${r.destination}:${r.owner}`),
    ).toEqual(['pager:dana.reyes@jaffle.example', 'slack:dana.reyes@jaffle.example']);
    expect(after.unrouted).toContainEqual({ owner: 'ana.lopez@jaffle.example' });
    // a broken edit: reported, and the last valid rules stay in force
    writeFileSync(
      rulesFile,
      JSON.stringify({ ...rules({}), rules: [{ name: 'x', match: {}, to: ['nowhere'] }] }),
    );
    const broken = (await gql(q)).data.routeTest;
    expect(broken.rulesError).toContain("unknown destination 'nowhere'");
    expect(broken.recipients).toEqual(after.recipients);
  });

  it("a detector's recovery (status resolved, same id) resolves the incident it opened", async () => {
    const post = (payload: object) =>
      app.inject({ method: 'POST', url: '/v1/alerts/events', headers: WRITE, payload }).then((r) => r.json());
    const firing = await post({ source: 'soda', id: 'soda-42', asset: 'stg_orders', message: 'freshness' });
    expect(firing.results[0].outcome).toBe('opened');
    const again = await post({ source: 'soda', id: 'soda-42', asset: 'stg_orders', message: 'freshness' });
    expect(again.results[0].outcome).toBe('duplicate');
    const done = await post({ source: 'soda', id: 'soda-42', asset: 'stg_orders', status: 'resolved' });
    expect(done.results[0]).toMatchObject({
      outcome: 'resolved',
      incident: firing.results[0].incident,
      state: 'resolved',
    });
  });
});
