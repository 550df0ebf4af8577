// The front-end worker: reads statements into our tree (front.ts's plan), one request at a time, for
// front-host.ts, which waits on a shared state word and can terminate this thread when a parse runs
// past its time. Each front end is loaded on the first step that needs it; while loading, the state
// says so, and the host does not count that time against the parse.
import { readFileSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { workerData } from 'node:worker_threads';
import type { FrontResult, Step, StepRunner } from './front.ts';
import { readStatement } from './front.ts';
import type { FrontRequest } from './front-host.ts';
import { HOST_STATE } from './front-host.ts';

const { port, state } = workerData as { port: MessagePort; state: Int32Array };

type Nsp = typeof import('./front-nsp.ts');
type Poly = typeof import('./front-polyglot.ts');
let nsp: Nsp | null = null;
let poly: Poly | null = null;

function setState(s: number): void {
  Atomics.store(state, 0, s);
  Atomics.notify(state, 0);
}

async function loaded<T>(current: T | null, load: () => Promise<T>): Promise<T> {
  if (current) return current;
  setState(HOST_STATE.loading);
  const mod = await load();
  setState(HOST_STATE.running);
  return mod;
}

const runStep: StepRunner = async (step: Step, text, platform): Promise<FrontResult> => {
  switch (step.frontEnd) {
    case 'polyglot':
      poly = await loaded(poly, () => import('./front-polyglot.ts'));
      return poly.readWithPolyglot(text, platform);
    case 'node-sql-parser':
      nsp = await loaded(nsp, () => import('./front-nsp.ts'));
      return nsp.readWithGrammars(text, platform, step.grammars);
    case 'merge':
      nsp = await loaded(nsp, () => import('./front-nsp.ts'));
      return nsp.readMerge(text, platform);
  }
};

port.on('message', (req: FrontRequest) => {
  setState(HOST_STATE.running);
  void readStatement(req.text, req.platform, req.order, runStep)
    .catch((err: unknown): FrontResult => ({
      ok: false,
      message: `front end failed: ${err instanceof Error ? err.message : String(err)}`,
    }))
    .then((result) => {
      port.postMessage(result);
      setState(HOST_STATE.done);
    });
});
/** This thread's OS id, for the host to read its CPU time (Linux); 0 elsewhere. */
function threadId(): number {
  try {
    return Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]) || 0;
  } catch {
    return 0;
  }
}

Atomics.store(state, 1, threadId());
setState(HOST_STATE.ready);
