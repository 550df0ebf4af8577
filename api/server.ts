// Listens: builds the app and binds it to config.server.host:port.
import type { FastifyInstance } from 'fastify';
import type { LineageStore } from '../graph/store.ts';
import type { Config } from '../src/config.ts';
import { buildApp } from './app.ts';
import { keepWarm, type WarmUp } from './warm-up.ts';

export async function startServer(options: {
  store: LineageStore;
  config: Config;
  logger?: boolean;
}): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApp({ store: options.store, config: options.config, logger: options.logger });
  // started once listening, stopped before the store is closed (a sample analysis under way finishes first)
  const warming: WarmUp[] = [];
  app.addHook('onClose', async () => {
    for (const w of warming) w.stop();
    await Promise.all(warming.map((w) => w.idle()));
  });
  const address = await app.listen({ host: options.config.server.host, port: options.config.server.port });
  // a server that failed to bind starts nothing
  warming.push(
    keepWarm(options.store, options.config, (err) =>
      app.log.warn({ err }, 'warm-up failed; tried again at the next interval'),
    ),
  );
  const url = address.replace('://[::1]', '://localhost');
  return { app, url };
}
