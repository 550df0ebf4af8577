// first/after pagination over an already ranked list (Relay connection shape).
import { lineageError } from '../src/errors.ts';

export interface Connection<T> {
  totalCount: number;
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const DEFAULT_PAGE = 100;

export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^o:(\d{1,9})$/.exec(text);
  if (!m) throw lineageError('API_BAD_INPUT', `invalid cursor '${cursor.slice(0, 40)}'`);
  return Number(m[1]);
}

export function pageSize(first: number | null | undefined, maxPageSize: number): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE, maxPageSize);
  if (!Number.isInteger(first) || first < 0)
    throw lineageError('API_BAD_INPUT', `first must be a non-negative integer, got ${first}`);
  if (first > maxPageSize)
    throw lineageError('API_LIMIT_EXCEEDED', `first ${first} exceeds the maximum page size ${maxPageSize}`);
  return first;
}

export function connection<T>(
  items: readonly T[],
  args: { first?: number | null; after?: string | null },
  maxPageSize: number,
): Connection<T> {
  const size = pageSize(args.first, maxPageSize);
  const start = args.after ? decodeCursor(args.after) + 1 : 0;
  const slice = items.slice(start, start + size);
  const edges = slice.map((node, i) => ({ cursor: encodeCursor(start + i), node }));
  return {
    totalCount: items.length,
    edges,
    pageInfo: {
      hasNextPage: start + slice.length < items.length,
      endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
    },
  };
}
