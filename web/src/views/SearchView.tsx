// Search, keyboard-first: "/" focuses the box from anywhere, ↑/↓ move through the hits, Enter opens the
// asset page (Shift+Enter its lineage graph). Forgiving: words in order, each a subsequence ("stgord total").
// Owners (people and teams on relations and exposures) are hits too, after the assets: Enter opens the
// first asset they own, the others are links.
import { useEffect, useRef, useState } from 'react';
import { useQuery } from '../lib/api.ts';
import { href } from '../lib/route.ts';
import { navigate } from '../lib/navigation.ts';
import { SEARCH, STATS, type OwnerHit, type SearchHit, type Stats } from '../queries.ts';
import { Badge, ErrorBox, ViewHeader } from '../ui.tsx';

function useDebounced(value: string, ms: number): string {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Asset hits and owner hits for the (debounced) text: one request, nothing for an empty box. */
function useSearch(text: string) {
  const variables = { text, first: 25 };
  const q = useQuery<{ fuzzySearch: SearchHit[]; ownerSearch: OwnerHit[] }>(SEARCH, variables, text === '');
  const hits = text === '' ? [] : (q.data?.fuzzySearch ?? []);
  const owners = text === '' ? [] : (q.data?.ownerSearch ?? []);
  return { variables, q, hits, owners };
}

export function SearchView({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const debounced = useDebounced(text.trim(), 120);
  const { variables, q, hits, owners } = useSearch(debounced);
  const count = hits.length + owners.length;
  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [debounced]);
  const open = (i: number, graph: boolean) => {
    const hit = i < hits.length ? hits[i] : owners[i - hits.length]?.assets[0];
    if (hit) navigate(href(graph && hit.type !== 'CONSUMER' ? 'graph' : 'asset', hit.key));
  };
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(count - 1, a + 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
    else if (e.key === 'Enter') open(active, e.shiftKey);
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
        aria-expanded={count > 0}
        aria-controls="search-hits"
        aria-activedescendant={active < count ? `hit-${active}` : undefined}
        aria-label="search relations, columns, exposures and owners"
        placeholder="Search relations, columns, exposures, owners… (try “stgord total”)"
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
        {owners.map((o, j) => (
          <OwnerRow
            key={o.id}
            owner={o}
            index={hits.length + j}
            active={hits.length + j === active}
            onHover={setActive}
          />
        ))}
      </ul>
      {debounced !== '' && !q.loading && count === 0 && !q.error && <p className="muted">No match.</p>}
      {debounced === '' && <Overview />}
      <p className="muted small">Keys: / search · ↑ ↓ move · Enter open · Shift+Enter lineage graph</p>
    </section>
  );
}

function OwnerRow(props: { owner: OwnerHit; index: number; active: boolean; onHover: (i: number) => void }) {
  const { owner: o, index } = props;
  const more = o.assetCount - o.assets.length;
  return (
    <li
      id={`hit-${index}`}
      role="option"
      aria-selected={props.active}
      className={`owner-hit${props.active ? ' active' : ''}`}
      onMouseEnter={() => props.onHover(index)}
    >
      <Badge tone="owner">owner</Badge>
      <span className="owner-name">{o.name ?? o.email ?? o.id}</span>
      {o.email && o.name && <span className="muted small">{o.email}</span>}
      {o.team && <span className="muted small">team {o.team}</span>}
      <span className="owned small">
        owns{' '}
        {o.assets.map((a, i) => (
          <span key={a.key}>
            {i > 0 && ', '}
            <a href={href('asset', a.key)} tabIndex={-1}>
              {a.displayName}
            </a>
          </span>
        ))}
        {more > 0 && ` and ${more} more`}
      </span>
    </li>
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
