// One context object for an analysis run: time, usage window, bounds, deadline and the partial-result log.
import type { LineageStore, TraversalResult, TraverseOptions } from '../../graph/store.ts';
import type { Config } from '../config.ts';
import { resolveSince, utcDay } from './window.ts';

export interface AnalysisContext {
  now: Date;
  /** Maximum reached nodes per traversal. */
  limit: number;
  /** Maximum traversal depth allowed (requests above it are refused by the caller). */
  maxDepth: number;
  /** Usage window for importance and observed reads. */
  usageSinceDay: string;
  excludeUsers: readonly string[];
  excludeRoles: readonly string[];
  /** Epoch ms after which remaining phases are skipped and the result is marked partial. */
  deadline?: number;
}

export const DEFAULT_LIMIT = 5000;

export function contextFromConfig(
  config: Config,
  over: { now?: Date; usageWindow?: string; deadline?: number; limit?: number } = {},
): AnalysisContext {
  const now = over.now ?? new Date();
  return {
    now,
    limit: over.limit ?? DEFAULT_LIMIT,
    maxDepth: config.limits.maxTraversalDepth,
    usageSinceDay: utcDay(resolveSince(over.usageWindow ?? '90d', now)),
    excludeUsers: config.usage.serviceUsers,
    excludeRoles: config.usage.serviceRoles,
    deadline: over.deadline,
  };
}

/** Collects why a result is partial; phases ask `expired()` before starting. */
export class PartialLog {
  readonly reasons: string[] = [];
  constructor(private readonly deadline?: number) {}
  add(reason: string): void {
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }
  expired(): boolean {
    if (this.deadline !== undefined && Date.now() > this.deadline) {
      this.add('timeout: the request deadline passed; later phases were skipped');
      return true;
    }
    return false;
  }
  get partial(): boolean {
    return this.reasons.length > 0;
  }
}

export function truncationReason(
  what: string,
  truncatedBy: 'limit' | 'depth' | null,
  bound: number,
): string | null {
  if (truncatedBy === 'limit') return `limit: ${what} reached more than ${bound} nodes`;
  if (truncatedBy === 'depth') return `depth: ${what} continues beyond depth ${bound}`;
  return null;
}

/**
 * One store traversal whose cut, if any, is recorded in the log as a partial-result reason.
 * `shownDepth` is the depth the reason names when it differs from the walk's own (a walk that starts
 * part-way down the user's requested depth).
 */
export async function boundedTraverse(
  store: LineageStore,
  starts: readonly string[],
  options: TraverseOptions,
  what: string,
  log: PartialLog,
  shownDepth: number = options.maxDepth,
): Promise<TraversalResult> {
  const t = await store.traverse(starts, options);
  const reason = truncationReason(
    what,
    t.truncatedBy,
    t.truncatedBy === 'limit' ? options.limit : shownDepth,
  );
  if (reason) log.add(reason);
  return t;
}
