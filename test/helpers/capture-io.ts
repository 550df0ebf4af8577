// A CliIO that keeps what a command writes, for tests that run commands in process.
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/io.ts';

export type CapturedIO = CliIO & { stdout: string; stderr: string };

export function captureIO(
  options: { env?: Record<string, string | undefined>; stdin?: NodeJS.ReadableStream } = {},
): CapturedIO {
  const io: CapturedIO = {
    stdout: '',
    stderr: '',
    out: (t) => void (io.stdout += t),
    err: (t) => void (io.stderr += t),
    stdin: options.stdin ?? new PassThrough(),
    isTTY: false,
    env: options.env ?? {},
  };
  return io;
}
