// A dbt target/ directory -> one LineageBatch. Reads and validates every artifact first (so bad input fails
// before anything is built), then builds nodes, column lineage, checks, consumers, evidence, fingerprints.
// Never touches a store.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic, LineageBatch, Origin } from '../../src/model/lineage.ts';
import { lineageError } from '../../src/errors.ts';
import { columnKey } from '../../src/model/identity.ts';
import { keyTooLong, oversizedKeyMessage, withoutOversizedKeys } from '../../src/model/key-size.ts';
import { BatchBuilder } from './builder.ts';
import { checkCatalogMatches, readCatalog, type Catalog } from './catalog.ts';
import { addColumnLineage, type LineageCache, type LineageStats } from './lineage.ts';
import { duplicateUniqueId, readManifest } from './manifest.ts';
import { addChecks, addConsumers, addRelations, isRelationNode, type NodeIndex } from './nodes.ts';
import { readArtifactFile } from './read-json.ts';
import { completeRelationNames, MAX_LISTED } from './relation-names.ts';
import {
  checkResultsMatch,
  normalizeTime,
  readRunResults,
  readSourcesFreshness,
  type RunFact,
} from './run-artifacts.ts';
import { loadSqlEngine, type AnalyzeSql } from './sql-engine.ts';
import { createSqlPool, defaultSqlWorkers } from './sql-pool.ts';
import type { DbtNode, DbtProject } from './types.ts';

export type { LineageCache, CachedLineage, LineageStats } from './lineage.ts';
export type { DbtProject } from './types.ts';

export interface DbtArtifactPaths {
  manifest: string;
  catalog?: string;
  runResults?: string;
  sources?: string;
}

export interface ParseDbtOptions {
  /** Override artifact paths; by default `<targetDir>/{catalog,run_results,sources}.json` when present. */
  catalog?: string;
  runResults?: string;
  sources?: string;
  /** The SQL engine; default loads parsers/sql. `null` = table-level lineage only. */
  analyzeSql?: AnalyzeSql | null;
  cache?: LineageCache;
  /** A cache chosen once the project name is known (e.g. one file per project); wins over `cache`. */
  cacheFor?: (projectName: string) => LineageCache;
  engineStamp?: string;
  /** Ingest time (ISO); default now. */
  now?: string;
  onTotal?: (models: number) => void;
  onModel?: () => void;
  /**
   * Worker threads for the SQL engine (default: os.availableParallelism()); 1 = this thread. Used only with
   * the default engine and when at least `workerThreshold` models have SQL (default 200): starting a worker
   * costs more than parsing a small project. The batch is the same whatever the count.
   */
  sqlWorkers?: number;
  workerThreshold?: number;
  /**
   * Called once per relation with SQL (model, snapshot, analysis), before column lineage runs: its compiled
   * SQL, else (a parse-only manifest) its raw Jinja SQL with kind `raw`.
   */
  onCompiledSql?: (relationKey: string, sql: string, kind: 'compiled' | 'raw') => void;
}

export interface ParseDbtResult {
  batch: LineageBatch;
  project: Pick<
    DbtProject,
    'projectName' | 'schemaVersion' | 'dbtVersion' | 'adapterType' | 'platform' | 'generatedAt'
  >;
  paths: DbtArtifactPaths;
  lineage: LineageStats;
  models: number;
}

/** Loads the SQL engine on first use, so a fully cached re-ingest never loads the parser. */
function lazyEngine(): AnalyzeSql {
  let engine: Promise<AnalyzeSql | null> | undefined;
  return async (input) => {
    engine ??= loadSqlEngine();
    const analyze = await engine;
    if (!analyze) throw new Error('the SQL engine (parsers/sql) is not available');
    return analyze(input);
  };
}

export function originIdFor(projectName: string): string {
  return `dbt:${projectName}`;
}

export function artifactPaths(targetDir: string, options: ParseDbtOptions = {}): DbtArtifactPaths {
  const manifest = join(targetDir, 'manifest.json');
  if (!existsSync(manifest))
    throw lineageError('LINEAGE_NOT_FOUND', `no manifest.json in ${targetDir}`, { file: manifest });
  const optional = (given: string | undefined, name: string): string | undefined => {
    if (given !== undefined) {
      if (!existsSync(given))
        throw lineageError('LINEAGE_NOT_FOUND', `${given} does not exist`, { file: given });
      return given;
    }
    const p = join(targetDir, name);
    return existsSync(p) ? p : undefined;
  };
  return {
    manifest,
    catalog: optional(options.catalog, 'catalog.json'),
    runResults: optional(options.runResults, 'run_results.json'),
    sources: optional(options.sources, 'sources.json'),
  };
}

