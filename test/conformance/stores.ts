// The stores the conformance suite runs against: one factory per name of ./store-list.ts (STORES, in that
// order). Each factory opens a fresh, empty store per test and cleans it up afterwards. A store left out by
// LINEAGE_TEST_STORES, or whose server is not available, reports enabled() === false and its tests are skipped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import type { LineageStore } from '../../graph/store.ts';
import { closeTestStore, neo4jTarget, openTestStore } from '../graph/neo4j/server.ts';
import { selectedStores, STORE_NAMES, type StoreName } from './store-list.ts';

export interface StoreFactory {
  name: StoreName;
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
  enabled: () => selectedStores().includes('embedded'),
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

// Neo4j: the server test/global-setup.ts started (or NEO4J_URI); none when neo4j is not selected.
export const neo4jFactory: StoreFactory = {
  name: 'neo4j',
  enabled: () => neo4jTarget() !== null,
  open: async () => openTestStore(neo4jTarget()!),
  cleanup: async (store) => closeTestStore(store),
};

const FACTORIES: Record<StoreName, StoreFactory> = { embedded: embeddedFactory, neo4j: neo4jFactory };
export const STORES: StoreFactory[] = STORE_NAMES.map((n) => FACTORIES[n]);
