import { doubleMetaphone } from 'double-metaphone';
import { NULL_LEVEL, compareFor, compareNames, levelsOf, prepareFor, prepareName, type ComparisonKind, type NameValue } from './comparisons.ts';

/**
 * Fellegi–Sunter record linkage, in memory (docs/LINKAGE.md). Candidate pairs come from blocking
 * rules; u (how often two different people agree at each level) from seeded random pairs; m (how
 * often the same person does) and λ (the share of candidate pairs that are matches) by
 * expectation–maximisation on the candidates; exact name agreements weigh by how rare the name is.
 * A pair's match weight is log2 of its prior odds plus, per comparison, log2(m / u) of its level.
 */

export type LinkageRecord = Readonly<Record<string, string | null | undefined>>;

export interface ComparisonSpec {
  readonly column: string;
  readonly kind: ComparisonKind;
  /** Exact agreements weigh by the value's frequency (common names weigh less). */
  readonly termFrequency?: boolean | undefined;
  /** For a name: the other name column, so that crossed names are the level 'swapped'. */
  readonly swappedWith?: string | undefined;
}

export type BlockingKey = 'value' | 'metaphone' | 'first3' | 'year';

export interface BlockingPart {
  readonly column: string;
  readonly key?: BlockingKey | undefined;
}

export interface ModelSettings {
  readonly idColumn: string;
  readonly comparisons: readonly ComparisonSpec[];
  /** Each rule: the records agree on every part. A pair is a candidate when any rule holds. */
  readonly blocking: readonly (readonly BlockingPart[])[];
  readonly threshold?: number | undefined;
  readonly seed?: number | undefined;
  readonly randomPairs?: number | undefined;
  readonly maxIterations?: number | undefined;
  /**
   * Most records a blocking key may hold (on either side) for its rule to use it: a key shared by
   * more (a common surname's code, a shared postcode at a million records) would make a block
   * quadratic in its size; its pairs are left to the other rules. Default DEFAULT_MAX_BLOCK_SIZE.
   */
  readonly maxBlockSize?: number | undefined;
  /**
   * Linking two files in which each record has at most one match on the other side: the pairs at
   * or above the threshold are taken strongest first and a pair is dropped when either record is
   * already paired (docs/LINKAGE.md, "One to one"). Refused in deduplication.
   */
  readonly oneToOne?: boolean | undefined;
}

export const DEFAULT_MAX_BLOCK_SIZE = 2_000;

/** Milliseconds per phase of a run (the linkage benchmark prints them). */
export interface LinkagePhases {
  prepare: number;
  blocking: number;
  comparing: number;
  uSampling: number;
  em: number;
  scoring: number;
}

export interface LevelWeight {
  readonly column: string;
  readonly level: string;
  /** log2(m / u); 0 for a missing value. */
  readonly weight: number;
  /** The adjustment for the value's frequency, already in weight (exact agreements only). */
  readonly termFrequency?: number;
}

export interface ScoredPair {
  readonly left: number;
  readonly right: number;
  readonly leftId: string;
  readonly rightId: string;
  readonly matchWeight: number;
  readonly matchProbability: number;
}

export interface TrainedComparison {
  readonly column: string;
  readonly levels: readonly string[];
  readonly m: readonly number[];
  readonly u: readonly number[];
}

export interface LinkageResult {
  readonly candidates: number;
  /** Blocking keys left out for holding more than maxBlockSize records, and the pairs they would have made. */
  readonly skippedBlocks: { readonly keys: number; readonly pairs: number };
  readonly phases: LinkagePhases;
  /** λ: the probability that two records, drawn at random from all pairs, are a match. */
  readonly lambda: number;
  /** The prior every pair starts from, log2(λ / (1 − λ)), in bits. */
  readonly priorWeight: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly comparisons: readonly TrainedComparison[];
  /** Pairs at or above the threshold, strongest first. */
  readonly pairs: readonly ScoredPair[];
  /** The waterfall of one pair: the prior, then each comparison's level and weight. */
  explain(left: number, right: number): { prior: number; levels: LevelWeight[]; matchWeight: number; matchProbability: number };
}

