// The lineage graph: relations with their columns inside, laid out left to right, walked one level at a
// time (the depth controls, or a node's ◀/▶ buttons), large levels grouped by the server. Selecting a column
// highlights its column-level path; edges are solid for DIRECT kinds and dashed for INDIRECT ones, and name
// their kinds on hover.
import type { Edge } from '@xyflow/react';
import { MarkerType } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { Canvas, type CanvasBox } from '../graph/Canvas.tsx';
import { columnPath, isDirect } from '../graph/column-path.ts';
import {
  FOLDED_COLUMNS,
  GROUP_HEIGHT,
  GROUP_WIDTH,
  GroupBox,
  NODE_WIDTH,
  RelationBox,
  relationHeight,
  type GroupData,
  type RelationData,
} from '../graph/nodes.tsx';
import { useQuery } from '../lib/api.ts';
import { href, type Route } from '../lib/route.ts';
import { navigate } from '../lib/navigation.ts';
import {
  NEIGHBOURHOOD,
  type Neighbourhood,
  type NeighbourhoodEdge,
  type NeighbourhoodNode,
} from '../queries.ts';
import { ErrorBox, Loading, ViewHeader } from '../ui.tsx';

const NODE_TYPES = { relation: RelationBox, cluster: GroupBox };
const MAX_DEPTH = 10;

interface GraphState {
  up: number;
  down: number;
  openUp: string[];
  openDown: string[];
  groups: string[];
  column: string | null;
}

function stateOf(route: Route): GraphState {
  const list = (name: string) => route.params.getAll(name);
  const num = (name: string, d: number) => {
    const v = Number(route.params.get(name) ?? d);
    return Number.isInteger(v) && v >= 0 && v <= MAX_DEPTH ? v : d;
  };
  return {
    up: num('up', 1),
    down: num('down', 1),
    openUp: list('ou'),
    openDown: list('od'),
    groups: list('g'),
    column: route.params.get('col'),
  };
}

function routeOf(key: string, s: GraphState): string {
  const q = new URLSearchParams({ up: String(s.up), down: String(s.down) });
  for (const k of s.openUp) q.append('ou', k);
  for (const k of s.openDown) q.append('od', k);
  for (const g of s.groups) q.append('g', g);
  if (s.column) q.set('col', s.column);
  return `${href('graph', key)}?${q.toString()}`;
}

const toggle = (list: string[], k: string) => (list.includes(k) ? list.filter((x) => x !== k) : [...list, k]);

/** The graph's state from the route, its query, and the picture built from the answer (memoized). */
function useGraph(route: Route) {
  const s = stateOf(route);
  const [unfolded, setUnfolded] = useState<string[]>([]);
  const variables = {
    ref: route.key,
    upstreamDepth: s.up,
    downstreamDepth: s.down,
    expandUpstream: s.openUp,
    expandDownstream: s.openDown,
    expandGroups: s.groups,
  };
  const q = useQuery<{ neighbourhood: Neighbourhood }>(NEIGHBOURHOOD, variables, route.key === '');
  const go = (next: Partial<GraphState>) => navigate(routeOf(route.key, { ...s, ...next }));
  const g = q.data?.neighbourhood;
  const selected = s.column ?? g?.focus ?? null;
  const picture = useMemo(
    () =>
      g
        ? buildPicture(g, {
            selected,
            unfolded,
            state: s,
            onSelectColumn: (k) => go({ column: k === selected ? null : k }),
            onToggleOpen: (k, dir) =>
              dir === 'upstream'
                ? go({ openUp: toggle(s.openUp, k) })
                : go({ openDown: toggle(s.openDown, k) }),
            onUnfold: (k) => setUnfolded((u) => [...u, k]),
            onOpenGroup: (id) => go({ groups: toggle(s.groups, id) }),
          })
        : null,
    // route.params drive `s`; the callbacks close over it
    [g, selected, unfolded, route.params.toString()],
  );
  return { s, variables, q, g, selected, picture, go };
}

