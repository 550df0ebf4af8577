// The asset page of a relation, column or consumer: what it is, its columns, owners, tags, tests and their
// last status, freshness, usage (with reads per day), compiled SQL and its shape, and its edges with
// provenance and confidence.
import { useQuery } from '../lib/api.ts';
import { href } from '../lib/route.ts';
import { ASSET, type AssetPage, type NeighbourRow } from '../queries.ts';
import { AssetLink, Badge, ErrorBox, Loading, ViewHeader } from '../ui.tsx';
import { CompiledSql } from './CompiledSql.tsx';

export function AssetView({ assetKey }: { assetKey: string }) {
  const variables = { ref: assetKey };
  const q = useQuery<{ asset: AssetPage | null }>(ASSET, variables);
  const a = q.data?.asset;
  return (
    <section className="view asset-view">
      <ViewHeader title={a ? a.displayName : assetKey} query={ASSET} variables={variables}>
        {a && a.type !== 'CONSUMER' && (
          <>
            <a className="button" href={href('graph', a.key)}>
              Lineage graph
            </a>
            <a className="button" href={href('impact', a.key)}>
              Impact
            </a>
          </>
        )}
        {a && (
          <a className="button" href={href('root-cause', a.key)}>
            Root cause
          </a>
        )}
      </ViewHeader>
      {q.error && <ErrorBox error={q.error} />}
      {!a && !q.error && <Loading what="the asset" />}
      {a && <AssetBody a={a} />}
    </section>
  );
}

function AssetBody({ a }: { a: AssetPage }) {
  return (
    <div className="asset-grid">
      <div>
        <Facts a={a} />
        {a.columns.length > 0 && <Columns a={a} />}
        {a.sql && <CompiledSql sql={a.sql} assetKey={a.key} />}
        <Edges title="Upstream" rows={a.upstream} />
        <Edges title="Downstream" rows={a.downstream} />
      </div>
      <aside>
        <UsagePanel a={a} />
        <Checks a={a} />
        {a.sqlShape && <SqlShape shape={a.sqlShape} />}
      </aside>
    </div>
  );
}

function Facts({ a }: { a: AssetPage }) {
  const rows: [string, React.ReactNode][] = [
    ['key', <code key="k">{a.key}</code>],
    ['type', `${a.type.toLowerCase()} · ${a.kind}`],
    ['dbt unique_id', a.uniqueId],
    ['relation', a.relationKey && a.relationKey !== a.key ? <AssetLink k={a.relationKey} /> : null],
    ['data type', a.dataType],
    ['materialization', a.materialization],
    [
      'size',
      a.sizeBytes !== null
        ? `${formatBytes(a.sizeBytes)}${a.rowCount !== null ? `, ${a.rowCount} rows` : ''}`
        : null,
    ],
    ['owners', a.owners.length ? a.owners.map((o) => o.email ?? o.name ?? o.id).join(', ') : 'unowned'],
    ['team', [...new Set(a.owners.map((o) => o.team).filter(Boolean))].join(', ') || null],
    ['url', a.url ? <a href={a.url}>{a.url}</a> : null],
    [
      'freshness',
      a.freshness
        ? `${a.freshness.kind.replace('source_', '')} at ${a.freshness.at}: ${a.freshness.message}`
        : null,
    ],
  ];
  return (
    <div className="card">
      {a.description && <p>{a.description}</p>}
      <p>
        {a.isKeyAsset && <Badge tone="key">key asset</Badge>}
        {a.tags.map((t) => (
          <Badge key={t}>{t}</Badge>
        ))}
      </p>
      <dl className="facts">
        {rows
          .filter(([, v]) => v !== null && v !== undefined && v !== '')
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
    </div>
  );
}

function Columns({ a }: { a: AssetPage }) {
  return (
    <div className="card">
      <h2>Columns ({a.columns.length})</h2>
      <table>
        <thead>
          <tr>
            <th>column</th>
            <th>type</th>
            <th>description</th>
            <th>tags</th>
          </tr>
        </thead>
        <tbody>
          {a.columns.map((c) => (
            <tr key={c.key}>
              <td>
                <AssetLink k={c.key} label={c.displayName} />
              </td>
              <td>
                <code>{c.dataType ?? ''}</code>
              </td>
              <td>{c.description ?? ''}</td>
              <td>{c.tags.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Edges({ title, rows }: { title: string; rows: NeighbourRow[] }) {
  if (rows.length === 0) return null;
  return (
    <div className="card">
      <h2>
        {title} ({rows.length})
      </h2>
      <table>
        <thead>
          <tr>
            <th>asset</th>
            <th>kind</th>
            <th>confidence</th>
            <th>provenance</th>
            <th>queries</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.key}-${r.kind}`}>
              <td>
                <AssetLink k={r.key} />
              </td>
              <td>{r.kind}</td>
              <td>{r.confidence}</td>
              <td>{r.provenances.join(', ')}</td>
              <td className="num">{r.queryCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function UsagePanel({ a }: { a: AssetPage }) {
  const u = a.usage;
  const max = Math.max(1, ...a.readsPerDay.map((d) => d.reads));
  const w = 8;
  return (
    <div className="card">
      <h2>Usage (90 days)</h2>
      {u ? (
        <p>
          {u.reads} reads by {u.distinctReaders} readers
          {u.lastReadAt && (
            <>
              <br />
              last read {u.lastReadAt} by {u.lastReader}
            </>
          )}
          {u.writes > 0 && (
            <>
              <br />
              {u.writes} writes, last {u.lastWriteAt} by {u.lastWriter}
            </>
          )}
        </p>
      ) : (
        <p className="muted">No usage recorded.</p>
      )}
      <svg
        className="spark"
        width={a.readsPerDay.length * w}
        height={40}
        role="img"
        aria-label={`reads per day over the last ${a.readsPerDay.length} days`}
      >
        {a.readsPerDay.map((d, i) => (
          <rect
            key={d.day}
            x={i * w}
            y={40 - (36 * d.reads) / max}
            width={w - 2}
            height={(36 * d.reads) / max + 1}
          >
            <title>
              {d.day}: {d.reads} reads
            </title>
          </rect>
        ))}
      </svg>
      <p className="muted small">reads per day, last {a.readsPerDay.length} days</p>
    </div>
  );
}

function Checks({ a }: { a: AssetPage }) {
  if (a.checks.length === 0) return null;
  return (
    <div className="card">
      <h2>Tests ({a.checks.length})</h2>
      <ul className="plain">
        {a.checks.map((c) => (
          <li key={c.id} title={c.message ?? ''}>
            <Badge tone={c.status ?? 'unknown'}>{c.status ?? 'no run'}</Badge> {c.testType ?? c.name}
            {c.columnKey && (
              <span className="muted small"> on {c.columnKey.slice(c.columnKey.lastIndexOf('.') + 1)}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SqlShape({ shape }: { shape: Record<string, number> }) {
  return (
    <div className="card">
      <h2>SQL shape</h2>
      <dl className="facts compact">
        {Object.entries(shape).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
}
