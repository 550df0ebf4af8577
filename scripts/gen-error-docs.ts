// Writes docs/errors.md from the error-code registry (src/errors.ts) and the diagnostic-code registry
// (src/model/diagnostics.ts): `npm run docs:errors`.
// test/errors.test.ts fails when the committed file differs from what this renders.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ERROR_CODES } from '../src/errors.ts';
import { DIAGNOSTIC_CODES } from '../src/model/diagnostics.ts';

export const ERROR_DOCS_PATH = new URL('../docs/errors.md', import.meta.url);

const byCode = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
const cell = (s: string) => s.replace(/\|/g, '\\|');

export function renderErrorDocs(): string {
  const rows = Object.entries(ERROR_CODES)
    .sort(byCode)
    .map(([code, e]) => `| \`${code}\` | ${e.exit} | ${e.http} | ${cell(e.summary)} |`);
  const diagnosticRows = Object.entries(DIAGNOSTIC_CODES)
    .sort(byCode)
    .map(([code, d]) => `| \`${code}\` | ${d.severity} | ${cell(d.summary)} |`);
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
    '## Diagnostic codes',
    '',
    'Diagnostics are findings stored with the data (on a model, a logged query or an origin), not errors: the',
    'ingest goes on. `lineage ingest` prints their counts, the API lists them (`diagnostics`), and',
    '`lineage sql` returns them per statement.',
    '',
    '| code | usual severity | meaning |',
    '|---|---|---|',
    ...diagnosticRows,
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(ERROR_DOCS_PATH, renderErrorDocs());
  const counts = `${Object.keys(ERROR_CODES).length} error codes, ${Object.keys(DIAGNOSTIC_CODES).length} diagnostic codes`;
  process.stdout.write(`wrote docs/errors.md (${counts})\n`);
}
