// The Neo4j store against the embedded store on the conformance shapes: every read method, compared
// exactly, after ingest, after replacing an origin and after removing one. Runs against the real test Neo4j.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../../graph/embedded/index.ts';
import { openNeo4jStore } from '../../../graph/neo4j/index.ts';
import type { LineageStore, TraverseOptions } from '../../../graph/store.ts';
import { TRANSFORM_KINDS, type LineageBatch } from '../../../src/model/lineage.ts';
import { dbtBatch, queryLogBatch, standardBatches, T1 } from '../../helpers/shapes.ts';
import { closeTestStore, neo4jTarget, openTestStore } from './server.ts';

const target = neo4jTarget();

async function snapshot(store: LineageStore): Promise<Record<string, unknown>> {
  const relations = await store.listRelations();
  const consumers = await store.listConsumers();
  const columns = (await Promise.all(relations.map((r) => store.columnsOf(r.key)))).flat();
  const keys = [...relations.map((r) => r.key), ...columns.map((c) => c.key), ...consumers.map((c) => c.key)];
  const out: Record<string, unknown> = {
    stats: await store.stats(),
    origins: await store.origins(),
    relations,
    consumers,
    columns,
    nodes: [...(await store.getNodes([...keys, 'no.such.key'])).entries()].sort(),
    relationGraph: await store.relationGraph(),
    byUniqueId: await store.findByUniqueId('model.proj.revenue'),
    byUniqueIdExposure: await store.findByUniqueId('exposure.proj.finance_dash'),
    martRelations: await store.listRelations({ schema: 'mart' }),
    tables: await store.listRelations({ kinds: ['table'] }),
    checks: await store.checks(keys),
    evidence: await store.evidence(keys),
    evidenceSince: await store.evidence(keys, '2024-01-05T00:00:00Z'),
    fingerprints: [...(await store.fingerprints(keys, 5)).entries()],
    diagnostics: await store.diagnostics({ limit: 100 }),
    diagnosticsWarn: await store.diagnostics({ limit: 1, severity: 'warning' }),
    usage: await store.usage({ sinceDay: '2024-01-01' }),
    usageExcl: await store.usage({
      sinceDay: '2024-02-01',
      untilDay: '2024-02-02',
      excludeUsers: ['CAROL'],
      excludeRoles: ['transformer'],
      targets: keys,
    }),
  };
  for (const text of ['orders', 'ORD', 'größe', '📦', 'x', 'finance', ' ', 'zzz'])
    out[`search:${text}`] = await store.search(text, { limit: 10 });
  out['search:typed'] = await store.search('o', { limit: 50, types: ['column'] });
  for (const text of ['orders.', 's.a', '.c', 'e.o', 'raw.'])
    out[`search:columns:${text}`] = await store.search(text, { limit: 500, types: ['column'] });
  // Edges of every relation and consumer, and of every third column (the conformance battery has the rest).
  const edgeKeys = [
    ...relations.map((r) => r.key),
    ...consumers.map((c) => c.key),
    ...columns.filter((_, i) => i % 3 === 0).map((c) => c.key),
  ];
  for (const k of edgeKeys) {
    out[`edges:${k}:down`] = await store.edgesOf(k, 'downstream');
    out[`edges:${k}:up`] = await store.edgesOf(k, 'upstream');
  }
  const variants: Omit<TraverseOptions, 'level'>[] = [
    { direction: 'downstream', maxDepth: 10, limit: 1000 },
    { direction: 'upstream', maxDepth: 10, limit: 1000 },
    { direction: 'downstream', maxDepth: 1, limit: 1000, includeConsumers: true },
    { direction: 'downstream', maxDepth: 3, limit: 3, includeConsumers: true },
    { direction: 'upstream', maxDepth: 2, limit: 2 },
    { direction: 'downstream', maxDepth: 10, limit: 1000, asOf: T1 },
  ];
  for (const v of variants) {
    for (const r of relations)
      out[`rt:${r.key}:${JSON.stringify(v)}`] = await store.traverse([r.key], { ...v, level: 'relation' });
    for (const c of columns) {
      out[`ct:${c.key}:${JSON.stringify(v)}`] = await store.traverse([c.key], { ...v, level: 'column' });
      out[`ctk:${c.key}:${JSON.stringify(v)}`] = await store.traverse([c.key], {
        ...v,
        level: 'column',
        kinds: TRANSFORM_KINDS.filter((k) => k !== 'FILTER' && k !== 'IDENTITY'),
      });
    }
  }
  out.multiStart = await store.traverse([...columns.map((c) => c.key), 'nope', relations[0].key], {
    direction: 'downstream',
    level: 'column',
    maxDepth: 4,
    limit: 7,
  });
  return out;
}

