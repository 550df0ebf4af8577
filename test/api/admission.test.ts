// Admission by cost (api/admission.ts): operations run while their costs fit the capacity, a waiting one
// starts when it fits and its remaining time covers its estimated work, and answers API_TIMEOUT at its
// deadline otherwise.
import { describe, expect, it } from 'vitest';
import { Admission } from '../../api/admission.ts';
import { Budget } from '../../api/budget.ts';
import { isLineageError } from '../../src/errors.ts';

const budget = (ms: number) => Budget.starting(ms);

describe('admission', () => {
  it('runs operations while their costs fit, then the waiting ones in order as they fit', async () => {
    const a = new Admission(1000);
    const heavy = await a.enter(800, budget(60_000));
    const light = await a.enter(150, budget(60_000)); // fits beside it
    const started: string[] = [];
    const second = a.enter(800, budget(60_000)).then((r) => (started.push('second'), r));
    const small = a.enter(40, budget(60_000)).then((r) => (started.push('small'), r));
    await small; // 800 + 150 + 40 fits: the small one does not wait behind the heavy one
    expect(started).toEqual(['small']);
    heavy();
    light();
    (await second)();
    expect(started).toEqual(['small', 'second']);
    (await small)();
    expect(a.load).toBe(0);
  });

  it('a lone operation always runs, even over the capacity', async () => {
    const a = new Admission(100);
    const release = await a.enter(5000, budget(1000));
    expect(a.load).toBe(5000);
    release();
    release(); // a second release changes nothing
    expect(a.load).toBe(0);
  });

  it('a waiting operation answers API_TIMEOUT at its deadline, on time', async () => {
    const a = new Admission(1000);
    const running = await a.enter(1000, budget(60_000));
    const t = performance.now();
    const err = await a.enter(10, budget(150)).catch((e: unknown) => e);
    expect(isLineageError(err) && err.code).toBe('API_TIMEOUT');
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    expect(performance.now() - t).toBeLessThan(400);
    running();
    expect(a.load).toBe(0);
  });

  it('does not start an operation whose estimated work exceeds its remaining time', async () => {
    const a = new Admission(100_000);
    const running = await a.enter(10, budget(60_000));
    // 10,000 units are about 5 s of work (COST_UNIT_MS 0.5): with 200 ms left it waits, then times out
    const err = await a.enter(10_000, budget(200)).catch((e: unknown) => e);
    expect(isLineageError(err) && err.code).toBe('API_TIMEOUT');
    running();
  });
});
