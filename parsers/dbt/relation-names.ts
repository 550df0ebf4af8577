// A relation whose manifest entry has no relation_name and leaves database or schema null would get a key of
// fewer parts than the name other models' SQL uses for it, which splits it off its lineage. Such a node is
// completed from the catalog (the warehouse's own record of the relation) or, for the database only, from the
// database the project's other relations use. Every completion, and every node that cannot be completed, is a
// DBT_INCOMPLETE_RELATION warning (the first 50 listed, the rest counted in one). A platform without databases
// (no relation names one) is not incomplete.
import type { Diagnostic } from '../../src/model/lineage.ts';
import type { Catalog } from './catalog.ts';
import { isRelationNode } from './nodes.ts';
import type { DbtNode, DbtProject } from './types.ts';

/** Fills the missing database/schema of relation nodes in `project.nodes`; returns the warnings. */
export function completeRelationNames(project: DbtProject, catalog: Catalog | null): Diagnostic[] {
  const projectDatabase = dominantDatabase(project);
  const diagnostics: Diagnostic[] = [];
  for (const [id, n] of [...project.nodes]) {
    if (!needsCompletion(n, projectDatabase !== null)) continue;
    const cat = catalog?.tables.get(id);
    const database = n.database ?? cat?.database ?? projectDatabase?.name ?? null;
    const schema = n.schema ?? cat?.schema ?? null;
    const filled: string[] = [];
    if (n.database === null && database !== null)
      filled.push(
        cat?.database
          ? `database '${database}' from the catalog`
          : `database '${database}' (the database of ${projectDatabase!.count} other relations)`,
      );
    if (n.schema === null && schema !== null) filled.push(`schema '${schema}' from the catalog`);
    project.nodes.set(id, { ...n, database, schema });
    const lacks = [n.database === null ? 'database' : null, n.schema === null ? 'schema' : null];
    const unknown = [
      database === null && projectDatabase ? 'database' : null,
      schema === null ? 'schema' : null,
    ];
    diagnostics.push({
      code: 'DBT_INCOMPLETE_RELATION',
      severity: 'warning',
      message:
        `${id} has no relation_name and no ${words(lacks)}` +
        (filled.length > 0 ? `; using ${filled.join(' and ')}` : '') +
        (words(unknown)
          ? `; its ${words(unknown)} stay unknown, so SQL naming it in full will not join it`
          : ''),
      where: { file: project.file, jsonPath: n.jsonPath, uniqueId: id },
    });
  }
  return listed(diagnostics, project.file);
}

/**
 * Per-node warnings of one kind listed at most (DBT_INCOMPLETE_RELATION here, DBT_NOT_COMPILED in index.ts);
 * the rest are counted in one (an old manifest may lack names on every node).
 */
export const MAX_LISTED = 50;

function listed(diagnostics: Diagnostic[], file: string): Diagnostic[] {
  if (diagnostics.length <= MAX_LISTED) return diagnostics;
  return [
    ...diagnostics.slice(0, MAX_LISTED),
    {
      code: 'DBT_INCOMPLETE_RELATION',
      severity: 'warning',
      message: `${diagnostics.length - MAX_LISTED} more relations have no relation_name and no database or schema (not listed)`,
      where: { file },
    },
  ];
}

function needsCompletion(n: DbtNode, platformHasDatabases: boolean): boolean {
  if (!isRelationNode(n) || n.relationName !== null || n.materialized === 'ephemeral') return false;
  return n.schema === null || (n.database === null && platformHasDatabases);
}

/** The database most relation nodes name, or null when none names one (a platform without databases). */
function dominantDatabase(project: DbtProject): { name: string; count: number } | null {
  const counts = new Map<string, number>();
  for (const n of project.nodes.values())
    if (isRelationNode(n) && n.database !== null) counts.set(n.database, (counts.get(n.database) ?? 0) + 1);
  let best: { name: string; count: number } | null = null;
  for (const [name, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (!best || count > best.count) best = { name, count };
  return best;
}

function words(parts: (string | null)[]): string {
  return parts.filter((p): p is string => p !== null).join(' and ');
}
