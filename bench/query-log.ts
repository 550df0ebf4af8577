// `npm run bench:query-log [-- --rows 1000000] [--format generic|snowflake] [--seed 7] [--heap MB] [--keep]`
// Generates a synthetic query log with realistic repetition (a few hundred statement shapes executed over
// and over with different literals, a tail of one-off ad-hoc queries, ~3% failed), writes it to a temp file,
// then ingests it in a child process into a fresh embedded store and reports rows/second and peak RSS.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openEmbeddedStore } from '../graph/embedded/index.ts';
import { buildQueryLogBatch } from '../src/pipeline/ingest-query-log.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TABLES = 200;
const SHAPES = 400;
const USERS = [
  'dbt_runner',
  'airflow',
  'looker',
  'tableau',
  ...Array.from({ length: 36 }, (_, i) => `analyst_${i}`),
];

function table(i: number): string {
  return `analytics.${['raw', 'staging', 'marts', 'finance'][i % 4]}.t${i}`;
}

/** One statement shape with literal holes ({n} / {s}); writes target tables, reads others. */
function shape(i: number, rand: () => number): { sql: string; writer: boolean } {
  const a = Math.floor(rand() * TABLES);
  const b = (a + 1 + Math.floor(rand() * (TABLES - 1))) % TABLES;
  const c = (a + 7) % TABLES;
  switch (i % 8) {
    case 0:
      return {
        sql: `INSERT INTO ${table(c)} (id, amount, day) SELECT x.id, x.amount * {n}, y.day FROM ${table(a)} x JOIN ${table(b)} y ON y.id = x.id WHERE y.day > '{s}'`,
        writer: true,
      };
    case 1:
      return {
        sql: `CREATE TABLE ${table(c)}_snap AS SELECT id, sum(amount) AS amount FROM ${table(a)} WHERE status = '{s}' GROUP BY id`,
        writer: true,
      };
    case 2:
      return { sql: `UPDATE ${table(a)} SET status = '{s}' WHERE id = {n}`, writer: true };
    default:
      return {
        sql: `SELECT x.id, x.amount, y.status FROM ${table(a)} x LEFT JOIN ${table(b)} y ON y.id = x.id WHERE x.amount > {n} AND y.status IN ('{s}', '{s}') ORDER BY x.amount DESC LIMIT {n}`,
        writer: false,
      };
  }
}

async function generate(file: string, rows: number, format: string, seed: number): Promise<void> {
  const rand = prng(seed);
  const shapes = Array.from({ length: SHAPES }, (_, i) => shape(i, rand));
  const out = createWriteStream(file);
  const write = (s: string): Promise<void> =>
    out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', () => r()));
  const csv = (v: string): string => `"${v.replaceAll('"', '""')}"`;
  if (format === 'snowflake')
    await write(
      'QUERY_ID,QUERY_TEXT,DATABASE_NAME,SCHEMA_NAME,QUERY_TYPE,USER_NAME,ROLE_NAME,EXECUTION_STATUS,ERROR_CODE,START_TIME\n',
    );
  const start = Date.UTC(2024, 4, 1);
  for (let i = 0; i < rows; i++) {
    // Zipf-like: a few shapes dominate; 1% of rows are one-off ad-hoc texts.
    const adhoc = rand() < 0.01;
    const k = Math.floor(SHAPES * Math.pow(rand(), 2.5));
    const sql = adhoc
      ? `SELECT c${i % 97}, count(*) AS n${i} FROM ${table(i % TABLES)} GROUP BY c${i % 97}`
      : shapes[k].sql
          .replaceAll('{n}', () => String(Math.floor(rand() * 10_000)))
          .replaceAll('{s}', () => `v${Math.floor(rand() * 50)}`);
    const user =
      shapes[k].writer && !adhoc
        ? USERS[Math.floor(rand() * 2)]
        : USERS[2 + Math.floor(rand() * (USERS.length - 2))];
    const at = new Date(start + Math.floor((i / rows) * 30 * 86_400_000)).toISOString();
    const failed = rand() < 0.03;
    if (format === 'snowflake') {
      const status = failed ? 'FAIL' : 'SUCCESS';
      await write(
        `${i},${csv(sql)},ANALYTICS,PUBLIC,SELECT,${user.toUpperCase()},ANALYST,${status},${failed ? '000904' : ''},${at}\n`,
      );
    } else {
      await write(
        `${JSON.stringify({ query: sql, user, timestamp: at, dialect: 'postgres', database: 'analytics', schema: 'public', status: failed ? 'failed' : 'success' })}\n`,
      );
    }
  }
  await new Promise<void>((r) => out.end(() => r()));
}