/** What the artifacts say once read and validated, before anything is built. */
interface ReadArtifacts {
  project: DbtProject;
  catalog: Catalog | null;
  facts: RunFact[];
  diagnostics: Diagnostic[];
}

export async function parseDbtTarget(
  targetDir: string,
  options: ParseDbtOptions = {},
): Promise<ParseDbtResult> {
  const paths = artifactPaths(targetDir, options);
  const now = options.now ?? new Date().toISOString();
  // The artifacts (every node, its SQL, the catalog) are out of scope once built: toBatch's copy of the
  // largest lists does not coexist with them at warehouse scale.
  const built = await buildFromArtifacts(targetDir, paths, options, now);
  const origin: Origin = {
    id: originIdFor(built.project.projectName),
    provenance: 'dbt_manifest',
    label: paths.manifest,
    ingestedAt: now,
  };
  if (keyTooLong(origin.id))
    throw lineageError(
      'DBT_INVALID_ARTIFACT',
      `${paths.manifest}: ${oversizedKeyMessage('the origin id dbt:<project name>', origin.id)}`,
      {
        file: paths.manifest,
        jsonPath: '$.metadata.project_name',
      },
    );
  return {
    batch: withoutOversizedKeys(built.builder.toBatch(origin)),
    project: built.project,
    paths,
    lineage: built.lineage,
    models: built.models,
  };
}

/** Reads the artifacts and builds every node, edge, check and fingerprint; returns the (unsorted) builder. */
async function buildFromArtifacts(
  targetDir: string,
  paths: DbtArtifactPaths,
  options: ParseDbtOptions,
  now: string,
): Promise<Omit<ParseDbtResult, 'batch' | 'paths'> & { builder: BatchBuilder }> {
  const read = await readArtifacts(paths); // throws before anything is built
  const { project } = read;
  const firstSeen = project.generatedAt ? normalizeTime(project.generatedAt) : now;
  const b = new BatchBuilder(project.platform, firstSeen);
  b.diagnostics.push(...read.diagnostics);
  const index = addRelations(b, project, read.catalog, targetDir);
  if (options.onCompiledSql) emitCompiledSql(project, index, options.onCompiledSql);
  const { lineage, models } = await runColumnLineage(b, project, index, paths, options, firstSeen);
  addDependsOnEdges(b, project, index, firstSeen);
  addConsumers(b, project, index, firstSeen);
  addChecks(b, project, index);
  addRunEvidence(b, read.facts, index);
  addFingerprints(b, project, index, firstSeen);
  return {
    builder: b,
    project: {
      projectName: project.projectName,
      schemaVersion: project.schemaVersion,
      dbtVersion: project.dbtVersion,
      adapterType: project.adapterType,
      platform: project.platform,
      generatedAt: project.generatedAt,
    },
    lineage,
    models,
  };
}

/** Reads and validates every artifact; keys listed twice, foreign run artifacts and incomplete names are diagnostics. */
async function readArtifacts(paths: DbtArtifactPaths): Promise<ReadArtifacts> {
  const diagnostics: Diagnostic[] = [];
  const read = (file: string, kind: Parameters<typeof readArtifactFile>[1]) =>
    readArtifactFile(file, kind, {
      onDuplicateKey: (_section, key, jsonPath) =>
        diagnostics.push(duplicateUniqueId(key, jsonPath, jsonPath, file)),
    });
  const manifestRead = readManifest(await read(paths.manifest, 'manifest'), paths.manifest);
  const project = manifestRead.project;
  diagnostics.push(...manifestRead.diagnostics);
  const nodeIds = new Set(project.nodes.keys());
  let catalog: Catalog | null = null;
  if (paths.catalog) {
    const c = readCatalog(await read(paths.catalog, 'catalog'), paths.catalog);
    diagnostics.push(...c.diagnostics, ...checkCatalogMatches(c.catalog, nodeIds, paths.manifest));
    catalog = c.catalog;
  }
  const facts: RunFact[] = [];
  const runArtifacts = [
    paths.runResults ? readRunResults(await read(paths.runResults, 'run-results'), paths.runResults) : null,
    paths.sources ? readSourcesFreshness(await read(paths.sources, 'sources'), paths.sources) : null,
  ];
  for (const r of runArtifacts) {
    if (!r) continue;
    diagnostics.push(...r.diagnostics, ...checkResultsMatch(r, nodeIds, paths.manifest));
    facts.push(...r.facts);
  }
  diagnostics.push(...completeRelationNames(project, catalog));
  return { project, catalog, facts, diagnostics };
}

function emitCompiledSql(
  project: DbtProject,
  index: NodeIndex,
  emit: NonNullable<ParseDbtOptions['onCompiledSql']>,
): void {
  for (const [id, key] of index.keyOf) {
    const n = project.nodes.get(id);
    if (n?.compiledSql) emit(key, n.compiledSql, 'compiled');
    else if (n?.rawSql) emit(key, n.rawSql, 'raw');
  }
}

