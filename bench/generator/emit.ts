// Writes a planned warehouse as dbt artifacts (manifest.json v12, catalog.json v1) and a generic JSONL query
// log, streaming through a buffered file writer so 150k-table manifests never sit in memory as one string.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from './prng.ts';
import { compiledSql, relationName } from './sql.ts';
import { TYPES } from './warehouse.ts';
import type { Table, Warehouse } from './warehouse.ts';

const DBT_VERSION = '1.10.0';
const GENERATED_AT = '2026-11-01T06:00:00.000000Z';
const INVOCATION = '6f1c2a5e-3b1d-4c8e-9a7f-0d2b4e6a8c10';

/** Buffered synchronous writer to `<path>.tmp`, renamed into place on close. */
class FileWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private pending = 0;
  bytes = 0;
  constructor(private readonly path: string) {
    this.fd = openSync(`${path}.tmp`, 'w');
  }
  write(s: string): void {
    this.parts.push(s);
    this.pending += s.length;
    if (this.pending > 1 << 20) this.flush();
  }
  private flush(): void {
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.parts = [];
    this.pending = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(`${this.path}.tmp`, this.path);
  }
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function uniqueId(w: Warehouse, t: Table): string {
  return t.layer === 'source' ? `source.${w.project}.${t.schema}.${t.name}` : `model.${w.project}.${t.name}`;
}

function folder(t: Table): string {
  return t.layer === 'mart' ? 'marts' : t.layer;
}

function columnsJson(t: Table, withTypes: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  t.cols.forEach((name, c) => {
    out[name] = {
      name,
      description: c === 0 ? `Primary key of ${t.name}.` : '',
      meta: {},
      data_type: withTypes ? TYPES[t.types[c]] : null,
      constraints: [],
      quote: null,
      config: { meta: {}, tags: [] },
      tags: [],
      granularity: null,
      doc_blocks: [],
    };
  });
  return out;
}

/**
 * Like real projects, only some nodes document their columns in YAML (so the manifest lists them); the
 * catalog always has every column. Marts are documented most, staging least.
 */
function documented(t: Table): boolean {
  const share = { source: 5, staging: 2, intermediate: 3, mart: 6 }[t.layer];
  return (Math.imul(t.id + 1, 2654435761) >>> 0) % 10 < share;
}

function sourceNode(w: Warehouse, t: Table): Record<string, unknown> {
  const team = w.teams[t.owner];
  return {
    database: w.database,
    schema: t.schema,
    name: t.name,
    resource_type: 'source',
    package_name: w.project,
    path: `models/staging/${t.schema}.yml`,
    original_file_path: `models/staging/${t.schema}.yml`,
    unique_id: uniqueId(w, t),
    fqn: [w.project, 'staging', t.schema, t.name],
    source_name: t.schema,
    source_description: `Raw tables loaded from ${t.schema}.`,
    loader: 'fivetran',
    identifier: t.name,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: '_loaded_at',
    loaded_at_query: null,
    freshness: {
      warn_after: { count: 12, period: 'hour' },
      error_after: { count: 24, period: 'hour' },
      filter: null,
    },
    external: null,
    description: `Raw ${t.name} records.`,
    columns: documented(t) ? columnsJson(t, true) : {},
    meta: { owner: team.email },
    source_meta: {},
    tags: t.tags,
    config: { enabled: true, event_time: null, meta: { owner: team.email }, tags: t.tags },
    patch_path: null,
    unrendered_config: {},
    relation_name: relationName(w, t),
    created_at: 1793512800.0,
    unrendered_database: null,
    unrendered_schema: t.schema,
    doc_blocks: [],
  };
}

