// The LineageStore conformance suite: every method of graph/store.ts against every enabled store in
// ./stores.ts, with exact expected values. A store implementation passes this file or it is wrong.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LineageStore, NodeType } from '../../graph/store.ts';
import { consumedRelations, relationsWithoutReaders } from '../../graph/records.ts';
import { bfs } from '../../graph/traversal.ts';
import { isLineageError } from '../../src/errors.ts';
import { MAX_KEY_BYTES } from '../../src/model/key-size.ts';
import { emptyBatch, type LineageBatch } from '../../src/model/lineage.ts';
import {
  DASHBOARD,
  FAN_OUT,
  T0,
  T1,
  T2,
  chain,
  cedge,
  chainCols,
  column,
  cust,
  customers,
  cycAx,
  cycBx,
  dbtBatch,
  emoji,
  emojiCol,
  fanCols,
  fanSrcCol,
  origin,
  queryLogBatch,
  raw,
  rawOrders,
  report,
  relation,
  reportAmt,
  rkey,
  rev,
  revenue,
  shapesBatch,
  standardBatches,
  stg,
  stgOrders,
  weird,
  weirdCol,
} from '../helpers/shapes.ts';
import { STORES } from './stores.ts';

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).not.toBeNull();
  expect(isLineageError(err) ? err.code : err).toBe(code);
}

const CHAIN_DEPTH = chain.length - 1;
const step = (from: string, to: string, kind: string) => ({ from, to, kind });