/** mulberry32: a small seeded generator, so that u (and every figure after it) is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const log2 = Math.log2;
const probabilityOf = (weight: number) => 1 / (1 + 2 ** -weight);
/** No level is impossible: a floor keeps every weight finite. */
const FLOOR = 1e-6;

/** Double Metaphone once per distinct value: names repeat, and the call is the cost of blocking. */
function metaphoneMemo(): (text: string) => string {
  const memo = new Map<string, string>();
  return (text) => {
    let code = memo.get(text);
    if (code === undefined) {
      code = doubleMetaphone(text)[0];
      memo.set(text, code);
    }
    return code;
  };
}

/**
 * A value's preparation once per distinct value for the kinds whose values repeat (names, dates,
 * sexes, exact values); records with the same value share the prepared object, which also saves memory.
 */
function preparedOnce<T>(kind: ComparisonKind, prepare: (value: string | null | undefined) => T): (value: string | null | undefined) => T {
  if (kind !== 'name' && kind !== 'date' && kind !== 'exact' && kind !== 'sex') return prepare;
  const memo = new Map<string, T>();
  return (value) => {
    if (value === null || value === undefined) return prepare(value);
    let prepared = memo.get(value);
    if (prepared === undefined && !memo.has(value)) {
      prepared = prepare(value);
      memo.set(value, prepared);
    }
    return prepared as T;
  };
}

function blockingKeyOf(
  record: LinkageRecord,
  parts: readonly BlockingPart[],
  metaphone: (text: string) => string = (t) => doubleMetaphone(t)[0],
): string | null {
  const values: string[] = [];
  for (const part of parts) {
    const raw = record[part.column]?.trim().toLowerCase().replace(/\s+/g, ' ');
    if (!raw) return null;
    let value: string;
    switch (part.key ?? 'value') {
      case 'value':
        value = raw;
        break;
      case 'metaphone':
        value = metaphone(raw);
        break;
      case 'first3':
        value = raw.slice(0, 3);
        break;
      case 'year':
        value = raw.replace(/\D/g, '').slice(0, 4);
        break;
    }
    if (value === '') return null;
    values.push(value);
  }
  return values.join('\u0000');
}

/** A growable list of pairs of record indices. */
class PairList {
  skippedKeys = 0;
  skippedPairs = 0;
  left = new Int32Array(1024);
  right = new Int32Array(1024);
  length = 0;
  push(i: number, j: number) {
    if (this.length === this.left.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.left = grow(this.left);
      this.right = grow(this.right);
    }
    this.left[this.length] = i;
    this.right[this.length] = j;
    this.length += 1;
  }
}

/**
 * The candidate pairs: every pair that agrees on some rule's key, each once. A pair found by a
 * rule is skipped when an earlier rule holds for it too, so no set of all pairs is kept. In
 * deduplication (right === null) a pair is (i, j) with i < j.
 */
