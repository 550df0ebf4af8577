// The impact view: pick a change and a mode, see the blast radius drawn (what breaks, goes stale, whose
// values change, each in its own colour), the canDrop verdict with its reasons, the exposures and owners
// ranked by importance, and export the impacted list as CSV, JSON or markdown.
import { Handle, Position, type Edge, type NodeProps } from '@xyflow/react';
import { MarkerType } from '@xyflow/react';
import { useState } from 'react';
import { Canvas, type CanvasBox } from '../graph/Canvas.tsx';
import { HEADER_HEIGHT, NODE_WIDTH, ROW_HEIGHT } from '../graph/nodes.tsx';
import { useQuery } from '../lib/api.ts';
import type { Row } from '../lib/export.ts';
import { href, type Route } from '../lib/route.ts';
import { navigate } from '../lib/navigation.ts';
import { IMPACT, type ImpactAnswer } from '../queries.ts';
import { AssetLink, Badge, ErrorBox, ExportButtons, Loading, ViewHeader } from '../ui.tsx';

const CHANGES = ['DROP', 'RENAME', 'RETYPE', 'VALUES'] as const;
const MODES = ['CONSERVATIVE', 'STRICT'] as const;
const STATUS_COLOR: Record<string, string> = {
  TARGET: '#0f172a',
  BREAKS: '#dc2626',
  STALE: '#d97706',
  VALUES: '#7c3aed',
  EXPOSURE: '#2563eb',
};

type Picture = ImpactAnswer['impactPicture'];
type PictureNode = Picture['nodes'][number];

interface ImpactBoxData extends Record<string, unknown> {
  node: PictureNode;
}

