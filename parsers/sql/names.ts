// Relation names as the platform means them, before identity (src/model/identity.ts) folds them.
// BigQuery: a date-sharded table (`events_20230101`), a wildcard over its shards (`events_2023*`,
// `events_*`) and a partition decorator (`t$20230101`, `t$__UNPARTITIONED__`) all name one relation:
// `events_*` for the shards, `t` for the partitions.
import type { Platform } from '../../src/model/lineage.ts';
import type { Ident } from './tree.ts';

const DATE_SHARD = /^(.+_)(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/;
const WILDCARD = /^(.+_)\d*\*$/;

/** The BigQuery table name (last part) with shard suffix / wildcard / partition decorator normalized. */
export function bigqueryTable(name: string): string {
  const base = name.includes('$') ? name.slice(0, name.indexOf('$')) || name : name;
  const m = DATE_SHARD.exec(base) ?? WILDCARD.exec(base);
  return m ? `${m[1]}*` : base;
}

/** A written relation name with the platform's table-name conventions applied to its last part. */
export function relationName(platform: Platform, parts: Ident[]): Ident[] {
  if (platform !== 'bigquery' || parts.length === 0) return parts;
  const last = parts[parts.length - 1];
  const value = bigqueryTable(last.value);
  return value === last.value ? parts : [...parts.slice(0, -1), { ...last, value }];
}
