// Shared flag parsing for subcommands: node:util parseArgs with the common flags (--json, --data-dir,
// --store, --help), parse errors turned into one-line LINEAGE_BAD_ARGUMENT errors, and the configured store.
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { createStore, type CreateStoreOptions } from '../../graph/create-store.ts';
import type { LineageStore } from '../../graph/store.ts';
import type { Config } from '../config.ts';
import { loadConfig } from '../config.ts';
import { lineageError } from '../errors.ts';
import type { CliIO } from './io.ts';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags every subcommand accepts. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  'data-dir': { type: 'string' },
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies OptionSpec;

export interface CommandSpec<O extends OptionSpec> {
  /** e.g. 'impact' or 'ingest dbt'. */
  name: string;
  /** Usage line without the leading `lineage `, e.g. 'impact <ref> [--change DROP|RENAME|RETYPE|VALUES]'. */
  usage: string;
  /** Extra lines under the usage line (flag descriptions). */
  help?: string[];
  options: O;
  /** Exact positional count, or [min, max]. Default 0. */
  positionals?: number | [number, number];
}

export interface ParsedCommand<O extends OptionSpec> {
  values: ReturnType<
    typeof parseArgs<{ options: O & typeof COMMON_OPTIONS; allowPositionals: true }>
  >['values'];
  positionals: string[];
  /** True when --help was given: the help text was printed; the command should return 0. */
  help: boolean;
}

const COMMON_HELP = [
  '  --json              machine-readable output on stdout',
  '  --data-dir <dir>    embedded store directory (default $LINEAGE_DATA_DIR or .lineage)',
  '  --store <kind>      embedded | neo4j (default $LINEAGE_STORE or embedded)',
  '  -h, --help          this help',
];

export function helpText<O extends OptionSpec>(spec: CommandSpec<O>): string {
  return [`usage: lineage ${spec.usage}`, '', ...(spec.help ?? []), ...COMMON_HELP, ''].join('\n');
}

/** node:util parse errors carry a code (ERR_PARSE_ARGS_UNKNOWN_OPTION …); their message is already one line. */
function parseErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
}

/**
 * Parses a subcommand's argv. Unknown flags, missing flag values and a wrong number of positionals throw
 * LINEAGE_BAD_ARGUMENT with a one-line message naming the command. `--help` prints help to stdout.
 */
export function parseCommand<O extends OptionSpec>(
  args: string[],
  spec: CommandSpec<O>,
  io: Pick<CliIO, 'out'>,
): ParsedCommand<O> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...spec.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `lineage ${spec.name}: ${parseErrorMessage(err)} (see 'lineage ${spec.name} --help')`,
    );
  }
  const values = parsed.values as ParsedCommand<O>['values'];
  if ((values as { help?: boolean }).help) {
    io.out(helpText(spec));
    return { values, positionals: parsed.positionals, help: true };
  }
  const [min, max] =
    typeof spec.positionals === 'number'
      ? [spec.positionals, spec.positionals]
      : (spec.positionals ?? [0, 0]);
  const n = parsed.positionals.length;
  if (n < min || n > max) {
    const expected = min === max ? `${min}` : `${min}-${max}`;
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `lineage ${spec.name}: expected ${expected} argument(s), got ${n} (usage: lineage ${spec.usage})`,
    );
  }
  return { values, positionals: parsed.positionals, help: false };
}

/** An integer flag of at least `min`; LINEAGE_BAD_ARGUMENT otherwise. */
export function intFlag(name: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw lineageError('LINEAGE_BAD_ARGUMENT', `--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

/** A flag that must be one of `allowed` (case-insensitive, answered upper case). */
export function enumFlag<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T {
  const v = (value ?? '').toUpperCase();
  if (!(allowed as readonly string[]).includes(v))
    throw lineageError(
      'LINEAGE_BAD_ARGUMENT',
      `--${name} must be one of ${allowed.join(', ')}, got '${value}'`,
    );
  return v as T;
}

/** Configuration from the environment with the common flags applied on top. */
export function configFromFlags(
  io: Pick<CliIO, 'env'>,
  values: { 'data-dir'?: string; store?: string },
): Config {
  const config = loadConfig(io.env);
  const store = values.store;
  if (store !== undefined && store !== 'embedded' && store !== 'neo4j')
    throw lineageError('LINEAGE_BAD_ARGUMENT', `unknown store '${store}' (expected embedded or neo4j)`);
  return {
    ...config,
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(store !== undefined ? { store } : {}),
  };
}

/** Opens the configured store, runs `fn`, and always closes the store. */
export async function withStore<T>(
  config: Config,
  fn: (store: LineageStore) => Promise<T>,
  options: CreateStoreOptions = {},
): Promise<T> {
  const store = await createStore(config, options);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Throws LINEAGE_NOT_FOUND unless `path` is an existing directory. */
export function requireDirectory(path: string, what = 'directory'): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw lineageError('LINEAGE_NOT_FOUND', `${what} '${path}' does not exist`);
  }
  if (!isDir) throw lineageError('LINEAGE_NOT_FOUND', `${what} '${path}' is not a directory`);
}

/** Throws LINEAGE_NOT_FOUND unless `path` is an existing file. */
export function requireFile(path: string, what = 'file'): void {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw lineageError('LINEAGE_NOT_FOUND', `${what} '${path}' does not exist`);
  }
  if (!isFile) throw lineageError('LINEAGE_NOT_FOUND', `${what} '${path}' is not a file`);
}
