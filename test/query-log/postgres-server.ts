// Test helper: a throwaway PostgreSQL server (Debian's package) in a temp data dir on a free 127.0.0.1 port,
// logging every statement to csvlog. Runs initdb/pg_ctl as the `postgres` user when we are root.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgServer {
  port: number;
  dataDir: string;
  /** Path of the csvlog file the server writes. */
  csvlog: string;
  stop(): void;
  cleanup(): void;
}

/** The bin directory of the newest installed PostgreSQL, installing the Debian package when missing. */
export function findPostgresBin(): { bin: string } | { skip: string } {
  const find = (): string | null => {
    if (!existsSync('/usr/lib/postgresql')) return null;
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`))
      .sort((a, b) => Number(b) - Number(a));
    return versions.length > 0 ? `/usr/lib/postgresql/${versions[0]}/bin` : null;
  };
  const found = find();
  if (found) return { bin: found };
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'ignore', timeout: 300_000 });
  } catch (err) {
    return { skip: `PostgreSQL is not installed and apt-get install failed: ${(err as Error).message}` };
  }
  const after = find();
  return after
    ? { bin: after }
    : { skip: 'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres)' };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPostgres(bin: string): Promise<PgServer> {
  const root = process.getuid?.() === 0;
  const as = (cmd: string, args: string[]): void => {
    const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    execFileSync(file, argv, { stdio: 'pipe', timeout: 60_000 });
  };
  const dir = mkdtempSync(join(tmpdir(), 'lineage-pg-'));
  const dataDir = join(dir, 'data');
  if (root) {
    const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
    const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  as(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '--auth=trust',
    '--username=postgres',
    '--no-sync',
    '--encoding=UTF8',
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    `-c listen_addresses=127.0.0.1`,
    `-c logging_collector=on`,
    `-c log_destination=csvlog`,
    `-c log_directory=${join(dir, 'log')}`,
    `-c log_filename=pg.log`,
    `-c log_statement=all`,
    `-c fsync=off`,
    `-c log_timezone=UTC`,
  ].join(' ');
  as(join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-o',
    options,
    '-w',
    '-t',
    '60',
    '-l',
    join(dir, 'server.out'),
    'start',
  ]);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    as(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
  };
  return {
    port,
    dataDir,
    csvlog: join(dir, 'log', 'pg.csv'),
    stop,
    cleanup() {
      stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
