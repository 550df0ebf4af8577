// /healthz under heavy-query load (issue 14): HEAVY_CONNECTIONS autocannon connections send the heaviest
// query the limits allow while one more connection asks /healthz; reports /healthz p50/p99 and the cost of
// that query (api/cost.ts). Server and clients share this process, so the figures include the clients' own
// work. Used by bench/api-impact.ts (npm run bench:api).
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { buildSchema, parse } from 'graphql';
import { operationCost, REFERENCE_SIZE, storeSize } from '../api/cost.ts';
import type { StoreSize } from '../graph/store.ts';
import { CORE_SDL } from '../api/resolvers.ts';
import { buildApp } from '../api/app.ts';
import type { LineageStore } from '../graph/store.ts';
import type { Config } from '../src/config.ts';

export interface HeavyRow {
  graph: string;
  heavyQueryCost: number;
  maxQueryCost: number;
  heavyConnections: number;
  heavyRequests: number;
  heavyNon2xx: number;
  heavyP50: number;
  heavyP99: number;
  heavyMax: number;
  /** Answers of the heavy requests by HTTP status (200: answered, 503: API_TIMEOUT). */
  heavyStatuses: Record<string, number>;
  /** The request deadline: every heavy answer should come by deadline + 0.5 s. */
  deadlineMs: number;
  /** The slowest heavy answer measured by the server, from its arrival to its response sent. */
  heavyServedMax: number;
  healthzRequests: number;
  healthzP50: number;
  healthzP99: number;
  healthzMax: number;
  /** 1-minute load average at the end (2 cores shared by other jobs make every figure slower). */
  loadAverage: number;
}

/**
 * The heaviest query the limits allow on a store of `size`: root fields (up to LINEAGE_MAX_ROOT_FIELDS,
 * repeats allowed) taken from the most expensive analyses first — whole-graph scans, then deep traversals —
 * while the cost stays within the limit. Cost units are calibrated to time (api/cost.ts), so the most
 * expensive fields are the slowest.
 */
export function heaviestQuery(
  config: Config,
  refs: string[],
  size: StoreSize = REFERENCE_SIZE,
): { query: string; cost: number } {
  const { limits } = config;
  const depth = limits.maxTraversalDepth;
  const schema = buildSchema(CORE_SDL);
  const cost = (fields: string[]) =>
    operationCost(
      schema,
      parse(`{ ${fields.map((f, i) => `f${i}: ${f}`).join(' ')} }`),
      {},
      limits,
      undefined,
      size,
    );
  const candidates = [
    ...['SIZE', 'AGE', 'NAME'].map((s) => `unusedColumns(sort: ${s}, first: 1) { totalCount partial }`),
    ...['score', 'depth', 'sqlShape'].map((s) => `complexity(sortBy: ${s}, first: 1) { totalCount }`),
    ...refs.map((r) => `impact(ref: "${r}", depth: ${depth}) { summary { breaks stale values } partial }`),
    ...refs.map(
      (r) => `rootCause(ref: "${r}", depth: ${depth}) { candidates(first: 10) { distance } partial }`,
    ),
  ]
    .map((field) => ({ field, cost: cost([field]) }))
    .sort((a, b) => b.cost - a.cost);
  const chosen: string[] = [];
  for (const c of candidates)
    while (chosen.length < limits.maxRootFields && cost([...chosen, c.field]) <= limits.maxQueryCost)
      chosen.push(c.field);
  return { query: `{ ${chosen.map((f, i) => `f${i}: ${f}`).join(' ')} }`, cost: cost(chosen) };
}

/** /healthz latencies (ms), one request at a time, every 20 ms, for `ms`. */
async function healthzLatencies(url: string, ms: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    const r = await fetch(`${url}/healthz`);
    await r.arrayBuffer();
    out.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return out.sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
}

export async function measureHeavy(
  store: LineageStore,
  graph: string,
  config: Config,
  refs: string[],
  seconds: number,
  connections: number,
): Promise<HeavyRow> {
  const app = await buildApp({ store, config });
  // server-side answer times of /graphql (arrival to response sent): the client-side figures also hold
  // the in-process clients' own delays
  const arrived = new WeakMap<object, number>();
  const served: number[] = [];
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/graphql')) arrived.set(request, performance.now());
  });
  app.addHook('onResponse', async (request) => {
    const t = arrived.get(request);
    if (t !== undefined) served.push(performance.now() - t);
  });
  const url = (await app.listen({ host: config.server.host, port: config.server.port })).replace(
    '://[::1]',
    '://localhost',
  );
  const { query, cost } = heaviestQuery(config, refs, await storeSize(store));
  const heavy = autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    connections,
    duration: seconds,
    timeout: Math.ceil(config.limits.requestTimeoutMs / 1000) + 5,
  });
  // let the heavy connections get going before /healthz is measured
  await new Promise((r) => setTimeout(r, 500));
  const health = await healthzLatencies(url, (seconds - 1) * 1000);
  const h = await heavy;
  await app.close();
  return {
    graph,
    heavyQueryCost: cost,
    maxQueryCost: config.limits.maxQueryCost,
    heavyConnections: connections,
    heavyRequests: h.requests.total,
    heavyNon2xx: h.non2xx,
    heavyP50: h.latency.p50,
    heavyP99: h.latency.p99,
    heavyMax: h.latency.max,
    heavyStatuses: Object.fromEntries(
      Object.entries((h.statusCodeStats ?? {}) as Record<string, { count: number }>).map(([k, v]) => [
        k,
        v.count,
      ]),
    ),
    deadlineMs: config.limits.requestTimeoutMs,
    heavyServedMax: Math.round(Math.max(0, ...served)),
    healthzRequests: health.length,
    healthzP50: percentile(health, 0.5),
    healthzP99: percentile(health, 0.99),
    healthzMax: percentile(health, 1),
    loadAverage: Math.round(loadavg()[0] * 10) / 10,
  };
}
