// Search, keyboard-first: "/" focuses the box from anywhere, ↑/↓ move through the hits, Enter opens the
// asset page (Shift+Enter its lineage graph). Forgiving: words in order, each a subsequence ("stgord total").
import { useEffect, useRef, useState } from 'react';
import { useQuery } from '../lib/api.ts';
import { href } from '../lib/route.ts';
import { navigate } from '../lib/navigation.ts';
import { SEARCH, STATS, type SearchHit, type Stats } from '../queries.ts';
import { Badge, ErrorBox, ViewHeader } from '../ui.tsx';

function useDebounced(value: string, ms: number): string {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function SearchView({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const debounced = useDebounced(text.trim(), 120);
  const variables = { text: debounced, first: 25 };
  const q = useQuery<{ fuzzySearch: SearchHit[] }>(SEARCH, variables, debounced === '');
  const hits = debounced === '' ? [] : (q.data?.fuzzySearch ?? []);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [debounced]);
  const open = (hit: SearchHit | undefined, graph: boolean) => {
    if (hit) navigate(href(graph && hit.type !== 'CONSUMER' ? 'graph' : 'asset', hit.key));
  };
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(hits.length - 1, a + 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
    else if (e.key === 'Enter') open(hits[active], e.shiftKey);
    else return;
    e.preventDefault();
  };
  return (
    <section className="view search-view">
      <ViewHeader title="Search" query={SEARCH} variables={variables} />
      <input
        ref={input}
        className="search-box"
        type="search"
        role="combobox"
        aria-expanded={hits.length > 0}
        aria-controls="search-hits"
        aria-activedescendant={hits[active] ? `hit-${active}` : undefined}
        aria-label="search relations, columns and exposures"
        placeholder="Search relations, columns, exposures… (try “stgord total”)"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
      />
      {q.error && <ErrorBox error={q.error} />}
      <ul id="search-hits" className="hits" role="listbox" aria-label="search results">
        {hits.map((h, i) => (
          <li
            key={h.key}
            id={`hit-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : ''}
            onMouseEnter={() => setActive(i)}
          >
            <Badge tone={h.type.toLowerCase()}>{h.type.toLowerCase()}</Badge>
            <a href={href('asset', h.key)}>{h.displayName}</a>
            <span className="muted small">{h.key}</span>
            {h.type !== 'CONSUMER' && (
              <a className="small" href={href('graph', h.key)} tabIndex={-1}>
                graph
              </a>
            )}
          </li>
        ))}
      </ul>
      {debounced !== '' && !q.loading && hits.length === 0 && !q.error && <p className="muted">No match.</p>}
      {debounced === '' && <Overview />}
      <p className="muted small">Keys: / search · ↑ ↓ move · Enter open · Shift+Enter lineage graph</p>
    </section>
  );
}

function Overview() {
  const q = useQuery<{ stats: Stats }>(STATS, {});
  const s = q.data?.stats;
  if (!s) return null;
  return (
    <p className="muted">
      {s.relations} relations, {s.columns} columns, {s.consumers} consumers, {s.columnEdges} column edges in
      the {s.store} store
      {s.origins.length > 0 && ` (from ${s.origins.map((o) => o.label).join(', ')})`}.
    </p>
  );
}
