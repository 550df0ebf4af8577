// Shared set-up of the explorer's browser tests: the demo graph served by a listening app (clock pinned),
// Debian chromium driven by playwright-core, headless and offline, screenshots under test/artifacts/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../../api/app.ts';
import { NOW, openDemoGraph, type DemoGraph, type DemoOptions } from '../helpers/demo-graph.ts';

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ExplorerSession {
  g: DemoGraph;
  app: FastifyInstance;
  url: string;
  browser: BrowserContext;
  /** Every request the pages made (to check none left the server). */
  requests: string[];
  errors: string[];
  page(width?: number, height?: number): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openExplorer(options: DemoOptions = {}): Promise<ExplorerSession> {
  const g = await openDemoGraph(options);
  const app = await buildApp({ store: g.store, config: g.config, now: () => NOW });
  const url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('://[::1]', '://localhost');
  const profile = mkdtempSync(join(tmpdir(), 'lineage-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
  });
  const requests: string[] = [];
  const errors: string[] = [];
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    g,
    app,
    url,
    browser,
    requests,
    errors,
    async page(width = 1280, height = 860) {
      const p = await browser.newPage();
      await p.setViewportSize({ width, height });
      p.on('request', (r) => requests.push(r.url()));
      p.on('pageerror', (e) => errors.push(e.message));
      p.on('response', (r) => {
        if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`);
      });
      p.setDefaultTimeout(15_000); // generous for a loaded machine; a passing run takes a few seconds per test
      return p;
    },
    async shot(page, name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    },
    async close() {
      await browser.close();
      await app.close();
      await g.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits for the explorer's canvas to have drawn its first layout. */
export async function canvasReady(page: Page, timeout = 15_000): Promise<void> {
  await page
    .locator('[data-testid="canvas"][data-state="ready"] .react-flow__node')
    .first()
    .waitFor({ timeout });
}

export function externalRequests(s: ExplorerSession): string[] {
  return s.requests.filter((r) => !r.startsWith(s.url) && !r.startsWith('data:') && !r.startsWith('blob:'));
}
