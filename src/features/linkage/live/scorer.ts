import type { ComparisonKind } from '../engine/comparisons.ts';
import { MODEL_PARAMETERS_VERSION, scorePair as scoreWithEngine, type ModelParameters as EngineParameters } from '../engine/scorer.ts';
import type { LinkageResult, ModelSettings } from '../engine/model.ts';
import defaults from './default-parameters.json' with { type: 'json' };

/**
 * The live path's scorer (issue 14 §2, docs/LINKAGE.md "In Lantern"): a trained model's m, u and
 * prior, stored as JSON keyed by level name (so a stored model survives a change in the order of the
 * engine's levels), score the few candidates SQL found for one record, through the engine's own
 * scorer (engine/scorer.ts): the same levels and sums as runLinkage, without term frequencies.
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

/** The stored parameters in the engine scorer's form (levels as a list, the prior as log-odds), made once per object. */
const asEngine = new WeakMap<ModelParameters, EngineParameters>();
function engineParameters(params: ModelParameters): EngineParameters {
  let engine = asEngine.get(params);
  if (!engine) {
    const prior = Math.min(Math.max(params.prior, FLOOR), 1 - FLOOR);
    engine = {
      version: MODEL_PARAMETERS_VERSION,
      priorLogOdds: log2(prior / (1 - prior)),
      comparisons: params.comparisons.map((c) => ({
        column: c.column,
        kind: c.kind,
        swappedWith: c.swappedWith,
        levels: Object.entries(c.levels).map(([name, p]) => ({ name, m: Math.max(p.m, FLOOR), u: Math.max(p.u, FLOOR) })),
      })),
    };
    asEngine.set(params, engine);
  }
  return engine;
}

/**
 * Scores a pair with the engine's scorer (engine/scorer.ts: the same levels as a batch run, a missing
 * value 0, a level the parameters lack 0): the prior's weight plus each level's log2(m / u),
 * probability 1 / (1 + 2^−weight). The waterfall starts with the prior as a step of its own.
 */
export function scorePair(params: ModelParameters, a: LiveRecord, b: LiveRecord): PairScore {
  const engine = engineParameters(params);
  const scored = scoreWithEngine(engine, a, b);
  const prior = Math.min(Math.max(params.prior, FLOOR), 1 - FLOOR);
  return {
    matchWeight: scored.matchWeight,
    matchProbability: scored.matchProbability,
    waterfall: [{ column: 'prior', level: `λ = ${Number(prior.toPrecision(3))}`, weight: engine.priorLogOdds }, ...scored.waterfall],
  };
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
