// Compiled SQL for each planned model, in the shapes dbt projects really use: staging rename/cast CTEs,
// `select *` passthroughs, CTE-heavy joins with filters, CASE and window expressions, GROUP BY marts.
import { Op, TYPES } from './warehouse.ts';
import type { Table, Warehouse } from './warehouse.ts';

export function relationName(w: Warehouse, t: Table): string {
  return `"${w.database}"."${t.schema}"."${t.name}"`;
}

function colRef(t: Table, parents: Table[], encoded: number, alias: (slot: number) => string): string {
  const slot = Math.floor(encoded / 65536);
  return `${alias(slot)}.${parents[slot].cols[encoded % 65536]}`;
}

function expression(t: Table, parents: Table[], c: number, alias: (slot: number) => string): string {
  const ops = t.ops!;
  if (ops[c] === Op.COUNT) return `count(*) as ${t.cols[c]}`;
  const a = colRef(t, parents, t.src![c], alias);
  const b = t.src2 && t.src2[c] >= 0 ? colRef(t, parents, t.src2[c], alias) : a;
  const name = t.cols[c];
  const plain = a.slice(a.indexOf('.') + 1);
  switch (ops[c]) {
    case Op.IDENTITY:
      return plain === name ? a : `${a} as ${name}`;
    case Op.RENAME:
      return `${a} as ${name}`;
    case Op.CAST:
      return `cast(${a} as ${TYPES[t.types[c]]}) as ${name}`;
    case Op.CONCAT:
      return `concat(${a}, '-', ${b}) as ${name}`;
    case Op.CASE:
      return `case when ${b} is null then null else ${a} end as ${name}`;
    case Op.WINDOW:
      return `row_number() over (partition by ${a} order by ${b}) as ${name}`;
    case Op.SUM:
      return `sum(${a}) as ${name}`;
    case Op.MAX:
      return `max(${a}) as ${name}`;
    case Op.COUNT:
      return `count(*) as ${name}`;
    default:
      throw new Error(`unknown op ${ops[c]}`);
  }
}

function selectList(t: Table, parents: Table[], alias: (slot: number) => string): string {
  return t.cols.map((_, c) => `        ${expression(t, parents, c, alias)}`).join(',\n');
}

export function compiledSql(w: Warehouse, t: Table): string {
  const parents = t.parents.map((p) => w.tables[p]);
  switch (t.shape) {
    case 'source':
      return '';
    case 'passthrough':
      return `select * from ${relationName(w, parents[0])}`;
    case 'rename':
      return [
        'with',
        '',
        'source as (',
        `    select * from ${relationName(w, parents[0])}`,
        '),',
        '',
        'renamed as (',
        '    select',
        selectList(t, parents, () => 'source'),
        '    from source',
        ')',
        '',
        'select * from renamed',
      ].join('\n');
    case 'transform':
      return [
        'with',
        '',
        'source as (',
        `    select * from ${relationName(w, parents[0])}`,
        '),',
        '',
        'filtered as (',
        '    select * from source',
        `    where source.${parents[0].cols[0]} is not null`,
        '),',
        '',
        'final as (',
        '    select',
        selectList(t, parents, () => 'filtered'),
        '    from filtered',
        ')',
        '',
        'select * from final',
      ].join('\n');
    case 'join': {
      const ctes = parents.map((p, i) => `p${i} as (\n    select * from ${relationName(w, p)}\n)`);
      const joins = parents
        .slice(1)
        .map(
          (p, i) =>
            `    ${i % 3 === 2 ? 'inner' : 'left'} join p${i + 1} on p0.${parents[0].cols[0]} = p${i + 1}.${p.cols[0]}`,
        );
      return [
        'with',
        '',
        ctes.join(',\n\n') + ',',
        '',
        'joined as (',
        '    select',
        selectList(t, parents, (s) => `p${s}`),
        '    from p0',
        ...joins,
        `    where p0.${parents[0].cols[0]} is not null`,
        ')',
        '',
        'select * from joined',
      ].join('\n');
    }
    case 'aggregate': {
      const joins = parents
        .slice(1)
        .map(
          (p, i) =>
            `inner join ${relationName(w, p)} as p${i + 1} on p0.${parents[0].cols[0]} = p${i + 1}.${p.cols[0]}`,
        );
      const dims = t.cols.slice(0, t.groupBy).map((_, c) => colRef(t, parents, t.src![c], (s) => `p${s}`));
      return [
        'select',
        selectList(t, parents, (s) => `p${s}`),
        `from ${relationName(w, parents[0])} as p0`,
        ...joins,
        `group by ${dims.join(', ')}`,
      ].join('\n');
    }
  }
}
