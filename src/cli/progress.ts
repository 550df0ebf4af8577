// A small progress indicator on stderr for long CLI work (ingests, generators). Off when stderr is not a TTY,
// so pipes, CI logs and tests never see carriage returns.
import type { CliIO } from './io.ts';

export interface Progress {
  /** Advances by n (default 1). Cheap: redraws at most every 100 ms. */
  tick(n?: number): void;
  /** Sets the total once it becomes known (e.g. after counting manifest nodes). */
  setTotal(total: number): void;
  /** Clears the line. Idempotent. */
  done(): void;
}

const WIDTH = 24;
const REDRAW_MS = 100;

/** Renders one progress line (pure, for tests): `label [#####-----]  42% 420/1000` or `label 420` without total. */
export function renderProgress(label: string, current: number, total?: number): string {
  if (total === undefined || total <= 0) return `${label} ${current}`;
  const ratio = Math.max(0, Math.min(1, current / total));
  const filled = Math.round(ratio * WIDTH);
  const pct = String(Math.floor(ratio * 100)).padStart(3);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${pct}% ${current}/${total}`;
}

const NOOP: Progress = { tick: () => {}, setTotal: () => {}, done: () => {} };

export function createProgress(io: Pick<CliIO, 'err' | 'isTTY'>, label: string, total?: number): Progress {
  if (!io.isTTY) return NOOP;
  let current = 0;
  let knownTotal = total;
  let lastDraw = 0;
  let lastLength = 0;
  let finished = false;
  const draw = (force: boolean): void => {
    const now = Date.now();
    if (!force && now - lastDraw < REDRAW_MS) return;
    lastDraw = now;
    const line = renderProgress(label, current, knownTotal);
    io.err(`\r${line}${' '.repeat(Math.max(0, lastLength - line.length))}`);
    lastLength = line.length;
  };
  return {
    tick(n = 1) {
      if (finished) return;
      current += n;
      draw(false);
    },
    setTotal(t) {
      knownTotal = t;
    },
    done() {
      if (finished) return;
      finished = true;
      if (lastLength > 0) io.err(`\r${' '.repeat(lastLength)}\r`);
    },
  };
}
