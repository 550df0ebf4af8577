// The test Neo4j (started once per run by test/global-setup.ts) for test files: connection settings, and
// open/close helpers that give each test an empty database. All test files share one server and Community
// has one database, so a store is held under a cross-process lock from open to close; the lock is per
// test, so files interleave but never see each other's data.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { afterEach, inject } from 'vitest';
import { openNeo4jStore, wipeNeo4jDatabase, type Neo4jStoreOptions } from '../../../graph/neo4j/index.ts';
import type { LineageStore } from '../../../graph/store.ts';

export type Neo4jTarget = Omit<Neo4jStoreOptions, 'batchSize'>;

/** Where the test Neo4j is, or null when Neo4j tests are skipped (LINEAGE_TEST_SKIP_NEO4J=1). */
export function neo4jTarget(): Neo4jTarget | null {
  const uri = inject('neo4jUri');
  if (!uri) return null;
  return {
    uri,
    user: process.env.NEO4J_USER ?? 'neo4j',
    password: process.env.NEO4J_PASSWORD ?? 'unused',
    database: process.env.NEO4J_DATABASE ?? 'neo4j',
    maxRetryTimeMs: 5_000,
  };
}

function lockDir(uri: string): string {
  return join(tmpdir(), `lineage-neo4j-lock-${createHash('sha256').update(uri).digest('hex').slice(0, 12)}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function lock(uri: string, timeoutMs = 600_000): Promise<() => void> {
  const dir = lockDir(uri);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      } catch {
        // the owner is between mkdir and writing its pid
      }
      if (Number.isInteger(owner) && owner > 0 && !alive(owner))
        rmSync(dir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the test Neo4j lock ${dir}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const releases = new WeakMap<LineageStore, () => void>();

/** An empty Neo4j store (locks the shared test database until closeTestStore). */
export async function openTestStore(target: Neo4jTarget & { batchSize?: number }): Promise<LineageStore> {
  const release = await lock(target.uri);
  try {
    await wipeNeo4jDatabase(target);
    const store = await openNeo4jStore(target);
    releases.set(store, release);
    return store;
  } catch (err) {
    release();
    throw err;
  }
}

export async function closeTestStore(store: LineageStore): Promise<void> {
  try {
    await store.close();
  } finally {
    releases.get(store)?.();
  }
}

/**
 * For a describe block: `open(options)` gives an empty test store that is closed (and the database unlocked)
 * after each test, whether it passed or not.
 */
export function storesClosedAfterEach(): (
  target: Neo4jTarget & { batchSize?: number },
) => Promise<LineageStore> {
  const open: LineageStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await closeTestStore(store);
  });
  return async (target) => {
    const store = await openTestStore(target);
    open.push(store);
    return store;
  };
}

/** The rows of one raw statement on the test database, as plain objects (numbers as JS numbers). */
export async function rawRows(target: Neo4jTarget, statement: string): Promise<Record<string, unknown>[]> {
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.user, target.password), {
    disableLosslessIntegers: true,
  });
  try {
    return (await driver.executeQuery(statement, {}, { database: target.database })).records.map((r) =>
      r.toObject(),
    );
  } finally {
    await driver.close();
  }
}
