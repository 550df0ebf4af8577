// The one scoring function for LineageStore.search: both stores rank with it, so they agree exactly.
//
// Case-insensitive (toLowerCase, no locale) over a node's name, displayName and key. Per field the tier is
// 3 = equal, 2 = starts with the text, 1 = contains it, 0 = no match. score = 100 * best tier + closeness,
// where closeness = max(0, 99 - (length of the shortest field reaching the best tier - length of the text)),
// so `orders` ranks above `orders_archive_2020` inside a tier. 0 means no match (not returned).
// Hits are sorted by score descending, then key (code-unit order); see compareSearchHits.
import type { SearchHit } from './store.ts';

export interface Searchable {
  key: string;
  name: string;
  displayName: string;
}

/** The text as searched: trimmed and lower-cased. An empty needle matches nothing. */
export function normalizeSearchText(text: string): string {
  return text.trim().toLowerCase();
}

/** Score of one candidate for an already normalized needle (normalizeSearchText). */
export function searchScore(needle: string, candidate: Searchable): number {
  if (needle === '') return 0;
  let bestTier = 0;
  let bestLength = Infinity;
  for (const field of [candidate.name, candidate.displayName, candidate.key]) {
    const hay = field.toLowerCase();
    const tier = hay === needle ? 3 : hay.startsWith(needle) ? 2 : hay.includes(needle) ? 1 : 0;
    if (tier > bestTier || (tier === bestTier && tier > 0 && hay.length < bestLength)) {
      bestTier = tier;
      bestLength = hay.length;
    }
  }
  if (bestTier === 0) return 0;
  return 100 * bestTier + Math.max(0, 99 - (bestLength - needle.length));
}

export function compareSearchHits(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
