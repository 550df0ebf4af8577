// The column-level path through a selected column: every column upstream of it and downstream of it
// along the drawn column edges, and the edges on those walks. Pure, so it is tested without a browser.
export interface PathEdge {
  from: string;
  to: string;
  kind: string;
}

export interface ColumnPath {
  columns: Set<string>;
  /** Indexes into the edges given. */
  edges: Set<number>;
}

export function columnPath(selected: string, edges: readonly PathEdge[]): ColumnPath {
  const columns = new Set([selected]);
  const onPath = new Set<number>();
  for (const dir of ['down', 'up'] as const) {
    const out = new Map<string, number[]>();
    edges.forEach((e, i) => {
      const here = dir === 'down' ? e.from : e.to;
      out.set(here, [...(out.get(here) ?? []), i]);
    });
    const seen = new Set([selected]);
    const queue = [selected];
    while (queue.length > 0) {
      for (const i of out.get(queue.shift() as string) ?? []) {
        onPath.add(i);
        const there = dir === 'down' ? edges[i].to : edges[i].from;
        if (seen.has(there)) continue;
        seen.add(there);
        columns.add(there);
        queue.push(there);
      }
    }
  }
  return { columns, edges: onPath };
}

export const DIRECT_KINDS = ['IDENTITY', 'TRANSFORMATION', 'AGGREGATION'] as const;

export function isDirect(kind: string): boolean {
  return (DIRECT_KINDS as readonly string[]).includes(kind);
}
