// Renderings of a diff report: a terminal table and a pull-request comment (markdown). Pure functions.
import { UNOWNED } from '../../analysis/owners.ts';
import type { DiffChange, DiffReport, ReachedConsumer } from '../../pipeline/dbt-diff.ts';

const LABEL: Record<DiffChange['kind'], string> = {
  column_removed: 'removed column',
  column_renamed: 'renamed column',
  column_retyped: 'retyped column',
  column_added: 'added column',
  model_removed: 'removed model',
  model_changed: 'changed SQL',
  model_added: 'added model',
};

const EFFECT: Record<ReachedConsumer['effect'], string> = {
  breaks: 'reads a model that fails to build',
  stale: 'reads a model that goes stale or may break',
  values: 'values change',
};

function subject(c: DiffChange): string {
  return c.column !== undefined ? `${c.relation}.${c.column}` : c.relation;
}

function detail(c: DiffChange): string {
  const follows = c.follows ? ` (follows ${c.follows})` : '';
  if (c.kind === 'column_renamed')
    return ` -> ${c.renamedTo} (${c.renameEvidence === 'same_upstream' ? 'same upstream columns' : 'same type and position'})`;
  if (c.kind === 'column_retyped') return ` ${c.fromType} -> ${c.toType}${follows}`;
  return follows;
}

function ownersOf(e: ReachedConsumer): string {
  return e.owners.map((o) => o.email ?? o.name ?? o.id).join(', ');
}

function headline(r: DiffReport): string[] {
  const s = r.summary;
  return [
    `diff ${r.base.dir} (manifest v${r.base.manifestVersion}) -> ${r.head.dir} (manifest v${r.head.manifestVersion}), project ${r.head.project}`,
    `  ${s.column_removed} removed, ${s.column_renamed} renamed, ${s.column_retyped} retyped, ${s.column_added} added columns; ${s.model_removed} removed, ${s.model_changed} changed, ${s.model_added} added models`,
    `  verdict ${s.verdict}; blast radius: ${s.certainBreaks} models fail to build, ${s.possibleBreaks} may break, ${s.tests} dbt tests cannot compile, ${s.stale} go stale, ${s.passThrough} pass a retyped column through, ${s.exposures} exposures reached`,
  ];
}

export function formatTable(r: DiffReport): string {
  const lines = headline(r);
  for (const c of r.changes) {
    const b = c.blastRadius;
    lines.push(`${LABEL[c.kind].padEnd(15)} ${subject(c)}${detail(c)}${b ? `  [${b.verdict}]` : ''}`);
    if (!b) continue;
    if (b.certainBreaks.length) lines.push(`    breaks:    ${b.certainBreaks.join(', ')}`);
    if (b.possibleBreaks.length) lines.push(`    may break: ${b.possibleBreaks.join(', ')}`);
    if (b.tests.length) lines.push(`    tests:     ${b.tests.map((t) => t.name).join(', ')}`);
    if (b.passThrough.length) lines.push(`    passes through: ${b.passThrough.join(', ')}`);
    if (b.stale.length) lines.push(`    stale:     ${b.stale.join(', ')}`);
    if (b.exposures.length)
      lines.push(
        `    exposures: ${b.exposures.map((e) => `${e.name} (${e.kind}${e.owners.length ? `, ${ownersOf(e)}` : ''})`).join('; ')}`,
      );
    if (b.values.length) lines.push(`    values:    ${b.values.length} downstream columns change`);
    if (b.indirect.length)
      lines.push(`    rows:      ${b.indirect.length} relations may keep or group different rows`);
    if (b.semantic.length)
      lines.push(`    semantic:  ${b.semantic.length} metrics / semantic models reached`);
    if (b.partial) lines.push('    (partial result)');
  }
  return `${lines.join('\n')}\n`;
}

/** Markdown-safe inline code (backticks in names are replaced, pipes escaped for tables). */
function code(s: string): string {
  return `\`${s.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}

function list(keys: string[], max = 8): string {
  if (keys.length === 0) return '—';
  const shown = keys.slice(0, max).map(code).join(', ');
  return keys.length > max ? `${shown} and ${keys.length - max} more` : shown;
}

export interface GateOutcome {
  failOn: readonly string[];
  failed: readonly string[];
}

/** A pull-request comment: verdict, what changed, provable breaks with their tests, exposures and owners. */
export function formatMarkdown(r: DiffReport, gate: GateOutcome = { failOn: [], failed: [] }): string {
  const out = [
    ...verdictSection(r, gate),
    ...provableBreaksSection(r),
    ...changesSection(r),
    ...exposuresSection(r),
  ];
  const owners = [...new Set(r.changes.flatMap((c) => c.blastRadius?.owners ?? []))]
    .filter((o) => o !== UNOWNED)
    .sort();
  if (owners.length > 0) out.push(`Owners of what is reached: ${list(owners, 12)}`, '');
  if (r.summary.partial) out.push('_Some traversals hit a limit: the result is partial._', '');
  return `${out.join('\n')}\n`;
}

/** The verdict, the change counts, the blast-radius totals and the gate's outcome. */
function verdictSection(r: DiffReport, gate: GateOutcome): string[] {
  const s = r.summary;
  const out: string[] = [];
  out.push(`### Lineage diff: **${s.verdict}**`, '');
  out.push(
    `${code(r.head.project)}: ${s.column_removed} removed, ${s.column_renamed} renamed, ${s.column_retyped} retyped, ${s.column_added} added columns; ${s.model_removed} removed, ${s.model_changed} changed, ${s.model_added} added models.`,
    '',
  );
  out.push(
    '| Fail to build | May break | dbt tests that cannot compile | Go stale | Exposures reached |',
    '|---:|---:|---:|---:|---:|',
    `| ${s.certainBreaks} | ${s.possibleBreaks} | ${s.tests} | ${s.stale} | ${s.exposures} (${s.exposuresBroken} through a broken or stale model) |`,
    '',
  );
  if (gate.failOn.length > 0)
    out.push(
      gate.failed.length > 0
        ? `Gate **failed** on \`--fail-on ${gate.failed.join(',')}\`.`
        : `Gate passed (\`--fail-on ${gate.failOn.join(',')}\`).`,
      '',
    );
  return out;
}

