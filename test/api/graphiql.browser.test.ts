// One browser test: Debian chromium driven by playwright-core opens the offline playground on a listening
// server, runs the preloaded impact query and sees the result. No request may leave the server.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from '../../api/server.ts';
import { COL, ORDERS, openDemoGraph, type DemoGraph } from '../helpers/demo-graph.ts';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

let g: DemoGraph;
let app: FastifyInstance;
let url: string;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  g = await openDemoGraph();
  const config = { ...g.config, server: { ...g.config.server, host: '127.0.0.1', port: 0 } };
  ({ app, url } = await startServer({ store: g.store, config }));
  profile = mkdtempSync(join(tmpdir(), 'lineage-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1400, height: 900 },
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await g?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

it('GraphiQL renders offline, runs the preloaded impact query and shows the result', async () => {
  const page = browser.pages()[0] ?? (await browser.newPage());
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${url}/graphiql`);
  const run = page.locator('.graphiql-execute-button');
  await run.waitFor({ state: 'visible', timeout: 20_000 });
  expect(await page.locator('.graphiql-query-editor').innerText()).toContain(`impact(ref: "${COL}"`);
  await run.click();
  const result = page.locator('.result-window');
  await expect.poll(async () => result.innerText(), { timeout: 20_000 }).toContain(ORDERS);
  const text = await result.innerText();
  expect(text).toContain('"breaks"');
  expect(text).toContain('CRITICAL');
  expect(text).toContain(COL);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'graphiql-impact.png') });

  expect(errors).toEqual([]);
  const external = requests.filter(
    (r) => !r.startsWith(url) && !r.startsWith('data:') && !r.startsWith('blob:'),
  );
  expect(external).toEqual([]);
});
