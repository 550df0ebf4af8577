// Warehouse views: unused tables and columns (filterable, exportable), and complexity per schema as a
// chart with a drill-down to the models of a schema.
import { useState } from 'react';
import { useQuery } from '../lib/api.ts';
import type { Row } from '../lib/export.ts';
import { href, type Route } from '../lib/route.ts';
import { navigate } from '../lib/navigation.ts';
import {
  COMPLEXITY,
  UNUSED_COLUMNS,
  UNUSED_TABLES,
  type ComplexityItem,
  type UnusedAnswer,
} from '../queries.ts';
import { AssetLink, ErrorBox, ExportButtons, Loading, ViewHeader } from '../ui.tsx';
import { formatBytes } from './AssetView.tsx';

const TABLE_COLUMNS = [
  'key',
  'kind',
  'schema',
  'sizeBytes',
  'rowCount',
  'owners',
  'lastReadAt',
  'lastReader',
];
const COLUMN_COLUMNS = [
  'key',
  'relationKey',
  'dataType',
  'relationSizeBytes',
  'owners',
  'lastReadAt',
  'lastReader',
];

type UnusedWhat = 'tables' | 'columns';

/** The unused view's state: the route's what/since/schema, the page's filter, the answer as export rows. */
function useUnused(route: Route) {
  const what: UnusedWhat = route.params.get('what') === 'columns' ? 'columns' : 'tables';
  const since = route.params.get('since') ?? '90d';
  const schema = route.params.get('schema') ?? '';
  const [filter, setFilter] = useState('');
  const query = what === 'tables' ? UNUSED_TABLES : UNUSED_COLUMNS;
  const variables = { since, schema: schema || null, sort: 'SIZE' };
  const q = useQuery<Record<string, UnusedAnswer>>(query, variables);
  const answer = q.data ? Object.values(q.data)[0] : null;
  const cols = what === 'tables' ? TABLE_COLUMNS : COLUMN_COLUMNS;
  const rows: Row[] = (answer?.edges ?? [])
    .map((e): Row => ({
      ...(e.node as unknown as Row),
      owners: e.node.owners.map((o) => o.id).join(' '),
    }))
    .filter((r) => filter === '' || String(r.key).toLowerCase().includes(filter.toLowerCase()));
  return { what, since, schema, filter, setFilter, query, variables, q, answer, cols, rows };
}

export function UnusedView({ route }: { route: Route }) {
  const u = useUnused(route);
  const { what, since, schema, answer, q } = u;
  return (
    <section className="view unused-view">
      <ViewHeader title={`Unused ${what}`} query={u.query} variables={u.variables}>
        {(['tables', 'columns'] as const).map((w) => (
          <a
            key={w}
            className={`button ${what === w ? 'on' : ''}`}
            href={href('unused', '', { what: w, since, schema })}
          >
            {w}
          </a>
        ))}
      </ViewHeader>
      <UnusedControls u={u} />
      {q.error && <ErrorBox error={q.error} />}
      {!answer && !q.error && <Loading what={`unused ${what}`} />}
      {answer && (
        <>
          <p className="muted">
            {answer.totalCount} unused {what} (no reads since {answer.since}, nothing downstream, no exposure)
            {answer.totalCount > answer.edges.length && `, first ${answer.edges.length} shown`}
            {!answer.hasUsageData &&
              ' · no query log was ingested, so "unused" means only "nothing depends on it"'}
            {u.filter && ` · ${u.rows.length} match the filter`}
          </p>
          <UnusedTable cols={u.cols} rows={u.rows} />
        </>
      )}
    </section>
  );
}

function UnusedControls({ u }: { u: ReturnType<typeof useUnused> }) {
  const { what, since, schema } = u;
  const go = (next: Record<string, string>) => navigate(href('unused', '', { what, since, schema, ...next }));
  return (
    <form
      className="controls"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        go({ since: String(f.get('since')), schema: String(f.get('schema')) });
      }}
    >
      <label>
        Not read since <input name="since" defaultValue={since} size={6} />
      </label>
      <label>
        Schema <input name="schema" defaultValue={schema} size={12} />
      </label>
      <button type="submit">Apply</button>
      <label>
        Filter{' '}
        <input value={u.filter} onChange={(e) => u.setFilter(e.target.value)} aria-label="filter by key" />
      </label>
      <ExportButtons
        name={`unused-${what}`}
        columns={u.cols}
        rows={u.rows}
        title={`Unused ${what} since ${since}`}
      />
    </form>
  );
}

