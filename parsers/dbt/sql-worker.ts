// The SQL engine in a worker thread (see sql-pool.ts): one task at a time, each with the schemas the main
// thread prefetched for it. The engine's schema lookups are answered from that prefetch and recorded, so the
// main thread can check every answer against what it knows and re-run the task when one differs.
import { parentPort } from 'node:worker_threads';
import type { RelationKey } from '../../src/model/lineage.ts';
import { loadSqlEngine } from './sql-engine.ts';
import type { SqlTask, SqlTaskResult } from './sql-pool.ts';

const port = parentPort;
if (!port) throw new Error('sql-worker.ts runs only as a worker thread');
const engine = loadSqlEngine();

port.on('message', (msg: { id: number; task: SqlTask }) => {
  void run(msg.task).then((result) => port.postMessage({ id: msg.id, result }));
});

async function run(task: SqlTask): Promise<SqlTaskResult> {
  const known = new Map(task.prefetch);
  const lookups = new Map<RelationKey, string[] | null>();
  try {
    const analyze = await engine;
    if (!analyze) throw new Error('the SQL engine (parsers/sql) is not available');
    const statements = await analyze({
      sql: task.sql,
      platform: task.platform,
      defaultDatabase: task.defaultDatabase,
      defaultSchema: task.defaultSchema,
      statementId: task.statementId,
      schema: {
        columns(key) {
          const cols = known.get(key) ?? undefined;
          lookups.set(key, cols ? [...cols] : null);
          return cols;
        },
      },
    });
    return { ok: true, statements, lookups: [...lookups] };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), lookups: [...lookups] };
  }
}