for (const factory of STORES) {
  describe.skipIf(!factory.enabled())(`LineageStore conformance: ${factory.name}`, () => {
    let store: LineageStore;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await factory.cleanup(store);
    });
    const loadStandard = async () => {
      for (const b of standardBatches()) await store.applyBatch(b);
    };

    describe('applyBatch', () => {
      it('reports counts, and unchanged on an identical re-apply', async () => {
        expect(await store.applyBatch(dbtBatch())).toEqual({
          originId: 'dbt:proj',
          unchanged: false,
          counts: { relations: 4, columns: 12, columnEdges: 12, relationEdges: 3 },
        });
        const before = await store.stats();
        expect((await store.applyBatch(dbtBatch())).unchanged).toBe(true);
        expect(await store.stats()).toEqual(before);
      });

      it('removes what vanished from the origin and leaves other origins untouched', async () => {
        await loadStandard();
        const smaller = dbtBatch();
        smaller.relations = smaller.relations.filter((r) => r.key !== customers.key);
        smaller.columns = smaller.columns.filter(
          (c) => c.relationKey !== customers.key && c.key !== raw.amount.key,
        );
        smaller.columnEdges = smaller.columnEdges.filter(
          (e) => !e.to.startsWith(customers.key + '.') && e.from !== raw.amount.key,
        );
        smaller.relationEdges = smaller.relationEdges.filter((e) => e.to !== customers.key);
        expect((await store.applyBatch(smaller)).unchanged).toBe(false);
        expect((await store.listRelations({ schema: 'mart' })).map((r) => r.key)).toEqual([revenue.key]);
        expect(await store.getNodes([cust.customerId.key, raw.amount.key])).toEqual(new Map());
        // the query log's nodes stay; its edge from the vanished column is no longer followed
        expect((await store.getNodes([report.key, reportAmt.key])).size).toBe(2);
        expect((await store.edgesOf(stg.amount.key, 'upstream')).map((e) => e.from)).toEqual([
          raw.status.key,
        ]);
        expect((await store.origins()).find((o) => o.id === 'qlog:a')?.columnEdges).toBe(3);
        // and comes back when the column does
        await store.applyBatch(dbtBatch());
        expect((await store.edgesOf(stg.amount.key, 'upstream')).map((e) => e.from)).toEqual([
          raw.amount.key,
          raw.status.key,
        ]);
      });

      it('rejects a batch with an unknown edge endpoint atomically (STORE_WRITE_FAILED)', async () => {
        await loadStandard();
        const before = await store.stats();
        const bad = dbtBatch(T1);
        bad.relations.push({ ...report, key: 'wh.new.thing', name: 'thing' });
        bad.columnEdges.push({ ...bad.columnEdges[0], to: 'wh.nowhere.t.c' });
        await expectCode(store.applyBatch(bad), 'STORE_WRITE_FAILED');
        expect(await store.stats()).toEqual(before);
        expect(await store.getNodes(['wh.new.thing'])).toEqual(new Map());
        expect((await store.origins()).find((o) => o.id === 'dbt:proj')?.ingestedAt).toBe(T0);
      });

      it('rejects a batch that needs a node only its own previous version had', async () => {
        await store.applyBatch(dbtBatch());
        const b = dbtBatch();
        b.columns = b.columns.filter((c) => c.key !== rev.total.key);
        await expectCode(store.applyBatch(b), 'STORE_WRITE_FAILED');
        expect((await store.stats()).columns).toBe(12);
      });

      it('rejects an origin whose endpoints are not in the store yet, and a key of another type', async () => {
        await expectCode(store.applyBatch(queryLogBatch()), 'STORE_WRITE_FAILED');
        await store.applyBatch(dbtBatch());
        const clash = shapesBatch();
        clash.columns.push(column({ ...rawOrders, key: 'wh.raw' }, 'orders'));
        await expectCode(store.applyBatch(clash), 'STORE_WRITE_FAILED');
        const dup = shapesBatch();
        dup.relations.push(dup.relations[0]);
        await expectCode(store.applyBatch(dup), 'STORE_WRITE_FAILED');
        expect((await store.origins()).map((o) => o.id)).toEqual(['dbt:proj']);
      });

      it('takes keys of up to MAX_KEY_BYTES UTF-8 bytes and rejects a longer one wherever it is indexed', async () => {
        // 'é' is 2 bytes: a length in characters would let twice the limit through.
        const name = (bytes: number) => 'é'.repeat(Math.floor(bytes / 2)) + (bytes % 2 ? 'a' : '');
        const prefix = rkey('big', 'x').length - 1;
        const longest = relation('big', name(MAX_KEY_BYTES - prefix), 'table');
        expect(Buffer.byteLength(longest.key)).toBe(MAX_KEY_BYTES);
        const short = relation('big', 'short', 'table');
        const ok = emptyBatch(origin('manual:long', 'manual'));
        ok.relations.push({ ...longest, uniqueId: `x${name(MAX_KEY_BYTES - 2)}` }, short);
        ok.columns.push(column(short, name(MAX_KEY_BYTES - 20)));
        await store.applyBatch(ok);
        expect((await store.getNodes([longest.key])).get(longest.key)?.type).toBe('relation');
        const before = await store.stats();
        const tooLong = relation('big', name(MAX_KEY_BYTES - prefix + 1), 'table');
        const variants: [string, (b: LineageBatch) => void][] = [
          ['relation key', (b) => b.relations.push(tooLong)],
          ['column key', (b) => b.columns.push(column(short, name(MAX_KEY_BYTES)))],
          ['unique_id', (b) => (b.relations[0] = { ...b.relations[0], uniqueId: name(MAX_KEY_BYTES + 2) })],
          [
            'usage target',
            (b) =>
              b.usage.push({
                target: tooLong.key,
                access: 'read',
                user: 'u',
                day: '2024-02-01',
                count: 1,
                lastAt: T0,
              }),
          ],
          ['origin id', (b) => (b.origin = origin(`manual:${name(MAX_KEY_BYTES)}`, 'manual'))],
        ];
        for (const [what, change] of variants) {
          const bad = structuredClone(ok);
          change(bad);
          await expectCode(store.applyBatch(bad), 'STORE_WRITE_FAILED').catch((e: unknown) => {
            throw new Error(`${what}: ${String(e)}`);
          });
        }
        expect(await store.stats()).toEqual(before);
      });

      it('removeOrigin drops one origin and its contributions to merged nodes', async () => {
        await loadStandard();
        expect(await store.removeOrigin('qlog:a')).toBe(true);
        expect(await store.removeOrigin('qlog:a')).toBe(false);
        const stgNode = (await store.getNodes([stgOrders.key])).get(stgOrders.key);
        expect(stgNode?.node).toEqual({ ...stgOrders, tags: ['core', 'staging'] });
        expect(await store.getNodes([report.key])).toEqual(new Map());
        expect((await store.origins()).map((o) => o.id)).toEqual(['dbt:proj', 'manual:shapes']);
      });

      it('relationGraph follows every write: another origin, a smaller re-apply, a removed origin', async () => {
        await store.applyBatch(dbtBatch());
        const dbtOnly = await store.relationGraph();
        await loadStandard();
        const standard = await store.relationGraph();
        expect(dbtOnly.keys).not.toContain(report.key);
        expect(standard.keys).toContain(report.key);
        expect(await store.relationGraph()).toEqual(standard);
        // kept: the same object while nothing changed (api/warm-up.ts notices an ingest by it)
        expect(await store.relationGraph()).toBe(await store.relationGraph());
        const smaller = dbtBatch();
        smaller.relationEdges = [];
        smaller.columnEdges = [];
        await store.applyBatch(smaller);
        const fewerEdges = await store.relationGraph();
        expect(fewerEdges.edges.length).toBeLessThan(standard.edges.length);
        expect(await store.removeOrigin('qlog:a')).toBe(true);
        const removed = await store.relationGraph();
        expect(removed.keys).not.toContain(report.key);
        await store.applyBatch(dbtBatch());
        expect((await store.relationGraph()).edges.length).toBeGreaterThan(removed.edges.length);
      });

      it('listRelations follows every write: another origin, a removed origin, a changed relation', async () => {
        await store.applyBatch(dbtBatch());
        const dbtOnly = (await store.listRelations()).map((r) => r.key);
        expect(dbtOnly).not.toContain(report.key);
        await loadStandard();
        expect((await store.listRelations()).map((r) => r.key)).toContain(report.key);
        expect(await store.listRelations()).toEqual(await store.listRelations());
        expect(await store.removeOrigin('qlog:a')).toBe(true);
        const removed = (await store.listRelations()).map((r) => r.key);
        expect(removed).not.toContain(report.key);
        expect(removed).toEqual(expect.arrayContaining(dbtOnly));
        const renamed = dbtBatch();
        renamed.relations = renamed.relations.map((r) => ({ ...r, displayName: `${r.displayName} (v2)` }));
        await store.applyBatch(renamed);
        const renamedKeys = new Set(renamed.relations.map((r) => r.key));
        const listed = (await store.listRelations()).filter((r) => renamedKeys.has(r.key));
        expect(listed.length).toBe(renamedKeys.size);
        for (const r of listed) expect(r.displayName).toMatch(/\(v2\)$/);
      });
    });

    describe('nodes', () => {
      beforeEach(loadStandard);

      it('getNodes returns merged views (priority dbt > query log; optional fields first defined; unions)', async () => {
        const got = await store.getNodes([stgOrders.key, stg.amount.key, DASHBOARD, 'missing']);
        expect([...got.keys()]).toEqual([stgOrders.key, stg.amount.key, DASHBOARD]);
        expect(got.get(stgOrders.key)).toEqual({
          type: 'relation',
          node: {
            key: 'wh.stg.orders',
            kind: 'model',
            platform: 'postgres',
            displayName: 'wh.stg.orders',
            database: 'wh',
            schema: 'stg',
            name: 'orders',
            uniqueId: 'model.proj.stg_orders',
            description: 'orders seen in the log',
            owners: [{ id: 'ann@x.io', name: 'Ann', email: 'ann@x.io', team: 'core' }, { id: 'zed' }],
            tags: ['core', 'log', 'staging'],
            isKeyAsset: false,
            materialization: 'view',
            sqlChecksum: 'sha-stg-1',
          },
        });
        expect(got.get(stg.amount.key)).toEqual({
          type: 'column',
          node: {
            key: 'wh.stg.orders.amount',
            relationKey: 'wh.stg.orders',
            name: 'amount',
            displayName: 'amount',
            dataType: 'NUMBER',
            description: 'amount from log',
            tags: ['money'],
            ordinal: 2,
          },
        });
        expect(got.get(DASHBOARD)?.type).toBe('consumer');
      });

      it('findByUniqueId finds relations and consumers', async () => {
        expect((await store.findByUniqueId('model.proj.revenue')).map((n) => n.node.key)).toEqual([
          revenue.key,
        ]);
        expect(await store.findByUniqueId('exposure.proj.finance_dash')).toEqual([
          {
            type: 'consumer',
            node: {
              key: DASHBOARD,
              kind: 'dashboard',
              name: 'Finance dashboard',
              uniqueId: 'exposure.proj.finance_dash',
              url: 'https://bi.example/finance',
              owners: [{ id: 'cfo@x.io', name: 'CFO' }],
              tags: [],
            },
          },
        ]);
        expect(await store.findByUniqueId('model.proj.none')).toEqual([]);
      });

      it('search ranks exact > prefix > substring, case-insensitively, then by key', async () => {
        const relationsOnly = await store.search('ORDERS', { types: ['relation'], limit: 5 });
        expect(relationsOnly).toEqual([
          { key: rawOrders.key, type: 'relation', name: 'orders', displayName: 'wh.raw.orders', score: 399 },
          { key: stgOrders.key, type: 'relation', name: 'orders', displayName: 'wh.stg.orders', score: 399 },
        ]);
        expect((await store.search('rev', { limit: 3 })).map((h) => [h.key, h.score])).toEqual([
          [revenue.key, 295],
          [rev.total.key, 181],
          [rev.customerId.key, 175],
        ]);
        expect((await store.search('größe', { limit: 10 })).map((h) => [h.key, h.type, h.score])).toEqual([
          [weird.key, 'relation', 399],
          [weirdCol.key, 'column', 171],
        ]);
        expect(await store.search('dash', { types: ['consumer'], limit: 5 })).toEqual([
          {
            key: DASHBOARD,
            type: 'consumer',
            name: 'Finance dashboard',
            displayName: 'Finance dashboard',
            score: 186,
          },
        ]);
        expect(await store.search('  ', { limit: 5 })).toEqual([]);
        expect(await store.search('zzz-nothing', { limit: 5 })).toEqual([]);
      });

      it('columnsOf sorts by ordinal, then name; listRelations and listConsumers filter and sort', async () => {
        expect((await store.columnsOf(stgOrders.key)).map((c) => c.name)).toEqual([
          'id',
          'amount',
          'customer_id',
          'note',
        ]);
        expect(await store.columnsOf('wh.none.x')).toEqual([]);
        expect(await store.columnsOf(weird.key)).toEqual([weirdCol]);
        const all = (await store.listRelations()).map((r) => r.key);
        expect(all).toEqual([...all].sort());
        expect(all.length).toBe(43);
        expect(all.slice(0, 3)).toEqual([weird.key, report.key, chain[0].key]);
        expect((await store.listRelations({ schema: 'mart' })).map((r) => r.key)).toEqual([
          customers.key,
          revenue.key,
        ]);
        expect((await store.listRelations({ kinds: ['source', 'view'] })).map((r) => r.key)).toEqual([
          emoji.key,
          rawOrders.key,
        ]);
        expect((await store.listConsumers()).map((c) => c.key)).toEqual([DASHBOARD]);
      });

      it('columnsOfMany answers columnsOf for many relations at once; non-relations are absent', async () => {
        const relations = (await store.listRelations()).map((r) => r.key);
        const asked = [...relations, stgOrders.key, 'wh.none.x', DASHBOARD, column(stgOrders, 'id').key, ''];
        const many = await store.columnsOfMany(asked);
        expect([...many.keys()].sort()).toEqual(relations);
        for (const k of relations) expect(many.get(k), k).toEqual(await store.columnsOf(k));
        expect(many.get(stgOrders.key)!.map((c) => c.name)).toEqual(['id', 'amount', 'customer_id', 'note']);
        expect(await store.columnsOfMany([])).toEqual(new Map());
      });
    });

    describe('edges', () => {
      beforeEach(loadStandard);

      it('merges the facts of one column edge from several origins', async () => {
        expect(await store.edgesOf(stg.amount.key, 'upstream')).toEqual([
          {
            from: raw.amount.key,
            to: stg.amount.key,
            kind: 'TRANSFORMATION',
            provenances: ['dbt_manifest', 'query_log'],
            confidence: 'EXACT',
            firstSeen: T0,
            lastSeen: T2,
            queryCount: 10,
            statementIds: ['model.proj.stg_orders', 'q-000', 'q-111'],
          },
          {
            from: raw.status.key,
            to: stg.amount.key,
            kind: 'FILTER',
            provenances: ['dbt_manifest'],
            confidence: 'EXACT',
            firstSeen: T0,
            lastSeen: T0,
            queryCount: 1,
            statementIds: ['model.proj.stg_orders'],
          },
        ]);
      });

      it('gives relation edges as explicit ∪ implied by column edges, and consumer edges', async () => {
        const dbtFacts = { provenances: ['dbt_manifest'], confidence: 'EXACT', firstSeen: T0, lastSeen: T0 };
        expect(await store.edgesOf(stgOrders.key, 'downstream')).toEqual([
          {
            from: stgOrders.key,
            to: report.key,
            kind: 'RELATION',
            provenances: ['query_log'],
            confidence: 'INFERRED',
            firstSeen: T1,
            lastSeen: T2,
            queryCount: 3,
            statementIds: ['q-222'],
          },
          {
            from: stgOrders.key,
            to: customers.key,
            kind: 'RELATION',
            ...dbtFacts,
            queryCount: 4,
            statementIds: ['model.proj.customers'],
          },
          {
            from: stgOrders.key,
            to: revenue.key,
            kind: 'RELATION',
            ...dbtFacts,
            queryCount: 4,
            statementIds: ['model.proj.revenue'],
          },
        ]);
        const consumerEdge = {
          from: revenue.key,
          to: DASHBOARD,
          kind: 'CONSUMER',
          ...dbtFacts,
          queryCount: 1,
          statementIds: [],
        };
        expect(await store.edgesOf(revenue.key, 'downstream')).toEqual([consumerEdge]);
        expect(await store.edgesOf(DASHBOARD, 'upstream')).toEqual([consumerEdge]);
        expect(await store.edgesOf(DASHBOARD, 'downstream')).toEqual([]);
        expect(await store.edgesOf('wh.none', 'upstream')).toEqual([]);
      });

      it('edgesOfMany answers edgesOf for many nodes of every type at once', async () => {
        const relations = (await store.listRelations()).map((r) => r.key);
        const columns = (await store.columnsOfMany(relations)).values();
        const asked = [...relations, ...[...columns].flat().map((c) => c.key), DASHBOARD, 'wh.none', ''];
        for (const direction of ['upstream', 'downstream'] as const) {
          const many = await store.edgesOfMany([...asked, stgOrders.key], direction);
          expect([...many.keys()].sort()).toEqual([...new Set(asked)].sort());
          for (const k of asked)
            expect(many.get(k), `${direction} ${k}`).toEqual(await store.edgesOf(k, direction));
        }
        expect((await store.edgesOfMany([stgOrders.key], 'downstream')).get(stgOrders.key)).toHaveLength(3);
        expect(await store.edgesOfMany([], 'upstream')).toEqual(new Map());
      });

      it('keeps cycles and self-loops of bad SQL at column level, sorted by (from, to, kind)', async () => {
        expect((await store.edgesOf(cycAx.key, 'downstream')).map((e) => [e.to, e.kind])).toEqual([
          [cycAx.key, 'TRANSFORMATION'],
          [cycBx.key, 'IDENTITY'],
        ]);
        expect((await store.edgesOf(emojiCol.key, 'upstream')).map((e) => [e.from, e.kind])).toEqual([
          [weirdCol.key, 'CONDITIONAL'],
          [weirdCol.key, 'IDENTITY'],
        ]);
      });

      it('relationGraph summarizes the relation level', async () => {
        const g = await store.relationGraph();
        const relations = await store.listRelations();
        expect(g.keys).toEqual(relations.map((r) => r.key));
        expect(g.relations).toEqual(relations);
        const at = (k: string) => g.keys.indexOf(k);
        const pairs = g.edges.map(([a, b]) => `${g.keys[a]} -> ${g.keys[b]}`);
        expect(g.edges).toEqual([...g.edges].sort((x, y) => x[0] - y[0] || x[1] - y[1]));
        expect(pairs.length).toBe(40);
        expect(pairs).toContain(`${rawOrders.key} -> ${stgOrders.key}`);
        expect(pairs).toContain(`${stgOrders.key} -> ${report.key}`);
        expect(pairs).toContain(`${emoji.key} -> ${chain[0].key}`);
        expect(pairs).not.toContain(`${chain[0].key} -> ${chain[0].key}`);
        expect(g.relations[at(rawOrders.key)].kind).toBe('source');
        expect(g.consumerCount[at(revenue.key)]).toBe(1);
        expect(g.columnEdgesOut[at(stgOrders.key)]).toBe(7);
        expect(g.columnEdgesIn[at(stgOrders.key)]).toBe(6);
        expect(g.columnEdgesIn[at('wh.cyc.a')]).toBe(1);
      });

      it('relationsWithoutReaders and consumedRelations answer from the relation graph', async () => {
        const g = await store.relationGraph();
        const withoutReaders = await store.relationsWithoutReaders();
        expect(withoutReaders).toEqual(relationsWithoutReaders(g));
        expect(withoutReaders).toContain(report.key);
        expect(withoutReaders).toContain(chain[chain.length - 1].key);
        expect(withoutReaders).not.toContain(stgOrders.key);
        expect(withoutReaders).not.toContain(chain[0].key);
        // read by a consumer only
        expect(withoutReaders).not.toContain(revenue.key);
        expect(await store.consumedRelations()).toEqual(consumedRelations(g));
        expect(await store.consumedRelations()).toContain(revenue.key);
        expect(await store.consumedRelations()).not.toContain(stgOrders.key);
      });

      it('a relation whose columns feed only its own columns has no readers', async () => {
        const solo = relation('solo', 't', 'table');
        const [a, b] = [column(solo, 'a'), column(solo, 'b')];
        const extra = emptyBatch(origin('manual:solo', 'manual'));
        extra.relations.push(solo);
        extra.columns.push(a, b);
        extra.columnEdges.push(cedge(a, b, 'IDENTITY', { provenance: 'manual' }));
        await store.applyBatch(extra);
        expect(await store.relationsWithoutReaders()).toContain(solo.key);
        expect(await store.relationsWithoutReaders()).toEqual(
          relationsWithoutReaders(await store.relationGraph()),
        );
      });
    });

    describe('traverse', () => {
      beforeEach(loadStandard);
      const col = { level: 'column' as const, limit: 1000 };

      it('walks downstream with minimum distance and a witness path', async () => {
        expect(
          await store.traverse([raw.amount.key], { ...col, direction: 'downstream', maxDepth: 5 }),
        ).toEqual({
          starts: [raw.amount.key],
          reached: [
            {
              key: stg.amount.key,
              type: 'column',
              distance: 1,
              path: [step(raw.amount.key, stg.amount.key, 'TRANSFORMATION')],
            },
            {
              key: reportAmt.key,
              type: 'column',
              distance: 2,
              path: [
                step(raw.amount.key, stg.amount.key, 'TRANSFORMATION'),
                step(stg.amount.key, reportAmt.key, 'IDENTITY'),
              ],
            },
            {
              key: rev.total.key,
              type: 'column',
              distance: 2,
              path: [
                step(raw.amount.key, stg.amount.key, 'TRANSFORMATION'),
                step(stg.amount.key, rev.total.key, 'AGGREGATION'),
              ],
            },
          ],
          truncatedBy: null,
        });
      });

      it('applies the witness rule: smallest-key parent, then the first kind in TRANSFORM_KINDS order', async () => {
        const r = await store.traverse([raw.status.key, raw.id.key, raw.id.key], {
          ...col,
          direction: 'downstream',
          maxDepth: 2,
        });
        expect(r.starts).toEqual([raw.id.key, raw.status.key]);
        expect(r.truncatedBy).toBe(null);
        expect(
          r.reached.map((n) => [n.key, n.distance, n.path.map((s) => `${s.from}>${s.kind}`).join(' ')]),
        ).toEqual([
          [stg.amount.key, 1, `${raw.status.key}>FILTER`],
          [stg.customerId.key, 1, `${raw.status.key}>FILTER`],
          [stg.id.key, 1, `${raw.id.key}>IDENTITY`],
          [reportAmt.key, 2, `${raw.status.key}>FILTER ${stg.amount.key}>IDENTITY`],
          [cust.customerId.key, 2, `${raw.status.key}>FILTER ${stg.customerId.key}>IDENTITY`],
          [cust.orderCount.key, 2, `${raw.status.key}>FILTER ${stg.customerId.key}>GROUP_BY`],
          [rev.customerId.key, 2, `${raw.status.key}>FILTER ${stg.customerId.key}>IDENTITY`],
          [rev.total.key, 2, `${raw.status.key}>FILTER ${stg.amount.key}>AGGREGATION`],
        ]);
        const pair = await store.traverse([weirdCol.key], { ...col, direction: 'downstream', maxDepth: 1 });
        expect(pair.reached[0].path).toEqual([step(weirdCol.key, emojiCol.key, 'IDENTITY')]);
      });

      it('walks upstream with path steps in walk order (path[0].from is the start)', async () => {
        const r = await store.traverse([rev.total.key], { ...col, direction: 'upstream', maxDepth: 5 });
        expect(r.truncatedBy).toBe(null);
        expect(r.reached.map((n) => [n.key, n.distance])).toEqual([
          [stg.amount.key, 1],
          [stg.customerId.key, 1],
          [raw.amount.key, 2],
          [raw.customerId.key, 2],
          [raw.status.key, 2],
        ]);
        expect(r.reached[4].path).toEqual([
          step(rev.total.key, stg.amount.key, 'AGGREGATION'),
          step(stg.amount.key, raw.status.key, 'FILTER'),
        ]);
      });

      it('filters by kinds and by asOf (edges first seen later are not followed)', async () => {
        const base = { ...col, direction: 'downstream' as const, maxDepth: 5 };
        const identity = await store.traverse([weirdCol.key], { ...base, kinds: ['IDENTITY'] });
        expect(identity.reached.map((n) => n.key)).toEqual([emojiCol.key]);
        expect(identity.truncatedBy).toBe(null);
        const indirect = await store.traverse([weirdCol.key], { ...base, kinds: ['CONDITIONAL', 'WINDOW'] });
        expect(indirect.reached.map((n) => [n.key, n.path.at(-1)?.kind])).toEqual([
          [emojiCol.key, 'CONDITIONAL'],
          [chainCols[0].key, 'WINDOW'],
        ]);
        const asOf = await store.traverse([weirdCol.key], { ...base, maxDepth: 1, asOf: T1 });
        expect(asOf.reached[0].path[0].kind).toBe('CONDITIONAL');
        const early = await store.traverse([raw.amount.key], { ...base, asOf: '2024-01-15T00:00:00Z' });
        expect(early.reached.map((n) => n.key)).toEqual([stg.amount.key, rev.total.key]);
      });

      it('truncates by depth only when a node at maxDepth has an edge to an unreached node', async () => {
        const base = { ...col, direction: 'downstream' as const };
        const full = await store.traverse([chainCols[0].key], { ...base, maxDepth: CHAIN_DEPTH });
        expect(full.reached.map((n) => n.key)).toEqual(chainCols.slice(1).map((c) => c.key));
        expect(full.truncatedBy).toBe(null);
        const cut = await store.traverse([chainCols[0].key], { ...base, maxDepth: CHAIN_DEPTH - 1 });
        expect(cut.reached.map((n) => n.distance)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(cut.truncatedBy).toBe('depth');
        // a cycle back to a start is not a truncation
        const cycle = await store.traverse([cycAx.key], { ...base, maxDepth: 1 });
        expect(cycle).toEqual({
          starts: [cycAx.key],
          reached: [
            { key: cycBx.key, type: 'column', distance: 1, path: [step(cycAx.key, cycBx.key, 'IDENTITY')] },
          ],
          truncatedBy: null,
        });
        const up = await store.traverse([cycAx.key], { ...base, direction: 'upstream', maxDepth: 10 });
        expect(up.reached).toEqual([
          {
            key: cycBx.key,
            type: 'column',
            distance: 1,
            path: [step(cycAx.key, cycBx.key, 'TRANSFORMATION')],
          },
        ]);
      });

      it('truncates by limit in (distance, key) order; limit wins over depth', async () => {
        const base = { level: 'column' as const, direction: 'downstream' as const };
        const ten = await store.traverse([fanSrcCol.key], { ...base, maxDepth: 3, limit: 10 });
        expect(ten.reached.map((n) => n.key)).toEqual(fanCols.slice(0, 10).map((c) => c.key));
        expect(ten.truncatedBy).toBe('limit');
        const all = await store.traverse([fanSrcCol.key], { ...base, maxDepth: 3, limit: FAN_OUT });
        expect(all.reached.length).toBe(FAN_OUT);
        expect(all.truncatedBy).toBe(null);
        expect((await store.traverse([fanSrcCol.key], { ...base, maxDepth: 1, limit: 0 })).truncatedBy).toBe(
          'limit',
        );
        const both = await store.traverse([chainCols[0].key], { ...base, maxDepth: 3, limit: 2 });
        expect(both.reached.map((n) => n.distance)).toEqual([1, 2]);
        expect(both.truncatedBy).toBe('limit');
      });

      it('walks the relation level with consumers as leaves, and ignores unknown or mistyped starts', async () => {
        const r = await store.traverse([rawOrders.key, 'wh.none', raw.id.key], {
          direction: 'downstream',
          level: 'relation',
          maxDepth: 5,
          limit: 100,
          includeConsumers: true,
        });
        expect(r.starts).toEqual([rawOrders.key]);
        expect(r.reached.map((n) => [n.key, n.type, n.distance, n.path.at(-1)?.kind])).toEqual([
          [stgOrders.key, 'relation', 1, 'RELATION'],
          [report.key, 'relation', 2, 'RELATION'],
          [customers.key, 'relation', 2, 'RELATION'],
          [revenue.key, 'relation', 2, 'RELATION'],
          [DASHBOARD, 'consumer', 3, 'CONSUMER'],
        ]);
        const noConsumers = await store.traverse([rawOrders.key], {
          direction: 'downstream',
          level: 'relation',
          maxDepth: 5,
          limit: 100,
          asOf: T0,
        });
        expect(noConsumers.reached.map((n) => n.key)).toEqual([stgOrders.key, customers.key, revenue.key]);
        const up = await store.traverse([chain[0].key], {
          direction: 'upstream',
          level: 'relation',
          maxDepth: 5,
          limit: 100,
        });
        expect(up.reached.map((n) => [n.key, n.distance])).toEqual([
          [emoji.key, 1],
          [weird.key, 2],
        ]);
        expect(await store.traverse(['nope'], { ...col, direction: 'upstream', maxDepth: 3 })).toEqual({
          starts: [],
          reached: [],
          truncatedBy: null,
        });
      });
      it('agrees with the reference BFS (graph/traversal.ts) over its own neighbors, from one and from many starts', async () => {
        for (const b of standardBatches()) await store.applyBatch(b);
        const relations = await store.listRelations();
        const columns = (await Promise.all(relations.map((r) => store.columnsOf(r.key)))).flat();
        const typeOf = new Map<string, NodeType>([
          ...relations.map((r) => [r.key, 'relation'] as const),
          ...columns.map((c) => [c.key, 'column'] as const),
        ]);
        let reached = 0;
        for (const direction of ['upstream', 'downstream'] as const)
          for (const [level, keys] of [
            ['relation', relations.map((r) => r.key)],
            ['column', columns.map((c) => c.key)],
          ] as const)
            for (const [maxDepth, limit] of [
              [2, 3],
              [50, 1000],
            ]) {
              const options = { direction, level, maxDepth, limit, includeConsumers: true };
              const rich =
                level === 'column' ? [chainCols[0].key, fanSrcCol.key] : [chain[0].key, rawOrders.key];
              const far = direction === 'upstream' ? [keys[keys.length - 1]] : [keys[0]];
              for (const starts of [far, [...rich, 'nope'], keys]) {
                const expected = await bfs(
                  starts,
                  (k) => (typeOf.get(k) === level ? level : undefined),
                  maxDepth,
                  limit,
                  (f) => store.neighbors(f, options),
                );
                expect(await store.traverse(starts, options), `${direction} ${level} ${maxDepth}`).toEqual(
                  expected,
                );
                reached += expected.reached.length;
              }
            }
        expect(reached).toBeGreaterThan(40);
      });
      it('traverseMany answers traverse for every walk, of both levels and all options, in one call', async () => {
        for (const b of standardBatches()) await store.applyBatch(b);
        const relations = (await store.listRelations()).map((r) => r.key);
        const columns = (await store.columnsOfMany(relations)).values();
        const columnKeys = [...columns].flat().map((c) => c.key);
        const base = { maxDepth: 3, limit: 100 };
        const walks = [
          { starts: [chainCols[0].key], options: { ...base, direction: 'downstream', level: 'column' } },
          {
            starts: [chainCols[0].key, fanSrcCol.key, 'nope'],
            options: { ...base, direction: 'downstream', level: 'column', kinds: ['IDENTITY'] },
          },
          { starts: columnKeys, options: { direction: 'upstream', level: 'column', maxDepth: 1, limit: 2 } },
          {
            starts: [chain[0].key, rawOrders.key],
            options: { ...base, direction: 'downstream', level: 'relation', includeConsumers: true },
          },
          { starts: relations, options: { ...base, direction: 'upstream', level: 'relation', asOf: T1 } },
          {
            starts: [chainCols[0].key],
            options: { ...base, direction: 'downstream', level: 'column', asOf: T0 },
          },
          { starts: [], options: { ...base, direction: 'downstream', level: 'relation' } },
        ] as const;
        const expected = await Promise.all(walks.map((w) => store.traverse(w.starts, w.options)));
        expect(await store.traverseMany(walks)).toEqual(expected);
        expect(await store.traverseMany(walks.slice(3, 4))).toEqual(expected.slice(3, 4));
        expect(await store.traverseMany([])).toEqual([]);
        expect(expected.reduce((n, t) => n + t.reached.length, 0)).toBeGreaterThan(10);
        await expectCode(
          store.traverseMany([
            walks[0],
            { starts: [chain[0].key], options: { ...walks[3].options, maxDepth: 0 } },
          ]),
          'LINEAGE_BAD_ARGUMENT',
        );
      });
    });

    describe('readMany', () => {
      beforeEach(loadStandard);

      it('answers every read exactly as its own method does, in one call', async () => {
        const relations = (await store.listRelations()).map((r) => r.key);
        const columns = [...(await store.columnsOfMany(relations)).values()].flat().map((c) => c.key);
        const consumers = (await store.listConsumers()).map((c) => c.key);
        const all = [...relations, ...columns, ...consumers, 'nope'];
        const steps = [
          { direction: 'downstream', level: 'relation', includeConsumers: true },
          { direction: 'upstream', level: 'column', kinds: ['IDENTITY', 'JOIN'] },
          { direction: 'downstream', level: 'column', asOf: T1 },
          { direction: 'upstream', level: 'relation', asOf: T0 },
        ] as const;
        let answered = 0;
        for (const [i, options] of steps.entries()) {
          const direction = i % 2 === 0 ? 'downstream' : 'upstream';
          const stepKeys = [...(options.level === 'column' ? columns : relations), consumers[0], 'nope'];
          const request = {
            nodes: [...all, all[0]],
            columns: [...relations, 'nope', columns[0]],
            edges: { keys: all, direction },
            checks: {
              keys: [revenue.key, stg.id.key, 'nope'],
              columnsOf: [stgOrders.key, 'nope', columns[0]],
            },
            usage: { sinceDay: i < 2 ? '2024-01-01' : '2024-02-01', excludeUsers: ['DBT_SVC'], targets: all },
            steps: { keys: stepKeys, options, nodes: i !== 3 },
          } as const;
          const hops = await store.neighbors(stepKeys, options);
          const stgColumns = (await store.columnsOf(stgOrders.key)).map((c) => c.key);
          const expected = {
            nodes: await store.getNodes(request.nodes),
            columns: await store.columnsOfMany(request.columns),
            edges: await store.edgesOfMany(all, direction),
            checks: await store.checks([...request.checks.keys, ...stgColumns]),
            usage: await store.usage(request.usage),
            steps:
              i !== 3
                ? { hops, nodes: await store.getNodes([...stepKeys, ...hops.map((h) => h.to)]) }
                : { hops },
          };
          expect(await store.readMany(request), `${i}`).toEqual(expected);
          answered += hops.length + expected.checks.length + expected.usage.length;
        }
        expect(answered).toBeGreaterThan(20);
        // Fields alone, empty lists, nothing asked.
        expect(await store.readMany({})).toEqual({});
        expect(
          await store.readMany({
            nodes: [],
            checks: { keys: [] },
            usage: { sinceDay: '2024-01-01', targets: [] },
            steps: { keys: [], options: steps[0], nodes: true },
          }),
        ).toEqual({ nodes: new Map(), checks: [], usage: [], steps: { hops: [], nodes: new Map() } });
        expect(await store.readMany({ checks: { keys: [], columnsOf: [stgOrders.key] } })).toEqual({
          checks: await store.checks((await store.columnsOf(stgOrders.key)).map((c) => c.key)),
        });
        expect(await store.readMany({ edges: { keys: [stgOrders.key], direction: 'downstream' } })).toEqual({
          edges: await store.edgesOfMany([stgOrders.key], 'downstream'),
        });
        await expectCode(
          store.readMany({
            nodes: [stgOrders.key],
            steps: { keys: [stgOrders.key], options: { ...steps[0], asOf: 'soon' } },
          }),
          'LINEAGE_BAD_ARGUMENT',
        );
      });
    });

    describe('neighbors', () => {
      beforeEach(loadStandard);

      it('is one traversal step for many keys: relation level with consumers, unknown and mistyped keys ignored', async () => {
        const hops = await store.neighbors(
          [stgOrders.key, rawOrders.key, 'wh.none', raw.id.key, rawOrders.key],
          {
            direction: 'downstream',
            level: 'relation',
            includeConsumers: true,
          },
        );
        expect(hops).toEqual([
          { from: rawOrders.key, to: stgOrders.key, kind: 'RELATION', type: 'relation' },
          { from: stgOrders.key, to: report.key, kind: 'RELATION', type: 'relation' },
          { from: stgOrders.key, to: customers.key, kind: 'RELATION', type: 'relation' },
          { from: stgOrders.key, to: revenue.key, kind: 'RELATION', type: 'relation' },
        ]);
        const withDashboard = await store.neighbors([revenue.key], {
          direction: 'downstream',
          level: 'relation',
          includeConsumers: true,
        });
        expect(withDashboard).toContainEqual({
          from: revenue.key,
          to: DASHBOARD,
          kind: 'CONSUMER',
          type: 'consumer',
        });
        const noConsumers = await store.neighbors([revenue.key], {
          direction: 'downstream',
          level: 'relation',
        });
        expect(noConsumers.some((h) => h.kind === 'CONSUMER')).toBe(false);
      });

      it('agrees with edgesOf for every node, both directions, both levels', async () => {
        const relations = await store.listRelations();
        const columns = (await Promise.all(relations.map((r) => store.columnsOf(r.key)))).flat();
        let compared = 0;
        for (const direction of ['upstream', 'downstream'] as const) {
          for (const [level, keys] of [
            ['relation', relations.map((r) => r.key)],
            ['column', columns.map((c) => c.key)],
          ] as const) {
            const hops = await store.neighbors(keys, { direction, level, includeConsumers: true });
            for (const key of keys) {
              const expected = (await store.edgesOf(key, direction))
                .filter((e) =>
                  level === 'column' ? e.kind !== 'CONSUMER' : e.kind === 'RELATION' || e.kind === 'CONSUMER',
                )
                .map((e) => ({ from: key, to: direction === 'downstream' ? e.to : e.from, kind: e.kind }))
                .filter((h) => level === 'column' || h.to !== key);
              const got = hops
                .filter((h) => h.from === key)
                .map(({ from, to, kind }) => ({ from, to, kind }));
              const order = (a: { to: string; kind: string }, b: { to: string; kind: string }) =>
                a.to < b.to ? -1 : a.to > b.to ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
              expect(got.sort(order), `${direction} ${level} ${key}`).toEqual(expected.sort(order));
              compared += got.length;
            }
          }
        }
        expect(compared).toBeGreaterThan(50);
      });

      it('filters column kinds and asOf like traverse, and rejects what traverse rejects', async () => {
        const base = { direction: 'downstream' as const, level: 'column' as const };
        const all = await store.neighbors([weirdCol.key], base);
        const identity = await store.neighbors([weirdCol.key], { ...base, kinds: ['IDENTITY'] });
        expect(identity.every((h) => h.kind === 'IDENTITY')).toBe(true);
        expect(identity.length).toBeLessThan(all.length);
        const step = await store.traverse([weirdCol.key], { ...base, maxDepth: 1, limit: 1000, asOf: T1 });
        const asOf = await store.neighbors([weirdCol.key], { ...base, asOf: T1 });
        expect([...new Set(asOf.map((h) => h.to))]).toEqual(step.reached.map((n) => n.key));
        await expect(store.neighbors([weirdCol.key], { ...base, asOf: 'yesterday' })).rejects.toSatisfy(
          (e: unknown) => isLineageError(e) && e.code === 'LINEAGE_BAD_ARGUMENT',
        );
        expect(await store.neighbors([], base)).toEqual([]);
      });
    });

    describe('usage, history and run facts', () => {
      beforeEach(loadStandard);

      it('aggregates usage in a day window, excluding service users and roles', async () => {
        expect(await store.usage({ sinceDay: '2024-02-01' })).toEqual([
          {
            target: revenue.key,
            reads: 56,
            distinctReaders: 4,
            lastReadAt: '2024-02-03T01:00:00Z',
            lastReader: 'dbt_svc',
            writes: 4,
            lastWriteAt: '2024-02-03T02:00:00Z',
            lastWriter: 'etl',
          },
        ]);
        expect(
          await store.usage({ sinceDay: '2024-02-01', excludeUsers: ['DBT_SVC'], excludeRoles: ['loader'] }),
        ).toEqual([
          {
            target: revenue.key,
            reads: 6,
            distinctReaders: 3,
            lastReadAt: '2024-02-02T08:00:00Z',
            lastReader: 'alice',
            writes: 0,
            lastWriteAt: null,
            lastWriter: null,
          },
        ]);
        expect(
          (await store.usage({ sinceDay: '2024-01-01', untilDay: '2024-01-31' })).map((u) => u.target),
        ).toEqual([customers.key]);
        expect(await store.usage({ sinceDay: '2024-02-01', targets: [customers.key, 'nope'] })).toEqual([]);
      });

      it('appends fingerprints only on change, newest first, at most 20', async () => {
        const fp = (await store.fingerprints([stgOrders.key, revenue.key], 20)).get(stgOrders.key);
        expect(fp?.map((f) => f.sqlChecksum)).toEqual(['sha-stg-1']);
        expect((await store.fingerprints([revenue.key], 20)).has(revenue.key)).toBe(false);
        const again = dbtBatch(T1);
        expect((await store.applyBatch(again)).unchanged).toBe(true);
        expect((await store.fingerprints([stgOrders.key], 20)).get(stgOrders.key)?.length).toBe(1);
        for (let i = 2; i <= 25; i++) {
          const b = dbtBatch(`2024-04-${String(i).padStart(2, '0')}T00:00:00Z`);
          b.fingerprints[0].sqlChecksum = `sha-stg-${i}`;
          await store.applyBatch(b);
        }
        const history = (await store.fingerprints([stgOrders.key], 100)).get(stgOrders.key)!;
        expect(history.length).toBe(20);
        expect(history[0]).toEqual({
          nodeKey: stgOrders.key,
          at: '2024-04-25T00:00:00Z',
          originId: 'dbt:proj',
          columns: [{ name: 'id' }, { name: 'amount', dataType: 'NUMBER' }, { name: 'customer_id' }],
          sqlChecksum: 'sha-stg-25',
        });
        expect(history[19].sqlChecksum).toBe('sha-stg-6');
        expect(
          (await store.fingerprints([stgOrders.key], 2)).get(stgOrders.key)?.map((f) => f.sqlChecksum),
        ).toEqual(['sha-stg-25', 'sha-stg-24']);
      });

      it('returns evidence newest first since a time, and checks by relation or column', async () => {
        const keys = [stgOrders.key, rawOrders.key, revenue.key];
        expect((await store.evidence(keys)).map((e) => [e.at, e.nodeKey, e.kind])).toEqual([
          ['2024-02-03T02:00:00Z', stgOrders.key, 'recent_write'],
          ['2024-01-05T10:00:00Z', revenue.key, 'test_passed'],
          ['2024-01-05T10:00:00Z', stgOrders.key, 'test_failed'],
          ['2024-01-04T00:00:00Z', rawOrders.key, 'source_stale'],
        ]);
        expect((await store.evidence(keys, '2024-01-05T10:00:00Z')).length).toBe(3);
        expect(await store.checks([revenue.key])).toEqual([
          { id: 'test.proj.rows_revenue', name: 'rows_revenue', relationKey: revenue.key },
        ]);
        const byColumn = await store.checks([stg.id.key, stgOrders.key]);
        expect(byColumn.map((c) => c.id)).toEqual(['test.proj.not_null_stg_orders_id']);
        expect(await store.checks([emoji.key])).toEqual([]);
      });

      it('lists origins, diagnostics and stats', async () => {
        expect(await store.origins()).toEqual([
          {
            id: 'dbt:proj',
            provenance: 'dbt_manifest',
            label: 'dbt:proj label',
            ingestedAt: T0,
            relations: 4,
            columns: 12,
            columnEdges: 12,
            relationEdges: 3,
            diagnostics: 2,
          },
          {
            id: 'manual:shapes',
            provenance: 'manual',
            label: 'manual:shapes label',
            ingestedAt: T0,
            relations: 38,
            columns: 38,
            columnEdges: 38,
            relationEdges: 0,
            diagnostics: 0,
          },
          {
            id: 'qlog:a',
            provenance: 'query_log',
            label: 'qlog:a label',
            ingestedAt: T1,
            relations: 2,
            columns: 2,
            columnEdges: 3,
            relationEdges: 0,
            diagnostics: 1,
          },
        ]);
        expect((await store.diagnostics({ limit: 10 })).map((d) => d.code)).toEqual([
          'DBT_SQL_UNPARSED',
          'DBT_UNKNOWN_ADAPTER',
          'QUERY_LOG_UNPARSED',
        ]);
        expect(await store.diagnostics({ limit: 10, severity: 'error' })).toEqual([
          { code: 'QUERY_LOG_UNPARSED', severity: 'error', message: 'unknown table t' },
        ]);
        expect((await store.diagnostics({ limit: 1 })).length).toBe(1);
        expect(
          (await store.diagnostics({ limit: 10, originId: 'qlog:a', code: 'DBT_UNKNOWN_ADAPTER' })).length,
        ).toBe(0);
        const stats = await store.stats();
        expect({ ...stats, origins: stats.origins.length }).toEqual({
          relations: 43,
          columns: 51,
          consumers: 1,
          columnEdges: 51,
          relationEdges: 40,
          consumerEdges: 1,
          origins: 3,
          diagnosticsBySeverity: { error: 1, warning: 1, info: 1 },
        });
        // no generation is being written or retired here, so the cheap counts are the live ones
        expect(await store.size()).toEqual({ relations: 43, columns: 51 });
        expect(await store.ping()).toBe(true);
      });
    });
  });
}