export function GraphView({ route }: { route: Route }) {
  const { s, variables, q, g, selected, picture, go } = useGraph(route);
  const [hovered, setHovered] = useState<string | null>(null);
  if (route.key === '') return <p className="pad">Pick an asset with the search box first.</p>;
  const edges = picture ? labelHovered(picture.edges, hovered) : [];
  return (
    <section className="view graph-view">
      <ViewHeader
        title={
          <>
            Lineage of <a href={href('asset', route.key)}>{route.key}</a>
          </>
        }
        query={NEIGHBOURHOOD}
        variables={variables}
      >
        <DepthControl label="Upstream" value={s.up} onChange={(up) => go({ up })} />
        <DepthControl label="Downstream" value={s.down} onChange={(down) => go({ down })} />
        <button type="button" onClick={() => navigate(href('graph', route.key))}>
          Reset
        </button>
        {selected && (
          <button type="button" onClick={() => go({ column: null })}>
            Clear column
          </button>
        )}
      </ViewHeader>
      <Legend />
      {q.error && <ErrorBox error={q.error} />}
      {g?.partial && <p className="warn">Partial: {g.partialReasons.join('; ')}</p>}
      {!picture && !q.error && <Loading what="the neighbourhood" />}
      {picture && (
        <>
          <p className="muted small" aria-live="polite">
            {picture.summary}
            {q.loading ? ' · updating…' : ''}
          </p>
          <Canvas
            boxes={picture.boxes}
            links={picture.links}
            edges={edges}
            nodeTypes={NODE_TYPES}
            label={`lineage graph of ${route.key}`}
            onEdgeHover={setHovered}
            minimapColor={(n) =>
              n.type === 'cluster' ? '#cbd5e1' : n.id === g?.root ? '#1d4ed8' : '#64748b'
            }
          />
        </>
      )}
    </section>
  );
}

function DepthControl(props: { label: string; value: number; onChange: (v: number) => void }) {
  const { label, value } = props;
  return (
    <span className="depth" role="group" aria-label={`${label} depth`}>
      {label}
      <button
        type="button"
        aria-label={`${label} one level less`}
        disabled={value <= 0}
        onClick={() => props.onChange(value - 1)}
      >
        −
      </button>
      <output aria-label={`${label} depth`}>{value}</output>
      <button
        type="button"
        aria-label={`${label} one level more`}
        disabled={value >= MAX_DEPTH}
        onClick={() => props.onChange(value + 1)}
      >
        +
      </button>
    </span>
  );
}

function Legend() {
  return (
    <p className="legend small" aria-label="legend">
      <span className="lg lg-direct" /> direct (IDENTITY, TRANSFORMATION, AGGREGATION)
      <span className="lg lg-indirect" /> indirect (JOIN, FILTER, GROUP_BY, …)
      <span className="lg lg-relation" /> relation / consumer
      <span className="muted"> · hover an edge for its kinds · click a column for its path</span>
    </p>
  );
}

interface PictureInput {
  selected: string | null;
  unfolded: string[];
  state: GraphState;
  onSelectColumn: (key: string) => void;
  onToggleOpen: (key: string, direction: 'upstream' | 'downstream') => void;
  onUnfold: (key: string) => void;
  onOpenGroup: (id: string) => void;
}

interface Picture {
  boxes: CanvasBox<Record<string, unknown>>[];
  links: { from: string; to: string }[];
  edges: Edge[];
  summary: string;
}

/** Which columns a box shows: all when unfolded, else the first ones plus the selected one. */
function visibleRows(n: NeighbourhoodNode, input: PictureInput) {
  if (input.unfolded.includes(n.key) || n.columns.length <= FOLDED_COLUMNS + 1) return n.columns;
  const rows = n.columns.slice(0, FOLDED_COLUMNS);
  const sel = n.columns.find((c) => c.key === input.selected);
  if (sel && !rows.includes(sel)) rows.push(sel);
  return rows;
}

function buildPicture(g: Neighbourhood, input: PictureInput): Picture {
  const path = input.selected ? columnPath(input.selected, g.columnEdges) : null;
  const shown = new Map<string, string>(); // column key -> box id, for visible columns
  const owner = new Map<string, string>(); // column key -> box id, for every returned column
  const boxes: CanvasBox<Record<string, unknown>>[] = g.nodes.map((n) => {
    const rows = visibleRows(n, input);
    for (const c of n.columns) owner.set(c.key, n.key);
    for (const c of rows) shown.set(c.key, n.key);
    const more = n.columnCount - rows.length;
    const data: RelationData = {
      keyName: n.key,
      name: n.name,
      schema: n.schema,
      displayName: n.displayName,
      kind: n.kind,
      isRoot: n.key === g.root,
      isConsumer: n.type === 'CONSUMER',
      rows,
      more,
      selected: input.selected,
      onPath: path?.columns ?? null,
      hiddenUpstream: n.hiddenUpstream,
      hiddenDownstream: n.hiddenDownstream,
      openedUpstream: input.state.openUp.includes(n.key),
      openedDownstream: input.state.openDown.includes(n.key),
      onSelectColumn: input.onSelectColumn,
      onToggleOpen: input.onToggleOpen,
      onUnfold: input.onUnfold,
    };
    return {
      id: n.key,
      type: 'relation',
      width: NODE_WIDTH,
      height: relationHeight(rows.length, more),
      layer: n.distance,
      data,
    };
  });
  for (const grp of g.groups) {
    const data: GroupData = {
      id: grp.id,
      label: groupLabel(grp),
      sample: grp.sample,
      onOpen: input.onOpenGroup,
    };
    boxes.push({
      id: grp.id,
      type: 'cluster',
      width: GROUP_WIDTH,
      height: GROUP_HEIGHT,
      layer: grp.distance,
      data,
    });
  }
  const edges = [...columnEdges(g.columnEdges, shown, owner, path?.edges ?? null), ...relationEdges(g)];
  return {
    boxes,
    links: g.edges.map((e) => ({ from: e.from, to: e.to })),
    edges,
    summary: summaryOf(g),
  };
}

