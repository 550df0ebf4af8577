// Bounds every parse in time and memory. The front ends (node-sql-parser's PEG grammars, polyglot's
// WASM) run in one worker thread (front-worker.ts); a caller posts a statement and waits, synchronously,
// on a shared state word. A parse that runs past its time gets the worker terminated (a new one starts
// for the next statement) and the statement a timeout; the worker's heap is capped, so a runaway parse
// ends that thread, not the process. Parse time is the worker thread's own CPU time (Linux
// /proc/self/task/<tid>/stat), so a loaded machine does not time out ordinary statements; elsewhere it
// is wall-clock time. Module loading inside the worker is not counted as parse time.
import { readFileSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { lineageError } from '../../src/errors.ts';
import type { LineageError } from '../../src/errors.ts';
import type { Platform } from '../../src/model/lineage.ts';
import type { FrontEndOrder, FrontResult } from './front.ts';

export interface FrontRequest {
  text: string;
  platform: Platform;
  order: FrontEndOrder;
}

export type BoundedResult = FrontResult | { ok: false; timedOut: true; message: string };

/** The shared state word's values (written by both sides). */
export const HOST_STATE = {
  booting: 0,
  ready: 1,
  sent: 2,
  running: 3,
  loading: 4,
  done: 5,
  failed: 6,
} as const;

/** Default time (worker CPU time where measurable) one statement may spend in the front ends. */
export const PARSE_TIMEOUT_MS = 1_000;
/** Wall-clock cap on a parse whatever its CPU time (a starved or stuck worker). */
const WALL_CAP_MS = 30_000;
/** How often the waiting caller looks at the worker's CPU time. */
const SLICE_MS = 50;
/** Starting the worker or loading a front end inside it (not parse time), before it counts as broken. */
const LOAD_TIMEOUT_MS = 60_000;
/** Heap of the front-end worker: a parse past it ends the worker, not the process. */
export const PARSE_HEAP_MB = 768;

interface Host {
  worker: Worker;
  port: MessagePort;
  state: Int32Array;
}
let host: Host | null = null;

function start(): Host {
  const { port1, port2 } = new MessageChannel();
  // [0] the state word, [1] the worker's OS thread id (0 when unknown).
  const state = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL('./front-worker-boot.mjs', import.meta.url), {
    workerData: { port: port2, state },
    transferList: [port2],
    resourceLimits: { maxOldGenerationSizeMb: PARSE_HEAP_MB },
  });
  // The caller waits on the state word, never on events: these only keep a dying worker's error (out of
  // memory, termination) from surfacing as an unhandled event; the state word tells what happened.
  worker.on('error', () => undefined);
  worker.unref();
  port1.unref();
  return { worker, port: port1, state };
}

function stop(h: Host): void {
  if (host === h) host = null;
  void h.worker.terminate().catch(() => undefined);
}

/** Ends a worker stuck in a parse and starts its replacement at once (it boots while we go on). */
function replace(h: Host): void {
  stop(h);
  host = start();
}

/** The front ends could not be started: the engine is unavailable (not a per-statement problem). */
function bootError(h: Host): LineageError {
  const msg = receiveMessageOnPort(h.port)?.message as { bootError?: string } | undefined;
  stop(h);
  return lineageError(
    'SQL_ENGINE_UNAVAILABLE',
    `the SQL front ends could not be loaded: ${msg?.bootError ?? 'no answer'}`,
  );
}

/** Waits while the state word is `value`, at most `ms`; false when the time ran out. */
function waitWhile(h: Host, value: number, ms: number): boolean {
  return Atomics.wait(h.state, 0, value, Math.max(0, ms)) !== 'timed-out';
}

/** The worker thread's CPU time in ms, or null when the platform does not tell. */
function threadCpuMs(h: Host): number | null {
  const tid = Atomics.load(h.state, 1);
  if (tid <= 0) return null;
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms clock ticks
  } catch {
    return null;
  }
}

/** Time spent by the parse so far: the worker's CPU time since `since`, else wall time. */
function spent(h: Host, since: { cpu: number | null; wall: number }): number {
  const cpu = since.cpu === null ? null : threadCpuMs(h);
  return cpu === null || since.cpu === null ? Date.now() - since.wall : cpu - since.cpu;
}

/**
 * Reads one statement through the front ends, within `timeoutMs` of parse time. Throws
 * SQL_ENGINE_UNAVAILABLE only when the worker cannot be started or cannot load a front end.
 */
export function readBounded(req: FrontRequest, timeoutMs = PARSE_TIMEOUT_MS): BoundedResult {
  const h = (host ??= start());
  for (let s = Atomics.load(h.state, 0); s === HOST_STATE.booting; s = Atomics.load(h.state, 0))
    if (!waitWhile(h, s, LOAD_TIMEOUT_MS)) throw bootError(h);
  if (Atomics.load(h.state, 0) === HOST_STATE.failed) throw bootError(h);
  Atomics.store(h.state, 0, HOST_STATE.sent);
  h.port.postMessage(req);
  let used = 0;
  let since: { cpu: number | null; wall: number } | null = null;
  const wallCap = Date.now() + Math.max(WALL_CAP_MS, 20 * timeoutMs);
  for (;;) {
    const s = Atomics.load(h.state, 0);
    if (s === HOST_STATE.done) break;
    if (s === HOST_STATE.failed) throw bootError(h);
    if (s !== HOST_STATE.running) {
      // Sent but not yet picked up, or loading a front end: not parse time.
      if (since) used += spent(h, since);
      since = null;
      if (!waitWhile(h, s, LOAD_TIMEOUT_MS)) throw bootError(h);
      continue;
    }
    since ??= { cpu: threadCpuMs(h), wall: Date.now() };
    if (waitWhile(h, s, SLICE_MS)) continue;
    if (used + spent(h, since) <= timeoutMs && Date.now() < wallCap) continue;
    if (Atomics.load(h.state, 0) !== HOST_STATE.running) continue;
    replace(h);
    return { ok: false, timedOut: true, message: `parsing took longer than ${timeoutMs} ms` };
  }
  const answer = receiveMessageOnPort(h.port);
  Atomics.store(h.state, 0, HOST_STATE.ready);
  if (!answer) throw bootError(h);
  return answer.message as FrontResult;
}
