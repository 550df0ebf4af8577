// One contract for both incident stores (graph/incidents): the same calls give the same answers on the
// embedded file and on Neo4j, and the embedded file survives a reopen (a restart). Runs over the declared
// store list (test/conformance/store-list.ts); Neo4j needs the test server (skipped with
// LINEAGE_TEST_SKIP_NEO4J=1).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedIncidentStore } from '../../graph/incidents/embedded.ts';
import { openNeo4jIncidentStore } from '../../graph/incidents/neo4j.ts';
import type { DeliveryRecord, Incident, IncidentStore } from '../../graph/incidents/types.ts';
import { selectedStores, STORE_NAMES } from '../conformance/store-list.ts';
import { closeTestStore, neo4jTarget, openTestStore } from '../graph/neo4j/server.ts';

interface Opened {
  store: IncidentStore;
  reopen: () => Promise<IncidentStore>;
  cleanup: () => Promise<void>;
}

const FACTORIES: Record<
  (typeof STORE_NAMES)[number],
  { enabled: () => boolean; open: () => Promise<Opened> }
> = {
  embedded: {
    enabled: () => selectedStores().includes('embedded'),
    open: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-incidents-'));
      return {
        store: openEmbeddedIncidentStore({ dataDir: dir }),
        reopen: async () => openEmbeddedIncidentStore({ dataDir: dir }),
        cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  neo4j: {
    enabled: () => neo4jTarget() !== null,
    open: async () => {
      const target = neo4jTarget()!;
      const holder = await openTestStore(target); // locks and wipes the shared test database
      const store = await openNeo4jIncidentStore(target);
      return {
        store,
        reopen: () => openNeo4jIncidentStore(target),
        cleanup: () => closeTestStore(holder),
      };
    },
  },
};

function incident(id: string, openedAt: string, state: Incident['state'] = 'open'): Incident {
  return {
    id,
    state,
    title: `test failed on ${id}`,
    severity: 'HIGH',
    openedAt,
    updatedAt: openedAt,
    lastAlertAt: openedAt,
    acknowledgedAt: null,
    resolvedAt: null,
    assets: ['main.stg_customers.customer_id'],
    relations: ['main.stg_customers'],
    roots: ['raw.raw_customers'],
    impacted: ['exposure:customer_360', 'main.customers'],
    rootCause: [
      { key: 'main.stg_customers', kind: 'view', distance: 0, score: 40, evidence: ['test_failed'] },
    ],
    alerts: [],
    recipients: [],
    timeline: [{ at: openedAt, kind: 'opened', message: 'opened' }],
  };
}

function delivery(key: string, incidentId: string, createdAt: string, status: DeliveryRecord['status']) {
  return {
    key,
    incidentId,
    destination: key.split('|')[1],
    destinationType: 'slack',
    owner: 'ana@x.example',
    event: 'trigger',
    status,
    attempts: 1,
    lastError: null,
    createdAt,
    updatedAt: createdAt,
    deliveredAt: status === 'delivered' ? createdAt : null,
    httpStatus: 200,
    summary: 'a line',
  } satisfies DeliveryRecord;
}

/** The same script on every store; returns what it saw so stores can be compared exactly. */
async function script(store: IncidentStore): Promise<unknown[]> {
  const seen: unknown[] = [];
  seen.push(await store.getIncident('inc-a'));
  await store.putIncident(incident('inc-a', '2026-12-01T10:00:00.000Z'));
  await store.putIncident(incident('inc-b', '2026-12-01T11:00:00.000Z'));
  await store.putIncident(incident('inc-c', '2026-12-01T11:00:00.000Z', 'resolved'));
  const replaced = { ...incident('inc-a', '2026-12-01T10:00:00.000Z', 'acknowledged'), title: 'replaced' };
  await store.putIncident(replaced);
  seen.push(await store.getIncident('inc-a'));
  seen.push((await store.listIncidents({ limit: 10 })).map((i) => [i.id, i.state]));
  seen.push((await store.listIncidents({ limit: 1 })).map((i) => i.id));
  seen.push((await store.listIncidents({ states: ['open', 'acknowledged'], limit: 10 })).map((i) => i.id));
  await store.putDelivery(
    delivery('inc-a|slack-crm|ana|trigger', 'inc-a', '2026-12-01T10:00:01.000Z', 'failed'),
  );
  await store.putDelivery(
    delivery('inc-a|slack-crm|ana|trigger', 'inc-a', '2026-12-01T10:00:01.000Z', 'delivered'),
  );
  await store.putDelivery(
    delivery('inc-b|pd|dana|trigger', 'inc-b', '2026-12-01T11:00:01.000Z', 'delivered'),
  );
  await store.putDelivery(delivery('digest|daily|ana|x', 'inc-b', '2026-12-01T09:00:00.000Z', 'queued'));
  seen.push(await store.getDelivery('inc-a|slack-crm|ana|trigger'));
  seen.push(await store.getDelivery('nope'));
  seen.push((await store.listDeliveries({ limit: 10 })).map((d) => d.key));
  seen.push((await store.listDeliveries({ incidentId: 'inc-b', limit: 10 })).map((d) => d.key));
  seen.push((await store.listDeliveries({ status: 'queued', limit: 10 })).map((d) => d.key));
  seen.push((await store.listDeliveries({ destination: 'pd', limit: 10 })).map((d) => d.key));
  return seen;
}

const answers = new Map<string, unknown[]>();

describe.each(STORE_NAMES.map((name) => ({ name, f: FACTORIES[name] })))(
  'incident store: $name',
  ({ name, f }) => {
    let opened: Opened | null = null;
    afterEach(async () => {
      if (opened) {
        await opened.store.close();
        await opened.cleanup();
      }
      opened = null;
    });

    it.skipIf(!f.enabled())('answers the contract script', async () => {
      opened = await f.open();
      const seen = await script(opened.store);
      expect(seen[0]).toBeNull();
      expect((seen[1] as Incident).title).toBe('replaced');
      expect((seen[1] as Incident).state).toBe('acknowledged');
      expect(seen[2]).toEqual([
        ['inc-b', 'open'],
        ['inc-c', 'resolved'],
        ['inc-a', 'acknowledged'],
      ]);
      expect(seen[3]).toEqual(['inc-b']);
      expect(seen[4]).toEqual(['inc-b', 'inc-a']);
      expect((seen[5] as DeliveryRecord).status).toBe('delivered');
      expect(seen[6]).toBeNull();
      expect(seen[7]).toEqual(['digest|daily|ana|x', 'inc-a|slack-crm|ana|trigger', 'inc-b|pd|dana|trigger']);
      expect(seen[8]).toEqual(['digest|daily|ana|x', 'inc-b|pd|dana|trigger']);
      expect(seen[9]).toEqual(['digest|daily|ana|x']);
      expect(seen[10]).toEqual(['inc-b|pd|dana|trigger']);
      answers.set(name, seen);
      for (const [other, theirs] of answers) if (other !== name) expect(seen).toEqual(theirs);
    });

    it.skipIf(!f.enabled())('keeps everything across a reopen (a restart)', async () => {
      opened = await f.open();
      await opened.store.putIncident(incident('inc-r', '2026-12-01T12:00:00.000Z'));
      await opened.store.putDelivery(
        delivery('inc-r|d|o|trigger', 'inc-r', '2026-12-01T12:00:01.000Z', 'delivered'),
      );
      await opened.store.close();
      const again = await opened.reopen();
      opened.store = again;
      expect(await again.getIncident('inc-r')).toEqual(incident('inc-r', '2026-12-01T12:00:00.000Z'));
      expect((await again.getDelivery('inc-r|d|o|trigger'))?.status).toBe('delivered');
    });
  },
);

describe('embedded incident store file', () => {
  it('is replaced atomically and a damaged file is STORE_CORRUPT, not an empty store', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-incidents-'));
    try {
      const store = openEmbeddedIncidentStore({ dataDir: dir });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.putIncident(incident(`inc-${String(i).padStart(2, '0')}`, '2026-12-01T10:00:00.000Z')),
        ),
      );
      expect((await store.listIncidents({ limit: 100 })).length).toBe(20);
      expect(fs.readdirSync(dir).sort()).toEqual(['incidents.json']);
      fs.writeFileSync(path.join(dir, 'incidents.json'), '{"format":"lineage-incidents/1","incid');
      const again = openEmbeddedIncidentStore({ dataDir: dir });
      await expect(again.listIncidents({ limit: 1 })).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