export function candidatePairs(
  left: readonly LinkageRecord[],
  right: readonly LinkageRecord[] | null,
  rules: ModelSettings['blocking'],
  maxBlockSize = DEFAULT_MAX_BLOCK_SIZE,
): PairList {
  const metaphone = metaphoneMemo();
  const leftKeys = rules.map((rule) => left.map((r) => blockingKeyOf(r, rule, metaphone)));
  const rightKeys = right ? rules.map((rule) => right.map((r) => blockingKeyOf(r, rule, metaphone))) : leftKeys;
  const pairs = new PairList();
  rules.forEach((_, k) => {
    // The right side's blocks as linked lists in typed arrays (no array per key): block b starts
    // at head[b], each record points to the next of its block, in ascending order.
    const rightOfRule = rightKeys[k]!;
    const blockOf = new Map<string, number>();
    const head = new Int32Array(rightOfRule.length).fill(-1);
    const size = new Int32Array(rightOfRule.length);
    const next = new Int32Array(rightOfRule.length).fill(-1);
    for (let j = rightOfRule.length - 1; j >= 0; j -= 1) {
      const key = rightOfRule[j];
      if (key === null || key === undefined) continue;
      let b = blockOf.get(key);
      if (b === undefined) {
        b = blockOf.size;
        blockOf.set(key, b);
      }
      next[j] = head[b]!;
      head[b] = j;
      size[b] = size[b]! + 1;
    }
    // Keys over the cap, on either side, are left out of this rule.
    const tooLarge = new Uint8Array(blockOf.size);
    if (right === null) {
      for (let b = 0; b < blockOf.size; b += 1) {
        const n = size[b]!;
        if (n > maxBlockSize) {
          tooLarge[b] = 1;
          pairs.skippedKeys += 1;
          pairs.skippedPairs += (n * (n - 1)) / 2;
        }
      }
    } else {
      const leftCounts = new Int32Array(blockOf.size);
      for (const key of leftKeys[k]!) {
        const b = key === null || key === undefined ? undefined : blockOf.get(key);
        if (b !== undefined) leftCounts[b] = leftCounts[b]! + 1;
      }
      for (let b = 0; b < blockOf.size; b += 1) {
        if (leftCounts[b]! > 0 && (leftCounts[b]! > maxBlockSize || size[b]! > maxBlockSize)) {
          tooLarge[b] = 1;
          pairs.skippedKeys += 1;
          pairs.skippedPairs += leftCounts[b]! * size[b]!;
        }
      }
    }
    const earlierHolds = (i: number, j: number) => {
      for (let e = 0; e < k; e += 1) {
        const a = leftKeys[e]![i];
        if (a !== null && a === rightKeys[e]![j]) return true;
      }
      return false;
    };
    for (let i = 0; i < left.length; i += 1) {
      const key = leftKeys[k]![i];
      if (key === null || key === undefined) continue;
      const b = blockOf.get(key);
      if (b === undefined || tooLarge[b] === 1) continue;
      for (let j = head[b]!; j !== -1; j = next[j]!) {
        if (right === null && j <= i) continue;
        if (!earlierHolds(i, j)) pairs.push(i, j);
      }
    }
    // A left-out key did not make this rule's pairs, so it must not hide them from later rules.
    const forget = (keys: (string | null)[]) => {
      keys.forEach((key, i) => {
        if (key === null) return;
        const b = blockOf.get(key);
        if (b !== undefined && tooLarge[b] === 1) keys[i] = null;
      });
    };
    if (tooLarge.some((x) => x === 1)) {
      forget(leftKeys[k]!);
      if (right !== null) forget(rightKeys[k]!);
    }
  });
  return pairs;
}

interface PreparedComparison {
  readonly spec: ComparisonSpec;
  readonly levels: readonly string[];
  compare(i: number, j: number): number;
  /** u of an exact agreement on this pair's value, when term frequencies apply. */
  exactFrequency(i: number): number | null;
}

function prepareComparisons(settings: ModelSettings, left: readonly LinkageRecord[], right: readonly LinkageRecord[]): PreparedComparison[] {
  const dedupe = left === right;
  return settings.comparisons.map((spec) => {
    const prepare = preparedOnce(spec.kind, prepareFor[spec.kind] as (value: string | null | undefined) => unknown);
    const compare = compareFor[spec.kind] as (a: unknown, b: unknown) => number;
    const a = left.map((r) => prepare(r[spec.column]));
    const b = dedupe ? a : right.map((r) => prepare(r[spec.column]));
    let levels = levelsOf[spec.kind];
    let crossed: ((i: number, j: number) => boolean) | null = null;
    if (spec.kind === 'name' && spec.swappedWith) {
      const other = spec.swappedWith;
      const name = preparedOnce('name', prepareName);
      const textOf = (r: LinkageRecord) => name(r[other])?.text ?? null;
      const aOther = left.map(textOf);
      const bOther = dedupe ? aOther : right.map(textOf);
      crossed = (i, j) => {
        const x = aOther[i];
        const y = bOther[j];
        return x !== null && y !== null && x === (b[j] as NameValue).text && y === (a[i] as NameValue).text;
      };
    } else if (spec.kind === 'name') {
      levels = levels.filter((l) => l !== 'swapped');
    }
    const skipSwapped = spec.kind === 'name' && !crossed;
    // Frequencies over both files together: the chance that a random record has this value.
    let exactFrequency: (i: number) => number | null = () => null;
    if (spec.termFrequency) {
      const counts = new Map<string, number>();
      let total = 0;
      const textOf = (v: unknown) => (v === null ? null : typeof v === 'string' ? v : (v as { text: string }).text);
      for (const list of dedupe ? [a] : [a, b]) {
        for (const v of list) {
          const t = textOf(v);
          if (t === null) continue;
          counts.set(t, (counts.get(t) ?? 0) + 1);
          total += 1;
        }
      }
      const texts = a.map(textOf);
      exactFrequency = (i) => {
        const t = texts[i];
        return t === null || t === undefined ? null : (counts.get(t) ?? 1) / total;
      };
    }
    return {
      spec,
      levels,
      exactFrequency,
      compare(i, j) {
        const x = a[i];
        const y = b[j];
        if (x === null || x === undefined || y === null || y === undefined) return NULL_LEVEL;
        if (crossed) return compareNames(x as NameValue, y as NameValue, (x as NameValue).text !== (y as NameValue).text && crossed(i, j));
        const level = compare(x, y);
        // Without a crossed column, names have no 'swapped' level: the levels after it move up one.
        return skipSwapped && level > 0 ? level - 1 : level;
      },
    };
  });
}

