// The stores the conformance suite runs against. Each factory opens a fresh, empty store per test and
// cleans it up afterwards. A store whose server is not available reports enabled() === false and its
// tests are skipped (the Neo4j entry is appended here by graph/neo4j's owner).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { closeTestStore, neo4jTarget, openTestStore } from '../graph/neo4j/server.ts';

export interface StoreFactory {
  name: string;
  /** False when the store cannot run here (e.g. no Neo4j server); its tests are skipped. */
  enabled: () => boolean;
  /** A fresh, empty store. */
  open: () => Promise<LineageStore>;
  /** Closes the store open() returned and removes what it left behind. */
  cleanup: (store: LineageStore) => Promise<void>;
}

const embeddedDirs = new WeakMap<LineageStore, string>();

export const embeddedFactory: StoreFactory = {
  name: 'embedded',
  enabled: () => true,
  open: async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineage-conf-'));
    const store = await openEmbeddedStore({ dataDir: dir });
    embeddedDirs.set(store, dir);
    return store;
  },
  cleanup: async (store) => {
    await store.close();
    const dir = embeddedDirs.get(store);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
};

export const STORES: StoreFactory[] = [embeddedFactory];

// Neo4j: the server test/global-setup.ts started (or NEO4J_URI); skipped with LINEAGE_TEST_SKIP_NEO4J=1.
export const neo4jFactory: StoreFactory = {
  name: 'neo4j',
  enabled: () => neo4jTarget() !== null,
  open: async () => openTestStore(neo4jTarget()!),
  cleanup: async (store) => closeTestStore(store),
};
STORES.push(neo4jFactory);
