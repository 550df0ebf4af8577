import fs from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layer table (README.md, "Architecture"): what each folder may NOT import. Arrows point one way:
// src/model <- parsers, graph <- src/analysis, src/pipeline, api <- src/cli; api -> src/pipeline (ingest
// mutations) is the one allowed sideways arrow. src/analysis, src/pipeline and api know the store interface
// (graph/*.ts), never an implementation; graph/embedded and graph/neo4j are siblings that import only the
// contract in graph/*.ts. A folder's rules apply to its subfolders too.
const IMPLEMENTATIONS = ['graph/embedded', 'graph/neo4j'];
const LAYERS = {
  'src/model': [
    'parsers',
    'graph',
    'src/analysis',
    'src/pipeline',
    'src/cli',
    'api',
    'src/config.ts',
    'src/errors.ts',
  ],
  parsers: ['graph', 'src/analysis', 'src/pipeline', 'src/alerts', 'src/cli', 'api'],
  graph: ['parsers', 'src/analysis', 'src/pipeline', 'src/alerts', 'src/cli', 'api'],
  'graph/embedded': ['graph/neo4j', 'graph/incidents', 'graph/sql-text', 'graph/create-store.ts'],
  'graph/neo4j': ['graph/embedded', 'graph/incidents', 'graph/sql-text', 'graph/create-store.ts'],
  // the incident store (alerts) is a third sibling with its own contract, graph/incidents/types.ts
  'graph/incidents': [...IMPLEMENTATIONS, 'graph/sql-text', 'graph/create-store.ts'],
  // the SQL-text store (compiled SQL beside the graph) is a fourth, graph/sql-text/types.ts
  'graph/sql-text': [...IMPLEMENTATIONS, 'graph/incidents', 'graph/create-store.ts'],
  'src/analysis': [
    ...IMPLEMENTATIONS,
    'graph/create-store.ts',
    'graph/incidents',
    'graph/sql-text',
    'parsers',
    'src/pipeline',
    'src/alerts',
    'src/cli',
    'api',
  ],
  'src/pipeline': [
    ...IMPLEMENTATIONS,
    'graph/sql-text/embedded.ts',
    'graph/sql-text/neo4j.ts',
    'src/alerts',
    'src/cli',
    'api',
  ],
  // alerts: intake -> incidents -> delivery; it opens the incident store through graph/incidents/index.ts
  'src/alerts': [
    ...IMPLEMENTATIONS,
    'graph/create-store.ts',
    'graph/incidents/embedded.ts',
    'graph/incidents/neo4j.ts',
    'src/pipeline',
    'src/cli',
    'api',
  ],
  api: [
    ...IMPLEMENTATIONS,
    'graph/create-store.ts',
    'graph/incidents/embedded.ts',
    'graph/incidents/neo4j.ts',
    'graph/sql-text/embedded.ts',
    'graph/sql-text/neo4j.ts',
    'parsers',
    'src/cli',
  ],
  'src/cli': [
    ...IMPLEMENTATIONS,
    'graph/incidents/embedded.ts',
    'graph/incidents/neo4j.ts',
    'graph/sql-text/embedded.ts',
    'graph/sql-text/neo4j.ts',
  ],
  // the explorer UI talks to the server only through /graphql
  web: ['src', 'parsers', 'graph', 'api', 'bin', 'scripts', 'bench'],
};
/** Third-party modules only one folder may import. */
const OWNED_MODULES = {
  'neo4j-driver': ['graph/neo4j', 'graph/incidents', 'graph/sql-text'],
  elkjs: ['web/src/graph'],
  esbuild: ['api/explorer'],
};

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function directoriesUnder(root) {
  if (!fs.existsSync(root)) return [];
  const out = [root];
  for (const e of fs.readdirSync(root, { withFileTypes: true }))
    if (e.isDirectory()) out.push(...directoriesUnder(path.posix.join(root, e.name)));
  return out;
}

/** One no-restricted-imports entry per source directory, with the specifiers its layers forbid spelled relative to it. */
function layerRules() {
  const dirs = [...new Set(Object.keys(LAYERS).flatMap(directoriesUnder))].sort();
  return dirs.map((dir) => {
    const layers = Object.keys(LAYERS).filter((l) => dir === l || dir.startsWith(`${l}/`));
    const patterns = layers.flatMap((layer) =>
      LAYERS[layer].map((target) => {
        let rel = path.posix.relative(dir, target);
        if (!rel.startsWith('.')) rel = `./${rel}`;
        const tail = target.endsWith('.ts') ? '$' : '(/|$)';
        return {
          regex: `^${escapeRegex(rel)}${tail}`,
          message: `${layer}/ must not import ${target} (the layer table in README.md, "Architecture").`,
        };
      }),
    );
    const paths = Object.entries(OWNED_MODULES)
      .filter(([, owners]) => !owners.some((owner) => dir === owner || dir.startsWith(`${owner}/`)))
      .map(([name, owners]) => ({ name, message: `only ${owners.join('/, ')}/ import ${name}.` }));
    return {
      files: [`${dir}/*.ts`, `${dir}/*.tsx`],
      rules: { 'no-restricted-imports': ['error', { patterns, paths }] },
    };
  });
}

// Functions read as their phases (issue 20): a product function stays under 80 lines, counted the way
// `npm run sizes` (scripts/function-sizes.ts) counts them: the whole line span with blank lines, comments and
// nested functions, IIFEs included. Tests, benchmarks and scripts are not held to it.
const PRODUCT = ['src', 'parsers', 'graph', 'api', 'web/src'];
const functionSize = {
  files: PRODUCT.flatMap((dir) => [`${dir}/**/*.ts`, `${dir}/**/*.tsx`]),
  rules: {
    'max-lines-per-function': ['error', { max: 79, skipBlankLines: false, skipComments: false, IIFEs: true }],
  },
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.lineage/',
      'bench/results/',
      'scripts/neo4j/target/',
      'test/artifacts/',
      'coverage/',
      'dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        document: 'readonly',
        window: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...layerRules(),
  functionSize,
);
