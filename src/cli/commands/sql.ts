// `lineage sql`: JSON lines on stdin (one SQL request each) -> one JSON line of column lineage per input.
// A bad line answers with a diagnostic and the stream goes on. Protocol: parsers/sql/jsonl.ts, docs/sql.md.
import { createInterface } from 'node:readline';
import { answerLine } from '../../../parsers/sql/jsonl.ts';
import { parseCommand } from '../args.ts';
import type { CliIO } from '../io.ts';

const SPEC = {
  name: 'sql',
  usage: 'sql [--dialect <platform>] < requests.jsonl > lineage.jsonl',
  help: [
    '  Each input line: {"id", "sql", "dialect", "default_database", "default_schema",',
    '  "schema": {"<table>": {"<column>": "<type>"}}} (all but "sql" optional).',
    '  Each output line: {"id", "inputs", "outputs", "column_lineage", "end_to_end", "star_edges",',
    '  "diagnostics"}; end_to_end: the script with intermediate tables collapsed.',
    '  --dialect <platform>  dialect for lines that name none (default generic)',
  ],
  options: { dialect: { type: 'string' } } as const,
  positionals: 0,
};

export async function run(args: string[], io: CliIO): Promise<number> {
  const cmd = parseCommand(args, SPEC, io);
  if (cmd.help) return 0;
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    io.out(`${JSON.stringify(answerLine(line, cmd.values.dialect))}\n`);
  }
  return 0;
}