describe.skipIf(target === null)('Neo4j store answers exactly like the embedded store', () => {
  let neo: LineageStore;
  let emb: LineageStore;
  let dir: string;

  beforeAll(async () => {
    neo = await openTestStore(target!);
    dir = mkdtempSync(join(tmpdir(), 'lineage-diff-'));
    emb = await openEmbeddedStore({ dataDir: dir });
  }, 600_000);

  afterAll(async () => {
    if (neo) await closeTestStore(neo);
    await emb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function applyBoth(batch: LineageBatch): Promise<void> {
    const a = await emb.applyBatch(structuredClone(batch));
    const b = await neo.applyBatch(structuredClone(batch));
    expect(b).toEqual(a);
  }

  async function compare(): Promise<void> {
    const t0 = Date.now();
    const [a, b] = [await snapshot(emb), await snapshot(neo)];
    process.stderr.write(
      `[differential] ${Object.keys(a).length} answers compared in ${Date.now() - t0} ms\n`,
    );
    for (const k of Object.keys(a)) expect({ [k]: b[k] }).toStrictEqual({ [k]: a[k] });
  }

  it('after ingesting the standard graph', { timeout: 240_000 }, async () => {
    for (const batch of standardBatches()) await applyBoth(batch);
    await compare();
  });

  it(
    're-ingest of identical content is unchanged; a new time only updates the origin',
    { timeout: 240_000 },
    async () => {
      await applyBoth(dbtBatch());
      await applyBoth(dbtBatch('2024-06-01T00:00:00Z'));
      expect(await neo.origins()).toEqual(await emb.origins());
    },
  );

  it(
    'replace semantics: a smaller batch for an origin replaces what it contributed',
    { timeout: 240_000 },
    async () => {
      const smaller = queryLogBatch();
      smaller.columnEdges = smaller.columnEdges.slice(0, 1);
      smaller.relations = smaller.relations.slice(0, 1);
      smaller.columns = smaller.columns.slice(0, 1);
      smaller.usage = smaller.usage.slice(0, 2);
      await applyBoth(smaller);
      await compare();
    },
  );

  it('removing an origin (and re-adding it) restores the same answers', { timeout: 240_000 }, async () => {
    expect(await neo.removeOrigin('dbt:proj')).toBe(true);
    expect(await emb.removeOrigin('dbt:proj')).toBe(true);
    expect(await neo.removeOrigin('dbt:proj')).toBe(false);
    // Without dbt, query-log column edges from columns only dbt contributed vanish (RELATION_LINK `ext`).
    await compare();
    await applyBoth(dbtBatch(T1));
    await compare();
  });

  it(
    'rejects a batch whose edge points at an unknown node, keeping the old state',
    { timeout: 240_000 },
    async () => {
      const bad = queryLogBatch();
      bad.columnEdges.push({ ...bad.columnEdges[0], to: 'wh.nowhere.t.c' });
      await expect(emb.applyBatch(structuredClone(bad))).rejects.toMatchObject({
        code: 'STORE_WRITE_FAILED',
      });
      await expect(neo.applyBatch(structuredClone(bad))).rejects.toMatchObject({
        code: 'STORE_WRITE_FAILED',
      });
      expect(await neo.stats()).toEqual(await emb.stats());
      expect(await neo.edgesOf(queryLogBatch().columnEdges[0].from, 'downstream')).toEqual(
        await emb.edgesOf(queryLogBatch().columnEdges[0].from, 'downstream'),
      );
    },
  );

  it(
    'converts a version-2 database (no generations) in place with the same answers',
    { timeout: 240_000 },
    async () => {
      const light = async (store: LineageStore): Promise<unknown> => {
        const relations = await store.listRelations();
        const out: unknown[] = [await store.stats(), await store.relationGraph(), relations];
        for (const text of ['orders', 'ID', 'wh.', 'zzz']) out.push(await store.search(text, { limit: 20 }));
        for (const r of relations) {
          const columns = await store.columnsOf(r.key);
          out.push(columns);
          for (const c of columns)
            out.push(await store.edgesOf(c.key, 'downstream'), await store.edgesOf(c.key, 'upstream'));
          out.push(await store.edgesOf(r.key, 'upstream'));
          out.push(await store.edgesOf(r.key, 'downstream'));
          out.push(
            await store.traverse([r.key], {
              direction: 'downstream',
              level: 'relation',
              maxDepth: 5,
              limit: 50,
            }),
          );
          out.push(
            await store.traverse([r.key], {
              direction: 'upstream',
              level: 'relation',
              maxDepth: 5,
              limit: 50,
            }),
          );
        }
        return out;
      };
      const before = await light(neo);
      expect(before).toEqual(await light(emb));
      // Rewrite the data into the version-2 shape: `live` flags, no gen properties, links or generations, three
      // search fields.
      const driver = neo4j.driver(target!.uri, neo4j.auth.basic(target!.user, target!.password));
      try {
        // Columns as Contribution nodes again (version 7 moves them onto the column nodes).
        const views = await driver.executeQuery(
          'MATCH (n:Column) WHERE n.views IS NOT NULL UNWIND n.views AS v RETURN n.key AS key, v',
          {},
          { database: target!.database },
        );
        const rows = views.records.map((r) => {
          const v = r.get('v') as string;
          const end = v.lastIndexOf('\n');
          const start = v.lastIndexOf('\n', end - 1);
          const [originId, provenance] = JSON.parse(v.slice(start + 1, end)) as [string, string];
          // A view leaves out the column key (the node holds it); a version-2 contribution's JSON has it.
          const node = { key: r.get('key') as string, ...JSON.parse(v.slice(end + 1)) } as {
            key: string;
            name: string;
            displayName?: string;
          };
          const search = [node.name, node.displayName ?? node.name, node.key].join('\n').toLowerCase();
          return {
            key: r.get('key'),
            gen: v.slice(0, start),
            originId,
            provenance,
            json: JSON.stringify(node),
            search,
          };
        });
        expect(rows.length).toBeGreaterThan(0);
        await driver.executeQuery(
          `UNWIND $rows AS row CREATE (:Contribution {originId: row.originId, gen: row.gen,
             provenance: row.provenance, type: 'column', key: row.key, json: row.json, search: row.search})`,
          { rows },
          { database: target!.database },
        );
        // Edge facts as properties of their own again (version 8 packs them into `facts`).
        const facts = await driver.executeQuery(
          'MATCH ()-[e:COLUMN_FLOW|RELATION_FLOW|CONSUMED_BY]->() RETURN elementId(e) AS id, e.facts AS facts',
          {},
          { database: target!.database },
        );
        const unpacked = facts.records.map((r) => {
          const [provenance, confidence, firstSeen, lastSeen, queryCount, statementId] = JSON.parse(
            r.get('facts') as string,
          ) as unknown[];
          return { id: r.get('id'), provenance, confidence, firstSeen, lastSeen, queryCount, statementId };
        });
        expect(unpacked.some((f) => f.statementId !== null)).toBe(true);
        await driver.executeQuery(
          `UNWIND $rows AS row MATCH ()-[e]->() WHERE elementId(e) = row.id
           SET e.provenance = row.provenance, e.confidence = row.confidence, e.firstSeen = row.firstSeen,
             e.lastSeen = row.lastSeen, e.queryCount = row.queryCount, e.statementId = row.statementId
           REMOVE e.facts`,
          { rows: unpacked },
          { database: target!.database },
        );
        for (const q of [
          'MATCH (n:Column) REMOVE n.views, n.search',
          'MATCH (k:LineageKeys) DELETE k',
          // A version-2 database never held a replaced generation; this one keeps them for a grace period.
          `MATCH (o:LineageOrigin) WITH collect(o.gen) AS active
         MATCH (n) WHERE (n:Contribution OR n:LineageCheck OR n:LineageEvidence OR n:LineageUsage
           OR n:LineageDiagnostic) AND NOT n.gen IN active DETACH DELETE n`,
          `MATCH (o:LineageOrigin) WITH collect(o.gen) AS active
         MATCH ()-[e:COLUMN_FLOW|RELATION_FLOW|CONSUMED_BY]->() WHERE NOT e.gen IN active DELETE e`,
          // Version-2 edges named their origin (version 7 writes none: cleanup finds them from LineageKeys).
          `MATCH (o:LineageOrigin) MATCH ()-[e:COLUMN_FLOW|RELATION_FLOW|CONSUMED_BY]->() WHERE e.gen = o.gen
         SET e.originId = o.id`,
          `MATCH (o:LineageOrigin) WITH collect(o.gen) AS active
         MATCH (n) WHERE n:Relation OR n:Column OR n:Consumer
         SET n.live = any(g IN n.gens WHERE g IN active) REMOVE n.gens`,
          `MATCH (n) WHERE n:Contribution OR n:LineageCheck OR n:LineageEvidence OR n:LineageUsage
           OR n:LineageDiagnostic OR n:LineageOrigin REMOVE n.gen`,
          'MATCH ()-[e:COLUMN_FLOW|RELATION_FLOW|CONSUMED_BY]->() REMOVE e.gen',
          'MATCH ()-[l:RELATION_LINK]->() DELETE l',
          'MATCH (g:LineageGeneration) DELETE g',
          "MATCH (s:LineageSchema {id: 'schema'}) SET s.version = 2",
        ])
          await driver.executeQuery(q, {}, { database: target!.database });
        // Version-2 search fields (version 5 folds them into `search`), from each contribution's own node.
        const contributions = await driver.executeQuery(
          'MATCH (c:Contribution) RETURN elementId(c) AS id, c.json AS json',
          {},
          { database: target!.database },
        );
        const fields = contributions.records.map((r) => {
          const node = JSON.parse(r.get('json') as string) as {
            key: string;
            name: string;
            displayName?: string;
          };
          return {
            id: r.get('id') as string,
            lname: node.name.toLowerCase(),
            ldisplay: (node.displayName ?? node.name).toLowerCase(),
            lkey: node.key.toLowerCase(),
          };
        });
        await driver.executeQuery(
          `UNWIND $fields AS f MATCH (c:Contribution) WHERE elementId(c) = f.id
           SET c.lname = f.lname, c.ldisplay = f.ldisplay, c.lkey = f.lkey REMOVE c.search`,
          { fields },
          { database: target!.database },
        );
      } finally {
        await driver.close();
      }
      const migrated = await openNeo4jStore({ ...target!, retiredGraceMs: 0 });
      try {
        expect(await light(migrated)).toEqual(before);
        // Cleanup finds the converted generations' data from the LineageKeys migration 7 wrote: removing
        // every origin leaves none of it.
        for (const o of await migrated.origins()) await migrated.removeOrigin(o.id);
      } finally {
        await migrated.close();
      }
      const check = neo4j.driver(target!.uri, neo4j.auth.basic(target!.user, target!.password));
      try {
        const left = await check.executeQuery(
          `CALL { MATCH (c:Contribution) RETURN count(c) AS contributions }
           CALL { MATCH (n:Column) WHERE size(coalesce(n.views, [])) > 0 RETURN count(n) AS views }
           CALL { MATCH ()-[e:COLUMN_FLOW|RELATION_FLOW|CONSUMED_BY|RELATION_LINK]->() RETURN count(e) AS edges }
           CALL { MATCH (k:LineageKeys) RETURN count(k) AS keys }
           RETURN contributions, views, edges, keys`,
          {},
          { database: target!.database },
        );
        const r = left.records[0];
        expect(['contributions', 'views', 'edges', 'keys'].map((f) => Number(r.get(f)))).toEqual([
          0, 0, 0, 0,
        ]);
      } finally {
        await check.close();
      }
    },
  );
});
