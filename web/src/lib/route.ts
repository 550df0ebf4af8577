// Hash routes: every view is a URL (#/graph/<key>?up=2), so views can be linked, bookmarked and reloaded.
export const VIEWS = ['search', 'asset', 'graph', 'impact', 'root-cause', 'unused', 'complexity'] as const;
export type View = (typeof VIEWS)[number];

export interface Route {
  view: View;
  /** The asset key (or schema) the view is about, '' when none. */
  key: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [head, ...rest] = path.split('/');
  const view = (VIEWS as readonly string[]).includes(head) ? (head as View) : 'search';
  return { view, key: decodeURIComponent(rest.join('/')), params: new URLSearchParams(query) };
}

export function href(view: View, key = '', params: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#/${view}${key ? `/${encodeURIComponent(key)}` : ''}${qs ? `?${qs}` : ''}`;
}
