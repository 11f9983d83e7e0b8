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

/** A WebAuthn answer as the browser's PublicKeyCredential.toJSON() gives it; @simplewebauthn/server checks the rest. */
const credentialJson = z.looseObject({
  id: z.string().min(16).max(1400),
  rawId: z.string().min(16).max(1400),
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string().max(10_000) }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

export const passkeyOptionsSchema = z.object({ _csrf: z.string().optional() });
export const passkeySignInSchema = z.object({ response: credentialJson });
export const passkeyRegisterSchema = z.object({ response: credentialJson, name: z.string().trim().max(100).default('') });
