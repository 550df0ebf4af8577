import { describe, expect, it } from 'vitest';
import {
  columnKey,
  columnName,
  parseQualifiedName,
  relationIdentity,
  relationKey,
  splitColumnKey,
} from '../../src/model/identity.ts';

describe('parseQualifiedName', () => {
  it('splits quoted and unquoted parts', () => {
    expect(parseQualifiedName('"My Db".public."Orders"')).toEqual([
      { value: 'My Db', quoted: true },
      { value: 'public', quoted: false },
      { value: 'Orders', quoted: true },
    ]);
  });
  it('splits a BigQuery backquoted path', () => {
    expect(parseQualifiedName('`my-proj.Sales.Orders`').map((p) => p.value)).toEqual([
      'my-proj',
      'Sales',
      'Orders',
    ]);
  });
  it('reads doubled quotes and brackets', () => {
    expect(parseQualifiedName('"a""b".[dbo].[t x]').map((p) => p.value)).toEqual(['a"b', 'dbo', 't x']);
  });
});

describe('relation keys per platform', () => {
  it('snowflake folds unquoted to upper, keeps quoted', () => {
    expect(relationKey('snowflake', 'analytics.dbt.orders')).toBe('ANALYTICS.DBT.ORDERS');
    expect(relationKey('snowflake', 'analytics.dbt."Orders"')).toBe('ANALYTICS.DBT.Orders');
    expect(relationKey('snowflake', 'orders', { database: 'analytics', schema: 'dbt' })).toBe(
      'ANALYTICS.DBT.ORDERS',
    );
  });
  it('postgres folds unquoted to lower, keeps quoted', () => {
    expect(relationKey('postgres', 'Public.Orders', { database: 'shop' })).toBe('shop.public.orders');
    expect(relationKey('postgres', '"Public"."Orders"', { database: 'shop' })).toBe('shop.Public.Orders');
  });
  it('redshift folds quoted identifiers too', () => {
    expect(relationKey('redshift', '"Sales"."Orders"', { database: 'dev' })).toBe('dev.sales.orders');
  });
  it('bigquery keeps project, dataset and table case; folds columns', () => {
    expect(relationKey('bigquery', '`My-Proj.Sales.Orders`')).toBe('My-Proj.Sales.Orders');
    expect(columnName('bigquery', 'Customer_ID')).toBe('customer_id');
  });
  it('databricks, trino and duckdb are case-insensitive', () => {
    expect(relationKey('databricks', '`Main`.Sales.ORDERS')).toBe('main.sales.orders');
    expect(relationKey('trino', '"Hive"."Sales"."Orders"')).toBe('hive.sales.orders');
    expect(relationKey('duckdb', 'Memory.Main."Orders"')).toBe('memory.main.orders');
  });
  it('fills missing parts from defaults and keeps the written name for display', () => {
    const id = relationIdentity('postgres', 'Orders', { database: 'shop', schema: 'public' });
    expect(id).toMatchObject({
      key: 'shop.public.orders',
      database: 'shop',
      schema: 'public',
      name: 'orders',
    });
    expect(id.displayName).toBe('shop.public.Orders');
  });
  it('quotes key parts that contain dots or spaces', () => {
    const rel = relationKey('postgres', '"a.b".public."my table"', {});
    expect(rel).toBe('"a.b".public."my table"');
    const col = columnKey(rel, 'x.y');
    expect(splitColumnKey(col)).toEqual({ relationKey: rel, column: 'x.y' });
  });
});
