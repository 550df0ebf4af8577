// POST /api/v1/lineage (write scope): OpenLineage events, the path and body Marquez accepts, so an emitter
// (Airflow provider, Spark listener, dbt-ol, Trino event listener, any openlineage client's HTTP transport) only
// changes its URL. Body: one event (RunEvent, JobEvent or DatasetEvent, spec 2-0-2) or a JSON array of events.
// Every event is validated before anything is written: a malformed body or event is a 400
// OPENLINEAGE_INVALID_EVENT and the store and run ledger are untouched. 201 with a small summary otherwise.
import type { FastifyInstance } from 'fastify';
import type { LineageStore } from '../graph/store.ts';
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';
import {
  fileLedger,
  ingestOpenLineage,
  OPENLINEAGE_SPEC_VERSION,
  validateAll,
  type Ledger,
} from '../src/pipeline/openlineage.ts';
import type { ApiDeps } from './context.ts';
import type { RouteModule } from './routes.ts';

/** Ledger writes from the API are coalesced: at most one file write per this many ms. */
const LEDGER_SAVE_MS = 1000;

const ledgers = new WeakMap<LineageStore, Ledger & { flush(): void }>();

/** One run ledger per store for the process (kept in the data directory, written at most once a second). */
function ledgerFor(store: LineageStore, config: Config): Ledger & { flush(): void } {
  let l = ledgers.get(store);
  if (!l) {
    const file = fileLedger(config.dataDir);
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      if (!timer) return;
      clearTimeout(timer);
      timer = null;
      file.save();
    };
    l = {
      data: file.data,
      save() {
        if (timer) return;
        timer = setTimeout(() => {
          timer = null;
          file.save();
        }, LEDGER_SAVE_MS);
        timer.unref();
      },
      flush,
    };
    ledgers.set(store, l);
  }
  return l;
}

export const openLineageRoutes: RouteModule = {
  name: 'openlineage',
  scope: 'write',
  register(app: FastifyInstance, { store, config, now }: ApiDeps) {
    // Our own JSON parser in this context: a body that is not JSON is an OpenLineage error, not a generic 400.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (e) {
        done(
          lineageError('OPENLINEAGE_INVALID_EVENT', `the body is not JSON: ${(e as Error).message}`),
          undefined,
        );
      }
    });
    app.addHook('onClose', async () => ledgers.get(store)?.flush());
    app.post('/api/v1/lineage', async (request, reply) => {
      const body = request.body;
      if (body === undefined || body === null)
        throw lineageError(
          'OPENLINEAGE_INVALID_EVENT',
          'expected an OpenLineage event (JSON object) or an array of events',
        );
      const list = Array.isArray(body) ? body : [body];
      if (list.length === 0) throw lineageError('OPENLINEAGE_INVALID_EVENT', 'the array holds no event');
      const events = validateAll(list, (i) => (Array.isArray(body) ? `event ${i}` : 'the event'));
      const s = await ingestOpenLineage(store, ledgerFor(store, config), events, { now });
      void reply.code(201);
      return {
        spec: OPENLINEAGE_SPEC_VERSION,
        accepted: s.events,
        lateEvents: s.lateEvents,
        jobs: s.jobs,
        origins: s.origins,
        columnEdges: s.columnEdges,
        relationEdges: s.relationEdges,
        evidence: s.evidence,
        diagnostics: s.diagnostics.length,
      };
    });
  },
};