function groupLabel(grp: Neighbourhood['groups'][number]): string {
  const kind = grp.kind === 'other' ? 'metric/semantic model' : grp.kind;
  return `+${grp.count} ${kind}${grp.count === 1 ? '' : 's'}${grp.schema ? ` in ${grp.schema}` : ''}`;
}

function summaryOf(g: Neighbourhood): string {
  const grouped = g.groups.reduce((s, x) => s + x.count, 0);
  return `${g.nodes.length} boxes drawn, ${g.columnEdges.length} column edges${
    grouped ? `, ${grouped} more nodes in ${g.groups.length} groups` : ''
  }`;
}

const EDGE_COLOR = { direct: '#334155', indirect: '#94a3b8', path: '#2563eb', relation: '#64748b' };

/** Column edges between visible rows (an end whose row is folded attaches to its box), merged per handle pair. */
function columnEdges(
  list: NeighbourhoodEdge[],
  shown: Map<string, string>,
  owner: Map<string, string>,
  path: Set<number> | null,
): Edge[] {
  const merged = new Map<string, Edge & { data: { kinds: string[] } }>();
  list.forEach((e, i) => {
    const source = owner.get(e.from);
    const target = owner.get(e.to);
    if (!source || !target) return;
    const sourceHandle = shown.has(e.from) ? `out:${e.from}` : 'out:';
    const targetHandle = shown.has(e.to) ? `in:${e.to}` : 'in:';
    const id = `${sourceHandle}>${targetHandle}@${source}>${target}`;
    const onPath = path?.has(i) ?? false;
    const prev = merged.get(id);
    const kinds = [...new Set([...(prev?.data.kinds ?? []), e.kind])].sort();
    const direct = kinds.some(isDirect);
    const highlighted = onPath || prev?.zIndex === 10;
    merged.set(id, {
      id,
      source,
      target,
      sourceHandle,
      targetHandle,
      type: 'default',
      data: { kinds },
      zIndex: highlighted ? 10 : 0,
      style: {
        stroke: highlighted ? EDGE_COLOR.path : direct ? EDGE_COLOR.direct : EDGE_COLOR.indirect,
        strokeWidth: highlighted ? 2.6 : 1.3,
        strokeDasharray: direct ? undefined : '5 4',
        opacity: path && !highlighted ? 0.15 : 1,
      },
      className: direct ? 'edge-direct' : 'edge-indirect',
    });
  });
  return [...merged.values()];
}

/** Relation, consumer and group edges, drawn only between boxes no column edge already joins. */
function relationEdges(g: Neighbourhood): Edge[] {
  const joined = new Set<string>();
  const owner = new Map(g.nodes.flatMap((n) => n.columns.map((c) => [c.key, n.key] as const)));
  for (const e of g.columnEdges) joined.add(`${owner.get(e.from)}>${owner.get(e.to)}`);
  return g.edges
    .filter((e) => !joined.has(`${e.from}>${e.to}`))
    .map((e) => ({
      id: `rel:${e.from}>${e.to}:${e.kind}`,
      source: e.from,
      target: e.to,
      sourceHandle: 'out:',
      targetHandle: 'in:',
      data: { kinds: [e.kind] },
      markerEnd: { type: MarkerType.ArrowClosed, color: EDGE_COLOR.relation },
      style: {
        stroke: EDGE_COLOR.relation,
        strokeWidth: 2,
        strokeDasharray: e.kind === 'GROUP' ? '2 4' : undefined,
      },
    }));
}

/** The hovered edge names its kinds (direct or indirect). */
function labelHovered(edges: Edge[], hovered: string | null): Edge[] {
  if (!hovered) return edges;
  return edges.map((e) => {
    if (e.id !== hovered) return e;
    const kinds = ((e.data?.kinds as string[] | undefined) ?? []).map(
      (k) =>
        `${k}${isDirect(k) ? ' (direct)' : ['RELATION', 'CONSUMER', 'GROUP'].includes(k) ? '' : ' (indirect)'}`,
    );
    return {
      ...e,
      label: kinds.join(', '),
      labelStyle: { fontSize: 12, fill: '#0f172a' },
      labelBgStyle: { fill: '#fef9c3' },
      labelBgPadding: [6, 3] as [number, number],
      zIndex: 20,
    };
  });
}
