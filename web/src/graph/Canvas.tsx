// A pan/zoom canvas (React Flow) with a minimap and zoom controls, laid out by ELK once per set of boxes.
// `data-state="ready"` on the wrapper says the first layout is drawn (the browser tests and the bench wait on it).
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  type Edge,
  type EdgeMouseHandler,
  type Node,
  type NodeTypes,
} from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { layeredLayout, type LayoutBox, type LayoutLink } from './layout.ts';

export interface CanvasBox<D extends Record<string, unknown>> extends LayoutBox {
  type: string;
  data: D;
}

interface CanvasProps {
  boxes: CanvasBox<Record<string, unknown>>[];
  links: LayoutLink[];
  edges: Edge[];
  nodeTypes: NodeTypes;
  label: string;
  onEdgeHover?: (id: string | null) => void;
  minimapColor?: (node: Node) => string;
}

function layoutKey(boxes: readonly LayoutBox[], links: readonly LayoutLink[]): string {
  return JSON.stringify([
    boxes.map((b) => [b.id, b.width, b.height, b.layer]),
    links.map((l) => [l.from, l.to]),
  ]);
}

/** The viewport that shows every box of the layout (one React Flow per layout starts there). */
function fitViewport(
  boxes: readonly LayoutBox[],
  at: Map<string, { x: number; y: number }>,
  container: HTMLElement | null,
): { x: number; y: number; zoom: number } {
  const placed = boxes.flatMap((b) => {
    const p = at.get(b.id);
    return p ? [{ ...p, width: b.width, height: b.height }] : [];
  });
  if (placed.length === 0 || !container) return { x: 0, y: 0, zoom: 1 };
  const x0 = Math.min(...placed.map((b) => b.x));
  const y0 = Math.min(...placed.map((b) => b.y));
  const x1 = Math.max(...placed.map((b) => b.x + b.width));
  const y1 = Math.max(...placed.map((b) => b.y + b.height));
  const { clientWidth: w, clientHeight: h } = container;
  const zoom = Math.max(0.05, Math.min(1.1, (0.92 * w) / (x1 - x0), (0.92 * h) / (y1 - y0)));
  return { x: (w - zoom * (x1 - x0)) / 2 - zoom * x0, y: (h - zoom * (y1 - y0)) / 2 - zoom * y0, zoom };
}

function Flow(props: CanvasProps) {
  const { boxes, links } = props;
  const key = layoutKey(boxes, links);
  const [positions, setPositions] = useState<{ key: string; at: Map<string, { x: number; y: number }> }>();
  useEffect(() => {
    let live = true;
    void layeredLayout(boxes, links).then((at) => live && setPositions({ key, at }));
    return () => {
      live = false;
    };
  }, [key]); // the key captures boxes and links
  const wrapper = useRef<HTMLDivElement>(null);
  const nodes: Node[] = useMemo(
    () =>
      boxes.map((b) => ({
        id: b.id,
        type: b.type,
        data: b.data,
        position: positions?.at.get(b.id) ?? { x: 0, y: 0 },
        hidden: !positions?.at.has(b.id),
        width: b.width,
        height: b.height,
        draggable: false,
      })),
    [boxes, positions],
  );
  const ready = positions !== undefined && positions.key === key;
  const hover: EdgeMouseHandler = (_e, edge) => props.onEdgeHover?.(edge.id);
  return (
    <div
      ref={wrapper}
      className="canvas"
      data-testid="canvas"
      data-state={ready ? 'ready' : 'layout'}
      aria-label={props.label}
    >
      {positions ? (
        <ReactFlow
          key={positions.key}
          defaultViewport={fitViewport(boxes, positions.at, wrapper.current)}
          nodes={nodes}
          edges={props.edges}
          nodeTypes={props.nodeTypes}
          minZoom={0.05}
          maxZoom={2}
          nodesConnectable={false}
          elementsSelectable={false}
          onEdgeMouseEnter={hover}
          onEdgeMouseLeave={() => props.onEdgeHover?.(null)}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={24} color="#e5e7eb" />
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable nodeColor={props.minimapColor} ariaLabel="minimap" />
        </ReactFlow>
      ) : (
        <p className="muted pad">Laying out {boxes.length} boxes…</p>
      )}
    </div>
  );
}

export function Canvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <Flow {...props} />
    </ReactFlowProvider>
  );
}
