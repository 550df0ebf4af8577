// `npm run bench:openlineage [-- --jobs 1000] [--columns 12] [--days 2]`
// Synthetic OpenLineage traffic: `jobs` jobs in a chain of layers, each run once a day (START + COMPLETE, the
// COMPLETE with schema and columnLineage facets over `columns` columns; every 50th run FAILs with an
// errorMessage). Measures events/second three ways, each into a fresh embedded store (in memory):
//   file   lineage ingest openlineage's path: the NDJSON file, validated then folded in chunks of 5000
//   batch  POST /api/v1/lineage with arrays of 100 events (in process, app.inject)
//   single POST /api/v1/lineage one event per request over a real listening socket (what emitters do)
// and prints a table. Not a test: numbers depend on the machine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../api/app.ts';
import { createMemoryStore } from '../graph/create-store.ts';
import { loadConfig } from '../src/config.ts';
import { memoryLedger } from '../src/pipeline/openlineage.ts';
import { ingestOpenLineageFile } from '../src/pipeline/openlineage-file.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    columns: { type: 'string', default: '12' },
    days: { type: 'string', default: '2' },
    single: { type: 'string', default: '2000' },
  },
});
const JOBS = Number(values.jobs);
const COLUMNS = Number(values.columns);
const DAYS = Number(values.days);
const SINGLE = Number(values.single);
const NS = 'postgres://bench-db:5432';
const P = 'https://github.com/apache/airflow/tree/providers-openlineage/2.3.0';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

function uuid(n: number): string {
  const h = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${h}`;
}

function table(i: number): string {
  return `bench.layer${Math.floor(i / 100)}.t${i}`;
}

function* events(): Generator<object> {
  let run = 0;
  for (let d = 0; d < DAYS; d++) {
    for (let j = 0; j < JOBS; j++) {
      const runId = uuid(++run);
      const day = new Date(Date.UTC(2026, 10, 1 + d, 2, 0, 0) + j * 1000);
      const job = { namespace: 'bench', name: `dag.task_${j}` };
      const input = j >= 100 ? [table(j - 100), table(j - 100 + ((j * 7) % 100))] : [`bench.raw.r${j}`];
      const cols = Array.from({ length: COLUMNS }, (_, c) => `c${c}`);
      yield {
        eventType: 'START',
        eventTime: day.toISOString(),
        producer: P,
        schemaURL: SCHEMA_URL,
        run: {
          runId,
          facets: { parent: { job: { namespace: 'bench', name: 'dag' }, run: { runId: uuid(9e9 + d) } } },
        },
        job,
        inputs: input.map((name) => ({ namespace: NS, name })),
        outputs: [{ namespace: NS, name: table(j) }],
      };
      const fail = run % 50 === 0;
      yield {
        eventType: fail ? 'FAIL' : 'COMPLETE',
        eventTime: new Date(day.getTime() + 60_000).toISOString(),
        producer: P,
        schemaURL: SCHEMA_URL,
        run: {
          runId,
          facets: fail
            ? { errorMessage: { message: 'synthetic failure', programmingLanguage: 'python' } }
            : {},
        },
        job,
        inputs: input.map((name) => ({
          namespace: NS,
          name,
          facets: { schema: { fields: cols.map((c) => ({ name: c, type: 'integer' })) } },
        })),
        outputs: [
          {
            namespace: NS,
            name: table(j),
            facets: {
              schema: { fields: cols.map((c) => ({ name: c, type: 'integer' })) },
              columnLineage: {
                fields: Object.fromEntries(
                  cols.map((c, k) => [
                    c,
                    {
                      inputFields: [
                        {
                          namespace: NS,
                          name: input[k % input.length],
                          field: c,
                          transformations: [
                            { type: 'DIRECT', subtype: k % 3 ? 'IDENTITY' : 'TRANSFORMATION' },
                          ],
                        },
                      ],
                    },
                  ]),
                ),
                dataset: [
                  {
                    namespace: NS,
                    name: input[0],
                    field: 'c0',
                    transformations: [{ type: 'INDIRECT', subtype: 'FILTER' }],
                  },
                ],
              },
            },
          },
        ],
      };
    }
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ol-'));
  const all = [...events()];
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, all.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const rows: [string, number, number][] = [];

  {
    const store = await createMemoryStore();
    const t = performance.now();
    await ingestOpenLineageFile(store, memoryLedger(), file);
    const ms = performance.now() - t;
    rows.push(['file (NDJSON, chunks of 5000)', all.length, ms]);
    const s = await store.stats();
    console.log(
      `graph after file ingest: ${s.relations} relations, ${s.columns} columns, ${s.columnEdges} column edges`,
    );
    await store.close();
  }
  const config = loadConfig({
    LINEAGE_DATA_DIR: join(dir, 'api'),
    LINEAGE_WRITE_TOKEN: 'bench',
    LINEAGE_MAX_REQUEST_BYTES: String(64 * 1024 * 1024),
  });
  {
    const store = await createMemoryStore();
    const app = await buildApp({ store, config });
    const t = performance.now();
    for (let i = 0; i < all.length; i += 100) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/lineage',
        headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
        payload: JSON.stringify(all.slice(i, i + 100)),
      });
      if (res.statusCode !== 201) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
    }
    rows.push(['POST arrays of 100 (inject)', all.length, performance.now() - t]);
    await app.close();
    await store.close();
  }
  {
    const store = await createMemoryStore();
    const app = await buildApp({ store, config });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const some = all.slice(0, Math.min(SINGLE, all.length));
    const t = performance.now();
    for (const e of some) {
      const res = await fetch(`${base}/api/v1/lineage`, {
        method: 'POST',
        headers: { authorization: 'Bearer bench', 'content-type': 'application/json', host: '127.0.0.1' },
        body: JSON.stringify(e),
      });
      if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
    rows.push(['POST one event per request (socket)', some.length, performance.now() - t]);
    await app.close();
    await store.close();
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `\nOpenLineage ingest: ${JOBS} jobs x ${DAYS} days, ${COLUMNS} columns per output (Node ${process.version})\n`,
  );
  console.log('path                                    events     ms   events/s');
  console.log('--------------------------------------  ------  -----  ---------');
  for (const [name, n, ms] of rows)
    console.log(
      `${name.padEnd(38)}  ${String(n).padStart(6)}  ${String(Math.round(ms)).padStart(5)}  ${String(Math.round((n / ms) * 1000)).padStart(9)}`,
    );
}

await main();
