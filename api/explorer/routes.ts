// The explorer page and its two assets. Public like the playground: the page holds no lineage data, which
// comes through /graphql with the read token when one is set (the page asks for it).
import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../routes.ts';
import { explorerBundle } from './bundle.ts';

export const EXPLORER_PATH = '/explorer';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lineage explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${EXPLORER_PATH}/assets/app.css">
</head>
<body>
<div id="root"><p style="padding:16px;font-family:system-ui">Loading the lineage explorer…</p></div>
<script type="module" src="${EXPLORER_PATH}/assets/app.js"></script>
</body>
</html>
`;

function registerExplorer(app: FastifyInstance): void {
  app.get(EXPLORER_PATH, async (_req, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    return PAGE;
  });
  app.get(`${EXPLORER_PATH}/assets/app.js`, async (_req, reply) => {
    const b = await explorerBundle();
    reply.header('content-type', 'application/javascript; charset=utf-8').header('cache-control', 'no-cache');
    return b.js;
  });
  app.get(`${EXPLORER_PATH}/assets/app.css`, async (_req, reply) => {
    const b = await explorerBundle();
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'no-cache');
    return b.css;
  });
}

export const explorerRoutes: RouteModule = { name: 'explorer', scope: 'public', register: registerExplorer };
