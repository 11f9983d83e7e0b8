import { z } from 'zod';

export const passwordStepSchema = z.object({
  email: z.string().trim().min(1, 'validation.emailRequired').max(320, 'validation.emailRequired'),
  password: z.string().min(1, 'validation.passwordRequired').max(1024, 'validation.passwordRequired'),
});

export const codeStepSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'validation.codeFormat'),
});

export const switchPartnershipSchema = z.object({
  partnershipId: z.string().uuid('validation.invalid'),
});
