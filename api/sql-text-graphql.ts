// GraphQL for a relation's compiled SQL (asset pages): read from the SQL-text store beside the graph
// (graph/sql-text), one read per asset asked for.
import type { ApiContext } from './context.ts';
import type { GraphQLModule } from './graphql.ts';
import type { AssetParent } from './shape.ts';

const SDL = /* GraphQL */ `
  "SQL of a relation as its tool compiled it."
  type AssetSql {
    "compiled (dbt compiled_code)"
    kind: String!
    text: String!
    "The origin (ingest) the text came from."
    originId: String!
    lines: Int!
  }
  extend type Asset {
    "The relation's compiled SQL; null for columns, consumers, sources, seeds and parse-only manifests."
    sql: AssetSql
  }
`;

export const sqlTextGraphql: GraphQLModule = {
  name: 'sql-text',
  schema: SDL,
  resolvers: {
    Asset: {
      sql: async (parent: AssetParent, _: unknown, ctx: ApiContext) => {
        if (parent.type !== 'RELATION') return null;
        await ctx.budget.checkpoint();
        const text = await ctx.sqlText.get(parent.key);
        return (
          text && { kind: text.kind, text: text.sql, originId: text.originId, lines: lineCount(text.sql) }
        );
      },
    },
  },
};

const lineCount = (sql: string): number => sql.split('\n').length;
