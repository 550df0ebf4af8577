import { lineageError } from '../errors.ts';

/** For subcommands whose capability has not landed: says so plainly, never fakes an answer. */
export function notAvailable(command: string, issue: string): never {
  throw lineageError(
    'LINEAGE_NOT_AVAILABLE',
    `'lineage ${command}' is not available yet (tracked in ${issue})`,
  );
}
