import { z } from 'zod';
import { isSymbol } from './table.ts';

/** A partnership's disclosure control (migration 0400): the threshold 1–20 and a short symbol. */
export const disclosureSettingsSchema = z.object({
  threshold: z.coerce
    .number({ message: 'disclosure.v.threshold' })
    .int('disclosure.v.threshold')
    .min(1, 'disclosure.v.threshold')
    .max(20, 'disclosure.v.threshold'),
  symbol: z
    .string({ message: 'disclosure.v.symbolRequired' })
    .trim()
    .min(1, 'disclosure.v.symbolRequired')
    .refine((s) => s === '' || isSymbol(s), 'disclosure.v.symbol'),
});
export type DisclosureSettingsForm = z.infer<typeof disclosureSettingsSchema>;
