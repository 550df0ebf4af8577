// Query depth limit as a graphql validation rule. Unlike mercurius' queryDepth it does not count
// introspection fields (`__schema`, `__type`): GraphiQL's introspection query nests `ofType` nine levels
// inside fragments (depth 14 by mercurius' count) and must keep working under a tight limit. Everything
// else counts one level per field, fragments inlined.
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

export function depthOf(
  set: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string> = new Set(),
): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    switch (sel.kind) {
      case Kind.FIELD:
        if (sel.name.value.startsWith('__')) continue;
        max = Math.max(max, 1 + depthOf(sel.selectionSet, fragments, visiting));
        break;
      case Kind.INLINE_FRAGMENT:
        max = Math.max(max, depthOf(sel.selectionSet, fragments, visiting));
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = sel.name.value;
        const frag = fragments.get(name);
        if (!frag || visiting.has(name)) continue; // unknown/cyclic fragments are reported by other rules
        visiting.add(name);
        max = Math.max(max, depthOf(frag.selectionSet, fragments, visiting));
        visiting.delete(name);
        break;
      }
    }
  }
  return max;
}

export function depthLimitRule(limit: number) {
  return (context: ValidationContext): ASTVisitor => ({
    Document(doc) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const d of doc.definitions)
        if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
      for (const d of doc.definitions) {
        if (d.kind !== Kind.OPERATION_DEFINITION) continue;
        const depth = depthOf(d.selectionSet, fragments);
        if (depth > limit)
          context.reportError(
            new GraphQLError(
              `query depth ${depth} exceeds the query depth limit of ${limit} (LINEAGE_MAX_QUERY_DEPTH)`,
              { nodes: [d] },
            ),
          );
      }
      return false;
    },
  });
}
