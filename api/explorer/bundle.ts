// Builds the explorer (web/src, React + React Flow + elkjs from node_modules) into one JS and one CSS file
// in memory with esbuild, once per process, on first request (about a second). No CDN, no build step to
// forget: a fresh clone's `npm install && npm start` serves it. The only importer of esbuild.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export interface ExplorerBundle {
  js: Buffer;
  css: Buffer;
  /** Milliseconds the build took. */
  buildMs: number;
}

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));

export async function buildExplorerBundle(): Promise<ExplorerBundle> {
  const started = performance.now();
  const result = await build({
    absWorkingDir: WEB,
    entryPoints: ['src/main.tsx'],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    jsx: 'automatic',
    tsconfig: 'tsconfig.json',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    legalComments: 'none',
  });
  const file = (ext: string) => {
    const f = result.outputFiles.find((o) => o.path.endsWith(`main.${ext}`));
    if (!f) throw new Error(`the explorer build produced no main.${ext}`);
    return Buffer.from(f.contents);
  };
  return { js: file('js'), css: file('css'), buildMs: Math.round(performance.now() - started) };
}

let pending: Promise<ExplorerBundle> | undefined;

/** The process's one bundle (a failed build is retried on the next call). */
export function explorerBundle(): Promise<ExplorerBundle> {
  pending ??= buildExplorerBundle().catch((e: unknown) => {
    pending = undefined;
    throw e;
  });
  return pending;
}
