// Resolves what a user typed (a canonical key, a dbt unique_id, or a name) to exactly one node.
import { lineageError } from '../errors.ts';
import type { AnyNode, LineageStore, NodeType } from '../../graph/store.ts';

/** Finds one node for `ref`: exact key (as typed, lower, upper), then dbt unique_id, then name search. */
export async function resolveRef(
  store: LineageStore,
  ref: string,
  types?: readonly NodeType[],
): Promise<AnyNode> {
  const text = ref.trim();
  if (text === '') throw lineageError('LINEAGE_BAD_ARGUMENT', 'empty asset reference');
  const allowed = (n: AnyNode) => !types || types.includes(n.type);

  const variants = [...new Set([text, text.toLowerCase(), text.toUpperCase()])];
  const byKey = await store.getNodes(variants);
  for (const v of variants) {
    const hit = byKey.get(v);
    if (hit && allowed(hit)) return hit;
  }

  const byUniqueId = (await store.findByUniqueId(text)).filter(allowed);
  const relationsFirst = byUniqueId.filter((n) => n.type !== 'column');
  if (relationsFirst.length === 1) return relationsFirst[0];
  if (byUniqueId.length === 1) return byUniqueId[0];
  if (byUniqueId.length > 1)
    throw ambiguous(
      text,
      byUniqueId.map((n) => n.node.key),
    );

  const hits = await store.search(text, { types, limit: 25 });
  const lower = text.toLowerCase();
  const exact = hits.filter(
    (h) =>
      h.name.toLowerCase() === lower ||
      h.displayName.toLowerCase() === lower ||
      h.key.toLowerCase().endsWith(`.${lower}`),
  );
  const keys = [...new Set(exact.map((h) => h.key))].sort();
  if (keys.length === 1) {
    const node = (await store.getNodes(keys)).get(keys[0]);
    if (node) return node;
  }
  if (keys.length > 1) throw ambiguous(text, keys);
  const suggestions = hits.slice(0, 5).map((h) => h.key);
  throw lineageError(
    'LINEAGE_NOT_FOUND',
    `no asset matches '${text}'${suggestions.length ? ` (did you mean: ${suggestions.join(', ')}?)` : ''}`,
    { ref: text, suggestions },
  );
}

function ambiguous(ref: string, keys: string[]) {
  const shown = keys.slice(0, 10);
  return lineageError(
    'LINEAGE_AMBIGUOUS_REF',
    `'${ref}' matches ${keys.length} assets: ${shown.join(', ')}${keys.length > shown.length ? ', …' : ''}; use a full key`,
    { ref, candidates: shown },
  );
}

/** The relation a node belongs to (a column's relation, a relation itself); null for consumers. */
export function relationOf(node: AnyNode): string | null {
  switch (node.type) {
    case 'relation':
      return node.node.key;
    case 'column':
      return node.node.relationKey;
    case 'consumer':
      return null;
  }
}
