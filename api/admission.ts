// Admission by cost (issue 14): GraphQL operations run only while the costs of those running add up to at
// most the capacity (LINEAGE_MAX_QUERY_COST: one heaviest allowed query at a time, or many light ones). A
// cost unit is about COST_UNIT_MS of work (api/cost.ts), so capacity is also time: 50 heavy requests do not
// all start and share the CPU until every one of them misses its deadline (each would need 50 times its
// time alone), holding 50 answers' memory and making GC pauses long; they run a few at a time, and the rest
// wait without working.
//
// A waiting request starts when it fits, in arrival order among those that fit, and only while its
// remaining time covers its estimated work (cost × COST_UNIT_MS), else it waits on; at its deadline it
// answers API_TIMEOUT, on time, without having worked. A request that finds nothing running starts at once
// (a single query too heavy for the machine still gets its chance, and its deadline).
import type { Budget } from './budget.ts';
import { COST_UNIT_MS } from './cost.ts';

interface Waiter {
  cost: number;
  budget: Budget;
  start: () => void;
}

export class Admission {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly capacity: number) {}

  /** Units running now (for tests and the benchmark). */
  get load(): number {
    return this.running;
  }

  /**
   * Waits until an operation of `cost` may run; resolves to its release (call it once, when its answer has
   * gone), or rejects with API_TIMEOUT at the budget's deadline.
   */
  enter(cost: number, budget: Budget): Promise<() => void> {
    if (this.running === 0 || this.fits(cost, budget)) return Promise.resolve(this.admit(cost));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        cost,
        budget,
        start: () => {
          clearTimeout(timer);
          resolve(this.admit(cost));
        },
      };
      const timer = setTimeout(
        () => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(budget.timeoutError());
        },
        Math.max(0, budget.deadline - Date.now()),
      );
      this.waiting.push(waiter);
    });
  }

  /** Whether an operation may start beside those running: room for its cost, and time for its work. */
  private fits(cost: number, budget: Budget): boolean {
    if (this.running > 0 && this.running + cost > this.capacity) return false;
    return budget.deadline - Date.now() >= cost * COST_UNIT_MS;
  }

  private admit(cost: number): () => void {
    this.running += cost;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= cost;
      this.startWaiting();
    };
  }

  private startWaiting(): void {
    for (let i = 0; i < this.waiting.length;) {
      const w = this.waiting[i];
      if (this.fits(w.cost, w.budget)) {
        this.waiting.splice(i, 1);
        w.start();
      } else i++;
    }
  }
}
