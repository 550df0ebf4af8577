// The shape of a synthetic warehouse, decided once from (seed, size) before anything is written:
// sources -> staging -> intermediate -> marts -> exposures, with preferential parent choice (fan-out hubs),
// fan-in 1-8, diamonds, heavy-tailed widths, `SELECT *` passthroughs, CTE-heavy models and a few deep chains.
// Column names come from a small interned vocabulary; passthrough models share their parent's arrays.
import { createRng } from './prng.ts';
import type { Rng } from './prng.ts';

export type Layer = 'source' | 'staging' | 'intermediate' | 'mart';
/** How a model's SQL is written (see sql.ts). */
export type Shape = 'source' | 'rename' | 'passthrough' | 'transform' | 'join' | 'aggregate';

/** Per-column operation, from parent slot/column references. */
export const Op = {
  IDENTITY: 0,
  RENAME: 1,
  CAST: 2,
  CONCAT: 3,
  CASE: 4,
  SUM: 5,
  COUNT: 6,
  WINDOW: 7,
  MAX: 8,
} as const;

export const TYPES = ['integer', 'bigint', 'text', 'numeric(18,2)', 'timestamp', 'boolean', 'date'] as const;
export const T = { INT: 0, BIGINT: 1, TEXT: 2, NUM: 3, TS: 4, BOOL: 5, DATE: 6 } as const;

export interface Table {
  id: number;
  layer: Layer;
  shape: Shape;
  schema: string;
  name: string;
  domain: number;
  parents: number[];
  cols: string[];
  types: Uint8Array;
  /** Per column: parent slot * 65536 + parent column index, or -1. Null for sources and passthroughs. */
  src: Int32Array | null;
  /** Second input (CONCAT, CASE): same encoding. */
  src2: Int32Array | null;
  ops: Uint8Array | null;
  /** Aggregates: number of leading columns that are GROUP BY dimensions. */
  groupBy: number;
  owner: number;
  tags: string[];
  materialized: 'view' | 'table' | 'incremental';
}

export interface Exposure {
  id: number;
  name: string;
  type: 'dashboard' | 'notebook' | 'analysis' | 'ml' | 'application';
  owner: number;
  parents: number[];
  tags: string[];
}

export interface Warehouse {
  seed: string;
  size: number;
  project: string;
  database: string;
  domains: string[];
  teams: { name: string; email: string }[];
  tables: Table[];
  exposures: Exposure[];
  columnCount: number;
}

const ENTITIES = [
  'customer',
  'order',
  'product',
  'account',
  'invoice',
  'payment',
  'shipment',
  'session',
  'event',
  'user',
  'campaign',
  'ticket',
  'subscription',
  'refund',
  'store',
  'supplier',
  'employee',
  'contract',
  'lead',
  'visit',
  'device',
  'claim',
  'policy',
  'transaction',
  'inventory',
  'warehouse',
  'region',
  'channel',
  'ledger',
  'budget',
];
const ATTRS: [string, number][] = [
  ['name', T.TEXT],
  ['status', T.TEXT],
  ['amount', T.NUM],
  ['created_at', T.TS],
  ['updated_at', T.TS],
  ['quantity', T.INT],
  ['price', T.NUM],
  ['is_active', T.BOOL],
  ['country', T.TEXT],
  ['email', T.TEXT],
  ['score', T.NUM],
  ['category', T.TEXT],
  ['day', T.DATE],
  ['revenue', T.NUM],
  ['cost', T.NUM],
  ['count', T.BIGINT],
  ['type', T.TEXT],
  ['code', T.TEXT],
  ['is_deleted', T.BOOL],
  ['discount', T.NUM],
  ['tax', T.NUM],
  ['currency', T.TEXT],
  ['source', T.TEXT],
  ['segment', T.TEXT],
  ['rank', T.INT],
];
const DOMAINS = [
  'sales',
  'finance',
  'marketing',
  'product',
  'support',
  'ops',
  'growth',
  'risk',
  'hr',
  'logistics',
  'billing',
  'crm',
  'web',
  'mobile',
  'ads',
  'partners',
  'security',
  'data',
  'legal',
  'procurement',
];
const TAGS = ['pii', 'daily', 'hourly', 'core', 'experimental', 'finance_reviewed', 'gdpr', 'key_asset'];

const interned = new Map<string, string>();
function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  interned.set(s, s);
  return s;
}

