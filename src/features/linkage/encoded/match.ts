import { popcount } from './clk.ts';
import type { EncodingSettings } from './settings.ts';

/**
 * Matching two sets of encodings (keyed Bloom filters) without any plaintext: candidate pairs from
 * locality-sensitive hashing over the filter bits (Hamming LSH by bit sampling: each band is a
 * seeded choice of bits, records agreeing on every bit of a band are compared), scored by their
 * Dice coefficient, mapped to a probability by a logistic around the settings' midpoint.
 */

export interface Filters {
  /** Records × words, each filter as 32-bit words. */
  readonly words: Uint32Array;
  readonly wordsPer: number;
  readonly count: number;
}

export function filtersOf(encodings: readonly Uint8Array[], bits: number): Filters {
  const wordsPer = bits / 32;
  const words = new Uint32Array(encodings.length * wordsPer);
  encodings.forEach((bytes, r) => {
    for (let w = 0; w < wordsPer; w += 1) {
      const o = 4 * w;
      words[r * wordsPer + w] = (bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
    }
  });
  return { words, wordsPer, count: encodings.length };
}

export interface EncodedPair {
  left: number;
  right: number;
  dice: number;
  matchProbability: number;
  matchWeight: number;
}

export interface EncodedResult {
  candidates: number;
  pairs: EncodedPair[];
}

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The probability of a Dice coefficient, and its weight in bits (log2 of the odds). */
export function probabilityOf(dice: number, curve: EncodingSettings['dice']): { matchProbability: number; matchWeight: number } {
  const z = curve.slope * (dice - curve.midpoint);
  return { matchProbability: 1 / (1 + Math.exp(-z)), matchWeight: z / Math.LN2 };
}

/** Links left to right (or deduplicates left when right is null): the pairs at or above the threshold, strongest first. */
export function matchEncoded(encoding: EncodingSettings, threshold: number, left: Filters, right: Filters | null): EncodedResult {
  const other = right ?? left;
  const { wordsPer } = left;
  const bits = wordsPer * 32;
  const { bands, bitsPerBand, seed } = encoding.blocking;
  const random = mulberry32(seed);
  const bandBits: Uint32Array[] = [];
  for (let b = 0; b < bands; b += 1) {
    const chosen = new Uint32Array(bitsPerBand);
    for (let i = 0; i < bitsPerBand; i += 1) chosen[i] = Math.floor(random() * bits);
    bandBits.push(chosen);
  }
  const keyOf = (f: Filters, r: number, chosen: Uint32Array): number => {
    let key = 0;
    const base = r * wordsPer;
    for (let i = 0; i < chosen.length; i += 1) {
      const p = chosen[i]!;
      key = (key << 1) | ((f.words[base + (p >>> 5)]! >>> (p & 31)) & 1);
    }
    return key >>> 0;
  };
  const onesOf = (f: Filters) => {
    const ones = new Uint32Array(f.count);
    for (let r = 0; r < f.count; r += 1) {
      let n = 0;
      for (let w = 0; w < wordsPer; w += 1) n += popcount(f.words[r * wordsPer + w]!);
      ones[r] = n;
    }
    return ones;
  };
  const leftOnes = onesOf(left);
  const otherOnes = right ? onesOf(right) : leftOnes;

  // One index per band of the other side: key → records, as linked lists in typed arrays.
  const heads = bandBits.map(() => new Map<number, number>());
  const next = new Int32Array(bands * other.count).fill(-1);
  bandBits.forEach((chosen, b) => {
    const head = heads[b]!;
    for (let r = other.count - 1; r >= 0; r -= 1) {
      const key = keyOf(other, r, chosen);
      const h = head.get(key);
      if (h !== undefined) next[b * other.count + r] = h;
      head.set(key, r);
    }
  });

  const seen = new Int32Array(other.count).fill(-1);
  const pairs: EncodedPair[] = [];
  let candidates = 0;
  for (let l = 0; l < left.count; l += 1) {
    for (let b = 0; b < bands; b += 1) {
      let r = heads[b]!.get(keyOf(left, l, bandBits[b]!));
      while (r !== undefined && r !== -1) {
        if (seen[r] !== l && (right !== null || r > l)) {
          seen[r] = l;
          candidates += 1;
          let both = 0;
          const lb = l * wordsPer;
          const rb = r * wordsPer;
          for (let w = 0; w < wordsPer; w += 1) both += popcount(left.words[lb + w]! & other.words[rb + w]!);
          const ones = leftOnes[l]! + otherOnes[r]!;
          const dice = ones === 0 ? 0 : (2 * both) / ones;
          const scored = probabilityOf(dice, encoding.dice);
          if (scored.matchProbability >= threshold) pairs.push({ left: l, right: r, dice, ...scored });
        }
        r = next[b * other.count + r]!;
      }
    }
  }
  pairs.sort((a, b) => b.dice - a.dice || a.left - b.left || a.right - b.right);
  if (!encoding.oneToOne) return { candidates, pairs };
  const usedLeft = new Uint8Array(left.count);
  const usedRight = new Uint8Array(other.count);
  const kept = pairs.filter((p) => {
    if (usedLeft[p.left] || usedRight[p.right] || (right === null && (usedLeft[p.right] || usedRight[p.left]))) return false;
    usedLeft[p.left] = 1;
    usedRight[p.right] = 1;
    return true;
  });
  return { candidates, pairs: kept };
}
