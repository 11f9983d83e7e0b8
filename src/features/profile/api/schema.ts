import { z } from 'zod';
import { json } from '../../../web/api/schema.ts';

/** The problem profile's API schemas (issue 13 §3): the same tidy cells as the CSV download. */
const cell = z.object({
  measure: z.string(),
  breakdown: z.string(),
  category: z.string().meta({ description: 'A category key, or Total (each group of measure, breakdown, period and area has one).' }),
  period: z.string(),
  area: z.string().meta({
    description:
      'partnership, a locality id, or not_recorded; for the breakdown neighbour_comparison, the code of a neighbouring partnership that agreed to compare (always controlled).',
  }),
  value: z.union([z.number().int(), z.string()]).meta({ description: 'A count; the partnership’s symbol (default c) when withheld; z when not applicable.' }),
});

export const responses = {
  profile: json(
    'Every figure of the problem profile for the period and area: after disclosure control unless the token’s roles may read unsuppressed figures',
    z.object({
      period: z.string(),
      area: z.string(),
      published: z.boolean().meta({ description: 'True: disclosure control applied. False: unsuppressed, not for publication.' }),
      threshold: z.number().int(),
      symbol: z.string(),
      cells: z.array(cell),
    }),
  ),
};
