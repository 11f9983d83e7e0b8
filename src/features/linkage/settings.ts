import { z } from 'zod';
import { comparisonKinds } from './engine/comparisons.ts';
import { DEFAULT_MAX_BLOCK_SIZE, type ModelSettings } from './engine/model.ts';
import { encodingSchema } from './encoded/settings.ts';

/** The settings file of `lantern match` (docs/LINKAGE.md, "Settings"). */
const column = z.string().trim().min(1);

const comparison = z
  .object({
    column,
    kind: z.enum(comparisonKinds),
    termFrequency: z.boolean().optional(),
    swappedWith: column.optional(),
  })
  .strict()
  .refine((c) => c.swappedWith === undefined || c.kind === 'name', { message: 'swappedWith is for a name comparison', path: ['swappedWith'] });

const blockingPart = z.object({ column, key: z.enum(['value', 'metaphone', 'first3', 'year']).optional() }).strict();

export const linkageSettingsSchema = z
  .object({
    idColumn: column,
    comparisons: z.array(comparison).min(1).max(50),
    blocking: z.array(z.array(blockingPart).min(1).max(5)).min(1).max(20),
    threshold: z.number().min(0).max(1).default(0.5),
    seed: z.number().int().min(0).max(0xffffffff).default(42),
    randomPairs: z.number().int().min(1_000).max(10_000_000).default(200_000),
    maxIterations: z.number().int().min(1).max(1_000).default(100),
    // A blocking key shared by more records than this (on either side) is left out of its rule (docs/LINKAGE.md).
    maxBlockSize: z.number().int().min(2).max(1_000_000).default(DEFAULT_MAX_BLOCK_SIZE),
    // For `lantern encode` and `lantern match --encoded` (docs/LINKAGE.md, "Across partnerships").
    encoding: encodingSchema.optional(),
    // Linking two files: each record in at most one pair, strongest first (docs/LINKAGE.md, "One to one").
    oneToOne: z.boolean().default(false),
  })
  .strict()
  .refine((s) => new Set(s.comparisons.map((c) => c.column)).size === s.comparisons.length, { message: 'each column is compared once', path: ['comparisons'] })
  // Crossed names are one fact: named on both columns, a swap would be counted twice.
  .refine((s) => !s.comparisons.some((c) => c.swappedWith && s.comparisons.some((d) => d.column === c.swappedWith && d.swappedWith === c.column)), {
    message: 'name swappedWith on one of the two name columns only',
    path: ['comparisons'],
  });

export type LinkageSettings = z.infer<typeof linkageSettingsSchema> & ModelSettings;

/** The columns the settings read, to check a file's header against. */
export function columnsNamed(settings: LinkageSettings): string[] {
  const names = new Set<string>([settings.idColumn]);
  for (const c of settings.comparisons) {
    names.add(c.column);
    if (c.swappedWith) names.add(c.swappedWith);
  }
  for (const rule of settings.blocking) for (const part of rule) names.add(part.column);
  return [...names];
}
