// Identity: how a name as written becomes a canonical key. Every parser calls this module; no other
// module folds case or splits qualified names.
//
// Rules per platform (unquoted / quoted identifiers):
//   snowflake   relations and columns fold to UPPER / quoted keep case
//   postgres    fold to lower / quoted keep case
//   redshift    fold to lower / quoted fold to lower too (enable_case_sensitive_identifier is off by default)
//   bigquery    project, dataset and table keep case (they are case-sensitive) / columns fold to lower
//   databricks  case-insensitive: everything folds to lower, backquoted too
//   trino       case-insensitive: everything folds to lower, quoted too
//   duckdb      case-insensitive (case preserved for display): everything folds to lower
//   mysql       treated as case-insensitive: fold to lower
//   tsql        SQL Server's default collation is case-insensitive: everything folds to lower, [quoted] too
//   teradata    case-insensitive object names: everything folds to lower, quoted too
//   generic     fold to lower / quoted keep case
// Display names keep the original spelling.
import type { ColumnKey, Platform, RelationKey } from './lineage.ts';

export interface NamePart {
  value: string;
  quoted: boolean;
}

export type NameRole = 'database' | 'schema' | 'relation' | 'column';

export interface Defaults {
  database?: string | null;
  schema?: string | null;
}

export interface RelationIdentity {
  key: RelationKey;
  database: string | null;
  schema: string | null;
  name: string;
  /** The name as written, qualified with the defaults that were applied. */
  displayName: string;
}

/** Folds one identifier part as the platform does. */
export function foldPart(part: NamePart, platform: Platform, role: NameRole): string {
  switch (platform) {
    case 'snowflake':
      return part.quoted ? part.value : part.value.toUpperCase();
    case 'postgres':
    case 'generic':
      return part.quoted ? part.value : part.value.toLowerCase();
    case 'redshift':
    case 'databricks':
    case 'trino':
    case 'duckdb':
    case 'mysql':
    case 'tsql':
    case 'teradata':
      return part.value.toLowerCase();
    case 'bigquery':
      return role === 'column' ? part.value.toLowerCase() : part.value;
    default:
      return assertNever(platform);
  }
}

/**
 * Splits a qualified name as written (`db.schema.t`, `"My Schema"."T"`, `` `proj.ds.t` ``, `[dbo].[t]`)
 * into parts. A backquoted BigQuery path with dots inside one pair of quotes splits on those dots.
 */
export function parseQualifiedName(text: string): NamePart[] {
  const parts: NamePart[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    const ch = s[i];
    if (ch === '"' || ch === '`' || ch === '[') {
      const close = ch === '[' ? ']' : ch;
      let value = '';
      i++;
      while (i < s.length) {
        if (s[i] === close) {
          if (s[i + 1] === close && close !== ']') {
            value += close;
            i += 2;
            continue;
          }
          break;
        }
        value += s[i];
        i++;
      }
      i++; // closing quote
      if (ch === '`' && value.includes('.')) {
        for (const piece of value.split('.')) parts.push({ value: piece, quoted: true });
      } else {
        parts.push({ value, quoted: true });
      }
    } else {
      let value = '';
      while (i < s.length && s[i] !== '.') {
        value += s[i];
        i++;
      }
      if (value.trim() !== '') parts.push({ value: value.trim(), quoted: false });
    }
    while (i < s.length && s[i] === ' ') i++;
    if (s[i] === '.') i++;
    while (i < s.length && s[i] === ' ') i++;
  }
  return parts;
}

/** Writes one folded part into a key, quoting it only when it would be ambiguous. */
export function keyPart(folded: string): string {
  if (folded === '' || /["."]/.test(folded) || /\s/.test(folded)) return `"${folded.replaceAll('"', '""')}"`;
  return folded;
}

/** Splits a key back into its folded parts (the inverse of joining keyPart()s with dots). */
export function splitKey(key: string): string[] {
  return parseQualifiedName(key).map((p) => p.value);
}

function defaultPart(value: string | null | undefined): NamePart | null {
  if (value === null || value === undefined || value === '') return null;
  return parseQualifiedName(value)[0] ?? null;
}

/**
 * Canonical identity of a relation named by 1-3 parts, filling missing leading parts from the defaults.
 * Names with more than 3 parts keep the last three (e.g. a server or catalog prefix).
 */
export function relationIdentity(
  platform: Platform,
  name: string | NamePart[],
  defaults: Defaults = {},
): RelationIdentity {
  const written = typeof name === 'string' ? parseQualifiedName(name) : name;
  const parts = written.slice(-3);
  if (parts.length === 0) throw new Error('relationIdentity: empty name');
  const rel = parts[parts.length - 1];
  const schemaPart = parts.length >= 2 ? parts[parts.length - 2] : defaultPart(defaults.schema);
  const dbPart = parts.length === 3 ? parts[0] : defaultPart(defaults.database);
  const database = dbPart ? foldPart(dbPart, platform, 'database') : null;
  const schema = schemaPart ? foldPart(schemaPart, platform, 'schema') : null;
  const relName = foldPart(rel, platform, 'relation');
  const keyParts = [database, schema, relName].filter((p): p is string => p !== null);
  const shown = [dbPart, schemaPart, rel].filter((p): p is NamePart => p !== null);
  return {
    key: keyParts.map(keyPart).join('.'),
    database,
    schema,
    name: relName,
    displayName: shown.map((p) => (p.quoted ? `"${p.value}"` : p.value)).join('.'),
  };
}

export function relationKey(
  platform: Platform,
  name: string | NamePart[],
  defaults: Defaults = {},
): RelationKey {
  return relationIdentity(platform, name, defaults).key;
}

/** Canonical column name. */
export function columnName(platform: Platform, column: string | NamePart): string {
  const part = typeof column === 'string' ? { value: column, quoted: false } : column;
  return foldPart(part, platform, 'column');
}

export function columnKey(relation: RelationKey, folded: string): ColumnKey {
  return `${relation}.${keyPart(folded)}`;
}

/** Splits a column key into its relation key and folded column name. */
export function splitColumnKey(key: ColumnKey): { relationKey: RelationKey; column: string } {
  const parts = parseQualifiedName(key);
  const column = parts.pop();
  if (!column) throw new Error(`not a column key: ${key}`);
  return { relationKey: parts.map((p) => keyPart(p.value)).join('.'), column: column.value };
}

function assertNever(x: never): never {
  throw new Error(`unexpected platform: ${String(x)}`);
}
