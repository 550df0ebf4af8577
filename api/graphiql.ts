// The GraphiQL playground, served entirely from installed npm packages (graphiql, react, react-dom UMD
// builds) so it works with no internet access. mercurius' built-in page loads from a CDN and is not used.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(name));

/** Asset name -> [file, content type]. Nothing else is served. */
export const GRAPHIQL_ASSETS: Record<string, [() => string, string]> = {
  'react.js': [
    () => join(packageDir('react'), 'umd/react.production.min.js'),
    'application/javascript; charset=utf-8',
  ],
  'react-dom.js': [
    () => join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
    'application/javascript; charset=utf-8',
  ],
  'graphiql.js': [() => require.resolve('graphiql/graphiql.min.js'), 'application/javascript; charset=utf-8'],
  'graphiql.css': [() => require.resolve('graphiql/graphiql.min.css'), 'text/css; charset=utf-8'],
};

export interface ExampleQuery {
  title: string;
  query: string;
  variables?: Record<string, unknown>;
}

function page(examples: ExampleQuery[], endpoint: string): string {
  const tabs = examples.map((e) => ({
    query: `# ${e.title}\n${e.query}`,
    variables: e.variables ? JSON.stringify(e.variables, null, 2) : undefined,
  }));
  // JSON inside <script>: escape '<' so no example can close the tag.
  const data = JSON.stringify({ endpoint, tabs }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lineage GraphiQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/graphiql/assets/graphiql.css">
<style>html,body,#graphiql{height:100%;margin:0;overflow:hidden}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/assets/react.js"></script>
<script src="/graphiql/assets/react-dom.js"></script>
<script src="/graphiql/assets/graphiql.js"></script>
<script id="lineage-config" type="application/json">${data}</script>
<script>
  (function () {
    var cfg = JSON.parse(document.getElementById('lineage-config').textContent);
    var fetcher = GraphiQL.createFetcher({ url: new URL(cfg.endpoint, window.location.href).toString() });
    // /graphiql?query=…&variables=… (the explorer's "GraphQL query" links) opens that query in its own tab.
    var params = new URLSearchParams(window.location.search);
    var root = ReactDOM.createRoot(document.getElementById('graphiql'));
    root.render(React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: cfg.tabs,
      query: params.get('query') || undefined,
      variables: params.get('variables') || undefined,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
    }));
  })();
</script>
</body>
</html>
`;
}

export function registerGraphiql(app: FastifyInstance, examples: ExampleQuery[]): void {
  const html = page(examples, '/graphql');
  const cache = new Map<string, Buffer>();
  app.get('/graphiql', async (_req, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    return html;
  });
  app.get<{ Params: { name: string } }>('/graphiql/assets/:name', async (req, reply) => {
    const entry = GRAPHIQL_ASSETS[req.params.name];
    if (!Object.hasOwn(GRAPHIQL_ASSETS, req.params.name) || !entry) {
      reply.code(404);
      return { error: { code: 'LINEAGE_NOT_FOUND', message: 'no such playground asset' } };
    }
    let body = cache.get(req.params.name);
    if (!body) {
      body = await readFile(entry[0]());
      cache.set(req.params.name, body);
    }
    reply.header('content-type', entry[1]).header('cache-control', 'public, max-age=86400');
    return body;
  });
}
