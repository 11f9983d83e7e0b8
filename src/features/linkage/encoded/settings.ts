import { z } from 'zod';

/**
 * The `encoding` section of the linkage settings: how records become keyed Bloom filters
 * (cryptographic long-term keys, CLK) and how two encoded files are matched. docs/LINKAGE.md,
 * "Across partnerships without revealing identities".
 */
const column = z.string().trim().min(1);

const field = z
  .object({
    column,
    // name: letters and digits, spaces dropped; text: spaces kept (addresses); identifier: spaces and hyphens dropped;
    // date: yyyymmdd as its year, month and day; exact: the whole value as one token.
    kind: z.enum(['name', 'text', 'date', 'identifier', 'exact']),
    // k: bit positions set per q-gram (or token); the field's weight in the filter.
    hashes: z.number().int().min(1).max(64),
    // Salting: each q-gram hashed together with a value of the same record (e.g. the year of birth).
    salt: z
      .object({ column, key: z.enum(['value', 'year']).default('value') })
      .strict()
      .optional(),
  })
  .strict();

export const encodingSchema = z
  .object({
    // l: the filter's length in bits (a multiple of 32); balanced filters are twice as long.
    bits: z
      .number()
      .int()
      .min(64)
      .max(8192)
      .refine((n) => n % 32 === 0, { message: 'a multiple of 32' }),
    q: z.number().int().min(1).max(4).default(2),
    fields: z.array(field).min(1).max(50),
    // Balancing: the filter followed by its complement, the whole shuffled by a keyed permutation.
    balance: z.boolean().default(true),
    // LSH blocking over the filter bits: records sharing all sampled bits of any band are compared.
    blocking: z
      .object({
        bands: z.number().int().min(1).max(500).default(120),
        bitsPerBand: z.number().int().min(4).max(30).default(18),
        seed: z.number().int().min(0).max(0xffffffff).default(42),
      })
      .strict()
      .prefault({}),
    // Dice coefficient → match probability: 1 / (1 + e^(−slope × (dice − midpoint))).
    dice: z
      .object({
        midpoint: z.number().gt(0).lt(1),
        slope: z.number().gt(0).max(10_000).default(40),
      })
      .strict(),
    // Each record in at most one pair (greedy, strongest Dice first).
    oneToOne: z.boolean().default(false),
  })
  .strict()
  .refine((e) => new Set(e.fields.map((f) => f.column)).size === e.fields.length, { message: 'each column is encoded once', path: ['fields'] });

export type EncodingSettings = z.infer<typeof encodingSchema>;

/** A settings file for the encoded path alone (examples/linkage/febrl-encoded.json). */
export const encodedSettingsSchema = z
  .object({
    idColumn: column,
    threshold: z.number().min(0).max(1).default(0.5),
    encoding: encodingSchema,
  })
  .strict();

export type EncodedSettings = z.infer<typeof encodedSettingsSchema>;

/** The columns an encoding reads from each record. */
export function encodedColumns(settings: EncodedSettings): string[] {
  const names = new Set<string>([settings.idColumn]);
  for (const f of settings.encoding.fields) {
    names.add(f.column);
    if (f.salt) names.add(f.salt.column);
  }
  return [...names];
}
