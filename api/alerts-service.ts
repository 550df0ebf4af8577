// One alert service per built app (the incident store beside the app's lineage store, the rules file),
// shared by the REST routes and the GraphQL fields of alerts. The REST module opens it when it registers
// (ROUTE_MODULES register before /graphql) and closes it with the app; GraphQL finds it by the app's config.
import type { FastifyInstance } from 'fastify';
import { openAlertService } from '../src/alerts/open.ts';
import type { AlertService } from '../src/alerts/service.ts';
import type { Config } from '../src/config.ts';
import { lineageError } from '../src/errors.ts';
import type { ApiDeps } from './context.ts';

const services = new WeakMap<Config, Promise<AlertService>>();

/** Opens (once per app) the alert service; closes it and stops the digest timer when the app closes. */
export function registerAlertService(app: FastifyInstance, deps: ApiDeps): Promise<AlertService> {
  let service = services.get(deps.config);
  if (!service) {
    service = openAlertService(deps.config, deps.store, { now: deps.now });
    services.set(deps.config, service);
    // digests that are due go out once a minute while the server runs
    const timer = setInterval(() => {
      void service!.then((s) => s.flushDigests(false)).catch((err) => app.log.warn({ err }, 'digest failed'));
    }, 60_000);
    timer.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      services.delete(deps.config);
      await (await service!).incidents.close();
    });
  }
  return service;
}

export async function alertServiceOf(config: Config): Promise<AlertService> {
  const s = services.get(config);
  if (!s) throw lineageError('INTERNAL', 'the alert service is not registered in this app');
  return s;
}
