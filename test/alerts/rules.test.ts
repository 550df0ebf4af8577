// Routing-rule matching on its own: globs, every condition must hold, first vs all matches, unowned assets,
// and the file checks (unknown destinations, a digest via a non-sending destination, secret names).
import { describe, expect, it } from 'vitest';
import { globToRegex, parseRules, routeSubject, type MatchSubject } from '../../src/alerts/rules.ts';
import { urgencyOf } from '../../src/alerts/urgency.ts';

const subject = (over: Partial<MatchSubject> = {}): MatchSubject => ({
  key: 'jaffle_shop.finance.revenue',
  schema: 'finance',
  group: 'finance',
  tags: ['key_asset', 'pii'],
  exposureKind: null,
  owner: { id: 'dana@x.example', email: 'dana@x.example', team: 'finance' },
  severity: 'CRITICAL',
  urgency: 'page',
  source: 'dbt',
  ...over,
});

const file = (mode: 'all' | 'first', rules: object[]) =>
  parseRules(
    {
      mode,
      destinations: { a: { type: 'webhook', secret: 'A' }, b: { type: 'slack', secret: 'B' } },
      rules,
    },
    'test',
  );

describe('routing rules', () => {
  it('globs are anchored and case-insensitive; * and ? only', () => {
    expect(globToRegex('jaffle_shop.finance.*').test('JAFFLE_SHOP.finance.revenue')).toBe(true);
    expect(globToRegex('jaffle_shop.finance.*').test('x.jaffle_shop.finance.revenue')).toBe(false);
    expect(globToRegex('a?c').test('abc')).toBe(true);
    expect(globToRegex('a.c').test('abc')).toBe(false);
  });

  it('every condition given must hold; each lists alternatives', () => {
    const rules = file('all', [
      { name: 'finance pii', match: { schema: ['finance'], tag: ['pii', 'x'] }, to: ['a'] },
      { name: 'wrong team', match: { schema: ['finance'], team: ['platform'] }, to: ['b'] },
      { name: 'by owner glob', match: { owner: ['*@x.example'], severity: ['CRITICAL'] }, to: ['b'] },
    ]);
    expect(routeSubject(rules, subject()).map((r) => r.rule)).toEqual(['finance pii', 'by owner glob']);
    expect(routeSubject(rules, subject({ severity: 'LOW' })).map((r) => r.rule)).toEqual(['finance pii']);
  });

  it('mode first stops at the first matching rule; all keeps every match', () => {
    const rules = [
      { name: 'one', match: { tag: ['key_asset'] }, to: ['a'] },
      { name: 'two', match: {}, to: ['b'] },
    ];
    expect(routeSubject(file('first', rules), subject()).map((r) => r.rule)).toEqual(['one']);
    expect(routeSubject(file('all', rules), subject()).map((r) => r.rule)).toEqual(['one', 'two']);
  });

  it('unowned assets are routed only by a rule that names "(unowned)"', () => {
    const rules = file('all', [
      { name: 'catch-all', match: {}, to: ['a'] },
      { name: 'orphans', match: { owner: ['(unowned)'] }, to: ['b'] },
    ]);
    const orphan = subject({ owner: { id: '(unowned)', email: null, team: null } });
    expect(routeSubject(rules, orphan).map((r) => r.rule)).toEqual(['orphans']);
  });

  it('the file is checked: unknown destinations, digest via, secret names', () => {
    expect(() => file('all', [{ name: 'x', match: {}, to: ['nowhere'] }])).toThrow(
      /unknown destination 'nowhere'/,
    );
    expect(() =>
      parseRules(
        {
          destinations: {
            p: { type: 'pagerduty', secret: 'P' },
            d: { type: 'digest', every: 'daily', via: 'p' },
          },
          rules: [],
        },
        'test',
      ),
    ).toThrow(/must be a slack or webhook destination/);
    expect(() =>
      parseRules({ destinations: { s: { type: 'slack', secret: 'https://hooks' } }, rules: [] }, 't'),
    ).toThrow(/environment-style name/);
  });
});

describe('urgency', () => {
  const base = {
    severity: 'HIGH',
    exposuresDownstream: 1,
    keyAsset: false,
    reads24h: 0,
    level: 'error' as const,
  };
  it('page only for CRITICAL with an error or critical alert', () => {
    expect(urgencyOf({ ...base, severity: 'CRITICAL', keyAsset: true })).toBe('page');
    expect(urgencyOf({ ...base, severity: 'CRITICAL', keyAsset: true, level: 'warning' })).toBe('notify');
  });
  it('digest when nothing needs the data soon, or for info alerts', () => {
    expect(urgencyOf({ ...base, severity: 'LOW', exposuresDownstream: 0 })).toBe('digest');
    expect(urgencyOf({ ...base, severity: 'MEDIUM', exposuresDownstream: 0, reads24h: 3 })).toBe('notify');
    expect(urgencyOf({ ...base, severity: 'LOW', exposuresDownstream: 0, level: 'critical' })).toBe('notify');
    expect(urgencyOf({ ...base, level: 'info' })).toBe('digest');
  });
});
