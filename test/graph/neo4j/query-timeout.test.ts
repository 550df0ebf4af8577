// A read that outlives NEO4J_QUERY_TIMEOUT_MS: the server stops it (it does not keep running after the request
// gave up) and the store answers a coded error naming the setting, not "the store is unavailable".
import { Session } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { isLineageError } from '../../../src/errors.ts';
import { closeTestStore, neo4jTarget, openTestStore } from './server.ts';

// Counts a billion rows: minutes without a timeout.
const SLOW = 'UNWIND range(1, 1000000000) AS x WITH x WHERE x = -1 RETURN count(x) AS n';

describe.skipIf(!neo4jTarget())('a Neo4j read past its transaction timeout', () => {
  it('fails with STORE_QUERY_TIMEOUT naming NEO4J_QUERY_TIMEOUT_MS, soon after the timeout', async () => {
    const store = await openTestStore({ ...neo4jTarget()!, queryTimeoutMs: 300 });
    const run = Session.prototype.run;
    // No read of an empty test database is slow: the store's statement is swapped for one that is, keeping
    // the store's transaction config (its timeout).
    Session.prototype.run = function (this: Session, _query: unknown, _params: unknown, config: unknown) {
      return run.call(this, SLOW, {}, config as Parameters<Session['run']>[2]);
    } as Session['run'];
    try {
      const started = Date.now();
      const err: unknown = await store.listRelations().then(
        () => null,
        (e: unknown) => e,
      );
      const elapsed = Date.now() - started;
      expect(isLineageError(err) && err.code).toBe('STORE_QUERY_TIMEOUT');
      expect((err as Error).message).toContain('NEO4J_QUERY_TIMEOUT_MS (300 ms)');
      // The server checks timeouts every 2 s (db.transaction.monitor.check.interval).
      expect(elapsed).toBeLessThan(5_000);
    } finally {
      Session.prototype.run = run;
      await closeTestStore(store);
    }
  });
});
