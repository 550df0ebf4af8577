// Keeps a serving process's whole-warehouse reads warm. Complexity reads the relation graph, and the unused
// analyses and the explorer the relation list; both stores keep them per set of active generations, and on
// Neo4j at 150k tables the first read after an ingest takes 6-12 s, close to the request deadline. So the
// server asks for the relation graph when it starts and again every interval: while nothing was ingested
// that costs one small read (the active generations), and after an ingest the read happens here instead of in
// the first user's request.
import type { LineageStore } from '../graph/store.ts';

export interface WarmUp {
  stop(): void;
}

/**
 * Reads `store.relationGraph()` now and every `intervalMs` (0: never), one read at a time; a failed read (the
 * store restarting, a timeout) is reported to `onError` and tried again at the next tick.
 */
export function keepRelationGraphWarm(
  store: LineageStore,
  intervalMs: number,
  onError: (err: unknown) => void = () => undefined,
): WarmUp {
  if (intervalMs <= 0) return { stop: () => undefined };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    try {
      await store.relationGraph();
    } catch (err) {
      if (!stopped) onError(err);
    }
    if (stopped) return;
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };
  void tick();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