/** Heavy-tailed width in [5, 200] with a mean near 20 (150k tables -> about 3M columns). */
function width(rng: Rng): number {
  return 5 + Math.floor(195 * Math.pow(rng.next(), 9));
}

function fanIn(rng: Rng): number {
  const u = rng.next();
  if (u < 0.3) return 1;
  if (u < 0.6) return 2;
  if (u < 0.75) return 3;
  return rng.int(4, 8);
}

/** Unique column names within one table: a second `amount` becomes `amount_2`. */
class NameSet {
  private readonly seen = new Set<string>();
  add(name: string): string {
    let n = name;
    for (let i = 2; this.seen.has(n); i++) n = `${name}_${i}`;
    this.seen.add(n);
    return intern(n);
  }
}

function sourceColumns(rng: Rng, entity: string, w: number): { cols: string[]; types: Uint8Array } {
  const names = new NameSet();
  const cols = [names.add(`${entity}_id`)];
  const types = new Uint8Array(w);
  types[0] = T.INT;
  for (let i = 1; i < w; i++) {
    const useForeign = rng.chance(0.2);
    if (useForeign) {
      cols.push(names.add(`${rng.pick(ENTITIES)}_id`));
      types[i] = T.INT;
    } else {
      const [attr, type] = rng.pick(ATTRS);
      cols.push(names.add(rng.chance(0.5) ? attr : `${entity}_${attr}`));
      types[i] = type;
    }
  }
  return { cols, types };
}

const ref = (slot: number, col: number): number => slot * 65536 + col;