function modelNode(w: Warehouse, t: Table): Record<string, unknown> {
  const team = w.teams[t.owner];
  const parents = t.parents.map((p) => w.tables[p]);
  const sql = compiledSql(w, t);
  const raw = sql.replace(/"[^"]+"\."[^"]+"\."([^"]+)"/g, (_, name: string) => {
    const p = parents.find((x) => x.name === name);
    return p?.layer === 'source' ? `{{ source('${p.schema}', '${name}') }}` : `{{ ref('${name}') }}`;
  });
  const path = `${folder(t)}/${w.domains[t.domain]}/${t.name}.sql`;
  const config = {
    enabled: true,
    alias: null,
    schema: null,
    database: null,
    tags: t.tags,
    meta: { owner: team.email },
    group: `${w.domains[t.domain]}`,
    materialized: t.materialized,
    incremental_strategy: null,
    persist_docs: {},
    'post-hook': [],
    'pre-hook': [],
    quoting: {},
    column_types: {},
    full_refresh: null,
    unique_key: t.materialized === 'incremental' ? t.cols[0] : null,
    on_schema_change: 'ignore',
    on_configuration_change: 'apply',
    grants: {},
    packages: [],
    docs: { show: true, node_color: null },
    contract: { enforced: false, alias_types: true },
    event_time: null,
    concurrent_batches: null,
    access: t.layer === 'mart' ? 'public' : 'protected',
  };
  return {
    database: w.database,
    schema: t.schema,
    name: t.name,
    resource_type: 'model',
    package_name: w.project,
    path,
    original_file_path: `models/${path}`,
    unique_id: uniqueId(w, t),
    fqn: [w.project, folder(t), w.domains[t.domain], t.name],
    alias: t.name,
    checksum: { name: 'sha256', checksum: sha256(raw) },
    config,
    tags: t.tags,
    description: `${t.layer} model ${t.name} (${t.shape}).`,
    columns: documented(t) ? columnsJson(t, false) : {},
    meta: { owner: team.email },
    group: w.domains[t.domain],
    docs: { show: true, node_color: null },
    patch_path: `${w.project}://models/${folder(t)}/${w.domains[t.domain]}/_models.yml`,
    build_path: null,
    unrendered_config: { materialized: t.materialized },
    created_at: 1793512800.0,
    relation_name: relationName(w, t),
    raw_code: raw,
    doc_blocks: [],
    language: 'sql',
    refs: parents
      .filter((p) => p.layer !== 'source')
      .map((p) => ({ name: p.name, package: null, version: null })),
    sources: parents.filter((p) => p.layer === 'source').map((p) => [p.schema, p.name]),
    metrics: [],
    functions: [],
    depends_on: { macros: [], nodes: parents.map((p) => uniqueId(w, p)).sort() },
    compiled_path: `target/compiled/${w.project}/models/${path}`,
    compiled: true,
    compiled_code: sql,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
    access: config.access,
    constraints: [],
    version: null,
    latest_version: null,
    deprecation_date: null,
    primary_key: [t.cols[0]],
    time_spine: null,
  };
}

function testNode(w: Warehouse, t: Table, kind: 'not_null' | 'unique'): [string, Record<string, unknown>] {
  const col = t.cols[0];
  const name = `${kind}_${t.name}_${col}`;
  const id = `test.${w.project}.${name}.${sha256(name).slice(0, 10)}`;
  const sql =
    kind === 'not_null'
      ? `select ${col}\nfrom ${relationName(w, t)}\nwhere ${col} is null`
      : `select ${col} as unique_field, count(*) as n_records\nfrom ${relationName(w, t)}\nwhere ${col} is not null\ngroup by ${col}\nhaving count(*) > 1`;
  return [
    id,
    {
      database: w.database,
      schema: `${t.schema}_dbt_test__audit`,
      name,
      resource_type: 'test',
      package_name: w.project,
      path: `${name}.sql`,
      original_file_path: `models/${folder(t)}/_models.yml`,
      unique_id: id,
      fqn: [w.project, folder(t), name],
      alias: name,
      checksum: { name: 'none', checksum: '' },
      config: {
        enabled: true,
        alias: null,
        schema: 'dbt_test__audit',
        database: null,
        tags: [],
        meta: {},
        group: null,
        materialized: 'test',
        severity: 'ERROR',
        store_failures: null,
        where: null,
        limit: null,
        fail_calc: 'count(*)',
        warn_if: '!= 0',
        error_if: '!= 0',
      },
      tags: [],
      description: '',
      columns: {},
      meta: {},
      group: null,
      docs: { show: true, node_color: null },
      patch_path: null,
      build_path: null,
      unrendered_config: {},
      created_at: 1793512800.0,
      relation_name: null,
      raw_code: `{{ test_${kind}(**_dbt_generic_test_kwargs) }}`,
      doc_blocks: [],
      language: 'sql',
      refs: [{ name: t.name, package: null, version: null }],
      sources: [],
      metrics: [],
      functions: [],
      depends_on: { macros: [`macro.dbt.test_${kind}`], nodes: [uniqueId(w, t)] },
      compiled_path: null,
      compiled: true,
      compiled_code: sql,
      extra_ctes_injected: true,
      extra_ctes: [],
      contract: { enforced: false, alias_types: true, checksum: null },
      column_name: col,
      file_key_name: `models.${t.name}`,
      attached_node: uniqueId(w, t),
      test_metadata: {
        name: kind,
        kwargs: { column_name: col, model: `{{ get_where_subquery(ref('${t.name}')) }}` },
        namespace: null,
      },
    },
  ];
}

