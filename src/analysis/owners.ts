// Describing assets and grouping them by owner and team (impact results, alert routes).
import type { Owner } from '../model/lineage.ts';
import type { AnyNode } from '../../graph/store.ts';
import type { AlertSeverity, Importance } from './importance.ts';
import { maxSeverity } from './importance.ts';

export interface AssetRef {
  key: string;
  type: 'relation' | 'column' | 'consumer';
  /** Relation kind, consumer kind, or 'column'. */
  kind: string;
  name: string;
  displayName: string;
  schema: string | null;
  owners: Owner[];
  tags: string[];
}

export interface OwnerGroup {
  id: string;
  name: string | null;
  email: string | null;
  team: string | null;
  /** Impacted asset keys, most important first. */
  assets: string[];
  count: number;
  maxSeverity: AlertSeverity;
}

export interface TeamGroup {
  team: string;
  owners: string[];
  assets: string[];
  count: number;
  maxSeverity: AlertSeverity;
}

/** Id of the pseudo-owner that collects assets nobody owns. */
export const UNOWNED = '(unowned)';

export function describeNode(node: AnyNode | undefined, key: string): AssetRef {
  if (!node)
    return {
      key,
      type: 'relation',
      kind: 'unknown',
      name: key,
      displayName: key,
      schema: null,
      owners: [],
      tags: [],
    };
  switch (node.type) {
    case 'relation': {
      const r = node.node;
      return {
        key,
        type: 'relation',
        kind: r.kind,
        name: r.name,
        displayName: r.displayName,
        schema: r.schema,
        owners: r.owners,
        tags: r.tags,
      };
    }
    case 'column': {
      const c = node.node;
      return {
        key,
        type: 'column',
        kind: 'column',
        name: c.name,
        displayName: c.displayName,
        schema: null,
        owners: [],
        tags: c.tags,
      };
    }
    case 'consumer': {
      const c = node.node;
      return {
        key,
        type: 'consumer',
        kind: c.kind,
        name: c.name,
        displayName: c.name,
        schema: null,
        owners: c.owners,
        tags: c.tags,
      };
    }
  }
}

/** Groups assets by owner id and by team; assets ranked by importance then key; groups by count then id. */
export function groupOwners(
  assets: readonly (AssetRef & { importance: Importance })[],
  _nodes?: Map<string, AnyNode>,
): { owners: OwnerGroup[]; teams: TeamGroup[] } {
  const byOwner = new Map<
    string,
    { owner: Owner | null; assets: (AssetRef & { importance: Importance })[] }
  >();
  const seen = new Set<string>();
  for (const a of assets) {
    if (seen.has(a.key)) continue;
    seen.add(a.key);
    const owners = a.owners.length > 0 ? a.owners : [null];
    for (const o of owners) {
      const id = o?.id ?? UNOWNED;
      const g = byOwner.get(id) ?? { owner: o, assets: [] };
      g.assets.push(a);
      byOwner.set(id, g);
    }
  }
  const rankAssets = (list: (AssetRef & { importance: Importance })[]) =>
    [...list].sort(
      (x, y) => y.importance.score - x.importance.score || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0),
    );
  const owners: OwnerGroup[] = [...byOwner].map(([id, g]) => ({
    id,
    name: g.owner?.name ?? null,
    email: g.owner?.email ?? null,
    team: g.owner?.team ?? null,
    assets: rankAssets(g.assets).map((a) => a.key),
    count: g.assets.length,
    maxSeverity: maxSeverity(g.assets.map((a) => a.importance.severity)),
  }));
  owners.sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const byTeam = new Map<
    string,
    { owners: Set<string>; assets: Map<string, AssetRef & { importance: Importance }> }
  >();
  for (const [id, g] of byOwner) {
    const team = g.owner?.team;
    if (!team) continue;
    const t = byTeam.get(team) ?? { owners: new Set(), assets: new Map() };
    t.owners.add(id);
    for (const a of g.assets) t.assets.set(a.key, a);
    byTeam.set(team, t);
  }
  const teams: TeamGroup[] = [...byTeam].map(([team, t]) => ({
    team,
    owners: [...t.owners].sort(),
    assets: rankAssets([...t.assets.values()]).map((a) => a.key),
    count: t.assets.size,
    maxSeverity: maxSeverity([...t.assets.values()].map((a) => a.importance.severity)),
  }));
  teams.sort((a, b) => b.count - a.count || (a.team < b.team ? -1 : a.team > b.team ? 1 : 0));
  return { owners, teams };
}
