import type { CliIO } from '../io.ts';
import { notAvailable } from '../not-available.ts';

export async function run(_args: string[], _io: CliIO): Promise<number> {
  return notAvailable('diff', 'issue #4');
}
