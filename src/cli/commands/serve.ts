// `lineage serve`: the GraphQL API and the offline GraphiQL playground on host:port until SIGINT/SIGTERM.
import { createStore } from '../../../graph/create-store.ts';
import type { LineageStore } from '../../../graph/store.ts';
import { startServer } from '../../../api/server.ts';
import type { Config } from '../../config.ts';
import { configFromFlags, intFlag, parseCommand } from '../args.ts';
import type { CliIO } from '../io.ts';

export const SERVE_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  log: { type: 'boolean', default: false },
} as const;

const SPEC = {
  name: 'serve',
  usage: 'serve [--port n] [--host h] [--data-dir d]',
  help: [
    '  --port <n>     port (default $LINEAGE_PORT or 4000; 0 = any free port)',
    '  --host <h>     interface (default $LINEAGE_HOST or 127.0.0.1)',
    '  --log          request logs on stderr',
    '  Auth: LINEAGE_READ_TOKEN (optional, reads) and LINEAGE_ADMIN_TOKEN (mutations).',
  ],
  options: SERVE_OPTIONS,
  positionals: 0,
};

export function serverConfig(
  io: CliIO,
  values: { port?: string; host?: string; 'data-dir'?: string; store?: string },
): Config {
  const config = configFromFlags(io, values);
  return {
    ...config,
    server: {
      ...config.server,
      ...(values.port !== undefined ? { port: intFlag('port', values.port, 0) } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
    },
  };
}

/** Serves until a signal (or `stop` resolves), then closes the server and the store. */
export async function serveUntilStopped(
  io: CliIO,
  store: LineageStore,
  config: Config,
  log: boolean,
  onListening: (url: string) => void,
  stop?: Promise<void>,
): Promise<number> {
  const { app, url } = await startServer({ store, config, logger: log });
  onListening(url);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    void stop?.then(done);
  });
  io.err('shutting down\n');
  await app.close();
  await store.close();
  return 0;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const config = serverConfig(io, cmd.values);
  const store = await createStore(config);
  return serveUntilStopped(io, store, config, Boolean(cmd.values.log), (url) => {
    io.out(
      `explorer: ${url}/explorer\nlineage API listening on ${url}/graphql (store: ${store.kind})\nplayground: ${url}/graphiql\n`,
    );
  });
}
