// A pool of worker threads running the SQL engine, so column lineage of a large project uses every core.
// Tasks carry their schema answers (prefetched by the caller); results come back with every lookup the
// engine made and the answer it got, which the caller checks (see lineage.ts), so results never depend on
// which worker ran a task or when.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Platform, RelationKey } from '../../src/model/lineage.ts';
import type { StatementLineage } from './sql-engine.ts';

export interface SqlTask {
  sql: string;
  platform: Platform;
  defaultDatabase: string | null;
  defaultSchema: string | null;
  statementId: string;
  /** Answers to the schema lookups the engine is expected to make (null = unknown relation). */
  prefetch: [RelationKey, string[] | null][];
}

export type SqlTaskResult =
  | { ok: true; statements: StatementLineage[]; lookups: [RelationKey, string[] | null][] }
  | { ok: false; error: string; lookups: [RelationKey, string[] | null][] };

export interface SqlPool {
  readonly size: number;
  run(task: SqlTask): Promise<SqlTaskResult>;
  close(): Promise<void>;
}

/** Default pool size: the cores this process may use. */
export function defaultSqlWorkers(): number {
  return availableParallelism();
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export function createSqlPool(size: number): SqlPool {
  const url = new URL('./sql-worker-boot.mjs', import.meta.url);
  const pending = new Map<
    number,
    { resolve: (r: SqlTaskResult) => void; reject: (e: Error) => void; slot: Slot }
  >();
  const queue: { id: number; task: SqlTask }[] = [];
  let nextId = 0;
  let failure: Error | null = null;
  const slots: Slot[] = [];

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const job = queue.shift()!;
      slot.busy = true;
      const p = pending.get(job.id);
      if (p) p.slot = slot;
      slot.worker.postMessage(job);
    }
  };
  const failAll = (err: Error): void => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    queue.length = 0;
  };
  for (let i = 0; i < size; i++) {
    const worker = new Worker(url);
    const slot: Slot = { worker, busy: false };
    worker.on('message', (msg: { id: number; result: SqlTaskResult }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      slot.busy = false;
      p?.resolve(msg.result);
      pump();
    });
    worker.on('error', (err) => failAll(err));
    worker.on('exit', (code) => {
      if (code !== 0) failAll(new Error(`SQL worker exited with code ${code}`));
    });
    slots.push(slot);
  }
  return {
    size,
    run(task) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<SqlTaskResult>((resolve, reject) => {
        pending.set(id, { resolve, reject, slot: slots[0] });
        queue.push({ id, task });
        pump();
      });
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
