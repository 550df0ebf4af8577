// The demo with owners for the alert tests: customers is a key asset of the finance group (Dana Reyes),
// stg_orders belongs to the platform group (Lee Park); the exposures keep their owners (Ana Lopez owns the
// Customer 360 dashboard, Sam Okafor the revenue forecast). And run_results.json with chosen tests failing.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_TARGET } from '../helpers/demo-graph.ts';

export const CUSTOMERS = 'jaffle_shop.main.customers';
export const CUSTOMER_360 = 'exposure:exposure.jaffle_shop.customer_360';
export const NOT_NULL = 'test.jaffle_shop.not_null_stg_customers_customer_id.e2cfb1f9aa';
export const UNIQUE = 'test.jaffle_shop.unique_stg_customers_customer_id.c7614daada';

/** The demo with owners: customers is a key asset of the finance group (Dana), stg_orders is platform's (Lee). */
export function ownedDemoTarget(dir: string): string {
  const target = join(dir, 'target');
  cpSync(DEMO_TARGET, target, { recursive: true });
  const path = join(target, 'manifest.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  const group = (name: string, owner: { name: string; email: string }) => ({
    name,
    resource_type: 'group',
    package_name: 'jaffle_shop',
    path: 'groups.yml',
    original_file_path: 'models/groups.yml',
    unique_id: `group.jaffle_shop.${name}`,
    owner,
  });
  m.groups = {
    'group.jaffle_shop.finance': group('finance', { name: 'Dana Reyes', email: 'dana.reyes@jaffle.example' }),
    'group.jaffle_shop.platform': group('platform', { name: 'Lee Park', email: 'lee.park@jaffle.example' }),
  };
  const customers = m.nodes['model.jaffle_shop.customers'];
  customers.group = 'finance';
  customers.config.group = 'finance';
  customers.tags = ['key_asset'];
  customers.config.tags = ['key_asset'];
  m.nodes['model.jaffle_shop.stg_orders'].group = 'platform';
  m.nodes['model.jaffle_shop.stg_orders'].config.group = 'platform';
  writeFileSync(path, JSON.stringify(m));
  return target;
}

export function runResults(failing: string[], at: string) {
  const runs = JSON.parse(readFileSync(join(DEMO_TARGET, 'run_results.json'), 'utf8'));
  for (const r of runs.results)
    if (failing.includes(r.unique_id)) {
      r.status = 'fail';
      r.failures = 2;
      r.message = 'Got 2 results, configured to fail if != 0';
      for (const t of r.timing) {
        t.started_at = at;
        t.completed_at = at;
      }
    }
  return runs;
}