function ImpactBox({ data }: NodeProps & { data: ImpactBoxData }) {
  const n = data.node;
  return (
    <div
      className={`box impact status-${n.status} kind-${n.kind}`}
      style={{ borderColor: STATUS_COLOR[n.status] }}
    >
      <Handle type="target" position={Position.Left} id="in:" className="h-node" />
      <Handle type="source" position={Position.Right} id="out:" className="h-node" />
      <div className="box-head" style={{ background: STATUS_COLOR[n.status] }}>
        <a className="box-title nodrag" href={href('asset', n.key)} title={n.key}>
          {n.name}
        </a>
        <span className="kind">
          {n.kind === 'other' ? 'metric' : n.kind} · {n.status.toLowerCase()}
        </span>
      </div>
      <ul className="cols">
        {n.columns.map((c) => (
          <li key={c.key} className={`col status-${c.status}`} title={`${c.key}: ${c.status.toLowerCase()}`}>
            <span className="dot" style={{ background: STATUS_COLOR[c.status] ?? STATUS_COLOR.TARGET }} />
            <span className="col-name">{c.name}</span>
            <span className="col-type">
              {c.status === 'VALUES' ? 'values change' : c.status.toLowerCase()}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const NODE_TYPES = { impact: ImpactBox };

function pictureOf(p: Picture) {
  const boxes: CanvasBox<Record<string, unknown>>[] = p.nodes.map((n) => ({
    id: n.key,
    type: 'impact',
    width: NODE_WIDTH,
    height: HEADER_HEIGHT + n.columns.length * ROW_HEIGHT + 6,
    layer: n.distance,
    data: { node: n },
  }));
  const edges: Edge[] = p.edges.map((e) => ({
    id: `${e.from}>${e.to}:${e.kind}`,
    source: e.from,
    target: e.to,
    sourceHandle: 'out:',
    targetHandle: 'in:',
    markerEnd: { type: MarkerType.ArrowClosed },
    style: { stroke: '#64748b', strokeWidth: 1.6 },
  }));
  return { boxes, edges, links: p.edges };
}

function impactRows(a: ImpactAnswer['impact']): Row[] {
  const rel =
    (status: string) => (e: { node: ImpactAnswer['impact']['breaks']['edges'][number]['node'] }) => ({
      status,
      key: e.node.asset.key,
      kind: e.node.asset.kind,
      distance: e.node.distance,
      severity: e.node.importance.severity,
      importance: e.node.importance.score,
      owners: e.node.asset.owners.map((o) => o.id).join(' '),
    });
  return [
    ...a.breaks.edges.map(rel('breaks')),
    ...a.stale.edges.map(rel('stale')),
    ...a.values.edges.map((e) => ({
      status: 'values',
      key: e.node.key,
      kind: e.node.kinds.join('>'),
      distance: e.node.distance,
      severity: e.node.importance.severity,
      importance: e.node.importance.score,
      owners: '',
    })),
    ...a.exposures.map((x) => ({
      status: 'exposure',
      key: x.asset.key,
      kind: x.asset.kind,
      distance: x.distance,
      severity: x.importance.severity,
      importance: x.importance.score,
      owners: x.asset.owners.map((o) => o.id).join(' '),
    })),
  ];
}

export function ImpactView({ route }: { route: Route }) {
  const p = route.params;
  const pick = <T extends string>(name: string, options: readonly T[]): T =>
    (options as readonly string[]).includes(p.get(name) ?? '') ? (p.get(name) as T) : options[0];
  const change = pick('change', CHANGES);
  const mode = pick('mode', MODES);
  const depth = Math.min(50, Math.max(1, Number(p.get('depth') ?? 10) || 10));
  const [ref, setRef] = useState(route.key);
  const variables = { ref: route.key, change, mode, depth };
  const q = useQuery<ImpactAnswer>(IMPACT, variables, route.key === '');
  const set = (next: Record<string, string | number>) =>
    navigate(
      href('impact', (next.ref as string) ?? route.key, { change, mode, depth, ...next, ref: undefined }),
    );
  return (
    <section className="view impact-view">
      <ViewHeader title="Impact" query={IMPACT} variables={variables} />
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          set({ ref });
        }}
      >
        <label>
          Asset{' '}
          <input
            value={ref}
            onChange={(e) => setRef(e.target.value)}
            size={48}
            aria-label="asset to change"
          />
        </label>
        <label>
          Change
          <select value={change} onChange={(e) => set({ change: e.target.value })}>
            {CHANGES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Mode
          <select value={mode} onChange={(e) => set({ mode: e.target.value })}>
            {MODES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          Depth
          <input
            type="number"
            min={1}
            max={50}
            value={depth}
            onChange={(e) => set({ depth: e.target.value })}
          />
        </label>
        <button type="submit">Run impact</button>
      </form>
      {route.key === '' && <p>Type an asset key (or open one from search) and run the impact.</p>}
      {q.error && <ErrorBox error={q.error} />}
      {!q.data && !q.error && route.key !== '' && <Loading what="the impact" />}
      {q.data && <ImpactResult a={q.data} change={change} />}
    </section>
  );
}

type Impact = ImpactAnswer['impact'];

function ImpactResult({ a, change }: { a: ImpactAnswer; change: string }) {
  const i = a.impact;
  return (
    <>
      <Verdict canDrop={a.canDrop} />
      <Counters s={i.summary} omitted={a.impactPicture.omitted} />
      {i.partial && <p className="warn">Partial: {i.partialReasons.join('; ')}</p>}
      <BlastRadius picture={a.impactPicture} label={`blast radius of ${change} ${i.target.key}`} />
      <div className="two">
        <ExposureTable exposures={i.exposures} s={i.summary} />
        <OwnerTable owners={i.owners} />
      </div>
      <ImpactedTable i={i} change={change} />
    </>
  );
}

function Verdict({ canDrop }: { canDrop: ImpactAnswer['canDrop'] }) {
  return (
    <div className={`verdict verdict-${canDrop.verdict}`} role="status">
      <strong>canDrop: {canDrop.verdict}</strong>
      <ul>
        {canDrop.reasons.map((r) => (
          <li key={r.code}>
            <Badge tone={r.verdict.toLowerCase()}>{r.verdict}</Badge> <code>{r.code}</code> {r.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Counters({ s, omitted }: { s: Impact['summary']; omitted: number }) {
  return (
    <p className="counters">
      <span className="ctr breaks">{s.breaks} break</span>
      <span className="ctr stale">{s.stale} stale</span>
      <span className="ctr values">{s.values} values change</span>
      <span className="ctr exposure">{s.exposures} exposures</span>
      <span className="ctr">{s.semanticConsumers} metrics/semantic</span>
      <span className="ctr">{s.owners} owners</span>
      <span className="ctr">max severity {s.maxSeverity}</span>
      {omitted > 0 && <span className="muted">({omitted} not drawn)</span>}
    </p>
  );
}

function BlastRadius({ picture: p, label }: { picture: Picture; label: string }) {
  const picture = pictureOf(p);
  return (
    <Canvas
      boxes={picture.boxes}
      links={picture.links}
      edges={picture.edges}
      nodeTypes={NODE_TYPES}
      label={label}
      minimapColor={(n) => STATUS_COLOR[(n.data as ImpactBoxData).node.status] ?? '#64748b'}
    />
  );
}

/** Exposures (dashboards, ML models, apps) and the dbt metrics / semantic models reached, as the counters count them. */
function ExposureTable({ exposures, s }: { exposures: Impact['exposures']; s: Impact['summary'] }) {
  return (
    <div className="card">
      <h2>
        Exposures and metrics by importance ({exposures.length})
        <span className="muted small">
          {s.exposures} exposures · {s.semanticConsumers} metrics/semantic
        </span>
      </h2>
      <table>
        <thead>
          <tr>
            <th>exposure</th>
            <th>kind</th>
            <th>severity</th>
            <th>importance</th>
            <th>owners</th>
          </tr>
        </thead>
        <tbody>
          {exposures.map((x) => (
            <tr key={x.asset.key}>
              <td>
                <AssetLink k={x.asset.key} label={x.asset.name} />
                {x.importance.keyAsset && <Badge tone="key">key</Badge>}
              </td>
              <td>{x.asset.kind}</td>
              <td>
                <Badge tone={x.importance.severity.toLowerCase()}>{x.importance.severity}</Badge>
              </td>
              <td className="num">{x.importance.score}</td>
              <td>{x.asset.owners.map((o) => o.email ?? o.id).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OwnerTable({ owners }: { owners: Impact['owners'] }) {
  return (
    <div className="card">
      <h2>Owners ({owners.length})</h2>
      <table>
        <thead>
          <tr>
            <th>owner</th>
            <th>team</th>
            <th>assets</th>
            <th>max severity</th>
          </tr>
        </thead>
        <tbody>
          {owners.map((o) => (
            <tr key={o.id}>
              <td title={o.assets.join('\n')}>{o.email ?? o.name ?? o.id}</td>
              <td>{o.team ?? ''}</td>
              <td className="num">{o.count}</td>
              <td>
                <Badge tone={o.maxSeverity.toLowerCase()}>{o.maxSeverity}</Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const IMPACT_COLUMNS = ['status', 'key', 'kind', 'distance', 'severity', 'importance', 'owners'];

function ImpactedTable({ i, change }: { i: Impact; change: string }) {
  const rows = impactRows(i);
  return (
    <div className="card">
      <h2>
        Everything impacted ({rows.length}){' '}
        <ExportButtons
          name={`impact-${change.toLowerCase()}-${i.target.key}`}
          columns={IMPACT_COLUMNS}
          rows={rows}
          title={`${change} ${i.target.key}`}
        />
      </h2>
      <table>
        <thead>
          <tr>
            {IMPACT_COLUMNS.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.status}:${r.key}`} className={`row-${r.status}`}>
              {IMPACT_COLUMNS.map((c) => (
                <td key={c}>{c === 'key' ? <AssetLink k={String(r.key)} /> : String(r[c] ?? '')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
