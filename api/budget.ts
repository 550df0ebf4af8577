// The time budget of one request, and the one deadline helper of the API.
//
// The embedded store answers synchronously, so an analysis is a long chain of microtasks that would hold
// the event loop until it ends (and a setTimeout deadline could only fire afterwards). Every read the
// request makes goes through `budgetedStore`, whose calls are checkpoints: once the process has run request
// work for a slice (SLICE_MS) the request waits there for its turn, so /healthz and other I/O are served in
// between,
// and a request past its deadline throws API_TIMEOUT there, so pure-CPU work stops on time instead of
// running on after its answer was given up. What a checkpoint cannot split is one store call itself
// (docs/api.md, "Responsiveness", lists the long ones).
import { withPauses } from '../graph/cooperate.ts';
import type { LineageStore } from '../graph/store.ts';
import { lineageError, type LineageError } from '../src/errors.ts';

/** Longest stretch of request work the process runs before it lets the event loop serve I/O (10 -> 5 ms: /healthz p50 13 -> 8 ms, p99 55 -> 42 ms under load). */
export const SLICE_MS = 5;

/** Store methods that change the store: never interrupted half-way by a checkpoint. */
const WRITES: ReadonlySet<string> = new Set(['applyBatch', 'removeOrigin', 'close']);

/**
 * One slice for the whole process, shared by every request: a checkpoint that finds it used up queues its
 * request (first in, first out), and each turn of the event loop (after its I/O) lets the next one in the
 * queue run one slice. So 50 heavy requests with 10 analyses each still give I/O a turn every ~5 ms,
 * instead of each of their 500 chains running a slice before /healthz is read.
 */
const turns = {
  sliceStart: performance.now(),
  waiting: [] as (() => void)[],
  scheduled: false,
};

function nextTurnServes(): void {
  turns.scheduled = false;
  const next = turns.waiting.shift();
  turns.sliceStart = performance.now();
  next?.();
  if (turns.waiting.length > 0) schedule();
}

function schedule(): void {
  if (turns.scheduled) return;
  turns.scheduled = true;
  setImmediate(nextTurnServes);
}

/** Resolves when the event loop has served I/O and it is this caller's turn to run a slice. */
function waitForTurn(): Promise<void> {
  return new Promise((resolve) => {
    turns.waiting.push(resolve);
    schedule();
  });
}

/**
 * Waits for a turn when the process' slice is used up, for work that has no budget yet: a request's
 * parsing, validation and cost check before it runs. So 50 heavy requests arriving in one turn of the event
 * loop are checked one slice at a time, with I/O (/healthz) served in between.
 */
export async function takeTurn(budget?: Budget): Promise<void> {
  if (performance.now() - turns.sliceStart >= SLICE_MS) await waitForTurn();
  if (budget?.expired) throw budget.timeoutError();
}

export class Budget {
  /** `deadline` is epoch ms; `timeoutMs` names the configured timeout in the error. */
  constructor(
    readonly deadline: number,
    private readonly timeoutMs: number,
  ) {}

  static starting(timeoutMs: number): Budget {
    return new Budget(Date.now() + timeoutMs, timeoutMs);
  }

  /** The budget of a request that arrived at `arrivedAt` (epoch ms). */
  static since(arrivedAt: number, timeoutMs: number): Budget {
    return new Budget(arrivedAt + timeoutMs, timeoutMs);
  }

  get expired(): boolean {
    return Date.now() > this.deadline;
  }

  timeoutError(): LineageError {
    return lineageError('API_TIMEOUT', `the request took longer than ${this.timeoutMs} ms`);
  }

  /** Waits for a turn when the process' slice is used up; throws API_TIMEOUT past the deadline. */
  async checkpoint(): Promise<void> {
    if (this.expired) throw this.timeoutError();
    if (performance.now() - turns.sliceStart < SLICE_MS) return;
    await waitForTurn();
    if (this.expired) throw this.timeoutError();
  }
}

/** `store` with a checkpoint before and after every read, and at the pause points inside it (graph/cooperate.ts). */
export function budgetedStore(store: LineageStore, budget: Budget): LineageStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (typeof prop !== 'string' || WRITES.has(prop)) return method.bind(target);
      const checkpoint = () => budget.checkpoint();
      return async (...args: unknown[]) => {
        await budget.checkpoint();
        const result = await withPauses(checkpoint, () => method.apply(target, args));
        await budget.checkpoint();
        return result;
      };
    },
  });
}

/**
 * Runs `work` until the budget's deadline: the checkpoints (store calls and the pause points of long loops,
 * graph/cooperate.ts) stop synchronous work, the timer stops a wait on an asynchronous store (Neo4j) that
 * does not return.
 */
export async function withDeadline<T>(budget: Budget, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(budget.timeoutError()), Math.max(1, budget.deadline - Date.now()));
  });
  try {
    return await Promise.race([withPauses(() => budget.checkpoint(), work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The soft deadline given to an analysis: at 80% of what remains it stops starting phases and answers partial. */
export function softDeadline(budget: Budget): number {
  const remaining = budget.deadline - Date.now();
  return Date.now() + Math.floor(remaining * 0.8);
}
