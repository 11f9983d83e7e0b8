// Drawing an audit's sample (issue 15 §1): pure functions, no database. The same candidates and the
// same seed always draw the same sample, so anyone can check the draw from the recorded seed; the
// candidates are put in the order of their ids first, so the order the database returned them in
// does not matter.

export interface Candidate {
  childId: string;
  owningAgencyId: string;
  riskLevel: string | null;
  openFlags: readonly string[];
}

export type Stratification = 'agency' | 'risk' | 'flag';

export interface Drawn {
  childId: string;
  /** 1, 2, … in the order drawn: the name of the record in the audit's pages and report. */
  position: number;
  /** The stratum the child was drawn from ('' for a simple random sample). */
  stratum: string;
}

/** Mulberry32: a small, well-mixed 32-bit generator; a number in [0, 1) per call. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** A new seed for a draw: a whole number from 0 to 2³² − 1 (recorded with the audit). */
export const newSeed = (random: () => number = Math.random) => Math.floor(random() * 4294967296);

const byId = (a: Candidate, b: Candidate) => (a.childId < b.childId ? -1 : a.childId > b.childId ? 1 : 0);

/** `size` of the items (all of them if fewer), chosen by a partial Fisher–Yates shuffle. */
function choose<T>(items: readonly T[], size: number, random: () => number): T[] {
  const pool = [...items];
  const n = Math.min(size, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}

/** The stratum a child is in: its owning agency, its risk level ('none' without one), or its first open flag in alphabetical order ('none'). */
export function stratumOf(candidate: Candidate, by: Stratification): string {
  if (by === 'agency') return candidate.owningAgencyId;
  if (by === 'risk') return candidate.riskLevel ?? 'none';
  return [...candidate.openFlags].sort()[0] ?? 'none';
}

/**
 * How many to draw from each stratum: in proportion to its size (largest remainders, ties to the
 * stratum first in order), never more than it holds; the total is min(size, all candidates).
 */
export function allocate(sizes: ReadonlyMap<string, number>, size: number): Map<string, number> {
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const target = Math.min(size, total);
  const keys = [...sizes.keys()].sort();
  const result = new Map<string, number>();
  if (total === 0) return result;
  const exact = keys.map((k) => ({ k, q: (sizes.get(k)! * target) / total }));
  let given = 0;
  for (const { k, q } of exact) {
    result.set(k, Math.floor(q));
    given += Math.floor(q);
  }
  const byRemainder = [...exact].sort((a, b) => b.q - Math.floor(b.q) - (a.q - Math.floor(a.q)) || (a.k < b.k ? -1 : 1));
  for (const { k } of byRemainder) {
    if (given >= target) break;
    if (result.get(k)! < sizes.get(k)!) {
      result.set(k, result.get(k)! + 1);
      given++;
    }
  }
  return result;
}

/** A simple random sample of `size` children, or a stratified one (proportional allocation, random within each stratum). */
export function drawSample(candidates: readonly Candidate[], options: { size: number; seed: number; stratifyBy: Stratification | null }): Drawn[] {
  const random = seededRandom(options.seed);
  const ordered = [...candidates].sort(byId);
  if (!options.stratifyBy) return choose(ordered, options.size, random).map((c, i) => ({ childId: c.childId, position: i + 1, stratum: '' }));
  const by = options.stratifyBy;
  const strata = new Map<string, Candidate[]>();
  for (const c of ordered) {
    const key = stratumOf(c, by);
    strata.set(key, [...(strata.get(key) ?? []), c]);
  }
  const allocation = allocate(new Map([...strata].map(([k, v]) => [k, v.length])), options.size);
  const drawn: Drawn[] = [];
  for (const key of [...strata.keys()].sort())
    for (const c of choose(strata.get(key)!, allocation.get(key) ?? 0, random)) drawn.push({ childId: c.childId, position: drawn.length + 1, stratum: key });
  return drawn;
}
