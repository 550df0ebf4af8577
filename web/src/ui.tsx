// Small shared pieces: the "query behind this view" link, error and loading states, export buttons.
import type { ReactNode } from 'react';
import { graphiqlHref, type ApiError, type Variables } from './lib/api.ts';
import { toCsv, toJson, toMarkdown, type Row } from './lib/export.ts';
import { href } from './lib/route.ts';

export function QueryLink(props: { query: string; variables?: Variables }) {
  return (
    <a
      className="query-link"
      href={graphiqlHref(props.query, props.variables)}
      target="_blank"
      rel="noreferrer"
      title="open the GraphQL query behind this view in GraphiQL"
    >
      GraphQL query ↗
    </a>
  );
}

export function ViewHeader(props: {
  title: ReactNode;
  query: string;
  variables?: Variables;
  children?: ReactNode;
}) {
  return (
    <div className="view-head">
      <h1>{props.title}</h1>
      <div className="view-tools">
        {props.children}
        <QueryLink query={props.query} variables={props.variables} />
      </div>
    </div>
  );
}

export function ErrorBox({ error }: { error: ApiError }) {
  return (
    <div className="error" role="alert">
      <strong>{error.code ?? 'error'}</strong> {error.message}
      {error.code === 'API_UNAUTHENTICATED' && (
        <p>Paste the read token with the “Token” button at the top.</p>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function AssetLink({ k, label }: { k: string; label?: string }) {
  return (
    <a href={href('asset', k)} title={k}>
      {label ?? k}
    </a>
  );
}

export function ExportButtons(props: { name: string; columns: string[]; rows: Row[]; title?: string }) {
  const { name, columns, rows } = props;
  return (
    <span className="exports" aria-label="export">
      Export:
      <button type="button" onClick={() => download(`${name}.csv`, toCsv(columns, rows), 'text/csv')}>
        CSV
      </button>
      <button type="button" onClick={() => download(`${name}.json`, toJson(rows), 'application/json')}>
        JSON
      </button>
      <button
        type="button"
        onClick={() => download(`${name}.md`, toMarkdown(columns, rows, props.title), 'text/markdown')}
      >
        Markdown
      </button>
    </span>
  );
}

export function Badge({ children, tone }: { children: ReactNode; tone?: string }) {
  return <span className={`badge ${tone ? `tone-${tone}` : ''}`}>{children}</span>;
}

function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
