import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

export const newTotpSecret = (): string => generateSecret();

export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: 'Lantern', label: email, secret });
}

/** An SVG QR code of the enrolment URI (no script, so it sits under the CSP). */
export function totpQrSvg(secret: string, email: string): Promise<string> {
  return QRCode.toString(totpUri(secret, email), { type: 'svg', margin: 2, width: 200 });
}

export function totpCode(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/**
 * Checks a code with one period of clock drift either way. A code at or before lastStep is
 * refused, so a code cannot be used twice. Returns the time step to store on success.
 */
export async function checkTotp(secret: string, code: string, at: Date, lastStep: number | null): Promise<{ ok: true; step: number } | { ok: false }> {
  if (!/^\d{6}$/.test(code)) return { ok: false };
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(at.getTime() / 1000),
    epochTolerance: 30,
    ...(lastStep === null ? {} : { afterTimeStep: lastStep }),
  });
  // The functional API's result also covers HOTP, which has no time step.
  return result.valid && 'timeStep' in result ? { ok: true, step: result.timeStep } : { ok: false };
}
