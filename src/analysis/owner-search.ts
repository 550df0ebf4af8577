// Owner search for the explorer's search box: people and teams named on relations and exposures (dbt
// meta owner / exposure owner), found with the same forgiving word match as fuzzy-search.ts over their
// name, email, team and id, each with how many assets list them and the first few of those assets.
// One scan of the relations and consumers; its loop stops at pause points (graph/cooperate.ts).
import { pausePoint, PAUSE_MASK } from '../../graph/cooperate.ts';
import type { LineageStore, NodeType } from '../../graph/store.ts';
import type { Owner } from '../model/lineage.ts';
import { searchWords, subsequenceScore } from './fuzzy-search.ts';
import { cmp } from './impact.ts';

export interface OwnedAsset {
  key: string;
  type: NodeType;
  displayName: string;
}

export interface OwnerHit extends Owner {
  /** Relations and exposures that list this owner. */
  assetCount: number;
  /** The first `assetsPerOwner` of them, by key. */
  assets: OwnedAsset[];
  score: number;
}

interface Found {
  owner: Owner;
  score: number;
  assets: OwnedAsset[];
}

/** Best match of the words over the owner's fields, or null when none matches. */
function ownerScore(words: readonly string[], o: Owner): number | null {
  let best: number | null = null;
  for (const field of [o.name, o.email, o.team, o.id]) {
    if (!field) continue;
    const s = subsequenceScore(words, field.toLowerCase());
    if (s !== null && (best === null || s > best)) best = s;
  }
  return best;
}

export async function searchOwners(
  store: LineageStore,
  text: string,
  options: { limit: number; assetsPerOwner: number },
): Promise<OwnerHit[]> {
  const words = searchWords(text);
  if (words.length === 0 || options.limit <= 0) return [];
  const relations = await store.listRelations();
  const consumers = await store.listConsumers();
  const nodes: { key: string; type: NodeType; displayName: string; owners: Owner[] }[] = [
    ...relations.map((r) => ({
      key: r.key,
      type: 'relation' as const,
      displayName: r.displayName,
      owners: r.owners,
    })),
    ...consumers.map((c) => ({
      key: c.key,
      type: 'consumer' as const,
      displayName: c.name,
      owners: c.owners,
    })),
  ];
  const found = new Map<string, Found>();
  const rejected = new Set<string>();
  const pause = pausePoint();
  for (let i = 0; i < nodes.length; i++) {
    if (pause && (i & PAUSE_MASK) === PAUSE_MASK) await pause();
    const n = nodes[i];
    for (const o of n.owners) {
      let f = found.get(o.id);
      if (f === undefined) {
        if (rejected.has(o.id)) continue;
        const score = ownerScore(words, o);
        if (score === null) {
          rejected.add(o.id);
          continue;
        }
        found.set(o.id, (f = { owner: o, score, assets: [] }));
      }
      f.assets.push({ key: n.key, type: n.type, displayName: n.displayName });
    }
  }
  return [...found.values()]
    .sort((a, b) => b.score - a.score || cmp(a.owner.id, b.owner.id))
    .slice(0, options.limit)
    .map((f) => ({
      ...f.owner,
      score: Math.round(f.score * 100) / 100,
      assetCount: f.assets.length,
      assets: f.assets.sort((a, b) => cmp(a.key, b.key)).slice(0, options.assetsPerOwner),
    }));
}
