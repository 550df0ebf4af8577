// GraphQL for a relation's compiled SQL (asset pages): read from the SQL-text store beside the graph
// (graph/sql-text), one read per asset asked for.
import type { ApiContext } from './context.ts';
import type { GraphQLModule } from './graphql.ts';
import type { AssetParent } from './shape.ts';

const SDL = /* GraphQL */ `
  "SQL of a relation as its tool compiled it (or, when it was not compiled, its source)."
  type AssetSql {
    "compiled (dbt compiled_code / compiled_sql), or raw (dbt raw_code: Jinja, the manifest was not compiled)"
    kind: String!
    "The relation the SQL builds (a column's relation on a column's page)."
    relationKey: String!
    text: String!
    "The origin (ingest) the text came from."
    originId: String!
    lines: Int!
  }
  extend type Asset {
    "The SQL of the relation (a column's relation); null for consumers, sources, seeds, and ingests without SQL."
    sql: AssetSql
  }
`;

export const sqlTextGraphql: GraphQLModule = {
  name: 'sql-text',
  schema: SDL,
  resolvers: {
    Asset: {
      sql: async (parent: AssetParent, _: unknown, ctx: ApiContext) => {
        const relationKey = parent.type === 'RELATION' ? parent.key : parent.relationKey;
        if (parent.type === 'CONSUMER' || !relationKey) return null;
        await ctx.budget.checkpoint();
        const t = await ctx.sqlText.get(relationKey);
        return t && { kind: t.kind, relationKey, text: t.sql, originId: t.originId, lines: lineCount(t.sql) };
      },
    },
  },
};

const lineCount = (sql: string): number => sql.split('\n').length;
