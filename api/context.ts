// What every route and resolver of the API is built with (ApiDeps, once per app) and what each GraphQL
// request carries (ApiContext, once per request). Its own module so route files and resolvers import it
// without importing each other.
import type { SqlTextStore } from '../graph/sql-text/index.ts';
import type { LineageStore } from '../graph/store.ts';
import type { Config } from '../src/config.ts';
import type { AuthState } from './auth.ts';
import type { Budget } from './budget.ts';

/** Built once in buildApp and handed to every route module. */
export interface ApiDeps {
  store: LineageStore;
  /** Compiled SQL beside the store (opened on first use, closed with the app). */
  sqlText: SqlTextStore;
  config: Config;
  /** Clock for analyses (tests pin it). */
  now: () => Date;
}

/** The GraphQL context of one request (mercurius merges it with { app, reply }). */
export interface ApiContext {
  /** The store with a checkpoint on every read (api/budget.ts): use it, not ApiDeps.store. */
  store: LineageStore;
  sqlText: SqlTextStore;
  config: Config;
  auth: AuthState;
  /** The request's deadline and time slices. */
  budget: Budget;
  now: Date;
}
