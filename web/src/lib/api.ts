// The one way the explorer talks to the server: POST /graphql (the same API as GraphiQL and scripts), with
// the read token the user pasted when the server has LINEAGE_READ_TOKEN set.
import { useEffect, useState } from 'react';

const TOKEN_KEY = 'lineage.readToken';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

export function readToken(): string {
  return window.sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function saveToken(token: string): void {
  if (token.trim() === '') window.sessionStorage.removeItem(TOKEN_KEY);
  else window.sessionStorage.setItem(TOKEN_KEY, token.trim());
  window.dispatchEvent(new Event('lineage-token'));
}

export type Variables = Record<string, unknown>;

export async function gql<T>(query: string, variables: Variables = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = readToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code ?? null);
  if (!body.data) throw new ApiError(`the server answered ${res.status} without data`, null);
  return body.data;
}

/** The GraphiQL playground with this query and its variables preloaded in a new tab. */
export function graphiqlHref(query: string, variables: Variables = {}): string {
  const params = new URLSearchParams({ query, variables: JSON.stringify(variables, null, 2) });
  return `/graphiql?${params.toString()}`;
}

export interface QueryState<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
}

/** Runs the query whenever `key` (its variables, serialized) changes; keeps the last data while loading. */
export function useQuery<T>(query: string, variables: Variables, skip = false): QueryState<T> {
  const key = JSON.stringify(variables);
  const [tokenEpoch, setTokenEpoch] = useState(0);
  const [state, setState] = useState<QueryState<T>>({ data: null, error: null, loading: !skip });
  useEffect(() => {
    const bump = () => setTokenEpoch((n) => n + 1);
    window.addEventListener('lineage-token', bump);
    return () => window.removeEventListener('lineage-token', bump);
  }, []);
  useEffect(() => {
    if (skip) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    gql<T>(query, JSON.parse(key) as Variables).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e: unknown) =>
        live &&
        setState({
          data: null,
          error: e instanceof ApiError ? e : new ApiError(String(e), null),
          loading: false,
        }),
    );
    return () => {
      live = false;
    };
  }, [query, key, skip, tokenEpoch]);
  return state;
}
