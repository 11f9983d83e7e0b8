import { NULL_LEVEL, levelOf, levelsOf, type ComparisonKind } from '../engine/comparisons.ts';
import type { LinkageResult, ModelSettings } from '../engine/model.ts';
import defaults from './default-parameters.json' with { type: 'json' };

/**
 * The live path's scorer (issue 14 §2, docs/LINKAGE.md "In Lantern"): a trained model's m, u and
 * prior, stored as JSON keyed by level name (so a stored model survives a change in the order of the
 * engine's levels), score the few candidates SQL found for one record. A stop-gap until the engine's
 * own scorer (engine/scorer.ts) lands: the same sums as runLinkage, without term frequencies.
 */
export type RecordKind = 'child' | 'person';

export interface LevelParameters {
  m: number;
  u: number;
}

export interface ComparisonParameters {
  column: string;
  kind: ComparisonKind;
  /** For a name: the other name column, so crossed names are the level 'swapped'. */
  swappedWith?: string | undefined;
  levels: Record<string, LevelParameters>;
}

export interface ModelParameters {
  /** The probability that a candidate pair is the same person. */
  prior: number;
  comparisons: ComparisonParameters[];
}

export interface WaterfallStep {
  column: string;
  level: string;
  weight: number;
}

export interface PairScore {
  matchWeight: number;
  matchProbability: number;
  /** The prior first, then each comparison's level and weight; the weights add up to matchWeight. */
  waterfall: WaterfallStep[];
}

export type LiveRecord = Readonly<Record<string, string | null | undefined>>;

const FLOOR = 1e-6;
const log2 = Math.log2;

/** The built-in parameters of a kind (default-parameters.json), used before any batch run. */
export function defaultParameters(kind: RecordKind): ModelParameters {
  return structuredClone(defaults[kind]) as ModelParameters;
}

/** The review threshold: pairs at or above it are proposed (queue) or shown (entry); likely from `likelyThreshold`. */
export const reviewThreshold = 0.5;
export const likelyThreshold = 0.9;

const clean = (value: string | null | undefined): string | null => {
  if (value === null || value === undefined) return null;
  const text = value.trim().toLowerCase().replace(/\s+/g, ' ');
  return text === '' ? null : text;
};

/** The level name of one comparison for a pair, or null for the null level (a value missing). */
function levelFor(c: ComparisonParameters, a: LiveRecord, b: LiveRecord): string | null {
  const level = levelOf(c.kind, a[c.column] ?? null, b[c.column] ?? null);
  if (level === NULL_LEVEL) return null;
  const names = levelsOf[c.kind];
  if (c.kind === 'name' && c.swappedWith && level !== 0) {
    const crossed = clean(a[c.column]) === clean(b[c.swappedWith]) && clean(a[c.swappedWith]) === clean(b[c.column]);
    if (crossed) return 'swapped';
  }
  return names[level] ?? 'else';
}

/** Scores a pair: the prior's weight plus each level's log2(m / u); probability 1 / (1 + 2^−weight). */
export function scorePair(params: ModelParameters, a: LiveRecord, b: LiveRecord): PairScore {
  const prior = Math.min(Math.max(params.prior, FLOOR), 1 - FLOOR);
  const waterfall: WaterfallStep[] = [{ column: 'prior', level: `λ = ${Number(prior.toPrecision(3))}`, weight: log2(prior / (1 - prior)) }];
  let matchWeight = waterfall[0]!.weight;
  for (const c of params.comparisons) {
    const level = levelFor(c, a, b);
    if (level === null) {
      waterfall.push({ column: c.column, level: 'missing', weight: 0 });
      continue;
    }
    const p = c.levels[level] ?? c.levels.else;
    const weight = p ? log2(Math.max(p.m, FLOOR) / Math.max(p.u, FLOOR)) : 0;
    matchWeight += weight;
    waterfall.push({ column: c.column, level, weight });
  }
  return { matchWeight, matchProbability: 1 / (1 + 2 ** -matchWeight), waterfall };
}

/** The engine's settings for a batch run of a kind: the comparisons of its parameters, and blocking rules for a partnership. */
export function settingsFor(kind: RecordKind): ModelSettings {
  const comparisons = defaultParameters(kind).comparisons.map(({ column, kind: k, swappedWith }) => ({ column, kind: k, swappedWith }));
  const blocking =
    kind === 'child'
      ? [
          [{ column: 'family_name', key: 'metaphone' as const }, { column: 'date_of_birth' }],
          [{ column: 'given_name', key: 'metaphone' as const }, { column: 'date_of_birth' }],
          [
            { column: 'family_name', key: 'metaphone' as const },
            { column: 'given_name', key: 'first3' as const },
          ],
          [{ column: 'postcode' }, { column: 'date_of_birth', key: 'year' as const }],
        ]
      : [
          [{ column: 'family_name', key: 'metaphone' as const }],
          [
            { column: 'given_name', key: 'metaphone' as const },
            { column: 'date_of_birth', key: 'year' as const },
          ],
          [{ column: 'alias', key: 'metaphone' as const }],
          [{ column: 'date_of_birth' }],
        ];
  return { idColumn: 'id', comparisons, blocking, threshold: reviewThreshold, randomPairs: 50_000, maxIterations: 100 };
}

/**
 * The parameters a run trained, keyed by level name. The prior is the run's λ, which the engine
 * estimates over all pairs of records (docs/LINKAGE.md), so entry-time scores agree with the run's.
 */
export function parametersOf(result: LinkageResult, settings: ModelSettings, _records: number): ModelParameters {
  const prior = result.lambda;
  return {
    prior: Math.min(Math.max(prior, FLOOR), 1 - FLOOR),
    comparisons: settings.comparisons.map((spec, k) => {
      const trained = result.comparisons[k]!;
      const levels: Record<string, LevelParameters> = {};
      trained.levels.forEach((name, l) => (levels[name] = { m: trained.m[l]!, u: trained.u[l]! }));
      return { column: spec.column, kind: spec.kind, swappedWith: spec.swappedWith, levels };
    }),
  };
}

/** Stored parameters read back: the shape checked, anything else is the defaults. */
export function parametersFrom(stored: unknown, kind: RecordKind): ModelParameters {
  const p = stored as Partial<ModelParameters> | null;
  if (!p || typeof p.prior !== 'number' || !Array.isArray(p.comparisons) || p.comparisons.length === 0) return defaultParameters(kind);
  return p as ModelParameters;
}
