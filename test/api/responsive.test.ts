// The server stays responsive under pure-CPU work: on a real generated warehouse (bench/generator, in
// memory) where unusedColumns takes seconds, a request past its deadline answers API_TIMEOUT on time —
// the checkpoints of api/budget.ts stop it, no timer-slowed store — and /healthz answers meanwhile.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../api/server.ts';
import { warehouseBatch } from '../../bench/generator/batch.ts';
import { planWarehouse } from '../../bench/generator/warehouse.ts';
import { createMemoryStore } from '../../graph/create-store.ts';
import type { LineageStore } from '../../graph/store.ts';
import { loadConfig } from '../../src/config.ts';
import { codeOf, postJson, raw } from './http.ts';

const TABLES = 5000;
const TIMEOUT_MS = 200;
const HEAVY = { query: '{ unusedColumns { totalCount partial partialReasons } }' };

let store: LineageStore;
const servers: FastifyInstance[] = [];

async function serve(timeoutMs: number): Promise<string> {
  const config = loadConfig({
    LINEAGE_PORT: '0',
    LINEAGE_REQUEST_TIMEOUT_MS: String(timeoutMs),
    // room for CPU_ONLY's many fields: what is measured here is the deadline, not the cost limits
    LINEAGE_MAX_ROOT_FIELDS: '40',
    LINEAGE_MAX_ALIASES: '40',
    LINEAGE_MAX_QUERY_COST: '10000000',
  });
  const { app, url } = await startServer({ store, config });
  servers.push(app);
  return url;
}

/** Polls /healthz every 10 ms until `until` settles; returns how many answered and the slowest. */
async function healthzDuring(
  url: string,
  until: Promise<unknown>,
): Promise<{ answers: number; slowest: number }> {
  let done = false;
  void until.finally(() => (done = true));
  let slowest = 0;
  let answers = 0;
  while (!done) {
    const r = await raw(url, { path: '/healthz' });
    expect(r.status).toBe(200);
    answers++;
    slowest = Math.max(slowest, r.ms);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { answers, slowest };
}

beforeAll(async () => {
  store = await createMemoryStore();
  await store.applyBatch(warehouseBatch(planWarehouse('api-responsive', TABLES)));
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await store?.close();
});

/**
 * Every complexity sort as its own field, three times: pure CPU after two (cached) store reads each, no
 * soft-deadline check.
 */
const SORTS = [
  'score',
  'fanInTables',
  'fanOutTables',
  'fanInColumns',
  'fanOutColumns',
  'depth',
  'downstreamReach',
  'sqlShape',
  'crossSchemaEdges',
];
const CPU_ONLY = {
  query: `{ ${[0, 1, 2]
    .flatMap((i) => SORTS.map((s) => `${s}${i}: complexity(sortBy: ${s}, first: 1) { totalCount }`))
    .join(' ')} }`,
};

const unbounded: Record<string, number> = {};

/** A deadline at a quarter of the unbounded run (at most TIMEOUT_MS, at least the configurable 100 ms): a fast machine still has one to miss. */
const deadlineFor = (unboundedMs: number) => Math.max(100, Math.min(TIMEOUT_MS, Math.floor(unboundedMs / 4)));

describe('pure-CPU work on a real store', () => {
  it('unbounded, the analyses take seconds, and /healthz is served all along', async () => {
    const url = await serve(120_000);
    const heavy = postJson(url, '/graphql', HEAVY);
    const health = await healthzDuring(url, heavy);
    const r = await heavy;
    expect(r.status).toBe(200);
    unbounded.heavy = r.ms;
    expect(r.ms).toBeGreaterThan(200); // the store is big enough for a deadline at a quarter to mean something
    // served throughout, not after the heavy request (its p99 under load is a benchmark: npm run bench:api)
    expect(health.answers).toBeGreaterThanOrEqual(5);
    expect(health.slowest).toBeLessThan(r.ms / 3);
    const c = await postJson(url, '/graphql', CPU_ONLY);
    expect(c.status).toBe(200);
    unbounded.cpuOnly = c.ms;
    expect(c.ms).toBeGreaterThan(100); // long enough that a deadline at a quarter of it means something
  });

  // A shared machine delays the answer by one uninterruptible stretch at most; the bound is relative to
  // the unbounded run so that CI load does not decide the outcome.
  const onTime = (ms: number, unboundedMs: number, deadline = TIMEOUT_MS) =>
    expect(ms).toBeLessThan(Math.max(deadline + 250, unboundedMs / 2));

  it('past the deadline a phased analysis answers API_TIMEOUT or a flagged partial answer, on time', async () => {
    const deadline = deadlineFor(unbounded.heavy);
    const url = await serve(deadline);
    const r = await postJson(url, '/graphql', HEAVY);
    onTime(r.ms, unbounded.heavy, deadline);
    // Either the analysis noticed its soft deadline (80%) between phases and answered partial, or a
    // checkpoint stopped it at the deadline.
    if (r.status === 200) {
      const u = (r.json as { data: { unusedColumns: { partial: boolean; partialReasons: string[] } } }).data
        .unusedColumns;
      expect(u.partial).toBe(true);
      expect(u.partialReasons.join()).toMatch(/^timeout: /);
    } else expect([r.status, codeOf(r.json)]).toEqual([503, 'API_TIMEOUT']);
  });

  it('past the deadline pure computation with no deadline check of its own is stopped: API_TIMEOUT', async () => {
    const deadline = deadlineFor(unbounded.cpuOnly);
    const url = await serve(deadline);
    const r = await postJson(url, '/graphql', CPU_ONLY);
    onTime(r.ms, unbounded.cpuOnly, deadline);
    expect([r.status, codeOf(r.json)]).toEqual([503, 'API_TIMEOUT']);
  });
});
