// Root cause: the ranked upstream candidates of a problem on an asset, and their evidence on one timeline
// (schema changes, SQL changes, failing tests, stale sources, writes), one row per candidate.
import { useState } from 'react';
import { useQuery } from '../lib/api.ts';
import { href, type Route } from '../lib/route.ts';
import { navigate } from '../lib/navigation.ts';
import { ROOT_CAUSE, type RootCauseAnswer } from '../queries.ts';
import { AssetLink, Badge, ErrorBox, Loading, ViewHeader } from '../ui.tsx';

type Candidate = RootCauseAnswer['rootCause']['candidates'][number];

const EVIDENCE_COLOR: Record<string, string> = {
  test_failed: '#dc2626',
  model_error: '#dc2626',
  run_failed: '#dc2626',
  run_aborted: '#d97706',
  run_late: '#d97706',
  test_warned: '#d97706',
  source_stale: '#d97706',
  recent_write: '#0891b2',
  test_passed: '#16a34a',
  source_fresh: '#16a34a',
};
const colorOf = (kind: string) => EVIDENCE_COLOR[kind] ?? '#7c3aed';

export function RootCauseView({ route }: { route: Route }) {
  const since = route.params.get('since') ?? '30d';
  const [ref, setRef] = useState(route.key);
  const [sinceText, setSince] = useState(since);
  const variables = { ref: route.key, since, depth: 10 };
  const q = useQuery<RootCauseAnswer>(ROOT_CAUSE, variables, route.key === '');
  const r = q.data?.rootCause;
  return (
    <section className="view root-cause-view">
      <ViewHeader title="Root cause" query={ROOT_CAUSE} variables={variables} />
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href('root-cause', ref, { since: sinceText }));
        }}
      >
        <label>
          Problem on{' '}
          <input
            value={ref}
            onChange={(e) => setRef(e.target.value)}
            size={48}
            aria-label="asset with a problem"
          />
        </label>
        <label>
          Since{' '}
          <input value={sinceText} onChange={(e) => setSince(e.target.value)} size={8} aria-label="since" />
        </label>
        <button type="submit">Find causes</button>
      </form>
      {q.error && <ErrorBox error={q.error} />}
      {!r && !q.error && route.key !== '' && <Loading what="the candidates" />}
      {r && r.partial && <p className="warn">Partial: {r.partialReasons.join('; ')}</p>}
      {r && r.candidates.length === 0 && <p>No upstream candidate has evidence since {r.since}.</p>}
      {r && r.candidates.length > 0 && (
        <>
          <Timeline candidates={r.candidates} since={r.since} />
          <ol className="candidates">
            {r.candidates.map((c) => (
              <li key={c.asset.key} className="card">
                <strong>
                  <AssetLink k={c.asset.key} label={c.asset.displayName} />
                </strong>{' '}
                <span className="muted">
                  {c.asset.kind} · distance {c.distance} · score {c.score}
                </span>
                <ul className="plain">
                  {c.evidence.map((e, i) => (
                    <li key={i}>
                      <Badge tone={e.kind}>{e.kind}</Badge> <span className="muted small">{e.at}</span>{' '}
                      {e.message}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function Timeline({ candidates, since }: { candidates: Candidate[]; since: string }) {
  const times = candidates.flatMap((c) => c.evidence.map((e) => Date.parse(e.at)));
  const start = Math.min(Date.parse(since), ...times);
  const end = Math.max(start + 86_400_000, ...times);
  const rowH = 26;
  const left = 260;
  const width = 1000;
  const x = (t: number) => left + ((width - left - 20) * (t - start)) / (end - start);
  const kinds = [...new Set(candidates.flatMap((c) => c.evidence.map((e) => e.kind)))].sort();
  return (
    <div className="card">
      <h2>Evidence timeline</h2>
      <svg
        className="timeline"
        viewBox={`0 0 ${width} ${candidates.length * rowH + 30}`}
        role="img"
        aria-label="evidence of each candidate on a timeline"
      >
        {candidates.map((c, i) => (
          <g key={c.asset.key} transform={`translate(0, ${i * rowH})`}>
            <text x={0} y={17} className="tl-label">
              {i + 1}.{' '}
              {c.asset.displayName.length > 34 ? `…${c.asset.displayName.slice(-33)}` : c.asset.displayName}
            </text>
            <line x1={left} x2={width - 20} y1={13} y2={13} stroke="#e2e8f0" />
            {c.evidence.map((e, j) => (
              <circle key={j} cx={x(Date.parse(e.at))} cy={13} r={6} fill={colorOf(e.kind)}>
                <title>
                  {e.at} {e.kind}: {e.message}
                </title>
              </circle>
            ))}
          </g>
        ))}
        <text x={left} y={candidates.length * rowH + 22} className="tl-axis">
          {new Date(start).toISOString().slice(0, 10)}
        </text>
        <text x={width - 20} y={candidates.length * rowH + 22} textAnchor="end" className="tl-axis">
          {new Date(end).toISOString().slice(0, 10)}
        </text>
      </svg>
      <p className="legend small">
        {kinds.map((k) => (
          <span key={k}>
            <span className="dot" style={{ background: colorOf(k) }} /> {k}{' '}
          </span>
        ))}
      </p>
    </div>
  );
}
