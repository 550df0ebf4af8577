// Known schema from DDL text: `CREATE TABLE name (col type, …)` statements read with the tokenizer, so
// scripts and benchmarks can give the resolver the columns of their tables.
import { columnName, relationIdentity } from '../../src/model/identity.ts';
import type { Platform } from '../../src/model/lineage.ts';
import type { SchemaLookup } from './scope.ts';
import { tokenize } from './tokens.ts';

const NOT_COLUMNS = new Set([
  'PRIMARY',
  'CONSTRAINT',
  'FOREIGN',
  'UNIQUE',
  'KEY',
  'CHECK',
  'INDEX',
  'LIKE',
  'PERIOD',
]);

/** Relation key -> folded column names in order, for every CREATE TABLE with a column list. */
export function schemaFromDdl(
  sql: string,
  platform: Platform,
  defaults: { database?: string | null; schema?: string | null } = {},
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const t = tokenize(sql);
  for (let k = 0; k < t.length; k++) {
    if (!(t[k].type === 'word' && t[k].text.toUpperCase() === 'CREATE')) continue;
    let j = k + 1;
    while (j < t.length && t[j].type === 'word' && t[j].text.toUpperCase() !== 'TABLE') {
      if (t[j].text === '(' || t[j].text === ';') break;
      j++;
    }
    if (!(t[j]?.type === 'word' && t[j].text.toUpperCase() === 'TABLE')) continue;
    j++;
    while (t[j]?.type === 'word' && ['IF', 'NOT', 'EXISTS'].includes(t[j].text.toUpperCase())) j++;
    const parts: { value: string; quoted: boolean }[] = [];
    while (t[j] && (t[j].type === 'word' || t[j].type === 'quoted')) {
      parts.push({ value: t[j].text, quoted: t[j].type === 'quoted' });
      if (t[j + 1]?.text === '.') j += 2;
      else {
        j++;
        break;
      }
    }
    if (parts.length === 0 || t[j]?.text !== '(') continue;
    const cols: string[] = [];
    let depth = 0;
    let expectName = true;
    for (j = j + 1; j < t.length; j++) {
      const tok = t[j];
      if (tok.text === '(' && tok.type === 'punct') depth++;
      else if (tok.text === ')' && tok.type === 'punct') {
        if (depth === 0) break;
        depth--;
      } else if (tok.text === ',' && tok.type === 'punct' && depth === 0) expectName = true;
      else if (expectName) {
        expectName = false;
        if ((tok.type === 'word' && !NOT_COLUMNS.has(tok.text.toUpperCase())) || tok.type === 'quoted') {
          cols.push(columnName(platform, { value: tok.text, quoted: tok.type === 'quoted' }));
        }
      }
    }
    out.set(relationIdentity(platform, parts, defaults).key, cols);
    k = j;
  }
  return out;
}

/** A SchemaLookup over a map of relation key -> columns. */
export function mapSchema(map: ReadonlyMap<string, readonly string[]>): SchemaLookup {
  return { columns: (key) => map.get(key) };
}
