// Reads whose answer is a few hundred thousand rows (a large query log's usage): every row arrives, and the
// answer is the embedded store's. 150k usage records: one USAGE_ALL statement returns them all (appending them
// with a spread overflowed the call stack, RangeError, so unusedTables failed on such a log).
import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../../graph/embedded/index.ts';
import { emptyBatch, type LineageBatch, type UsageRecord } from '../../../src/model/lineage.ts';
import { dbtBatch } from '../../helpers/shapes.ts';
import { neo4jTarget, storesClosedAfterEach } from './server.ts';

const target = neo4jTarget();

function bigUsage(records: number): LineageBatch {
  const b = emptyBatch({
    id: 'qlog:big',
    provenance: 'query_log',
    label: 'a large query log',
    ingestedAt: '2026-12-01T00:00:00Z',
  });
  const targets = dbtBatch().columns.map((c) => c.key);
  const usage: UsageRecord[] = [];
  for (let i = 0; usage.length < records; i++) {
    const day = new Date(Date.UTC(2026, 0, 1 + (i % 300))).toISOString().slice(0, 10);
    usage.push({
      target: targets[i % targets.length],
      access: i % 7 === 0 ? 'write' : 'read',
      user: `user${Math.floor(i / 300) % 1000}`,
      day,
      count: 1 + (i % 5),
      lastAt: `${day}T12:00:00.000Z`,
    });
  }
  b.usage = usage;
  return b;
}

describe.skipIf(!target)('Neo4j: reads of a few hundred thousand rows', () => {
  const openStore = storesClosedAfterEach();

  it(
    'aggregates 150k usage records in one read as the embedded store does',
    { timeout: 120_000 },
    async () => {
      const store = await openStore(target!);
      const reference = await openMemoryStore();
      for (const s of [store, reference]) {
        await s.applyBatch(dbtBatch());
        await s.applyBatch(bigUsage(150_000));
      }
      const query = { sinceDay: '1970-01-01', excludeUsers: ['user7'] };
      const answer = await store.usage(query);
      expect(answer.length).toBeGreaterThan(0);
      expect(answer).toEqual(await reference.usage(query));
    },
  );
});
