// dbt artifact schema versions: `metadata.dbt_schema_version` is `https://schemas.getdbt.com/dbt/<artifact>/vN.json`.
import type { Diagnostic } from '../../src/model/lineage.ts';
import { lineageError } from '../../src/errors.ts';

export type ArtifactKind = 'manifest' | 'catalog' | 'run-results' | 'sources';

/** Versions this parser was written against (the corpus schemas); newer ones are read best effort. */
export const SUPPORTED: Record<ArtifactKind, { min: number; max: number }> = {
  manifest: { min: 1, max: 12 },
  catalog: { min: 1, max: 1 },
  'run-results': { min: 1, max: 6 },
  sources: { min: 1, max: 3 },
};

export interface ArtifactVersion {
  kind: ArtifactKind;
  version: number;
  /** True when newer than SUPPORTED.max (read best effort). */
  newer: boolean;
}

const VERSION_RE = /\/dbt\/([a-z-]+)\/v(\d+)\.json$/;

/**
 * Checks the declared schema version of an artifact. A different artifact kind is DBT_INVALID_ARTIFACT, an
 * absent, unparseable or too old version DBT_UNKNOWN_VERSION; a newer one passes with `newer` set.
 */
export function checkVersion(json: unknown, expected: ArtifactKind, file: string): ArtifactVersion {
  const metadata = isRecord(json) ? json.metadata : undefined;
  if (!isRecord(json) || !isRecord(metadata))
    throw lineageError('DBT_INVALID_ARTIFACT', `${file}: missing required field at $.metadata`, {
      file,
      jsonPath: '$.metadata',
    });
  const declared = metadata.dbt_schema_version;
  const jsonPath = '$.metadata.dbt_schema_version';
  if (typeof declared !== 'string')
    throw lineageError('DBT_UNKNOWN_VERSION', `${file}: no schema version at ${jsonPath}`, {
      file,
      jsonPath,
    });
  const m = VERSION_RE.exec(declared);
  if (!m)
    throw lineageError(
      'DBT_UNKNOWN_VERSION',
      `${file}: unrecognised schema version '${declared}' at ${jsonPath}`,
      {
        file,
        jsonPath,
        declared,
      },
    );
  const kind = m[1];
  if (kind !== expected)
    throw lineageError(
      'DBT_INVALID_ARTIFACT',
      `${file}: expected a dbt ${expected} artifact but ${jsonPath} says '${kind}'`,
      { file, jsonPath, declared },
    );
  const version = Number(m[2]);
  const range = SUPPORTED[expected];
  if (version < range.min)
    throw lineageError(
      'DBT_UNKNOWN_VERSION',
      `${file}: ${expected} schema v${version} is not supported (v${range.min}–v${range.max} are) at ${jsonPath}`,
      { file, jsonPath, declared },
    );
  return { kind: expected, version, newer: version > range.max };
}

export function newerVersionDiagnostic(v: ArtifactVersion, file: string): Diagnostic {
  return {
    code: 'DBT_NEWER_VERSION',
    severity: 'warning',
    message: `${v.kind} schema v${v.version} is newer than the newest known (v${SUPPORTED[v.kind].max}); read best effort`,
    where: { file, jsonPath: '$.metadata.dbt_schema_version' },
  };
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
