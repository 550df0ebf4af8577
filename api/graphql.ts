// The /graphql route: one schema assembled from GraphQL modules (the core one in api/resolvers.ts, and any
// module another feature adds), served by mercurius in the read scope. Mutations check the admin scope in
// their resolvers (requireScope), since they share the route with queries.
import type { FastifyInstance } from 'fastify';
import mercurius from 'mercurius';
import { Admission } from './admission.ts';
import { authState } from './auth.ts';
import { budgetedStore } from './budget.ts';
import type { ApiContext, ApiDeps } from './context.ts';
import { checkCost, operationCost, storeSize } from './cost.ts';
import { errorFormatter } from './errors.ts';
import { registerGraphqlGate, requestBudget } from './graphql-gate.ts';
import { documentRules } from './limits.ts';
import type { RouteModule } from './routes.ts';

type FieldMap = Record<string, unknown>;

/** A slice of the GraphQL API: its SDL (`extend type Query { … }` for fields on shared types), resolvers, loaders. */
export interface GraphQLModule {
  name: string;
  schema: string;
  resolvers: Record<string, FieldMap>;
  /** mercurius loaders: `{ Type: { field: async (queries, ctx) => queries.map(...) } }`, one call per list. */
  loaders?: Record<string, FieldMap>;
}

/** Merges the modules' resolver (or loader) maps; a field defined twice is a programming error. */
export function mergeFieldMaps(
  maps: { name: string; map: Record<string, FieldMap> | undefined }[],
): Record<string, FieldMap> {
  const out: Record<string, FieldMap> = {};
  const owner = new Map<string, string>();
  for (const { name, map } of maps) {
    for (const [type, fields] of Object.entries(map ?? {})) {
      out[type] ??= {};
      for (const [field, fn] of Object.entries(fields)) {
        const id = `${type}.${field}`;
        const first = owner.get(id);
        if (first) throw new Error(`GraphQL field ${id} is defined by both ${first} and ${name}`);
        owner.set(id, name);
        out[type][field] = fn;
      }
    }
  }
  return out;
}

const graphqlUnauthenticated = (code: string, message: string) => ({
  data: null,
  errors: [{ message, extensions: { code } }],
});

export function graphqlRoute(modules: readonly GraphQLModule[]): RouteModule {
  return {
    name: 'graphql',
    scope: 'read',
    unauthenticated: graphqlUnauthenticated,
    async register(app: FastifyInstance, deps: ApiDeps) {
      const { store, config } = deps;
      const admission = new Admission(config.limits.maxQueryCost);
      registerGraphqlGate(app, config);
      await app.register(mercurius, {
        schema: modules.map((m) => m.schema),
        resolvers: mergeFieldMaps(modules.map((m) => ({ name: m.name, map: m.resolvers }))) as never,
        loaders: mergeFieldMaps(modules.map((m) => ({ name: m.name, map: m.loaders }))) as never,
        context: (request): ApiContext => {
          // the deadline counts from the request's arrival, not from when its turn came (api/budget.ts)
          const budget = requestBudget(request, config);
          return {
            store: budgetedStore(store, budget),
            sqlText: deps.sqlText,
            config,
            auth: authState(request, config.server),
            budget,
            now: deps.now(),
          };
        },
        validationRules: documentRules(config.limits),
        errorFormatter: errorFormatter as never,
        graphiql: false,
        path: '/graphql',
        allowBatchedQueries: false,
        additionalRouteOptions: { bodyLimit: config.limits.maxUploadBytes },
      });
      app.graphql.addHook('preExecution', async (schema, document, context, variables) => {
        const request = context.reply.request;
        const input = (request.method === 'GET' ? request.query : request.body) as { operationName?: string };
        const size = await storeSize(store);
        const cost = checkCost(
          operationCost(schema, document, variables, config.limits, input?.operationName ?? undefined, size),
          config.limits.maxQueryCost,
        );
        // runs once the operations running leave room for it (api/admission.ts), until its answer is sent
        const release = await admission.enter(cost, (context as unknown as ApiContext).budget);
        context.reply.raw.once('close', release).once('finish', release);
      });
    },
  };
}