async function ingestOnly(file: string, format: string, dataDir: string): Promise<void> {
  const store = await openEmbeddedStore({ dataDir });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { batch, summary } = await buildQueryLogBatch(store, file, { format, origin: 'bench' });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const readRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  (globalThis as { gc?: () => void }).gc?.();
  const liveHeapMB = Math.round(process.memoryUsage().heapUsed / 1e6);
  await store.applyBatch(batch);
  const t2 = performance.now();
  await store.close();
  const usage = process.resourceUsage();
  process.stdout.write(
    `${JSON.stringify({
      readAggregateMs: Math.round(t1 - t0),
      applyMs: Math.round(t2 - t1),
      readCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      readRssMB,
      liveHeapMB,
      peakRssMB: Math.round(usage.maxRSS / 1024),
      summary: { ...summary, malformedSamples: undefined },
    })}\n`,
  );
}

async function mainBench(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      format: { type: 'string', default: 'generic' },
      seed: { type: 'string', default: '7' },
      keep: { type: 'boolean', default: false },
      'ingest-only': { type: 'string' },
      'data-dir': { type: 'string' },
      /** Caps the ingest child's V8 heap (MB): shows the ingest streams instead of holding the file. */
      heap: { type: 'string' },
    },
  });
  if (values['ingest-only']) return ingestOnly(values['ingest-only'], values.format, values['data-dir']!);
  const rows = Number(values.rows.replace(/_/g, ''));
  const dir = mkdtempSync(join(tmpdir(), 'lineage-bench-qlog-'));
  const file = join(dir, values.format === 'snowflake' ? 'query_history.csv' : 'queries.jsonl');
  try {
    const g0 = performance.now();
    await generate(file, rows, values.format, Number(values.seed));
    const genMs = performance.now() - g0;
    const bytes = statSync(file).size;
    const w0 = performance.now();
    const child = spawnSync(
      process.execPath,
      [
        ...(values.heap ? [`--max-old-space-size=${Number(values.heap)}`] : []),
        '--expose-gc',
        '--import',
        'tsx',
        import.meta.filename,
        '--ingest-only',
        file,
        '--format',
        values.format,
        '--data-dir',
        join(dir, 'store'),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    const wallMs = performance.now() - w0;
    if (child.status !== 0) throw new Error(`ingest failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!);
    const ingestMs = r.readAggregateMs + r.applyMs;
    const table = [
      ['rows', rows.toLocaleString('en-US')],
      ['ingest heap cap', values.heap ? `${values.heap} MB` : 'node default'],
      ['format', values.format],
      ['file size', `${(bytes / 1e6).toFixed(1)} MB (generated in ${(genMs / 1000).toFixed(1)} s)`],
      ['distinct statements', String(r.summary.distinctStatements)],
      ['executions / failed', `${r.summary.executions} / ${r.summary.failed}`],
      ['column edges / usage records', `${r.summary.columnEdges} / ${r.summary.usageRecords}`],
      ['read + aggregate', `${(r.readAggregateMs / 1000).toFixed(1)} s`],
      ['store apply', `${(r.applyMs / 1000).toFixed(1)} s`],
      ['rows / second (wall)', Math.round(rows / (ingestMs / 1000)).toLocaleString('en-US')],
      ['rows / CPU-second (read+aggregate)', Math.round(rows / (r.readCpuMs / 1000)).toLocaleString('en-US')],
      ['peak RSS before store apply', `${r.readRssMB} MB`],
      ['live heap after read (batch built)', `${r.liveHeapMB} MB`],
      ['peak RSS (ingest process)', `${r.peakRssMB} MB`],
      ['child wall time', `${(wallMs / 1000).toFixed(1)} s`],
    ];
    for (const [k, v] of table) console.log(`${k.padEnd(36)} ${v}`);
    if (values.keep) console.log(`kept ${file}`);
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

await mainBench();