/** Column lineage of every compiled model (SQL engine, workers, cache); DBT_NOT_COMPILED when SQL is missing. */
async function runColumnLineage(
  b: BatchBuilder,
  project: DbtProject,
  index: NodeIndex,
  paths: DbtArtifactPaths,
  options: ParseDbtOptions,
  firstSeen: string,
): Promise<{ lineage: LineageStats; models: number }> {
  const compiledModels = [...project.nodes.values()].filter((n) => n.resourceType === 'model');
  const withSql = compiledModels.filter((n) => n.compiledSql !== null);
  options.onTotal?.(withSql.length);
  b.diagnostics.push(...notCompiled(compiledModels, withSql.length, paths.manifest));
  const analyzeSql = options.analyzeSql === undefined ? lazyEngine() : options.analyzeSql;
  const workers = Math.max(1, Math.floor(options.sqlWorkers ?? defaultSqlWorkers()));
  const useWorkers =
    options.analyzeSql === undefined && workers > 1 && withSql.length >= (options.workerThreshold ?? 200);
  const lineage = await addColumnLineage({
    project,
    index,
    builder: b,
    analyzeSql,
    cache: options.cacheFor ? options.cacheFor(project.projectName) : options.cache,
    engineStamp: options.engineStamp,
    firstSeen,
    onModel: options.onModel,
    pool: () => (useWorkers ? createSqlPool(workers) : null),
  });
  return { lineage, models: compiledModels.length };
}

function notCompiled(models: DbtNode[], withSql: number, manifest: string): Diagnostic[] {
  if (models.length > 0 && withSql === 0)
    return [
      {
        code: 'DBT_NOT_COMPILED',
        severity: 'warning',
        message: `no model in ${manifest} has compiled SQL (a \`dbt parse\` manifest): column lineage needs \`dbt compile\`; table-level edges from depends_on only`,
        where: { file: manifest },
      },
    ];
  return models
    .filter((m) => m.compiledSql === null)
    .slice(0, MAX_LISTED)
    .map((n) => ({
      code: 'DBT_NOT_COMPILED',
      severity: 'info' as const,
      message: `${n.uniqueId} has no compiled SQL; column lineage needs \`dbt compile\``,
      where: { file: manifest, jsonPath: n.jsonPath, uniqueId: n.uniqueId },
    }));
}

/** Table-level edges from depends_on; EXACT when the child has column lineage into it. */
function addDependsOnEdges(b: BatchBuilder, project: DbtProject, index: NodeIndex, firstSeen: string): void {
  const relationsWithLineage = b.relationsWithColumnEdgesIn();
  for (const n of project.nodes.values()) {
    if (!isRelationNode(n)) continue;
    const to = index.keyOf.get(n.uniqueId);
    if (!to) continue;
    for (const d of n.dependsOn) {
      const from = index.keyOf.get(d);
      if (!from) continue;
      b.addRelationEdge({
        from,
        to,
        provenance: 'dbt_manifest',
        confidence: relationsWithLineage.has(to) ? 'EXACT' : 'TABLE_LEVEL',
        firstSeen,
        lastSeen: firstSeen,
        queryCount: 1,
        statementId: n.uniqueId,
      });
    }
  }
}

/** Evidence from run artifacts, on the test's column or relation, else on the node itself. */
function addRunEvidence(b: BatchBuilder, facts: readonly RunFact[], index: NodeIndex): void {
  for (const f of facts) {
    const check = b.checks.get(f.uniqueId);
    const nodeKey = check ? (check.columnKey ?? check.relationKey) : index.keyOf.get(f.uniqueId);
    if (!nodeKey) continue;
    b.evidence.push({ nodeKey, kind: f.kind, at: f.at, message: f.message, subject: f.uniqueId });
  }
}

/** Fingerprints of every dbt relation: columns with types, SQL checksum. */
function addFingerprints(b: BatchBuilder, project: DbtProject, index: NodeIndex, firstSeen: string): void {
  for (const n of project.nodes.values()) {
    const key = index.keyOf.get(n.uniqueId);
    if (!key) continue;
    const rel = b.relations.get(key);
    const columns = (b.columnsOf.get(key) ?? [])
      .map((name) => b.columns.get(columnKey(key, name)))
      .filter((c): c is NonNullable<typeof c> => c !== undefined && !c.missingFromCatalog)
      .map((c) => ({ name: c.name, ...(c.dataType ? { dataType: c.dataType } : {}) }));
    b.fingerprints.push({
      nodeKey: key,
      at: firstSeen,
      originId: originIdFor(project.projectName),
      columns,
      ...(rel?.sqlChecksum ? { sqlChecksum: rel.sqlChecksum } : {}),
    });
  }
}