/** u per level from seeded random pairs (each count floored, so no level has u = 0). */
function estimateU(comparisons: readonly PreparedComparison[], nLeft: number, nRight: number, dedupe: boolean, samples: number, seed: number): number[][] {
  const random = seededRandom(seed);
  const counts = comparisons.map((c) => new Array<number>(c.levels.length).fill(0));
  for (let s = 0; s < samples; s += 1) {
    const i = Math.floor(random() * nLeft);
    let j = Math.floor(random() * nRight);
    if (dedupe && i === j) j = (j + 1) % nRight;
    comparisons.forEach((c, k) => {
      const level = c.compare(i, j);
      if (level !== NULL_LEVEL) counts[k]![level]! += 1;
    });
  }
  return counts.map((row) => {
    const total = row.reduce((x, y) => x + y, 0);
    return row.map((n) => Math.max(n / Math.max(total, 1), FLOOR));
  });
}

/** Starting m: most matches agree exactly, a few at each lesser level, fewest not at all. */
function priorM(levels: number): number[] {
  if (levels === 2) return [0.9, 0.1];
  const between = levels - 2;
  return [0.8, ...new Array<number>(between).fill(0.15 / between), 0.05];
}

export interface Trained {
  m: number[][];
  u: number[][];
  lambda: number;
  iterations: number;
  converged: boolean;
}

/**
 * Expectation–maximisation of m and λ, u held fixed, over the distinct comparison vectors
 * (patterns) of the candidate pairs with their counts: deterministic, and fast however many pairs.
 *
 * `totalPairs` (at least the candidates' count) is the population λ is a share of. With all pairs
 * of records, the pairs blocking did not make are taken as non-matches (their posterior is 0), so
 * λ is the probability that two random records match: the prior that u, drawn from random pairs,
 * belongs with (docs/LINKAGE.md, "Estimating u, m and λ"). Omitted, λ is a share of the candidates.
 */
