// The layered left-to-right layout, by ELK (elkjs, the Eclipse Layout Kernel compiled to JS): boxes are
// placed in layers by their distance from the asset (upstream left, downstream right), so the picture
// reads like the data flows. The only importer of elkjs.
import ELK from 'elkjs/lib/elk.bundled.js';

export interface LayoutBox {
  id: string;
  width: number;
  height: number;
  /** Layer order: smaller is further left. */
  layer: number;
}

export interface LayoutLink {
  from: string;
  to: string;
}

const elk = new ELK();

export async function layeredLayout(
  boxes: readonly LayoutBox[],
  links: readonly LayoutLink[],
): Promise<Map<string, { x: number; y: number }>> {
  const ids = new Set(boxes.map((b) => b.id));
  const minLayer = Math.min(0, ...boxes.map((b) => b.layer));
  const seen = new Set<string>();
  const edges = links
    .filter((l) => ids.has(l.from) && ids.has(l.to) && l.from !== l.to)
    .filter((l) => !seen.has(`${l.from}\u0000${l.to}`) && Boolean(seen.add(`${l.from}\u0000${l.to}`)))
    .map((l, i) => ({ id: `e${i}`, sources: [l.from], targets: [l.to] }));
  const result = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.partitioning.activate': 'true',
      'elk.layered.spacing.nodeNodeBetweenLayers': '110',
      'elk.spacing.nodeNode': '28',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children: boxes.map((b) => ({
      id: b.id,
      width: b.width,
      height: b.height,
      layoutOptions: { 'elk.partitioning.partition': String(b.layer - minLayer) },
    })),
    edges,
  });
  const out = new Map<string, { x: number; y: number }>();
  for (const c of result.children ?? []) out.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
  return out;
}
