// The CLI's view of the outside world, so commands can be tested without a real terminal.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  stdin: NodeJS.ReadableStream;
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

export function processIO(): CliIO {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    stdin: process.stdin,
    isTTY: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}
