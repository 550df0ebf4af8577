// Starts a throwaway Neo4j Community server (embedded Neo4j with Bolt, see TestNeo4j.java) for tests, CI,
// benchmarks and local use. Builds the launcher with Maven once (reused while target/ is up to date),
// picks a free port, spawns `java`, waits for the READY line and a Bolt handshake.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import neo4j from 'neo4j-driver';
import { lineageError } from '../../src/errors.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLASS_FILE = join(HERE, 'target', 'classes', 'lineage', 'TestNeo4j.class');
const LIB_DIR = join(HERE, 'target', 'lib');
const SOURCES = [join(HERE, 'pom.xml'), join(HERE, 'src', 'main', 'java', 'lineage', 'TestNeo4j.java')];

/** The flags Neo4j 5's own neo4j.conf passes; without the --add-opens embedded start-up fails. */
const JVM_FLAGS = [
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--enable-native-access=ALL-UNNAMED',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-XX:+UseParallelGC',
];

export interface StartOptions {
  /** Database home; a fresh temporary directory when absent (removed on stop unless keepHome). */
  homeDir?: string;
  keepHome?: boolean;
  /** Bolt port; a free one when absent. */
  port?: number;
  heap?: string;
  pageCacheMb?: number;
  /** Extra JVM flags, after the defaults (LINEAGE_NEO4J_JVM_FLAGS, space-separated, is added too). */
  jvmFlags?: readonly string[];
  startTimeoutMs?: number;
  /** Receives the server's output lines (default: kept in memory and shown only when start-up fails). */
  log?: (line: string) => void;
}

export interface RunningNeo4j {
  uri: string;
  homeDir: string;
  pid: number;
  /** SIGTERM, wait for a clean shutdown (SIGKILL after 30 s), remove a temporary home. */
  stop(): Promise<void>;
  /** SIGKILL without shutdown: for crash tests. The home directory is kept. */
  kill(): Promise<void>;
}

function newestMtime(path: string): number {
  return statSync(path).mtimeMs;
}

function isBuilt(): boolean {
  if (!existsSync(CLASS_FILE) || !existsSync(LIB_DIR)) return false;
  if (!readdirSync(LIB_DIR).some((f) => f.startsWith('neo4j-kernel'))) return false;
  const built = newestMtime(CLASS_FILE);
  return SOURCES.every((s) => newestMtime(s) <= built);
}

function assertTool(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.error) {
    throw lineageError(
      'NEO4J_JAVA_MISSING',
      `${what} ("${cmd}") was not found on PATH. The test Neo4j needs Java 17+ and Maven ` +
        `(Debian: apt-get install openjdk-17-jdk-headless maven). Or set NEO4J_URI to an existing Neo4j 5, ` +
        `or LINEAGE_TEST_SKIP_NEO4J=1 to skip the Neo4j tests.`,
    );
  }
}

/** Compiles the launcher and copies Neo4j's jars into target/lib, unless that is already up to date. */
export function buildLauncher(): void {
  assertTool('java', ['-version'], 'Java');
  if (isBuilt()) return;
  assertTool('mvn', ['-v'], 'Maven');
  const r = spawnSync('mvn', ['-q', '-B', 'package'], { cwd: HERE, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    const out = `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}`.slice(-4000);
    throw lineageError('STORE_UNAVAILABLE', `building the test Neo4j launcher failed (mvn package):\n${out}`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function verifyBolt(uri: string): Promise<void> {
  const driver = neo4j.driver(uri, neo4j.auth.basic('neo4j', 'unused'));
  try {
    await driver.verifyConnectivity();
  } finally {
    await driver.close();
  }
}

/** Starts a Neo4j server and resolves once Bolt answers. */
export async function startNeo4j(options: StartOptions = {}): Promise<RunningNeo4j> {
  buildLauncher();
  const temporary = options.homeDir === undefined;
  const homeDir = options.homeDir ?? mkdtempSync(join(tmpdir(), 'lineage-neo4j-'));
  const port = options.port ?? (await freePort());
  const uri = `bolt://127.0.0.1:${port}`;
  const args = [
    ...JVM_FLAGS,
    `-Xmx${options.heap ?? '1g'}`,
    ...(options.jvmFlags ?? []),
    ...(process.env.LINEAGE_NEO4J_JVM_FLAGS ?? '').split(' ').filter((f) => f !== ''),
    '-cp',
    `${join(HERE, 'target', 'classes')}:${join(LIB_DIR, '*')}`,
    'lineage.TestNeo4j',
    homeDir,
    String(port),
    String(options.pageCacheMb ?? 64),
  ];
  // stdin stays a pipe: the server exits when it closes, so a crashed test run leaves no server behind.
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let markReady = (): void => {};
  const onLine = (line: string): void => {
    if (line.startsWith('NEO4J_READY')) markReady();
    if (options.log) options.log(line);
    else if (lines.push(line) > 200) lines.shift();
  };
  let pending = '';
  const onData = (chunk: Buffer): void => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const p of parts) onLine(p);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Neo4j did not start within ${options.startTimeoutMs ?? 120_000} ms`)),
      options.startTimeoutMs ?? 120_000,
    );
    markReady = () => {
      clearTimeout(timer);
      resolve();
    };
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Neo4j exited during start-up (code ${code}, signal ${signal})`));
    });
  });

  const cleanup = (): void => {
    if (temporary && !options.keepHome) rmSync(homeDir, { recursive: true, force: true });
  };
  try {
    await ready;
    await verifyBolt(uri);
  } catch (err) {
    child.kill('SIGKILL');
    await waitExit(child, 10_000);
    cleanup();
    throw lineageError(
      'STORE_UNAVAILABLE',
      `could not start the test Neo4j: ${(err as Error).message}\n${lines.slice(-40).join('\n')}`,
      undefined,
      err,
    );
  }

  return {
    uri,
    homeDir,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitExit(child, 30_000))) {
          child.kill('SIGKILL');
          await waitExit(child, 10_000);
        }
      }
      cleanup();
    },
    async kill() {
      child.kill('SIGKILL');
      await waitExit(child, 10_000);
    },
  };
}

// `npx tsx scripts/neo4j/launch.ts` runs a server in the foreground until Ctrl-C.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startNeo4j({ log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`Neo4j ready at ${server.uri} (home ${server.homeDir}); Ctrl-C stops it\n`);
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