function exposureId(w: Warehouse, name: string): string {
  return `exposure.${w.project}.${name}`;
}

/** Writes `{ "key": value, ... }` entries one by one. */
function writeObjectEntries(out: FileWriter, entries: Iterable<[string, unknown]>): void {
  out.write('{');
  let first = true;
  for (const [k, v] of entries) {
    out.write(`${first ? '' : ','}\n${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    first = false;
  }
  out.write('\n}');
}

export function writeManifest(w: Warehouse, path: string): number {
  const out = new FileWriter(path);
  const metadata = {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
    dbt_version: DBT_VERSION,
    generated_at: GENERATED_AT,
    invocation_id: INVOCATION,
    invocation_started_at: GENERATED_AT,
    env: {},
    project_name: w.project,
    project_id: createHash('md5').update(w.project).digest('hex'),
    user_id: null,
    send_anonymous_usage_stats: false,
    adapter_type: 'postgres',
    quoting: { database: true, schema: true, identifier: true, column: null },
  };
  out.write(`{"metadata": ${JSON.stringify(metadata)},\n"nodes": `);
  const marts = w.tables.filter((t) => t.layer === 'mart');
  writeObjectEntries(
    out,
    (function* () {
      for (const t of w.tables)
        if (t.layer !== 'source') yield [uniqueId(w, t), modelNode(w, t)] as [string, unknown];
      for (const t of marts) {
        yield testNode(w, t, 'not_null');
        if (t.shape !== 'aggregate') yield testNode(w, t, 'unique');
      }
    })(),
  );
  out.write(',\n"sources": ');
  writeObjectEntries(
    out,
    (function* () {
      for (const t of w.tables)
        if (t.layer === 'source') yield [uniqueId(w, t), sourceNode(w, t)] as [string, unknown];
    })(),
  );
  out.write(',\n"macros": {}, "docs": {},\n"exposures": ');
  writeObjectEntries(
    out,
    w.exposures.map((e) => {
      const team = w.teams[e.owner];
      const parents = e.parents.map((p) => w.tables[p]);
      return [
        exposureId(w, e.name),
        {
          name: e.name,
          resource_type: 'exposure',
          package_name: w.project,
          path: 'exposures.yml',
          original_file_path: 'models/exposures.yml',
          unique_id: exposureId(w, e.name),
          fqn: [w.project, e.name],
          type: e.type,
          owner: { email: team.email, name: team.name },
          description: `${e.type} ${e.name}`,
          label: e.name.replace(/_/g, ' '),
          maturity: e.type === 'dashboard' ? 'high' : 'medium',
          meta: {},
          tags: e.tags,
          config: { enabled: true, tags: e.tags, meta: {} },
          unrendered_config: {},
          url: `https://bi.example.com/${e.type}/${e.id}`,
          depends_on: { macros: [], nodes: parents.map((p) => uniqueId(w, p)).sort() },
          refs: parents.map((p) => ({ name: p.name, package: null, version: null })),
          sources: [],
          metrics: [],
          created_at: 1793512800.0,
        },
      ] as [string, unknown];
    }),
  );
  out.write(',\n"metrics": {},\n"groups": ');
  writeObjectEntries(
    out,
    w.domains.map((d, i) => {
      const team = w.teams[i % w.teams.length];
      return [
        `group.${w.project}.${d}`,
        {
          name: d,
          resource_type: 'group',
          package_name: w.project,
          path: 'groups.yml',
          original_file_path: 'models/groups.yml',
          unique_id: `group.${w.project}.${d}`,
          owner: { name: team.name, email: team.email },
        },
      ] as [string, unknown];
    }),
  );
  out.write(',\n"selectors": {}, "disabled": {},\n"parent_map": ');
  // parent_map / child_map over models, sources, tests and exposures, as dbt writes them.
  const children: string[][] = w.tables.map(() => []);
  for (const t of w.tables) for (const p of t.parents) children[p].push(uniqueId(w, t));
  for (const e of w.exposures) for (const p of e.parents) children[p].push(exposureId(w, e.name));
  writeObjectEntries(
    out,
    (function* () {
      for (const t of w.tables)
        yield [uniqueId(w, t), t.parents.map((p) => uniqueId(w, w.tables[p])).sort()] as [string, unknown];
      for (const e of w.exposures)
        yield [exposureId(w, e.name), e.parents.map((p) => uniqueId(w, w.tables[p])).sort()] as [
          string,
          unknown,
        ];
    })(),
  );
  out.write(',\n"child_map": ');
  writeObjectEntries(
    out,
    (function* () {
      for (const t of w.tables) yield [uniqueId(w, t), children[t.id].sort()] as [string, unknown];
      for (const e of w.exposures) yield [exposureId(w, e.name), []] as [string, unknown];
    })(),
  );
  out.write(
    ',\n"group_map": {}, "saved_queries": {}, "semantic_models": {}, "unit_tests": {}, "functions": {}}\n',
  );
  out.close();
  return out.bytes;
}

