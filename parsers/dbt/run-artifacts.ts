// run_results.json and sources.json -> evidence entries (by dbt unique_id; the caller maps ids to keys).
import type { Diagnostic, EvidenceKind } from '../../src/model/lineage.ts';
import {
  freshnessResultSchema,
  runResultSchema,
  runResultsSchema,
  sourcesSchema,
  validate,
} from './schemas.ts';
import { checkVersion, newerVersionDiagnostic } from './versions.ts';

export interface RunFact {
  uniqueId: string;
  kind: EvidenceKind;
  at: string;
  message: string;
}

export interface RunArtifact {
  file: string;
  facts: RunFact[];
  /** Every unique_id the artifact reports on (to tell an artifact of another project). */
  ids: string[];
  diagnostics: Diagnostic[];
}

export function readRunResults(json: unknown, file: string): RunArtifact {
  const diagnostics: Diagnostic[] = [];
  const version = checkVersion(json, 'run-results', file);
  if (version.newer) diagnostics.push(newerVersionDiagnostic(version, file));
  const top = validate(runResultsSchema, json, file, '$');
  const generatedAt = top.metadata.generated_at ?? undefined;
  const facts: RunFact[] = [];
  const ids: string[] = [];
  top.results.forEach((raw, i) => {
    const r = validate(runResultSchema, raw, file, `$.results[${i}]`);
    ids.push(r.unique_id);
    const isTest = r.unique_id.startsWith('test.');
    const kind = evidenceKind(r.status, isTest);
    if (!kind) return;
    const execute = r.timing?.find((t) => t.name === 'execute') ?? r.timing?.[r.timing.length - 1];
    const at = execute?.completed_at ?? execute?.started_at ?? generatedAt;
    if (!at) return;
    const failures = r.failures ? ` (${r.failures} failing rows)` : '';
    facts.push({
      uniqueId: r.unique_id,
      kind,
      at: normalizeTime(at),
      message: `${isTest ? 'test' : 'node'} ${r.status}${failures}${r.message ? `: ${oneLine(r.message)}` : ''}`,
    });
  });
  return { file, facts, ids, diagnostics };
}

function evidenceKind(status: string, isTest: boolean): EvidenceKind | null {
  const s = status.toLowerCase();
  if (isTest) {
    if (s === 'fail' || s === 'error' || s === 'runtime error') return 'test_failed';
    if (s === 'warn') return 'test_warned';
    if (s === 'pass' || s === 'success') return 'test_passed';
    return null;
  }
  if (s === 'error' || s === 'runtime error') return 'model_error';
  return null;
}

export function readSourcesFreshness(json: unknown, file: string): RunArtifact {
  const diagnostics: Diagnostic[] = [];
  const version = checkVersion(json, 'sources', file);
  if (version.newer) diagnostics.push(newerVersionDiagnostic(version, file));
  const top = validate(sourcesSchema, json, file, '$');
  const facts: RunFact[] = [];
  const ids: string[] = [];
  top.results.forEach((raw, i) => {
    const r = validate(freshnessResultSchema, raw, file, `$.results[${i}]`);
    ids.push(r.unique_id);
    const s = r.status.toLowerCase();
    const at = r.snapshotted_at ?? top.metadata.generated_at;
    if (s === 'runtime error' || !at) {
      diagnostics.push({
        code: 'DBT_FRESHNESS_ERROR',
        severity: 'warning',
        message: `freshness check of ${r.unique_id} failed to run${r.error ? `: ${oneLine(r.error)}` : ''}`,
        where: { file, jsonPath: `$.results[${i}]`, uniqueId: r.unique_id },
      });
      return;
    }
    const age = r.max_loaded_at_time_ago_in_s;
    const ageText = typeof age === 'number' ? `, last load ${Math.round(age / 3600)} h before the check` : '';
    facts.push({
      uniqueId: r.unique_id,
      kind: s === 'pass' ? 'source_fresh' : 'source_stale',
      at: normalizeTime(at),
      message: `source freshness ${s}${r.max_loaded_at ? ` (max_loaded_at ${r.max_loaded_at}${ageText})` : ''}`,
    });
  });
  return { file, facts, ids, diagnostics };
}

/**
 * Results naming nodes the manifest does not have are ignored. When most do, the artifact is probably from
 * another project (or an old run): DBT_RESULTS_MISMATCH warns once, naming the file; a few (nodes deleted
 * since the run) are one DBT_RESULTS_EXTRA info.
 */
export function checkResultsMatch(
  artifact: RunArtifact,
  nodeIds: ReadonlySet<string>,
  manifestFile: string,
): Diagnostic[] {
  const unmatched = [...new Set(artifact.ids)].filter((id) => !nodeIds.has(id)).sort();
  if (unmatched.length === 0) return [];
  const total = new Set(artifact.ids).size;
  const foreign = unmatched.length * 2 > total;
  return [
    {
      code: foreign ? 'DBT_RESULTS_MISMATCH' : 'DBT_RESULTS_EXTRA',
      severity: foreign ? 'warning' : 'info',
      message:
        `${artifact.file}: ${unmatched.length} of ${total} results name nodes that are not in ${manifestFile} (e.g. ${unmatched[0]})` +
        (foreign
          ? '; is it from another project? Its test results and run errors are ignored'
          : '; they are ignored'),
      where: { file: artifact.file, uniqueId: unmatched[0] },
    },
  ];
}

/** ISO-8601 in UTC with a Z, whatever offset style dbt wrote. */
export function normalizeTime(t: string): string {
  const d = new Date(/Z|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`);
  return Number.isNaN(d.getTime()) ? t : d.toISOString();
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