export function expectationMaximisation(
  patterns: readonly { levels: readonly number[]; count: number }[],
  u: readonly (readonly number[])[],
  maxIterations = 100,
  tolerance = 1e-6,
  totalPairs?: number,
): Trained {
  const candidates = patterns.reduce((sum, p) => sum + p.count, 0);
  const population = Math.max(totalPairs ?? candidates, candidates, 1);
  // λ's floor and ceiling: one match in the population, and every candidate a match (less a hair).
  const lambdaFloor = Math.min(FLOOR, 1 / population);
  const lambdaCeiling = Math.min(candidates / population, 1 - FLOOR);
  let m = u.map((row) => priorM(row.length));
  let lambda = Math.min(Math.max((0.1 * candidates) / population, lambdaFloor), lambdaCeiling);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations += 1;
    const mSums = u.map((row) => new Array<number>(row.length).fill(0));
    let matched = 0;
    const priorLogOdds = log2(lambda / (1 - lambda));
    for (const { levels, count } of patterns) {
      let logOdds = priorLogOdds;
      levels.forEach((level, k) => {
        if (level !== NULL_LEVEL) logOdds += log2(m[k]![level]! / u[k]![level]!);
      });
      const p = probabilityOf(logOdds) * count;
      matched += p;
      levels.forEach((level, k) => {
        if (level !== NULL_LEVEL) mSums[k]![level]! += p;
      });
    }
    const next = mSums.map((row) => {
      const sum = row.reduce((x, y) => x + y, 0);
      return row.map((v) => Math.max(v / Math.max(sum, FLOOR), FLOOR));
    });
    const nextLambda = Math.min(Math.max(matched / population, lambdaFloor), lambdaCeiling);
    // λ may be tiny (a few in a million pairs): its change counts relative to itself.
    let change = Math.abs(nextLambda - lambda) / lambda;
    next.forEach((row, k) => row.forEach((v, l) => (change = Math.max(change, Math.abs(v - m[k]![l]!)))));
    m = next;
    lambda = nextLambda;
    converged = change < tolerance;
  }
  return { m, u: u.map((row) => [...row]), lambda, iterations, converged };
}

