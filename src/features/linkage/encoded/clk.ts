import { createHmac } from 'node:crypto';
import type { EncodingSettings } from './settings.ts';

/**
 * Cryptographic long-term keys (Schnell, Bachteler and Reiher 2011): one Bloom filter of l bits per
 * record, into which every field's q-grams are hashed with a secret key. Each q-gram sets k bit
 * positions drawn from HMAC-SHA256 under a key of its own field ("random hashing", Schnell and Borgs
 * 2016: independent positions rather than double hashing, whose linear structure the attack of
 * Niedermeyer et al. 2014 exploits). Optionally salted per field with a value of the same record,
 * and balanced (the filter and its complement, shuffled by a keyed permutation: every filter then
 * has exactly l of its 2l bits set). docs/LINKAGE.md, "Across partnerships without revealing identities".
 */

export const MIN_KEY_BYTES = 32;
const LABEL = 'lantern/clk/v1';

export type Record = Readonly<{ [column: string]: string | null | undefined }>;

/** Normalised text: lower case, accents dropped, letters and digits only, spaces collapsed. */
function normalise(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function qgrams(text: string, q: number): string[] {
  if (text === '') return [];
  const pad = '_'.repeat(q - 1);
  const padded = pad + text + pad;
  const grams: string[] = [];
  for (let i = 0; i + q <= padded.length; i += 1) grams.push(padded.slice(i, i + q));
  return grams;
}

/** The tokens a field contributes to the filter (each hashed k times). Exported for the tests. */
export function tokens(kind: EncodingSettings['fields'][number]['kind'], value: string, q: number): string[] {
  switch (kind) {
    case 'name':
      return qgrams(normalise(value).replace(/ /g, ''), q);
    case 'text':
      return qgrams(normalise(value), q);
    case 'identifier':
      return qgrams(normalise(value).replace(/ /g, ''), q);
    case 'date': {
      const digits = value.replace(/\D/g, '');
      // Year, month and day as tokens of their own: a transposed day and month still share two of three.
      if (digits.length === 8) return [`y${digits.slice(0, 4)}`, `m${digits.slice(4, 6)}`, `d${digits.slice(6, 8)}`];
      return qgrams(digits, q);
    }
    case 'exact': {
      const text = normalise(value);
      return text === '' ? [] : [text];
    }
  }
}

function saltOf(record: Record, salt: EncodingSettings['fields'][number]['salt']): string {
  if (!salt) return '';
  const value = record[salt.column];
  if (value === null || value === undefined) return '';
  return salt.key === 'year' ? value.replace(/\D/g, '').slice(0, 4) : normalise(value);
}

/** A secret read from a key file, with the keys derived from it. Never printed. */
export class ClkKeys {
  readonly #secret: Buffer;
  readonly #fieldKeys = new Map<string, Buffer>();

  constructor(secret: Buffer) {
    if (secret.length < MIN_KEY_BYTES) throw new RangeError(`a key of at least ${MIN_KEY_BYTES} bytes is needed`);
    this.#secret = Buffer.from(secret);
  }

  /** HMAC-SHA256 of a label under the secret: the keys of fields, of the permutation, of the check value. */
  derive(label: string): Buffer {
    return createHmac('sha256', this.#secret).update(`${LABEL}/${label}`).digest();
  }

  fieldKey(column: string): Buffer {
    let key = this.#fieldKeys.get(column);
    if (!key) {
      key = this.derive(`field:${column}`);
      this.#fieldKeys.set(column, key);
    }
    return key;
  }

  toJSON(): string {
    return '[secret]';
  }
}

/** A keyed permutation of 0 … n − 1 (Fisher–Yates driven by HMAC-SHA256 in counter mode). */
function keyedPermutation(key: Buffer, n: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) perm[i] = i;
  let block = Buffer.alloc(0);
  let offset = 0;
  let counter = 0;
  const next32 = () => {
    if (offset + 4 > block.length) {
      block = createHmac('sha256', key).update(`permutation:${counter++}`).digest();
      offset = 0;
    }
    const v = block.readUInt32LE(offset);
    offset += 4;
    return v;
  };
  for (let i = n - 1; i > 0; i -= 1) {
    // Rejection sampling: no modulo bias.
    const range = i + 1;
    const limit = Math.floor(0x100000000 / range) * range;
    let v = next32();
    while (v >= limit) v = next32();
    const j = v % range;
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

export interface Encoder {
  /** Bits of each encoding (l, or 2l when balanced). */
  readonly length: number;
  encode(record: Record): Uint8Array;
  /** A value that two files share only when encoded with the same key and the same encoding settings. */
  readonly check: string;
}

/** The encoder of a key and settings: positions are cached per field, salt and q-gram. */
export function createEncoder(keys: ClkKeys, encoding: EncodingSettings): Encoder {
  const l = encoding.bits;
  const length = encoding.balance ? 2 * l : l;
  const permutation = encoding.balance ? keyedPermutation(keys.derive('balance'), length) : null;
  const caches = encoding.fields.map(() => new Map<string, Uint32Array>());
  const fieldKeys = encoding.fields.map((f) => keys.fieldKey(f.column));
  const check = keys
    .derive(`check:${JSON.stringify({ ...encoding, blocking: undefined, dice: undefined, oneToOne: undefined })}`)
    .subarray(0, 12)
    .toString('base64url');

  const positions = (f: number, salted: string): Uint32Array => {
    const cache = caches[f]!;
    let found = cache.get(salted);
    if (found) return found;
    const k = encoding.fields[f]!.hashes;
    found = new Uint32Array(k);
    for (let block = 0; block * 8 < k; block += 1) {
      const digest = createHmac('sha256', fieldKeys[f]!).update(`${block}\u0000${salted}`).digest();
      for (let i = 0; i < 8 && block * 8 + i < k; i += 1) found[block * 8 + i] = digest.readUInt32LE(4 * i) % l;
    }
    cache.set(salted, found);
    return found;
  };

  return {
    length,
    check,
    encode(record) {
      const filter = new Uint8Array(l);
      encoding.fields.forEach((field, f) => {
        const value = record[field.column];
        if (value === null || value === undefined || value === '') return;
        const salt = saltOf(record, field.salt);
        for (const token of tokens(field.kind, value, encoding.q)) for (const p of positions(f, `${salt}\u0000${token}`)) filter[p] = 1;
      });
      const bytes = new Uint8Array(length / 8);
      for (let i = 0; i < length; i += 1) {
        const bit = i < l ? filter[i]! : 1 - filter[i - l]!;
        const at = permutation ? permutation[i]! : i;
        if (bit) bytes[at >>> 3]! |= 1 << (at & 7);
      }
      return bytes;
    },
  };
}

/** Dice coefficient of two filters of the same length, as 32-bit words. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function dice(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let ones = 0;
  for (let i = 0; i < a.length; i += 1) {
    both += popcount(a[i]! & b[i]!);
    ones += popcount(a[i]!) + popcount(b[i]!);
  }
  return ones === 0 ? 0 : (2 * both) / ones;
}
