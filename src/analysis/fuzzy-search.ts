// Forgiving search for the explorer's search box, over LineageStore.search (substring search):
// the text is split into words ("ord total", "stg_orders.order"), the store is asked for the longest word,
// and every word must then appear in order as a subsequence of the hit's key ("stgord" finds
// stg_orders). When the longest word finds nothing, its first three letters are asked instead, so a
// word typed without its separators still finds the asset. Ranked by how tightly the words match.
import type { LineageStore, NodeType, SearchHit } from '../../graph/store.ts';
import { cmp } from './impact.ts';

const CANDIDATES = 500;
const PROBE = 3;

export function searchWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[\s.]+/)
    .filter((w) => w !== '');
}

/**
 * How well `words` match `hay` in order: null when some word is not a subsequence of what follows the
 * previous word. Higher is better: contiguous runs score more, letters at word starts score more.
 */
export function subsequenceScore(words: readonly string[], hay: string): number | null {
  let at = 0;
  let score = 0;
  for (const word of words) {
    const direct = hay.indexOf(word, at);
    if (direct >= 0) {
      score += 10 * word.length + (direct === 0 || /[._\s]/.test(hay[direct - 1]) ? 5 : 0);
      at = direct + word.length;
      continue;
    }
    let run = 0;
    for (const ch of word) {
      const i = hay.indexOf(ch, at);
      if (i < 0) return null;
      run = i === at ? run + 1 : 0;
      score += 1 + run;
      at = i + 1;
    }
  }
  return score - hay.length / 100;
}

export async function fuzzySearch(
  store: LineageStore,
  text: string,
  options: { types?: readonly NodeType[]; limit: number },
): Promise<SearchHit[]> {
  const words = searchWords(text);
  if (words.length === 0) return [];
  const longest = [...words].sort((a, b) => b.length - a.length)[0];
  let hits = await store.search(longest, { types: options.types, limit: CANDIDATES });
  let ranked = rank(words, hits);
  if (ranked.length === 0 && longest.length > PROBE) {
    hits = await store.search(longest.slice(0, PROBE), { types: options.types, limit: CANDIDATES });
    ranked = rank(words, hits);
  }
  return ranked.slice(0, options.limit);
}

function rank(words: string[], hits: SearchHit[]): SearchHit[] {
  const scored: SearchHit[] = [];
  for (const h of hits) {
    const best = Math.max(
      ...[h.name, h.displayName, h.key].map((f) => subsequenceScore(words, f.toLowerCase()) ?? -Infinity),
    );
    if (best > -Infinity) scored.push({ ...h, score: Math.round((best + h.score / 100) * 100) / 100 });
  }
  return scored.sort((a, b) => b.score - a.score || cmp(a.key, b.key));
}
