// Keeps a serving process's answers warm after it starts and after every ingest.
// - The relation graph: complexity reads it, and the unused analyses and the explorer the relation list; both
//   stores keep them per set of active generations, and on Neo4j at 150k tables the first read after an
//   ingest takes 6-12 s, close to the request deadline. The server asks for it at start and every interval:
//   while nothing was ingested that costs one small read, after an ingest the read happens here.
// - Query plans: on Neo4j the first impact and root-cause requests pay for planning each statement shape the
//   server has not seen (up to 1.5 s each; p99 ~1 s over the first hundred impacts, 44-64 ms once warm, see
//   docs/benchmarks.md). Whenever the graph changed, a few sample analyses (relations spread over the
//   warehouse and one column of each) run here first, within a time budget.
import type { LineageStore, RelationGraph } from '../graph/store.ts';
import { contextFromConfig } from '../src/analysis/context.ts';
import { impact } from '../src/analysis/impact.ts';
import { rootCause } from '../src/analysis/root-cause.ts';
import type { Config } from '../src/config.ts';

export interface WarmUp {
  stop(): void;
  /** Settles when the warm-up that is under way (if any) has finished; for tests and shutdown. */
  idle(): Promise<void>;
}

/** How long the sample analyses of one warm-up may take in all. */
const PLAN_BUDGET_MS = 60_000;

/**
 * Reads `store.relationGraph()` now and every `config.server.warmIntervalMs` (0: never), one read at a time;
 * when the graph changed, runs `config.server.warmSamples` sample analyses. A failure is reported to `onError`:
 * a failed read (the store restarting, a timeout) is tried again at the next tick, failed samples are not run
 * again for the same graph.
 */
export function keepWarm(
  store: LineageStore,
  config: Config,
  onError: (err: unknown) => void = () => undefined,
): WarmUp {
  const intervalMs = config.server.warmIntervalMs;
  if (intervalMs <= 0) return { stop: () => undefined, idle: async () => undefined };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let last: RelationGraph | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async (): Promise<void> => {
    try {
      const graph = await store.relationGraph();
      // both stores answer the kept object while nothing changed; a graph is warmed once, even if that fails
      if (graph !== last && !stopped) {
        last = graph;
        await warmPlans(store, graph, config, () => stopped);
      }
    } catch (err) {
      if (!stopped) onError(err);
    }
    if (stopped) return;
    timer = setTimeout(() => (running = tick()), intervalMs);
    timer.unref();
  };
  running = tick();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    idle: () => running,
  };
}

/** Impact and root cause of up to `warmSamples` relations spread over the warehouse and one column of each. */
async function warmPlans(
  store: LineageStore,
  graph: RelationGraph,
  config: Config,
  stopped: () => boolean,
): Promise<void> {
  const samples = config.server.warmSamples;
  if (samples <= 0 || graph.relations.length === 0) return;
  const deadline = Date.now() + PLAN_BUDGET_MS;
  const ctx = contextFromConfig(config, { deadline });
  const depth = Math.min(10, ctx.maxDepth);
  const step = Math.max(1, Math.floor(graph.relations.length / samples));
  const picked = graph.relations
    .filter((_, i) => i % step === 0)
    .slice(0, samples)
    .map((r) => r.key);
  const columns = await store.columnsOfMany(picked);
  const since = new Date(ctx.now.getTime() - 7 * 86_400_000).toISOString();
  for (const relation of picked) {
    const column = columns.get(relation)?.[0]?.key;
    for (const ref of column ? [relation, column] : [relation]) {
      if (stopped() || Date.now() > deadline) return;
      await impact(store, { ref, change: 'DROP', mode: 'CONSERVATIVE', depth }, ctx);
      await rootCause(store, { ref, since, depth }, ctx);
    }
  }
}
