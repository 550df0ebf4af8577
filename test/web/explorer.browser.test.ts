// The explorer in a real browser (Debian chromium + playwright-core, headless, offline) on the demo graph:
// a search, an asset page (with its compiled SQL), the lineage graph (expand one level, select a column, hover an edge, depth),
// an impact with its export, root cause, the warehouse views, the GraphiQL link and the read token.
// Screenshots land in test/artifacts/explorer-*.png.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COL, CUSTOMERS, ORDERS, STG_ORDERS } from '../helpers/demo-graph.ts';
import { canvasReady, externalRequests, openExplorer, type ExplorerSession } from './browser.ts';

let s: ExplorerSession;
let page: Page;

beforeAll(async () => {
  s = await openExplorer({ usage: true, changes: true });
  // the first request builds the bundle (esbuild, about a second); do it here, not inside a test's budget
  expect((await fetch(`${s.url}/explorer/assets/app.js`)).status).toBe(200);
  page = await s.page();
});

afterAll(async () => {
  await s?.close();
});

const box = (key: string) => page.locator(`.box[data-key="${key}"]`);
const open = async (hash: string) => {
  await page.goto(`${s.url}/explorer${hash}`);
};

describe('explorer in chromium', () => {
  it('search: "/" focuses the box, loose words find the column, Enter opens its asset page', async () => {
    await open('#/');
    await page.locator('.search-box').waitFor();
    await page.locator('h1').click();
    await page.keyboard.press('/');
    await page.keyboard.type('stgord total');
    const first = page.locator('#search-hits li').first();
    await expect.poll(() => first.innerText()).toContain(COL);
    expect(await first.getAttribute('aria-selected')).toBe('true');
    await s.shot(page, 'explorer-search');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/asset\//);
    await expect.poll(() => page.locator('.facts').innerText()).toContain(STG_ORDERS);
  });

  it('search: owners are hits too, Enter on one opens the first asset they own', async () => {
    await open('#/');
    await page.locator('.search-box').fill('ana lopez');
    const owner = page.locator('#search-hits li.owner-hit').first();
    await expect.poll(() => owner.innerText()).toContain('Ana Lopez');
    expect(await owner.innerText()).toContain('Customer 360');
    await page.locator('.search-box').focus();
    const index = await page.locator('#search-hits li').count();
    for (let i = 1; i < index; i++) await page.keyboard.press('ArrowDown');
    expect(await owner.getAttribute('aria-selected')).toBe('true');
    await s.shot(page, 'explorer-search-owner');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/asset\//);
    expect(decodeURIComponent(page.url())).toContain('exposure.jaffle_shop.customer_360');
  });

  it('asset page: columns, tests with their last status, usage with reads per day, edges with provenance', async () => {
    await open(`#/asset/${encodeURIComponent(ORDERS)}`);
    await page.locator('.asset-grid').waitFor();
    const text = await page.locator('.asset-grid').innerText();
    expect(text).toContain('Columns (');
    expect(text).toContain('order_total');
    expect(text).toMatch(/Tests \(\d+\)/);
    expect(text).toContain('passed');
    expect(text).toContain('Upstream (');
    expect(text).toMatch(/EXACT|INFERRED|TABLE_LEVEL/);
    expect(await page.locator('svg.spark rect').count()).toBe(30);
    // the compiled SQL (dbt compiled_code): monospace, scrollable, with a copy button
    const sql = page.getByTestId('compiled-sql');
    expect(await sql.innerText()).toMatch(/from "jaffle_shop"\."main"\."stg_orders"/);
    expect(await sql.evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).overflow)).toBe('auto');
    await page.getByRole('button', { name: 'Copy the compiled SQL' }).click();
    await expect.poll(() => page.locator('.compiled-sql h2 button').innerText()).toMatch(/Copied|Selected/);
    await s.shot(page, 'explorer-asset');
    expect(await sql.evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).fontFamily)).toMatch(
      /mono/i,
    );
    // the SQL shape's numbers stay on one line in the 340 px side column at 1280 px ("lines 77", not "7 / 7")
    const lines = page.locator('.facts.compact dd').last();
    const box = (await lines.boundingBox())!;
    const lh = parseFloat(
      await lines.evaluate((e) => e.ownerDocument.defaultView!.getComputedStyle(e).lineHeight),
    );
    expect(box.height).toBeLessThan((Number.isNaN(lh) ? 20 : lh) * 1.5);
    const card = (await page.locator('.card', { has: page.locator('.facts.compact') }).boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(card.x + card.width - 8); // inside the card's padding
    await sql.scrollIntoViewIfNeeded();
    expect(await sql.isVisible()).toBe(true);
    await s.shot(page, 'explorer-asset-sql');
    // a column's page shows the SQL of its relation, naming it
    await open(`#/asset/${encodeURIComponent(COL)}`);
    await page.locator('.compiled-sql').waitFor();
    expect(await page.locator('.compiled-sql h2').innerText()).toMatch(/Compiled SQL\s+of\s+.*stg_orders/);
    expect(await page.getByTestId('compiled-sql').innerText()).toContain('"raw"."raw_orders"');
  });

  it('graph: draws the neighbourhood, opens one more level, highlights a column path, names hovered edges', async () => {
    await open(`#/graph/${encodeURIComponent(COL)}`);
    await canvasReady(page);
    expect(await box(STG_ORDERS).count()).toBe(1);
    expect(await box(ORDERS).count()).toBe(1);
    expect(await box(CUSTOMERS).count()).toBe(0);
    // the asked column is selected: its path is highlighted inside the boxes
    expect(await box(STG_ORDERS).locator('.col.sel').innerText()).toContain('order_total');
    expect(await box(ORDERS).locator('.col.on').allInnerTexts()).toContainEqual(
      expect.stringContaining('order_total'),
    );
    // open orders one level downstream: customers appears
    await box(ORDERS).locator('button.open-btn.downstream').click();
    await box(CUSTOMERS).waitFor({ timeout: 15_000 });
    await canvasReady(page);
    // select another column: customers.lifetime_spend; its path goes back through orders.order_total
    await box(CUSTOMERS).locator(`.col-btn[title^="${CUSTOMERS}.lifetime_spend "]`).click();
    await expect.poll(() => box(CUSTOMERS).locator('.col.sel').innerText()).toContain('lifetime_spend');
    expect(await box(STG_ORDERS).locator('.col.on').allInnerTexts()).toContainEqual(
      expect.stringContaining('order_total'),
    );
    const highlighted = page.locator('.react-flow__edge path[style*="stroke: rgb(37, 99, 235)"]');
    expect(await highlighted.count()).toBeGreaterThan(0);
    // hover an edge: its kinds appear as a label
    const edge = page.locator(
      `[data-testid="rf__edge-out:${COL}>in:${ORDERS}.order_total@${STG_ORDERS}>${ORDERS}"]`,
    );
    await edge.dispatchEvent('mouseover');
    await expect
      .poll(() => page.locator('.react-flow__edge-text').allTextContents())
      .toContainEqual('IDENTITY (direct)');
    await edge.dispatchEvent('mouseout');
    await s.shot(page, 'explorer-graph');
    // depth control: one more level upstream, in the URL and in the picture
    await page.getByRole('button', { name: 'Upstream one level more' }).click();
    await page.waitForURL(/up=2/);
    await canvasReady(page);
    expect(await page.locator('.depth output').first().innerText()).toBe('2');
  });

  it('graph at 1920 px and 1280 px: boxes and controls stay on screen', async () => {
    for (const width of [1920, 1280]) {
      await page.setViewportSize({ width, height: width === 1920 ? 1080 : 860 });
      await open(`#/graph/${encodeURIComponent(ORDERS)}?up=1&down=1`);
      await canvasReady(page);
      const head = await page.locator('.view-head').boundingBox();
      expect(head && head.x + head.width).toBeLessThanOrEqual(width);
      expect(await page.locator('.react-flow__minimap').isVisible()).toBe(true);
      if (width === 1920) await s.shot(page, 'explorer-graph-1920');
    }
  });

  it('impact: verdict and reasons, coloured blast radius, exposures and owners, CSV export', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await open(`#/impact/${encodeURIComponent(COL)}?change=DROP&mode=CONSERVATIVE`);
    await expect.poll(() => page.locator('.verdict').innerText(), { timeout: 15_000 }).toContain('BLOCK');
    await canvasReady(page);
    expect(await page.locator('.counters').innerText()).toContain('1 break');
    expect(await page.locator(`.box.status-BREAKS a[title="${ORDERS}"]`).count()).toBe(1);
    expect(await page.locator(`.box.status-STALE a[title="${CUSTOMERS}"]`).count()).toBe(1);
    expect(await page.locator('.box .col.status-VALUES').count()).toBeGreaterThan(0);
    expect(await page.locator('.impact-view .card').first().innerText()).toContain('Customer 360');
    // the table's count is the counters' exposures plus metrics/semantic, and says so
    const counters = await page.locator('.counters').innerText();
    const [, exposures] = /(\d+) exposures/.exec(counters)!;
    const [, metrics] = /(\d+) metrics\/semantic/.exec(counters)!;
    const heading = await page.locator('.impact-view .card h2').first().innerText();
    expect(heading).toContain(`(${Number(exposures) + Number(metrics)})`);
    expect(heading).toContain(`${exposures} exposures · ${metrics} metrics/semantic`);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'CSV' }).click();
    const csv = readFileSync((await (await download).path()) as string, 'utf8');
    expect(csv.split('\n')[0]).toBe('status,key,kind,distance,severity,importance,owners');
    expect(csv).toContain(`breaks,${ORDERS},model,1,`);
    await page.screenshot({ path: `${process.cwd()}/test/artifacts/explorer-impact.png`, fullPage: true });
    // STRICT mode through the form
    await page.locator('select').nth(1).selectOption('STRICT');
    await page.waitForURL(/mode=STRICT/);
    await expect.poll(() => page.locator('.counters').innerText()).toContain('break');
  });

  it('root cause: ranked candidates with evidence on a timeline', async () => {
    await open(`#/root-cause/${encodeURIComponent(CUSTOMERS)}?since=30d`);
    await page.locator('.candidates').waitFor({ timeout: 15_000 });
    expect(await page.locator('.candidates > li').count()).toBeGreaterThan(0);
    expect(await page.locator('.candidates').innerText()).toContain('stg_orders');
    expect(await page.locator('svg.timeline circle').count()).toBeGreaterThan(0);
    await s.shot(page, 'explorer-root-cause');
  });

  it('warehouse: unused tables filter, complexity chart with drill-down to models', async () => {
    await open('#/unused?what=tables&since=90d');
    await page.locator('table.wide').waitFor({ timeout: 15_000 });
    const rows = await page.locator('table.wide tbody tr').count();
    await page.getByLabel('filter by key').fill('zzz-nothing');
    expect(await page.locator('table.wide tbody tr').count()).toBe(0);
    await page.getByLabel('filter by key').fill('');
    expect(await page.locator('table.wide tbody tr').count()).toBe(rows);
    await s.shot(page, 'explorer-unused');
    await open('#/complexity');
    const bar = page.locator('svg.chart g.bar').first();
    await bar.waitFor({ timeout: 15_000 });
    await s.shot(page, 'explorer-complexity');
    await bar.click();
    await expect.poll(() => page.locator('h1').innerText()).toContain('Complexity of models in');
    await page.locator('svg.chart g.bar').first().waitFor();
  });

  it('every view links to its GraphQL query, which GraphiQL opens preloaded', async () => {
    await open(`#/graph/${encodeURIComponent(ORDERS)}`);
    const link = await page.locator('a.query-link').getAttribute('href');
    expect(link).toMatch(/^\/graphiql\?query=/);
    await page.goto(`${s.url}${link}`);
    const editor = page.locator('.graphiql-query-editor');
    await expect.poll(() => editor.innerText(), { timeout: 15_000 }).toContain('neighbourhood(');
    expect(await page.locator('.graphiql-editor-tool').innerText()).toContain(ORDERS);
  });

  it('made no request outside the server and threw no page error', () => {
    expect(externalRequests(s)).toEqual([]);
    expect(s.errors).toEqual([]);
  });
});

describe('explorer with LINEAGE_READ_TOKEN set', () => {
  let t: ExplorerSession;
  beforeAll(async () => {
    t = await openExplorer({ env: { LINEAGE_READ_TOKEN: 'read-s3cret' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('asks for the token, then reads with it', async () => {
    const p = await t.page();
    await p.goto(`${t.url}/explorer#/asset/${encodeURIComponent(ORDERS)}`);
    await expect
      .poll(() => p.locator('.error').innerText(), { timeout: 15_000 })
      .toContain('API_UNAUTHENTICATED');
    await p.getByRole('button', { name: 'Token' }).click();
    await p.locator('.token-form input').fill('read-s3cret');
    await p.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => p.locator('.asset-grid').innerText(), { timeout: 15_000 })
      .toContain('order_total');
  });
});