export function planWarehouse(seed: string | number, size: number): Warehouse {
  const rng = createRng(`${seed}:${size}`);
  const nSources = Math.max(4, Math.round(size * 0.15));
  const nStaging = Math.max(4, Math.round(size * 0.25));
  const nInter = Math.max(4, Math.round(size * 0.32));
  const nMarts = Math.max(4, size - nSources - nStaging - nInter);
  const nDomains = Math.min(DOMAINS.length, Math.max(3, Math.round(Math.sqrt(size) / 6)));
  const domains = DOMAINS.slice(0, nDomains);
  const nTeams = Math.max(3, Math.min(40, Math.round(Math.sqrt(size) / 4)));
  const teams = Array.from({ length: nTeams }, (_, i) => ({
    name: `team-${domains[i % nDomains]}-${Math.floor(i / nDomains) + 1}`,
    email: `${domains[i % nDomains]}${Math.floor(i / nDomains) + 1}@example.com`,
  }));
  const nSystems = Math.max(2, Math.round(Math.sqrt(nSources) / 2));
  const tables: Table[] = [];
  const byLayer: Record<Layer, number[]> = { source: [], staging: [], intermediate: [], mart: [] };
  let columnCount = 0;

  const add = (t: Omit<Table, 'id'>): Table => {
    const table = { id: tables.length, ...t };
    tables.push(table);
    byLayer[t.layer].push(table.id);
    columnCount += t.cols.length;
    return table;
  };
  const tagsFor = (): string[] => {
    const out: string[] = [];
    if (rng.chance(0.3)) out.push(rng.pick(TAGS));
    if (rng.chance(0.1)) out.push(rng.pick(TAGS));
    return [...new Set(out)].sort();
  };

  // Sources: raw tables per loading system.
  for (let i = 0; i < nSources; i++) {
    const entity = rng.pick(ENTITIES);
    const domain = rng.int(0, nDomains - 1);
    const { cols, types } = sourceColumns(rng, entity, width(rng));
    add({
      layer: 'source',
      shape: 'source',
      schema: `raw_system_${i % nSystems}`,
      name: `${entity}s_${i}`,
      domain,
      parents: [],
      cols,
      types,
      src: null,
      src2: null,
      ops: null,
      groupBy: 0,
      owner: rng.int(0, nTeams - 1),
      tags: tagsFor(),
      materialized: 'table',
    });
  }

  // Staging: one source each (some sources feed two staging models); rename/cast CTEs or SELECT *.
  for (let i = 0; i < nStaging; i++) {
    const parent = tables[byLayer.source[i % nSources]];
    const domain = parent.domain;
    const name = `stg_${parent.name}${i >= nSources ? `_v${Math.floor(i / nSources) + 1}` : ''}`;
    if (rng.chance(0.3)) {
      add({
        layer: 'staging',
        shape: 'passthrough',
        schema: `staging_${domains[domain]}`,
        name,
        domain,
        parents: [parent.id],
        cols: parent.cols,
        types: parent.types,
        src: null,
        src2: null,
        ops: null,
        groupBy: 0,
        owner: parent.owner,
        tags: tagsFor(),
        materialized: 'view',
      });
      continue;
    }
    const names = new NameSet();
    const w = parent.cols.length;
    const cols: string[] = [];
    const types = new Uint8Array(w);
    const src = new Int32Array(w);
    const ops = new Uint8Array(w);
    for (let c = 0; c < w; c++) {
      const u = c === 0 ? 1 : rng.next();
      src[c] = ref(0, c);
      if (u < 0.2) {
        ops[c] = Op.RENAME;
        cols.push(names.add(`${parent.cols[c]}_${rng.pick(['value', 'raw', 'src', 'clean'])}`));
        types[c] = parent.types[c];
      } else if (u < 0.35) {
        ops[c] = Op.CAST;
        cols.push(names.add(parent.cols[c]));
        types[c] = T.NUM;
      } else {
        ops[c] = Op.IDENTITY;
        cols.push(names.add(parent.cols[c]));
        types[c] = parent.types[c];
      }
    }
    add({
      layer: 'staging',
      shape: 'rename',
      schema: `staging_${domains[domain]}`,
      name,
      domain,
      parents: [parent.id],
      cols,
      types,
      src,
      src2: null,
      ops,
      groupBy: 0,
      owner: parent.owner,
      tags: tagsFor(),
      materialized: 'view',
    });
  }

  // Derived models: choose parents (preferential: early tables of a pool are hubs), then columns.
  const derive = (layer: Layer, parents: number[], shapeHint: Shape | null, index: number): Table => {
    const ps = parents.map((p) => tables[p]);
    const domain = ps[0].domain;
    const schema = `${layer === 'mart' ? 'marts' : 'int'}_${domains[domain]}`;
    const name = `${layer === 'mart' ? rng.pick(['fct', 'dim', 'agg', 'rpt']) : 'int'}_${ps[0].name.replace(/^(stg|int|fct|dim|agg|rpt)_/, '').replace(/(_v?\d+)+$/, '')}_${index}`;
    const base = {
      layer,
      schema,
      name,
      domain,
      parents,
      owner: rng.chance(0.8) ? ps[0].owner : rng.int(0, nTeams - 1),
      tags: tagsFor(),
      materialized: (layer === 'mart'
        ? rng.pick(['table', 'incremental'])
        : rng.pick(['view', 'table'])) as Table['materialized'],
    };
    const shape: Shape =
      shapeHint ??
      (parents.length === 1
        ? rng.chance(0.25)
          ? 'passthrough'
          : layer === 'mart' && rng.chance(0.4)
            ? 'aggregate'
            : 'transform'
        : layer === 'mart' && rng.chance(0.45)
          ? 'aggregate'
          : 'join');
    if (shape === 'passthrough')
      return add({
        ...base,
        shape,
        cols: ps[0].cols,
        types: ps[0].types,
        src: null,
        src2: null,
        ops: null,
        groupBy: 0,
      });
    const names = new NameSet();
    const target = Math.max(3, width(rng));
    const cols: string[] = [];
    const typeList: number[] = [];
    const src: number[] = [];
    const src2: number[] = [];
    const ops: number[] = [];
    const push = (name: string, type: number, s: number, op: number, s2 = -1): void => {
      cols.push(names.add(name));
      typeList.push(type);
      src.push(s);
      src2.push(s2);
      ops.push(op);
    };
    const randomCol = (): [number, number] => {
      const slot = rng.int(0, ps.length - 1);
      return [slot, rng.int(0, ps[slot].cols.length - 1)];
    };
    if (shape === 'aggregate') {
      const dims = Math.min(rng.int(1, 4), ps[0].cols.length);
      for (let d = 0; d < dims; d++) push(ps[0].cols[d], ps[0].types[d], ref(0, d), Op.IDENTITY);
      push('row_count', T.BIGINT, -1, Op.COUNT);
      const measures = Math.max(1, target - dims - 1);
      for (let m = 0; m < measures; m++) {
        const [slot, c] = randomCol();
        const numeric = [T.INT, T.BIGINT, T.NUM].includes(ps[slot].types[c] as 0);
        if (numeric) push(`total_${ps[slot].cols[c]}`, T.NUM, ref(slot, c), Op.SUM);
        else push(`last_${ps[slot].cols[c]}`, ps[slot].types[c], ref(slot, c), Op.MAX);
      }
      return add({
        ...base,
        shape,
        cols,
        types: Uint8Array.from(typeList),
        src: Int32Array.from(src),
        src2: Int32Array.from(src2),
        ops: Uint8Array.from(ops),
        groupBy: dims,
      });
    }
    // transform / join: keys first, then mostly copied columns with some expressions.
    for (let slot = 0; slot < ps.length; slot++)
      push(ps[slot].cols[0], ps[slot].types[0], ref(slot, 0), Op.IDENTITY);
    const available = ps.reduce((n, p) => n + p.cols.length, 0);
    const want = Math.min(target, available + 4);
    while (cols.length < want) {
      const [slot, c] = randomCol();
      const u = rng.next();
      const pc = ps[slot].cols[c];
      if (u < 0.7) push(pc, ps[slot].types[c], ref(slot, c), Op.IDENTITY);
      else if (u < 0.8) push(`${pc}_label`, T.TEXT, ref(slot, c), Op.CONCAT, ref(...randomCol()));
      else if (u < 0.9) push(`${pc}_flagged`, ps[slot].types[c], ref(slot, c), Op.CASE, ref(...randomCol()));
      else if (u < 0.95) push(`${pc}_rank`, T.BIGINT, ref(slot, c), Op.WINDOW, ref(...randomCol()));
      else push(pc, T.NUM, ref(slot, c), Op.CAST);
    }
    return add({
      ...base,
      shape,
      cols,
      types: Uint8Array.from(typeList),
      src: Int32Array.from(src),
      src2: Int32Array.from(src2),
      ops: Uint8Array.from(ops),
      groupBy: 0,
    });
  };

  // A few very deep chains of single-parent intermediate models.
  const nChains = Math.max(2, Math.round(size / 25_000));
  let interMade = 0;
  for (let ch = 0; ch < nChains && interMade < nInter / 2; ch++) {
    const length = Math.min(rng.int(25, 60), Math.floor(nInter / (2 * nChains)));
    let prev = byLayer.staging[rng.skewed(byLayer.staging.length, 1.5)];
    for (let k = 0; k < length; k++) {
      prev = derive('intermediate', [prev], 'transform', interMade++).id;
    }
  }
  const pickParents = (k: number, pools: number[][], weights: number[]): number[] => {
    const chosen = new Set<number>();
    for (let tries = 0; chosen.size < k && tries < k * 4; tries++) {
      const u = rng.next();
      let pool = pools[pools.length - 1];
      for (let p = 0, acc = 0; p < pools.length; p++) {
        acc += weights[p];
        if (u < acc) {
          pool = pools[p];
          break;
        }
      }
      if (pool.length > 0) chosen.add(pool[rng.skewed(pool.length, 1.7)]);
    }
    return [...chosen];
  };
  while (interMade < nInter) {
    const parents = pickParents(fanIn(rng), [byLayer.staging, byLayer.intermediate], [0.65, 0.35]);
    derive('intermediate', parents, null, interMade++);
  }
  for (let i = 0; i < nMarts; i++) {
    const parents = pickParents(
      fanIn(rng),
      [byLayer.intermediate, byLayer.staging, byLayer.mart],
      [0.6, 0.25, 0.15],
    );
    derive('mart', parents, null, i);
  }

  // Exposures: dashboards, ML models, apps on top of marts (and a few intermediates).
  const types: Exposure['type'][] = [
    'dashboard',
    'dashboard',
    'dashboard',
    'notebook',
    'analysis',
    'ml',
    'application',
  ];
  const nExposures = Math.max(3, Math.round(size / 100));
  const exposures: Exposure[] = [];
  for (let e = 0; e < nExposures; e++) {
    const parents = pickParents(rng.int(1, 5), [byLayer.mart, byLayer.intermediate], [0.9, 0.1]).sort(
      (a, b) => a - b,
    );
    const type = rng.pick(types);
    exposures.push({
      id: e,
      name: `${type}_${domains[tables[parents[0]].domain]}_${e}`,
      type,
      owner: rng.int(0, nTeams - 1),
      parents,
      tags: tagsFor(),
    });
  }
  return {
    seed: String(seed),
    size,
    project: 'bench_warehouse',
    database: 'warehouse',
    domains,
    teams,
    tables,
    exposures,
    columnCount,
  };
}