/** The BLOCK changes with what fails to build, the tests that cannot compile and what goes stale. */
function provableBreaksSection(r: DiffReport): string[] {
  const blocking = r.changes.filter((c) => c.blastRadius?.verdict === 'BLOCK');
  if (blocking.length === 0) return [];
  const out = ['#### Provable breaks', ''];
  for (const c of blocking) {
    const b = c.blastRadius!;
    out.push(`- **${LABEL[c.kind]}** ${code(subject(c))}${detail(c)}`);
    if (b.certainBreaks.length)
      out.push(`  - fails to build (its SQL references it): ${list(b.certainBreaks)}`);
    if (b.tests.length) out.push(`  - dbt tests that cannot compile: ${list(b.tests.map((t) => t.name))}`);
    if (b.stale.length) out.push(`  - goes stale (downstream of a failed build): ${list(b.stale)}`);
  }
  out.push('');
  return out;
}

/** Every change, worst first, at most MAX_ROWS rows. */
function changesSection(r: DiffReport): string[] {
  const out = ['#### Changes', '', '| Verdict | Change | Asset | Downstream |', '|---|---|---|---|'];
  // worst first, then in report order; a PR comment stays readable (and under GitHub's size limit)
  const ranked = r.changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => changeRank(b.c) - changeRank(a.c) || a.i - b.i)
    .map((x) => x.c);
  for (const c of ranked.slice(0, MAX_ROWS)) {
    const b = c.blastRadius;
    out.push(
      `| ${b ? b.verdict : c.follows ? 'follows' : '—'} | ${LABEL[c.kind]} | ${code(subject(c))}${detail(c).replace(/\|/g, '\\|')} | ${b ? downstream(b) : c.follows ? `covered by ${code(c.follows)}` : '—'} |`,
    );
  }
  if (ranked.length > MAX_ROWS)
    out.push(
      '',
      `_${ranked.length - MAX_ROWS} more changes (SAFE or smaller) in \`lineage diff --format json\`._`,
    );
  out.push('');
  return out;
}

/** The exposures reached (each by its worst effect) with their owners. */
function exposuresSection(r: DiffReport): string[] {
  const exposures = new Map<string, ReachedConsumer>();
  for (const c of r.changes)
    for (const e of c.blastRadius?.exposures ?? []) {
      const prev = exposures.get(e.key);
      if (!prev || rankEffect(e.effect) < rankEffect(prev.effect)) exposures.set(e.key, e);
    }
  if (exposures.size === 0) return [];
  const out = [
    '#### Exposures and owners',
    '',
    '| Exposure | Type | Maturity | Why | Owners |',
    '|---|---|---|---|---|',
  ];
  for (const e of [...exposures.values()].sort(
    (a, b) => rankEffect(a.effect) - rankEffect(b.effect) || (a.name < b.name ? -1 : 1),
  ))
    out.push(
      `| ${e.url ? `[${e.name}](${e.url})` : e.name} | ${e.kind} | ${e.maturity ?? '—'} | ${EFFECT[e.effect]} (via ${code(e.via)}) | ${ownersOf(e) || '—'} |`,
    );
  out.push('');
  return out;
}

/** Rows of the changes table in a PR comment. */
const MAX_ROWS = 50;

function changeRank(c: DiffChange): number {
  const v = c.blastRadius?.verdict;
  return v === 'BLOCK' ? 3 : v === 'REVIEW' ? 2 : v === 'SAFE' ? 1 : 0;
}

function rankEffect(e: ReachedConsumer['effect']): number {
  return e === 'breaks' ? 0 : e === 'stale' ? 1 : 2;
}

function downstream(b: NonNullable<DiffChange['blastRadius']>): string {
  const parts: string[] = [];
  if (b.certainBreaks.length) parts.push(`fails to build: ${list(b.certainBreaks, 4)}`);
  if (b.possibleBreaks.length) parts.push(`may break: ${list(b.possibleBreaks, 4)}`);
  if (b.tests.length) parts.push(`${b.tests.length} tests cannot compile`);
  if (b.passThrough.length) parts.push(`passes through: ${list(b.passThrough, 4)}`);
  if (b.stale.length) parts.push(`${b.stale.length} go stale`);
  if (b.values.length) parts.push(`${b.values.length} columns change values`);
  if (b.exposures.length) parts.push(`${b.exposures.length} exposures`);
  return parts.length ? parts.join('; ') : 'nothing downstream';
}