/** Deduplicates left (right omitted) or links left to right. */
export function runLinkage(settings: ModelSettings, left: readonly LinkageRecord[], right?: readonly LinkageRecord[]): LinkageResult {
  const dedupe = right === undefined;
  if (dedupe && settings.oneToOne) throw new Error(ONE_TO_ONE_IN_DEDUPLICATION);
  const other = right ?? left;
  let clock = performance.now();
  const lap = () => {
    const now = performance.now();
    const spent = now - clock;
    clock = now;
    return spent;
  };
  const comparisons = prepareComparisons(settings, left, other);
  const prepareMs = lap();
  const pairs = candidatePairs(left, dedupe ? null : other, settings.blocking, settings.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE);
  const blockingMs = lap();
  const width = comparisons.length;
  const vectors = new Uint8Array(pairs.length * width);
  // Each pair's pattern as a number (a byte per level) when it fits in a double exactly (up to 6
  // comparisons), so no string is made per pair; as text beyond. Patterns keep first-seen order.
  const numeric = width <= 6;
  const patternCounts = new Map<number | string, number>();
  for (let p = 0; p < pairs.length; p += 1) {
    const i = pairs.left[p]!;
    const j = pairs.right[p]!;
    let code = 0;
    let text = '';
    for (let k = 0; k < width; k += 1) {
      const level = comparisons[k]!.compare(i, j);
      vectors[p * width + k] = level;
      if (numeric) code = code * 256 + level;
      else text += String.fromCharCode(level);
    }
    const key = numeric ? code : text;
    patternCounts.set(key, (patternCounts.get(key) ?? 0) + 1);
  }
  const levelsOfKey = (key: number | string): number[] => {
    if (typeof key === 'string') return [...key].map((c) => c.charCodeAt(0));
    const levels = new Array<number>(width);
    let rest = key;
    for (let k = width - 1; k >= 0; k -= 1) {
      levels[k] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    return levels;
  };
  const patterns = [...patternCounts].map(([key, count]) => ({ levels: levelsOfKey(key), count }));
  const comparingMs = lap();
  const u = estimateU(comparisons, left.length, other.length, dedupe, settings.randomPairs ?? 200_000, settings.seed ?? 42);
  const uSamplingMs = lap();
  // λ over every pair of records, not over the candidates (docs/LINKAGE.md, "Estimating u, m and λ").
  const allPairs = dedupe ? (left.length * (left.length - 1)) / 2 : left.length * other.length;
  const trained = expectationMaximisation(patterns, u, settings.maxIterations ?? 100, 1e-6, allPairs);
  const emMs = lap();
  const priorWeight = log2(trained.lambda / (1 - trained.lambda));
  const weights = trained.m.map((row, k) => row.map((m, l) => log2(m / trained.u[k]![l]!)));

  const levelWeight = (k: number, level: number, i: number): { weight: number; termFrequency?: number } => {
    if (level === NULL_LEVEL) return { weight: 0 };
    const base = weights[k]![level]!;
    if (level !== 0) return { weight: base };
    const frequency = comparisons[k]!.exactFrequency(i);
    if (frequency === null) return { weight: base };
    // Splink's adjustment: u of this exact agreement is the value's frequency, not the average u.
    const adjustment = log2(trained.u[k]![0]! / Math.max(frequency, FLOOR));
    return { weight: base + adjustment, termFrequency: adjustment };
  };

  const threshold = settings.threshold ?? 0.5;
  const scored: ScoredPair[] = [];
  // The hot loop: the same sum as levelWeight, without an object per pair and comparison.
  const termFrequencyU = comparisons.map((c, k) => (c.spec.termFrequency ? trained.u[k]![0]! : null));
  for (let p = 0; p < pairs.length; p += 1) {
    const i = pairs.left[p]!;
    let weight = priorWeight;
    for (let k = 0; k < width; k += 1) {
      const level = vectors[p * width + k]!;
      if (level === NULL_LEVEL) continue;
      let contribution = weights[k]![level]!;
      const uExact = termFrequencyU[k];
      if (level === 0 && uExact !== null && uExact !== undefined) {
        const frequency = comparisons[k]!.exactFrequency(i);
        if (frequency !== null) contribution += log2(uExact / Math.max(frequency, FLOOR));
      }
      weight += contribution;
    }
    const probability = probabilityOf(weight);
    if (probability >= threshold) {
      const j = pairs.right[p]!;
      scored.push({
        left: i,
        right: j,
        leftId: idOf(left[i]!, settings.idColumn, i),
        rightId: idOf(other[j]!, settings.idColumn, j),
        matchWeight: weight,
        matchProbability: probability,
      });
    }
  }
  scored.sort((a, b) => b.matchWeight - a.matchWeight || a.left - b.left || a.right - b.right);
  const kept = settings.oneToOne ? oneToOne(scored, left.length, other.length) : scored;
  const scoringMs = lap();

  return {
    candidates: pairs.length,
    skippedBlocks: { keys: pairs.skippedKeys, pairs: pairs.skippedPairs },
    phases: { prepare: prepareMs, blocking: blockingMs, comparing: comparingMs, uSampling: uSamplingMs, em: emMs, scoring: scoringMs },
    lambda: trained.lambda,
    iterations: trained.iterations,
    converged: trained.converged,
    comparisons: comparisons.map((c, k) => ({ column: c.spec.column, levels: c.levels, m: trained.m[k]!, u: trained.u[k]! })),
    priorWeight,
    pairs: kept,
    explain(i, j) {
      const levels = comparisons.map((c, k) => {
        const level = c.compare(i, j);
        const w = levelWeight(k, level, i);
        return { column: c.spec.column, level: level === NULL_LEVEL ? 'missing' : c.levels[level]!, ...w };
      });
      const matchWeight = levels.reduce((sum, l) => sum + l.weight, priorWeight);
      return { prior: priorWeight, levels, matchWeight, matchProbability: probabilityOf(matchWeight) };
    },
  };
}

export const ONE_TO_ONE_IN_DEDUPLICATION = 'oneToOne is for linking two files, not for deduplicating one';

/**
 * Each record in at most one pair: the pairs, strongest first (sorted by match weight, which
 * orders them as match probability does but still tells apart probabilities that round to 1;
 * ties by left then right record), are taken in turn, and a pair is dropped when either of its
 * records is already taken. Greedy, not an optimal assignment: deterministic and linear.
 */
export function oneToOne<P extends { readonly left: number; readonly right: number }>(sorted: readonly P[], nLeft: number, nRight: number): P[] {
  const leftTaken = new Uint8Array(nLeft);
  const rightTaken = new Uint8Array(nRight);
  const kept: P[] = [];
  for (const pair of sorted) {
    if (leftTaken[pair.left] === 1 || rightTaken[pair.right] === 1) continue;
    leftTaken[pair.left] = 1;
    rightTaken[pair.right] = 1;
    kept.push(pair);
  }
  return kept;
}

function idOf(record: LinkageRecord, column: string, index: number): string {
  return record[column]?.trim() || `#${index + 1}`;
}
