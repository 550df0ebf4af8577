// canDrop counts dbt tests on the column as certain breaks (they could no longer compile), naming them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../graph/create-store.ts';
import type { LineageStore } from '../../graph/store.ts';
import { canDrop } from '../../src/analysis/can-drop.ts';
import { diffContext } from '../../src/analysis/impact-diff.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';

let store: LineageStore;
beforeAll(async () => {
  store = await createMemoryStore();
  await ingestDbt(store, 'fixtures/demo/target');
});
afterAll(async () => store.close());

describe('canDrop and dbt tests', () => {
  it('a column with not_null and unique tests: BLOCK by TESTED_BY, the tests named', async () => {
    const r = await canDrop(store, 'jaffle_shop.main.stg_orders.order_id', diffContext());
    expect(r.verdict).toBe('BLOCK');
    const tested = r.reasons.find((x) => x.code === 'TESTED_BY');
    expect(tested?.assets).toEqual([
      'test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64',
      'test.jaffle_shop.unique_stg_orders_order_id.e3b841c71a',
    ]);
    expect(tested?.message).toContain('not_null_stg_orders_order_id');
  });
  it('a column without tests has no TESTED_BY reason', async () => {
    const r = await canDrop(store, 'jaffle_shop.main.stg_orders.order_total_cents', diffContext());
    expect(r.reasons.map((x) => x.code)).not.toContain('TESTED_BY');
  });
});