function UnusedTable({ cols, rows }: { cols: string[]; rows: Row[] }) {
  return (
    <table className="wide">
      <thead>
        <tr>
          {cols.map((c) => (
            <th key={c}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={String(r.key)}>
            {cols.map((c) => (
              <td key={c} className={c.endsWith('Bytes') || c === 'rowCount' ? 'num' : ''}>
                {c === 'key' || c === 'relationKey' ? (
                  <AssetLink k={String(r[c])} />
                ) : c.endsWith('Bytes') && typeof r[c] === 'number' ? (
                  formatBytes(r[c] as number)
                ) : (
                  String(r[c] ?? '')
                )}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const COMPONENT_COLORS = [
  '#2563eb',
  '#7c3aed',
  '#db2777',
  '#ea580c',
  '#16a34a',
  '#0891b2',
  '#ca8a04',
  '#475569',
];

export function ComplexityView({ route }: { route: Route }) {
  const schema = route.key;
  const variables = schema ? { scope: 'MODEL', schema } : { scope: 'SCHEMA' };
  const q = useQuery<{ complexity: { totalCount: number; edges: { node: ComplexityItem }[] } }>(
    COMPLEXITY,
    variables,
  );
  const items = q.data?.complexity.edges.map((e) => e.node) ?? [];
  const components = [...new Set(items.flatMap((i) => i.breakdown.map((b) => b.component)))];
  return (
    <section className="view complexity-view">
      <ViewHeader
        title={schema ? `Complexity of models in ${schema}` : 'Complexity per schema'}
        query={COMPLEXITY}
        variables={variables}
      >
        {schema && (
          <a className="button" href={href('complexity')}>
            all schemas
          </a>
        )}
      </ViewHeader>
      {q.error && <ErrorBox error={q.error} />}
      {!q.data && !q.error && <Loading what="complexity" />}
      {items.length > 0 && (
        <div className="card">
          <p className="legend small">
            {components.map((c, i) => (
              <span key={c}>
                <span className="dot" style={{ background: COMPONENT_COLORS[i % COMPONENT_COLORS.length] }} />{' '}
                {c}{' '}
              </span>
            ))}
          </p>
          <ComplexityChart
            items={items.slice(0, 40)}
            components={components}
            onPick={
              schema ? (key) => navigate(href('asset', key)) : (key) => navigate(href('complexity', key))
            }
          />
          <p className="muted small">
            {schema ? 'Click a model for its asset page.' : 'Click a schema to drill down to its models.'}{' '}
            Score = sum of the weighted, normalized components (docs/api.md).
          </p>
        </div>
      )}
    </section>
  );
}

function ComplexityChart(props: {
  items: ComplexityItem[];
  components: string[];
  onPick: (key: string) => void;
}) {
  const { items, components } = props;
  const max = Math.max(...items.map((i) => i.score), 1e-9);
  const rowH = 24;
  const left = 300;
  const width = 1000;
  const scale = (v: number) => ((width - left - 70) * v) / max;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${items.length * rowH + 4}`}
      role="list"
      aria-label="complexity scores"
    >
      {items.map((item, i) => {
        let x = left;
        return (
          <g
            key={item.key}
            transform={`translate(0, ${i * rowH})`}
            role="listitem"
            tabIndex={0}
            className="bar"
            aria-label={`${item.key}: score ${item.score}`}
            onClick={() => props.onPick(item.key)}
            onKeyDown={(e) => e.key === 'Enter' && props.onPick(item.key)}
          >
            <text x={left - 8} y={16} textAnchor="end" className="tl-label">
              {item.key.length > 40 ? `…${item.key.slice(-39)}` : item.key}
              {item.relations > 1 ? ` (${item.relations})` : ''}
            </text>
            {item.breakdown.map((b) => {
              const w = scale(b.contribution);
              const rect = (
                <rect
                  key={b.component}
                  x={x}
                  y={4}
                  width={Math.max(0, w)}
                  height={rowH - 8}
                  fill={COMPONENT_COLORS[components.indexOf(b.component) % COMPONENT_COLORS.length]}
                >
                  <title>
                    {b.component}: raw {b.raw}, contributes {b.contribution.toFixed(3)}
                  </title>
                </rect>
              );
              x += w;
              return rect;
            })}
            <text x={x + 6} y={16} className="tl-axis">
              {item.score.toFixed(2)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
