// Root cause on the demo's second ingest (fixtures/demo-changed: stg_orders.order_total retyped by a SQL change,
// two expression tests failing) and the fingerprint comparison it rests on.
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../graph/create-store.ts';
import { demoteFollowers, fingerprintChanges, rootCause } from '../../src/analysis/root-cause.ts';
import { diffContext } from '../../src/analysis/impact-diff.ts';
import type { Fingerprint } from '../../src/model/lineage.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';

const fp = (originId: string, at: string, type: string, sqlChecksum?: string): Fingerprint => ({
  nodeKey: 'db.main.orders',
  at,
  originId,
  columns: [{ name: 'order_total', dataType: type }],
  ...(sqlChecksum ? { sqlChecksum } : {}),
});

describe('fingerprintChanges', () => {
  it('compares the newest fingerprint with the previous one of the same origin, not another origin', () => {
    const dbtNew = fp('dbt:shop', '2026-08-11T07:00:00Z', 'DOUBLE');
    const log = fp('query-log:snowflake', '2026-08-10T12:00:00Z', 'NUMBER(38,0)');
    const dbtOld = fp('dbt:shop', '2026-08-10T07:00:00Z', 'DECIMAL(16,2)');
    expect(fingerprintChanges([dbtNew, log, dbtOld]).map((e) => e.message)).toEqual([
      'column order_total retyped DECIMAL(16,2) -> DOUBLE',
    ]);
    // only another origin before it: nothing to compare with
    expect(fingerprintChanges([dbtNew, log])).toEqual([]);
  });

  it('a relation whose SQL did not change follows a changed parent; without a changed parent it stays', () => {
    const orders = fingerprintChanges([
      fp('dbt:shop', '2026-08-11T07:00:00Z', 'DOUBLE', 'aaa'),
      fp('dbt:shop', '2026-08-10T07:00:00Z', 'DECIMAL(16,2)', 'aaa'),
    ]);
    const stg = fingerprintChanges([
      { ...fp('dbt:shop', '2026-08-11T07:00:00Z', 'DOUBLE', 'bbb'), nodeKey: 'db.main.stg' },
      { ...fp('dbt:shop', '2026-08-10T07:00:00Z', 'DECIMAL(16,2)', 'aaa'), nodeKey: 'db.main.stg' },
    ]);
    expect(stg.map((e) => e.kind)).toEqual(['column_retyped', 'sql_changed']);
    const kinds = (parents: string[]) => {
      const changes = new Map([
        ['db.main.orders', orders.map((e) => ({ ...e }))],
        ['db.main.stg', stg.map((e) => ({ ...e }))],
      ]);
      demoteFollowers(changes, new Set(['db.main.orders']), (rel) =>
        rel === 'db.main.orders' ? parents : [],
      );
      return [...changes].map(([k, l]) => [k, l.map((e) => `${e.kind}:${e.weight}`)]);
    };
    expect(kinds(['db.main.stg'])).toEqual([
      ['db.main.orders', ['schema_followed_upstream:5']],
      ['db.main.stg', ['column_retyped:35', 'sql_changed:30']],
    ]);
    expect(kinds(['db.main.unchanged_seed'])[0]).toEqual(['db.main.orders', ['column_retyped:35']]);
  });
});

describe('rootCause on the demo after fixtures/demo-changed', () => {
  it('ranks stg_orders (changed SQL, retyped column, failing test) above orders, whose retype follows it', async () => {
    const store = await createMemoryStore();
    try {
      await ingestDbt(store, 'fixtures/demo/target');
      await ingestDbt(store, 'fixtures/demo-changed/target');
      const r = await rootCause(
        store,
        { ref: 'jaffle_shop.main.orders.order_total', since: '2026-08-11T00:00:00.000Z', depth: 10 },
        diffContext(new Date('2026-08-11T08:00:00Z')),
      );
      const top = r.candidates.slice(0, 3).map((c) => [c.key, c.score]);
      expect(top).toEqual([
        ['jaffle_shop.main.stg_orders', 70],
        ['jaffle_shop.main.orders', 45],
        ['jaffle_shop.main.order_items', 0],
      ]);
      const kinds = (i: number) => r.candidates[i].evidence.filter((e) => e.weight > 0).map((e) => e.kind);
      expect(kinds(0)).toEqual(['test_failed', 'column_retyped', 'sql_changed']);
      expect(kinds(1)).toEqual(['test_failed', 'schema_followed_upstream']);
      expect(r.candidates[0].evidence[1].message).toBe('column order_total retyped DECIMAL(16,2) -> DOUBLE');
    } finally {
      await store.close();
    }
  });
});
