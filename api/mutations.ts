// GraphQL mutations: admin scope (checked here, since they share /graphql with the read-scoped queries),
// arguments validated with zod (api/args.ts) before anything runs.
import { parse, mutationSchemas } from './args.ts';
import { requireScope } from './auth.ts';
import type { ApiContext } from './context.ts';
import { ingestHandlers as ingest } from './ingest.ts';

type Args = Record<string, unknown>;

function admin(ctx: ApiContext): void {
  requireScope(ctx.auth, 'admin', ctx.config.server);
}

export const mutationResolvers = {
  ingestDbtPath: async (_: unknown, args: Args, ctx: ApiContext) => {
    admin(ctx);
    return ingest.fromPath(ctx, parse(mutationSchemas.ingestDbtPath, args).path);
  },
  ingestDbtArtifacts: async (_: unknown, args: Args, ctx: ApiContext) => {
    admin(ctx);
    return ingest.fromArtifacts(ctx, parse(mutationSchemas.ingestDbtArtifacts, args));
  },
  removeOrigin: async (_: unknown, args: Args, ctx: ApiContext) => {
    admin(ctx);
    const { originId } = parse(mutationSchemas.removeOrigin, args);
    const removed = await ctx.store.removeOrigin(originId);
    await ctx.sqlText.removeOrigin(originId); // its texts go with it (none is fine)
    return removed;
  },
};
