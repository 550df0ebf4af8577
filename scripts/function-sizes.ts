// Lists the longest functions of the product code (src, parsers, graph, api, web/src), longest first:
// `npm run sizes [-- --top N] [-- --max L]`; exits 1 when --max is given and a function is longer.
// A function's size is its line span, nested functions included (a factory returning methods counts whole).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const PRODUCT = [
  'src/**/*.ts',
  'parsers/**/*.ts',
  'graph/**/*.ts',
  'api/**/*.ts',
  'web/src/**/*.ts',
  'web/src/**/*.tsx',
];

interface FunctionSize {
  lines: number;
  where: string;
  name: string;
}

function nameOf(n: ts.Node): string {
  const own = (n as { name?: ts.Node }).name;
  if (own) return own.getText();
  if (ts.isVariableDeclaration(n.parent) || ts.isPropertyAssignment(n.parent)) return n.parent.name.getText();
  return '(anonymous)';
}

function sizesIn(file: string): FunctionSize[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, kind);
  const out: FunctionSize[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const first = sf.getLineAndCharacterOfPosition(n.getStart()).line;
      const last = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      out.push({ lines: last - first + 1, where: `${file}:${first + 1}`, name: nameOf(n) });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function option(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : Number(process.argv[i + 1]);
}

// `:(glob)` so that `**/` also matches no folder (plain pathspecs skipped src/*.ts, graph/*.ts, api/*.ts …)
const files = execFileSync('git', ['ls-files', ...PRODUCT.map((p) => `:(glob)${p}`)], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const sizes = files.flatMap(sizesIn).sort((a, b) => b.lines - a.lines || a.where.localeCompare(b.where));
const max = option('--max');
const shown = max === undefined ? sizes.slice(0, option('--top') ?? 20) : sizes.filter((s) => s.lines > max);
for (const s of shown) process.stdout.write(`${String(s.lines).padStart(5)}  ${s.name}  ${s.where}\n`);
process.stdout.write(
  `${sizes.length} functions; ${sizes.filter((s) => s.lines >= 80).length} of 80 lines or more\n`,
);
if (max !== undefined && shown.length > 0) process.exitCode = 1;
