// `lineage alert` as CI and an operator run it, in process against a real embedded store and a real local
// webhook: a failing dbt run opens an incident (exit 8 while the receiver fails), `alert retry` delivers it
// once, `alert incidents` / `route` / `resolve` work, and info-level alerts wait for `alert digest`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../graph/embedded/index.ts';
import { main } from '../../src/cli/main.ts';
import { ingestDbt } from '../../src/pipeline/ingest-dbt.ts';
import { captureIO } from '../helpers/capture-io.ts';
import { NOT_NULL, ownedDemoTarget, runResults } from './owned-demo.ts';
import { startReceiver, type Receiver } from './receivers.ts';

let dir: string;
let hook: Receiver;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineage-alert-cli-'));
  const store = await openEmbeddedStore({ dataDir: join(dir, 'data') });
  await ingestDbt(store, ownedDemoTarget(dir), {
    now: '2026-11-30T00:00:00.000Z',
    cacheDir: join(dir, 'cache'),
  });
  await store.close();
  hook = await startReceiver([500, 500]);
  const rules = join(dir, 'rules.json');
  writeFileSync(
    rules,
    JSON.stringify({
      delivery: { attempts: 2, backoffMs: 1, timeoutMs: 5000 },
      destinations: {
        hook: { type: 'webhook', secret: 'HOOK' },
        morning: { type: 'digest', every: 'daily', via: 'hook' },
      },
      rules: [
        { name: 'dashboards', match: { exposureKind: ['dashboard'] }, to: ['hook'] },
        { name: 'quiet', match: { urgency: ['digest'] }, to: ['morning'] },
      ],
    }),
  );
  env = { LINEAGE_DATA_DIR: join(dir, 'data'), LINEAGE_ALERT_RULES: rules, LINEAGE_SECRET_HOOK: hook.url };
});

afterAll(async () => {
  await hook?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function lineage(...args: string[]) {
  const io = captureIO({ env });
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('lineage alert', () => {
  let id: string;
  it('dbt-run-results opens an incident; a failing receiver is exit 8, and retry delivers exactly once', async () => {
    const file = join(dir, 'run_results.json');
    writeFileSync(file, JSON.stringify(runResults([NOT_NULL], new Date().toISOString())));
    const r = await lineage('alert', 'dbt-run-results', file, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(8);
    const body = JSON.parse(r.out);
    expect(body.results[0]).toMatchObject({
      outcome: 'opened',
      asset: 'jaffle_shop.main.stg_customers.customer_id',
    });
    expect(body.results[0].delivered).toEqual([
      { destination: 'hook', owner: 'ana.lopez@jaffle.example', status: 'failed' },
    ]);
    id = body.results[0].incident;
    expect(hook.requests.map((x) => x.status)).toEqual([500, 500]);

    const retry = await lineage('alert', 'retry');
    expect(retry.code).toBe(0);
    expect(hook.accepted()).toHaveLength(1);
    expect(await lineage('alert', 'retry')).toMatchObject({ code: 0, out: 'nothing to retry\n' });
    expect(hook.accepted()).toHaveLength(1);

    const list = await lineage('alert', 'incidents', '--json');
    expect(JSON.parse(list.out).map((i: { id: string }) => i.id)).toEqual([id]);
  });

  it('route shows where an alert would go without sending anything', async () => {
    const before = hook.requests.length;
    const r = await lineage('alert', 'route', 'jaffle_shop.main.stg_customers', '--json');
    expect(r.code).toBe(0);
    expect(
      JSON.parse(r.out).recipients.map(
        (x: { destination: string; owner: string }) => `${x.destination}:${x.owner}`,
      ),
    ).toEqual(['hook:ana.lopez@jaffle.example']);
    expect(hook.requests.length).toBe(before);
    expect((await lineage('alert', 'route', 'no_such_table_x')).code).toBe(3);
  });

  it('info-level alerts are queued for the digest; digest --force sends one message per digest', async () => {
    const file = join(dir, 'info.json');
    writeFileSync(
      file,
      JSON.stringify({ source: 'soda', asset: 'stg_orders', level: 'info', message: 'row count 3% lower' }),
    );
    const r = await lineage('alert', 'generic', file, '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out).results[0];
    expect(res.outcome).toBe('opened');
    expect(res.delivered.every((d: { status: string }) => d.status === 'queued')).toBe(true);
    const sentBefore = hook.accepted().length;
    expect((await lineage('alert', 'digest')).out).toBe('no digest due\n');
    const d = await lineage('alert', 'digest', '--force', '--json');
    expect(d.code).toBe(0);
    const sent = JSON.parse(d.out) as { destination: string; status: string; notices: number }[];
    expect(sent.map((s) => [s.destination, s.status])).toEqual([
      ['hook', 'delivered'],
      ['morning', 'delivered'],
    ]);
    const digests = hook.accepted().slice(sentBefore) as { type: string; notices: unknown[] }[];
    expect(digests.map((x) => x.type)).toEqual(['lineage.digest', 'lineage.digest']);
    expect(JSON.parse((await lineage('alert', 'digest', '--force', '--json')).out)).toEqual([]);
  });

  it('resolve tells the recipients; an unknown id is LINEAGE_NOT_FOUND', async () => {
    const before = hook.accepted().length;
    const r = await lineage('alert', 'resolve', id);
    expect(r).toMatchObject({ code: 0, out: `${id} resolved\n` });
    expect(hook.accepted().length).toBe(before + 1);
    expect(hook.accepted().at(-1)).toMatchObject({ event: 'resolve', incidentId: id });
    const nf = await lineage('alert', 'resolve', 'inc-nope');
    expect(nf.err).toContain('LINEAGE_NOT_FOUND');
  });
});
