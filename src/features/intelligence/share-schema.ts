import { z } from 'zod';
import { text } from '../children/schema.ts';
import { uuidParams } from '../../web/params.ts';

/** What may be flagged to a neighbouring partnership (migration 0340): a person of concern or a location. */
export const sharedEntityKinds = ['person', 'location'] as const;
export type SharedEntityKind = (typeof sharedEntityKinds)[number];

/** Sharing a person or location with a neighbouring partnership: under which live agreement, and why. */
export const intelShareFormSchema = z.object({
  agreementId: z.preprocess((v) => v ?? '', z.string().uuid('crossBoundary.errors.agreementRequired')),
  reason: text(2000, 'crossBoundary.errors.reasonRequired').pipe(z.string().min(10, 'crossBoundary.errors.reasonShort')),
});
export type IntelShareForm = z.infer<typeof intelShareFormSchema>;

/** `/intelligence/shares/:intelShareId/withdraw` */
export const intelShareParams = uuidParams('intelShareId');
