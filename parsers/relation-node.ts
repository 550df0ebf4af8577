// The node of a relation a parser knows only by its name (a dbt ref or source that no manifest node
// describes, an OpenLineage dataset): the identity's parts as they are, no owners, no tags, not a key
// asset. One rule, so every parser writes such a relation the same way (the store merges them by key).
import type { RelationIdentity } from '../src/model/identity.ts';
import type { Platform, RelationKind, RelationNode } from '../src/model/lineage.ts';

export function namedRelation(id: RelationIdentity, kind: RelationKind, platform: Platform): RelationNode {
  return {
    key: id.key,
    kind,
    platform,
    displayName: id.displayName,
    database: id.database,
    schema: id.schema,
    name: id.name,
    owners: [],
    tags: [],
    isKeyAsset: false,
  };
}
