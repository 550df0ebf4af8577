// Urgency from lineage (docs/alerts.md "Severity and urgency"). Each impacted asset has a lineage severity
// from src/analysis/importance.ts:
//   score = 10 × exposures downstream + 5 × log10(1 + reads in the usage window) + 20 × key asset
//   CRITICAL: a key asset (key_asset/tier1 tag, isKeyAsset, an exposure of maturity high) or ≥ 3 exposures;
//   HIGH: ≥ 1 exposure or ≥ 1000 reads; MEDIUM: any read; LOW: none.
// The urgency of an asset for one alert then is:
//   page    when the asset is CRITICAL and the alert's level is error or critical;
//   digest  when the alert's level is info, or when nothing needs the data soon: no exposure downstream,
//           not a key asset, and no read in the last 24 hours (and the level is not critical);
//   notify  otherwise.
// A recipient's urgency is the highest of its assets' (page > notify > digest).
import type { Urgency } from './rules.ts';

export interface UrgencyInput {
  severity: string;
  exposuresDownstream: number;
  keyAsset: boolean;
  reads24h: number;
  level: 'info' | 'warning' | 'error' | 'critical';
}

export function urgencyOf(a: UrgencyInput): Urgency {
  if (a.level === 'info') return 'digest';
  if (a.severity === 'CRITICAL' && (a.level === 'error' || a.level === 'critical')) return 'page';
  if (a.level !== 'critical' && a.exposuresDownstream === 0 && !a.keyAsset && a.reads24h === 0)
    return 'digest';
  return 'notify';
}

const RANK: Record<Urgency, number> = { digest: 0, notify: 1, page: 2 };

export function maxUrgency(a: Urgency, b: Urgency): Urgency {
  return RANK[a] >= RANK[b] ? a : b;
}