export function writeCatalog(w: Warehouse, path: string): number {
  const out = new FileWriter(path);
  const metadata = {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/catalog/v1.json',
    dbt_version: DBT_VERSION,
    generated_at: GENERATED_AT,
    invocation_id: INVOCATION,
    env: {},
  };
  const entry = (t: Table): [string, unknown] => {
    const columns: Record<string, unknown> = {};
    t.cols.forEach(
      (name, c) => (columns[name] = { type: TYPES[t.types[c]], index: c + 1, name, comment: null }),
    );
    const rows = Math.floor(1000 * Math.pow(10, (t.id * 2654435761) % 5));
    return [
      uniqueId(w, t),
      {
        metadata: {
          type: t.materialized === 'view' ? 'VIEW' : 'BASE TABLE',
          schema: t.schema,
          name: t.name,
          database: w.database,
          comment: null,
          owner: 'transformer',
        },
        columns,
        stats: {
          num_rows: { id: 'num_rows', label: 'Row Count', value: rows, include: true, description: 'Rows' },
          num_bytes: {
            id: 'num_bytes',
            label: 'Bytes',
            value: rows * t.cols.length * 8,
            include: true,
            description: 'Bytes',
          },
          has_stats: { id: 'has_stats', label: 'Has Stats?', value: true, include: false, description: '' },
        },
        unique_id: uniqueId(w, t),
      },
    ];
  };
  out.write(`{"metadata": ${JSON.stringify(metadata)},\n"nodes": `);
  writeObjectEntries(
    out,
    (function* () {
      for (const t of w.tables) if (t.layer !== 'source') yield entry(t);
    })(),
  );
  out.write(',\n"sources": ');
  writeObjectEntries(
    out,
    (function* () {
      for (const t of w.tables) if (t.layer === 'source') yield entry(t);
    })(),
  );
  out.write(',\n"errors": null}\n');
  out.close();
  return out.bytes;
}

