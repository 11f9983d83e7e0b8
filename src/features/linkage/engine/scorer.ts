import { z } from 'zod';
import { compareFor, compareNames, comparisonKinds, levelsOf, prepareFor, prepareName, type ComparisonKind, type NameValue } from './comparisons.ts';
import type { ComparisonSpec, LinkageRecord, LinkageResult, ModelSettings } from './model.ts';

/**
 * The fixed-parameter scorer for the live path (docs/LINKAGE.md, "Scoring one pair with stored
 * parameters"): a model trained by runLinkage is kept as plain JSON (ModelParameters) and a pair
 * of records is scored against it without blocking, sampling or EM. Levels are stored and looked
 * up by name, so a level added to a comparison later does not shift the weights of stored ones.
 * Term-frequency adjustments are not applied: every exact agreement weighs its column's average.
 */

export const MODEL_PARAMETERS_VERSION = 1;

export interface LevelParameters {
  readonly name: string;
  /** How often the two records of a true match fall in this level. */
  readonly m: number;
  /** How often two records of different people do. */
  readonly u: number;
}

export interface ComparisonParameters {
  readonly column: string;
  readonly kind: ComparisonKind;
  readonly swappedWith?: string | undefined;
  readonly levels: readonly LevelParameters[];
}

export interface ModelParameters {
  readonly version: typeof MODEL_PARAMETERS_VERSION;
  /** log2(λ / (1 − λ)) in bits: the weight every pair starts from. */
  readonly priorLogOdds: number;
  readonly comparisons: readonly ComparisonParameters[];
}

export interface WaterfallStep {
  readonly column: string;
  /** The level's name, or 'missing' (a value missing on either side: weight 0). */
  readonly level: string;
  /** log2(m / u) of the level; 0 when missing or when the stored parameters have no such level. */
  readonly weight: number;
}

export interface PairScore {
  /** priorLogOdds plus the waterfall's weights, in bits. */
  readonly matchWeight: number;
  readonly matchProbability: number;
  readonly waterfall: readonly WaterfallStep[];
}

const probability = z.number().gt(0).max(1);
const columnName = z.string().trim().min(1).max(200);

/** Stored parameters, validated before use (a row in the database, a file). Unknown fields are refused. */
export const modelParametersSchema = z
  .object({
    version: z.literal(MODEL_PARAMETERS_VERSION),
    priorLogOdds: z.number().finite().min(-200).max(200),
    comparisons: z
      .array(
        z
          .object({
            column: columnName,
            kind: z.enum(comparisonKinds),
            swappedWith: columnName.optional(),
            levels: z
              .array(z.object({ name: z.string().min(1).max(100), m: probability, u: probability }).strict())
              .min(1)
              .max(20),
          })
          .strict()
          .refine((c) => new Set(c.levels.map((l) => l.name)).size === c.levels.length, { message: 'each level is named once', path: ['levels'] })
          .refine((c) => c.swappedWith === undefined || c.kind === 'name', { message: 'swappedWith is for a name comparison', path: ['swappedWith'] }),
      )
      .min(1)
      .max(50),
  })
  .strict()
  .refine((p) => new Set(p.comparisons.map((c) => c.column)).size === p.comparisons.length, { message: 'each column is compared once', path: ['comparisons'] });

/** The parameters of a trained run, to store: its prior and, per comparison, each level's m and u. */
export function parametersOf(result: LinkageResult, settings: Pick<ModelSettings, 'comparisons'>): ModelParameters {
  const specs = new Map<string, ComparisonSpec>(settings.comparisons.map((c) => [c.column, c]));
  return {
    version: MODEL_PARAMETERS_VERSION,
    priorLogOdds: result.priorWeight,
    comparisons: result.comparisons.map((trained) => {
      const spec = specs.get(trained.column);
      if (!spec) throw new Error(`the settings do not compare ${trained.column}`);
      return {
        column: spec.column,
        kind: spec.kind,
        ...(spec.swappedWith ? { swappedWith: spec.swappedWith } : {}),
        levels: trained.levels.map((name, l) => ({ name, m: trained.m[l]!, u: trained.u[l]! })),
      };
    }),
  };
}

/** The name of the level two records fall in for one comparison, or null when either value is missing. */
export function levelNameOf(comparison: Pick<ComparisonParameters, 'column' | 'kind' | 'swappedWith'>, a: LinkageRecord, b: LinkageRecord): string | null {
  const prepare = prepareFor[comparison.kind] as (value: string | null | undefined) => unknown;
  const x = prepare(a[comparison.column]);
  const y = prepare(b[comparison.column]);
  if (x === null || y === null) return null;
  if (comparison.kind === 'name') {
    const [nx, ny] = [x as NameValue, y as NameValue];
    let swapped = false;
    if (comparison.swappedWith && nx.text !== ny.text) {
      const xOther = prepareName(a[comparison.swappedWith])?.text ?? null;
      const yOther = prepareName(b[comparison.swappedWith])?.text ?? null;
      swapped = xOther !== null && yOther !== null && xOther === ny.text && yOther === nx.text;
    }
    return levelsOf.name[compareNames(nx, ny, swapped)]!;
  }
  return levelsOf[comparison.kind][(compareFor[comparison.kind] as (p: unknown, q: unknown) => number)(x, y)]!;
}

/** Scores one pair of records with stored parameters: its match weight, probability and waterfall. */
export function scorePair(params: ModelParameters, a: LinkageRecord, b: LinkageRecord): PairScore {
  let matchWeight = params.priorLogOdds;
  const waterfall = params.comparisons.map((comparison): WaterfallStep => {
    const level = levelNameOf(comparison, a, b);
    if (level === null) return { column: comparison.column, level: 'missing', weight: 0 };
    const stored = comparison.levels.find((l) => l.name === level);
    // A level the parameters were trained without (added to the code since) is no evidence either way.
    const weight = stored ? Math.log2(stored.m / stored.u) : 0;
    matchWeight += weight;
    return { column: comparison.column, level, weight };
  });
  return { matchWeight, matchProbability: 1 / (1 + 2 ** -matchWeight), waterfall };
}
