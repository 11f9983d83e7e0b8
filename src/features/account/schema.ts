import { z } from 'zod';

export const passwordChangeSchema = z
  .object({
    currentPassword: z.string().min(1, 'validation.passwordRequired').max(1024, 'validation.passwordRequired'),
    newPassword: z.string().min(1, 'validation.newPasswordRequired').max(1024, 'validation.newPasswordRequired'),
    confirmPassword: z.string().max(1024, 'validation.passwordsDiffer'),
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/, 'validation.codeFormat'),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ['confirmPassword'], message: 'validation.passwordsDiffer' });
export type PasswordChange = z.infer<typeof passwordChangeSchema>;

/** A session as the account page names it (a hash of its id, never the id itself). */
export const shownSessionParam = z.object({ session: z.string().regex(/^[0-9a-f]{24}$/) });

/** One of the person's passkeys, by its id. */
export const passkeyParam = z.object({ passkey: z.uuid() });
