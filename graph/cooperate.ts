// Pause points for long synchronous loops (issue 14). The embedded store answers synchronously, so one scan
// of every node (search, listRelations, relationGraph) or one scoring pass of an analysis holds the event
// loop until it ends. A caller that must stay responsive (the API: api/budget.ts) runs its work inside
// `withPauses(checkpoint, work)`; a loop that asks `pausePoint()` once and awaits it every PAUSE_STRIDE
// iterations then gives the caller's checkpoint a chance to let I/O in (or to throw past a deadline).
// Outside withPauses (CLI, ingest, tests) pausePoint() is null and a loop never awaits.
import { AsyncLocalStorage } from 'node:async_hooks';

/** Awaited at a pause point: resolves when the loop may go on, throws to stop it. */
export type Checkpoint = () => Promise<void>;

const current = new AsyncLocalStorage<Checkpoint>();

/** Runs `work` with `checkpoint` at every pause point it (and what it awaits) reaches. */
export function withPauses<T>(checkpoint: Checkpoint, work: () => Promise<T>): Promise<T> {
  return current.run(checkpoint, work);
}

/** The running work's checkpoint, or null when nobody asked for pauses. Ask once per loop, not per iteration. */
export function pausePoint(): Checkpoint | null {
  return current.getStore() ?? null;
}

/** Iterations between two pauses of a scan loop: `if (pause && (i & PAUSE_MASK) === 0) await pause()`. */
export const PAUSE_STRIDE = 1024;
export const PAUSE_MASK = PAUSE_STRIDE - 1;