/**
 * A generic JSONL query log over 30 days: query families (a table, columns, maybe a join, a filter) picked
 * with Zipf-like popularity so a few dashboards' queries repeat thousands of times and most tables are never
 * read; service users rebuild marts with INSERT ... SELECT. Lines are in time order.
 */
export function writeQueryLog(w: Warehouse, path: string, queries: number): number {
  const rng = createRng(`${w.seed}:${w.size}:log`);
  const out = new FileWriter(path);
  const readable = w.tables.filter((t) => t.layer !== 'source');
  const marts = w.tables.filter((t) => t.layer === 'mart');
  const analysts = Array.from(
    { length: Math.max(5, Math.round(Math.sqrt(w.size))) },
    (_, i) => `analyst_${i}@example.com`,
  );
  const nFamilies = Math.max(20, Math.round(w.size * 0.4));
  type Family = { user: string; schema: string; text: (v: number) => string };
  const families: Family[] = [];
  for (let f = 0; f < nFamilies; f++) {
    const write = rng.chance(0.08);
    if (write) {
      const t = marts[rng.int(0, marts.length - 1)];
      const p = w.tables[t.parents[0]];
      const cols = t.cols.slice(0, Math.min(5, t.cols.length));
      const pcols = p.cols.slice(0, cols.length);
      while (pcols.length < cols.length) pcols.push(p.cols[0]);
      families.push({
        user: rng.pick(['dbt_svc', 'airflow_svc']),
        schema: t.schema,
        text: (v) =>
          `insert into ${t.schema}.${t.name} (${cols.join(', ')})\nselect ${pcols.map((c) => `src.${c}`).join(', ')}\nfrom ${p.schema}.${p.name} as src\nwhere src.${p.cols[0]} > ${v}`,
      });
      continue;
    }
    // Popular tables: low indexes of the reversed list (marts first), skewed.
    const t = readable[readable.length - 1 - rng.skewed(readable.length, 2.5)];
    const cols = [...new Set(Array.from({ length: rng.int(1, 6) }, () => rng.pick(t.cols)))];
    const unqualified = rng.chance(0.4);
    const from = unqualified ? t.name : `${w.database}.${t.schema}.${t.name}`;
    const join = t.parents.length > 0 && rng.chance(0.25) ? w.tables[t.parents[0]] : null;
    const user = rng.pick(analysts);
    families.push({
      user,
      schema: t.schema,
      text: join
        ? (v) =>
            `select t.${cols.join(', t.')}, j.${join.cols[0]}\nfrom ${from} as t\njoin ${join.schema}.${join.name} as j on j.${join.cols[0]} = t.${t.cols[0]}\nwhere t.${t.cols[0]} > ${v}\nlimit 100`
        : (v) => `select ${cols.join(', ')}\nfrom ${from}\nwhere ${t.cols[0]} > ${v}\nlimit 100`,
    });
  }
  const start = Date.parse('2026-10-02T00:00:00Z');
  const span = 30 * 86_400_000;
  for (let i = 0; i < queries; i++) {
    const fam = families[rng.skewed(families.length, 3)];
    const ts = new Date(start + Math.floor((i / queries) * span) + rng.int(0, 999)).toISOString();
    const literal = rng.chance(0.6) ? 0 : rng.int(1, 50) * 100;
    const record = {
      query: fam.text(literal),
      user: fam.user,
      timestamp: ts,
      dialect: 'postgres',
      database: w.database,
      schema: fam.schema,
    };
    out.write(`${JSON.stringify(record)}\n`);
  }
  out.close();
  return out.bytes;
}

export interface GeneratedPaths {
  dir: string;
  targetDir: string;
  manifest: string;
  catalog: string;
  queryLog: string;
}

export function generatedPaths(dir: string): GeneratedPaths {
  const targetDir = join(dir, 'target');
  return {
    dir,
    targetDir,
    manifest: join(targetDir, 'manifest.json'),
    catalog: join(targetDir, 'catalog.json'),
    queryLog: join(dir, 'query-log.jsonl'),
  };
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
