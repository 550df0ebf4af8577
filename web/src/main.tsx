// The explorer's shell: a header with the search shortcut, the views' navigation and the read-token box,
// and the view the URL hash names.
import '@xyflow/react/dist/style.css';
import './styles.css';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { readToken, saveToken } from './lib/api.ts';
import { href, type Route } from './lib/route.ts';
import { navigate, useRoute } from './lib/navigation.ts';
import { AssetView } from './views/AssetView.tsx';
import { GraphView } from './views/GraphView.tsx';
import { ImpactView } from './views/ImpactView.tsx';
import { RootCauseView } from './views/RootCauseView.tsx';
import { SearchView } from './views/SearchView.tsx';
import { ComplexityView, UnusedView } from './views/WarehouseViews.tsx';

function CurrentView({ route }: { route: Route }) {
  switch (route.view) {
    case 'search':
      return <SearchView key={route.params.get('q') ?? ''} initial={route.params.get('q') ?? ''} />;
    case 'asset':
      return <AssetView key={route.key} assetKey={route.key} />;
    case 'graph':
      return <GraphView key={route.key} route={route} />;
    case 'impact':
      return <ImpactView key={route.key} route={route} />;
    case 'root-cause':
      return <RootCauseView key={route.key} route={route} />;
    case 'unused':
      return <UnusedView route={route} />;
    case 'complexity':
      return <ComplexityView route={route} />;
  }
}

function TokenBox() {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(readToken());
  const set = readToken() !== '';
  return (
    <span className="token">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        Token{set ? ' ✓' : ''}
      </button>
      {open && (
        <form
          className="token-form"
          onSubmit={(e) => {
            e.preventDefault();
            saveToken(value);
            setOpen(false);
          }}
        >
          <label>
            Read token (when the server sets LINEAGE_READ_TOKEN; kept for this tab only)
            <input type="password" value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
          </label>
          <button type="submit">Save</button>
        </form>
      )}
    </span>
  );
}

const NAV: [Route['view'], string][] = [
  ['search', 'Search'],
  ['unused', 'Unused'],
  ['complexity', 'Complexity'],
];

function App() {
  const route = useRoute();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');
      if (e.key === '/' && !typing) {
        e.preventDefault();
        if (route.view !== 'search') navigate(href('search'));
        else document.querySelector<HTMLInputElement>('.search-box')?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [route.view]);
  return (
    <>
      <header className="top">
        <a className="brand" href={href('search')}>
          lineage explorer
        </a>
        <nav aria-label="views">
          {NAV.map(([view, label]) => (
            <a key={view} href={href(view)} aria-current={route.view === view ? 'page' : undefined}>
              {label}
            </a>
          ))}
          <a href="/graphiql">GraphiQL</a>
        </nav>
        <span className="muted small">press / to search</span>
        <TokenBox />
      </header>
      <main>
        <CurrentView route={route} />
      </main>
    </>
  );
}

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
