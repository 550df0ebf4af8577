// Writes docs/errors.md from the error-code registry (src/errors.ts): `npm run docs:errors`.
// test/errors.test.ts fails when the committed file differs from what this renders.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ERROR_CODES } from '../src/errors.ts';

export const ERROR_DOCS_PATH = new URL('../docs/errors.md', import.meta.url);

export function renderErrorDocs(): string {
  const rows = Object.entries(ERROR_CODES)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, e]) => `| \`${code}\` | ${e.exit} | ${e.http} | ${e.summary.replace(/\|/g, '\\|')} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/errors.ts by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every error the CLI or the API reports carries one of these stable codes. The CLI prints one line,',
    "`error [CODE]: message`, on stderr and exits with the code's exit status; the GraphQL API puts the code in",
    '`errors[].extensions.code` with the HTTP status shown.',
    '',
    '| code | CLI exit | HTTP | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(ERROR_DOCS_PATH, renderErrorDocs());
  process.stdout.write(`wrote docs/errors.md (${Object.keys(ERROR_CODES).length} codes)\n`);
}
