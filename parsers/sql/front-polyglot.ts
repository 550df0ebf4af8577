// The @polyglot-sql/sdk front end (sqlglot in WASM): statement text -> our tree. Loaded lazily by the
// front-end worker.
import type { Platform } from '../../src/model/lineage.ts';
import { pStatement } from './convert-polyglot.ts';
import type { FrontResult } from './front.ts';
import { parsePolyglot, polyglotSqlOf } from './parse-polyglot.ts';

export function readWithPolyglot(text: string, platform: Platform): FrontResult {
  const poly = parsePolyglot(text, platform);
  if (!poly.ok) return { ok: false, message: poly.message };
  return {
    ok: true,
    tree: pStatement(poly.ast, platform, (n) => polyglotSqlOf(n, platform)),
    frontEnd: 'polyglot',
  };
}
