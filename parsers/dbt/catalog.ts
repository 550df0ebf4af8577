// catalog.json -> warehouse columns with types (and stats) per dbt unique_id.
import type { Diagnostic } from '../../src/model/lineage.ts';
import { lineageError } from '../../src/errors.ts';
import { catalogTableSchema, catalogTopSchema, pathKey, validate } from './schemas.ts';
import { checkVersion, newerVersionDiagnostic } from './versions.ts';

export interface CatalogColumn {
  name: string;
  type?: string;
  index?: number;
  comment?: string;
}

export interface CatalogTable {
  uniqueId: string;
  database: string | null;
  schema: string | null;
  name: string;
  columns: CatalogColumn[];
  rowCount?: number;
  sizeBytes?: number;
}

export interface Catalog {
  file: string;
  tables: Map<string, CatalogTable>;
}

const ROW_STATS = ['num_rows', 'row_count', 'rows', 'approximate_count'];
const BYTE_STATS = ['num_bytes', 'bytes', 'size_bytes', 'total_bytes'];

function numericStat(
  stats: Record<string, { id?: string | null; value?: unknown }>,
  ids: string[],
): number | undefined {
  for (const id of ids) {
    const v = stats[id]?.value;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n) && n >= 0) return n;
  }
  return undefined;
}

export function readCatalog(json: unknown, file: string): { catalog: Catalog; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const version = checkVersion(json, 'catalog', file);
  if (version.newer) diagnostics.push(newerVersionDiagnostic(version, file));
  const top = validate(catalogTopSchema, json, file, '$');
  const tables = new Map<string, CatalogTable>();
  const read = (section: string, entries: Record<string, unknown>): void => {
    for (const [id, raw] of Object.entries(entries)) {
      const t = validate(catalogTableSchema, raw, file, `$.${section}${pathKey(id)}`);
      const columns = Object.values(t.columns)
        .map((c) => ({
          name: c.name,
          type: c.type ?? undefined,
          index: c.index ?? undefined,
          comment: c.comment ?? undefined,
        }))
        .sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
      const stats = t.stats ?? {};
      tables.set(t.unique_id ?? id, {
        uniqueId: t.unique_id ?? id,
        database: t.metadata.database ?? null,
        schema: t.metadata.schema ?? null,
        name: t.metadata.name,
        columns,
        rowCount: numericStat(stats, ROW_STATS),
        sizeBytes: numericStat(stats, BYTE_STATS),
      });
    }
  };
  read('nodes', top.nodes);
  read('sources', top.sources ?? {});
  return { catalog: { file, tables }, diagnostics };
}

/**
 * A catalog belongs to a manifest when most of its entries name manifest nodes. A catalog of another
 * project (fewer than half match) is DBT_CATALOG_MISMATCH; a few extra warehouse tables are a warning.
 */
export function checkCatalogMatches(
  catalog: Catalog,
  nodeIds: Set<string>,
  manifestFile: string,
): Diagnostic[] {
  const ids = [...catalog.tables.keys()];
  if (ids.length === 0) return [];
  const unmatched = ids.filter((id) => !nodeIds.has(id)).sort();
  if (unmatched.length * 2 > ids.length)
    throw lineageError(
      'DBT_CATALOG_MISMATCH',
      `${catalog.file}: ${unmatched.length} of ${ids.length} catalog entries are not in ${manifestFile} (e.g. ${unmatched[0]} at $.nodes${pathKey(unmatched[0])}); is it from another project?`,
      {
        file: catalog.file,
        jsonPath: `$.nodes${pathKey(unmatched[0])}`,
        unmatched: unmatched.length,
        total: ids.length,
      },
    );
  return unmatched.map((id) => ({
    code: 'DBT_CATALOG_EXTRA',
    severity: 'warning' as const,
    message: `catalog entry ${id} is not in the manifest; ignored`,
    where: { file: catalog.file, jsonPath: `$.nodes${pathKey(id)}`, uniqueId: id },
  }));
}
