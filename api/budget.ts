// The time budget of one request, and the one deadline helper of the API.
//
// The embedded store answers synchronously, so an analysis is a long chain of microtasks that would hold
// the event loop until it ends (and a setTimeout deadline could only fire afterwards). Every read the
// request makes goes through `budgetedStore`, whose calls are checkpoints: a request that has run for a
// slice (SLICE_MS) yields to the event loop there, so /healthz and other requests are served in between,
// and a request past its deadline throws API_TIMEOUT there, so pure-CPU work stops on time instead of
// running on after its answer was given up. What a checkpoint cannot split is one store call itself
// (docs/api.md, "Responsiveness", lists the long ones).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { LineageStore } from '../graph/store.ts';
import { lineageError, type LineageError } from '../src/errors.ts';

/** Longest stretch a request runs before it lets the event loop serve others. */
export const SLICE_MS = 10;

/** Store methods that change the store: never interrupted half-way by a checkpoint. */
const WRITES: ReadonlySet<string> = new Set(['applyBatch', 'removeOrigin', 'close']);

export class Budget {
  private sliceStart = performance.now();

  /** `deadline` is epoch ms; `timeoutMs` names the configured timeout in the error. */
  constructor(
    readonly deadline: number,
    private readonly timeoutMs: number,
  ) {}

  static starting(timeoutMs: number): Budget {
    return new Budget(Date.now() + timeoutMs, timeoutMs);
  }

  get expired(): boolean {
    return Date.now() > this.deadline;
  }

  timeoutError(): LineageError {
    return lineageError('API_TIMEOUT', `the request took longer than ${this.timeoutMs} ms`);
  }

  /** Yields when the slice is used up; throws API_TIMEOUT past the deadline. */
  async checkpoint(): Promise<void> {
    if (this.expired) throw this.timeoutError();
    if (performance.now() - this.sliceStart < SLICE_MS) return;
    await nextTurn();
    this.sliceStart = performance.now();
    if (this.expired) throw this.timeoutError();
  }
}

/** `store` with a checkpoint before and after every read. */
export function budgetedStore(store: LineageStore, budget: Budget): LineageStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (typeof prop !== 'string' || WRITES.has(prop)) return method.bind(target);
      return async (...args: unknown[]) => {
        await budget.checkpoint();
        const result = await method.apply(target, args);
        await budget.checkpoint();
        return result;
      };
    },
  });
}

/**
 * Runs `work` until the budget's deadline: the checkpoints stop synchronous work, the timer stops a wait
 * on an asynchronous store (Neo4j) that does not return.
 */
export async function withDeadline<T>(budget: Budget, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(budget.timeoutError()), Math.max(1, budget.deadline - Date.now()));
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The soft deadline given to an analysis: at 80% of what remains it stops starting phases and answers partial. */
export function softDeadline(budget: Budget): number {
  const remaining = budget.deadline - Date.now();
  return Date.now() + Math.floor(remaining * 0.8);
}
