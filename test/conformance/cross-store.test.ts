// Every enabled store answers the same battery of queries (./answers.ts) identically, and no answer
// depends on the order the origins were applied in.
import { describe, expect, it } from 'vitest';
import type { LineageStore } from '../../graph/store.ts';
import type { LineageBatch } from '../../src/model/lineage.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { answers, genericAnswers } from './answers.ts';
import { dbtBatch, queryLogBatch, shapesBatch, standardBatches } from '../helpers/shapes.ts';
import { STORES, type StoreFactory } from './stores.ts';

/** The bundled demo dbt project, ingested by the real parser (no lineage cache, fixed time). */
async function demoAnswers(factory: StoreFactory): Promise<Record<string, unknown>> {
  const store: LineageStore = await factory.open();
  try {
    const once = await ingestDbt(store, 'fixtures/demo/target', { now: '2026-09-01T00:00:00.000Z' });
    const first = await genericAnswers(store);
    const again = await ingestDbt(store, 'fixtures/demo/target', { now: '2026-09-01T00:00:00.000Z' });
    expect(await genericAnswers(store)).toEqual(first); // re-ingest is idempotent
    // ... and the store itself says so: same origin, same counts, nothing changed
    expect(once.unchanged).toBe(false);
    expect(again.unchanged).toBe(true);
    expect([again.originId, again.counts]).toEqual([once.originId, once.counts]);
    return first;
  } finally {
    await factory.cleanup(store);
  }
}

async function answersAfter(
  factory: StoreFactory,
  batches: LineageBatch[],
): Promise<Record<string, unknown>> {
  const store: LineageStore = await factory.open();
  try {
    for (const b of batches) await store.applyBatch(b);
    return await answers(store);
  } finally {
    await factory.cleanup(store);
  }
}

const enabled = STORES.filter((s) => s.enabled());

/** Each answer set is computed once per store and file (the per-store and cross-store tests share it). */
const memo = new Map<string, Promise<Record<string, unknown>>>();
function once(
  key: string,
  compute: () => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  if (!memo.has(key)) memo.set(key, compute());
  return memo.get(key)!;
}
const standardAnswers = (f: StoreFactory) =>
  once(`${f.name} standard`, () => answersAfter(f, standardBatches()));
const demo = (f: StoreFactory) => once(`${f.name} demo`, () => demoAnswers(f));

describe('conformance across stores', () => {
  for (const factory of enabled) {
    it(`${factory.name}: answers do not depend on the order origins were applied in`, async () => {
      const a = await standardAnswers(factory);
      const b = await answersAfter(factory, [shapesBatch(), dbtBatch(), queryLogBatch()]);
      expect(b).toEqual(a);
      // the battery is not vacuous
      expect(Object.keys(a.traversals as object).length).toBe(68);
      expect(
        Object.values(a.traversals as object).some((t: { reached: unknown[] }) => t.reached.length > 20),
      ).toBe(true);
    }, 300_000);
  }

  it.skipIf(enabled.length < 2)(
    `all enabled stores answer identically (${enabled.map((s) => s.name).join(', ')})`,
    async () => {
      const [reference, ...others] = enabled;
      const expected = await standardAnswers(reference);
      for (const other of others) {
        const got = await standardAnswers(other);
        for (const key of Object.keys(expected))
          expect({ [other.name]: key, value: got[key] }).toEqual({ [other.name]: key, value: expected[key] });
      }
    },
    300_000,
  );

  for (const factory of enabled) {
    it(`${factory.name}: the demo dbt project ingests idempotently and answers are not vacuous`, async () => {
      const a = await demo(factory);
      const stats = a.stats as { relations: number; columns: number; columnEdges: number; consumers: number };
      expect(stats.relations).toBeGreaterThan(5);
      expect(stats.columnEdges).toBeGreaterThan(20);
      expect(stats.consumers).toBeGreaterThan(0);
    }, 300_000);
  }

  it.skipIf(enabled.length < 2)(
    'all enabled stores answer identically on the demo dbt project',
    async () => {
      const [reference, ...others] = enabled;
      const expected = await demo(reference);
      for (const other of others) {
        const got = await demo(other);
        for (const key of Object.keys(expected)) {
          expect({ [other.name]: key, value: got[key] }).toEqual({ [other.name]: key, value: expected[key] });
        }
      }
    },
    300_000,
  );
});
