// Owners from the places dbt keeps them: `meta.owner` / `config.meta.owner` (a string, a list, or an object
// with name/email), the node's group's owner, exposure owners.
import type { Owner } from '../../src/model/lineage.ts';
import { isRecord } from './versions.ts';

export function ownerFrom(name: unknown, email: unknown, team?: string): Owner | null {
  const n = typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
  const emails = Array.isArray(email) ? email : [email];
  const e = emails.find((x): x is string => typeof x === 'string' && x.includes('@'))?.trim();
  if (!n && !e) return null;
  const id = e ? e.toLowerCase() : (n as string);
  return { id, ...(n ? { name: n } : {}), ...(e ? { email: e } : {}), ...(team ? { team } : {}) };
}

/** Owners named by a `meta.owner`-style value. */
export function ownersFromMetaValue(value: unknown, team?: string): Owner[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => ownersFromMetaValue(v, team));
  if (typeof value === 'string') {
    const o = value.includes('@') ? ownerFrom(undefined, value, team) : ownerFrom(value, undefined, team);
    return o ? [o] : [];
  }
  if (isRecord(value)) {
    const o = ownerFrom(value.name, value.email, team);
    return o ? [o] : [];
  }
  return [];
}

/** Unique by id, sorted by id; later duplicates fill missing name/email/team. */
export function mergeOwners(owners: Owner[]): Owner[] {
  const byId = new Map<string, Owner>();
  for (const o of owners) {
    const prev = byId.get(o.id);
    byId.set(o.id, prev ? { ...o, ...prev } : o);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
