import { z } from 'zod';
import { daysBetween } from '../../../dates.ts';
import { dateRule, filterDateInput } from '../../../web/form-fields.ts';
import { entityKinds } from '../schema.ts';

/** The network's address: whose network, and how many hops (1 to 3; 2 unless asked). */
export const networkQuerySchema = z.object({
  kind: z.enum(entityKinds),
  id: z.uuid(),
  hops: z.coerce.number().int().min(1).max(3).default(2),
});

/** A child's reference as typed (NM-1004): letters, digits and hyphens. */
const reference = z
  .string()
  .trim()
  .toUpperCase()
  .max(40, 'network.path.errors.reference')
  .regex(/^[A-Z0-9-]*$/, 'network.path.errors.reference')
  .optional()
  .transform((v) => v || undefined);

/** "How are these two children connected": two references, or none yet (the empty form). */
export const pathQuerySchema = z.object({ from: reference, to: reference });

/** The longest period the hotspots page compares, in days. */
export const maxPeriodDays = 3 * 366;

/** The hotspots' period: GOV.UK date inputs (or YYYY-MM-DD in a link); the last 90 days when left empty. */
export const hotspotsQuerySchema = z
  .object({ from: filterDateInput('network.hotspots.from'), to: filterDateInput('network.hotspots.to') })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.to < q.from) ctx.addIssue(dateRule('to', 'network.hotspots.errors.toBeforeFrom'));
    else if (q.from && q.to && daysBetween(q.from, q.to) >= maxPeriodDays) ctx.addIssue(dateRule('to', 'network.hotspots.errors.tooLong'));
  });
