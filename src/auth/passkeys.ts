import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * Passkeys and security keys (WebAuthn) as a second factor (issue 16 §1), through
 * @simplewebauthn/server (docs/DECISIONS.md 45). This module only speaks the protocol; the
 * ceremonies' challenges, the credentials and the sessions they open are AuthService's.
 */
export interface RelyingParty {
  rpId: string;
  /** The origins a ceremony may come from; 'localhost' outside production without a public address: http://localhost on any port. */
  origins: string[] | 'localhost';
}

export interface StoredPasskey {
  credentialId: string;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
}

/** A challenge lives this long. */
export const challengeMinutes = 5;

const transports = (list: string[]) => list as AuthenticatorTransport[];

/** The origin a browser says the ceremony ran on, if it is one this relying party accepts. */
function acceptedOrigin(rp: RelyingParty, clientDataJSON: string): string | null {
  try {
    const origin = (JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { origin?: unknown }).origin;
    if (typeof origin !== 'string') return null;
    if (rp.origins === 'localhost') return /^http:\/\/localhost(:\d{1,5})?$/.test(origin) ? origin : null;
    return rp.origins.includes(origin) ? origin : null;
  } catch {
    return null;
  }
}

export function registrationOptions(
  rp: RelyingParty,
  user: { id: string; email: string; displayName: string },
  existing: StoredPasskey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: 'Lantern',
    rpID: rp.rpId,
    userID: new TextEncoder().encode(user.id),
    userName: user.email,
    userDisplayName: user.displayName,
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: transports(c.transports) })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    timeout: challengeMinutes * 60_000,
  });
}

export type VerifiedRegistration = { ok: true; passkey: StoredPasskey; backedUp: boolean } | { ok: false; detail: string };

export async function verifyRegistration(rp: RelyingParty, response: RegistrationResponseJSON, challenge: string): Promise<VerifiedRegistration> {
  const origin = acceptedOrigin(rp, response.response.clientDataJSON);
  if (!origin) return { ok: false, detail: 'origin not accepted' };
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rp.rpId,
      requireUserVerification: true,
    });
    if (!result.verified) return { ok: false, detail: 'not verified' };
    const { credential, credentialBackedUp } = result.registrationInfo;
    return {
      ok: true,
      passkey: { credentialId: credential.id, publicKey: credential.publicKey, signCount: credential.counter, transports: credential.transports ?? [] },
      backedUp: credentialBackedUp,
    };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message.slice(0, 200) : 'error' };
  }
}

export function authenticationOptions(rp: RelyingParty, allowed: StoredPasskey[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.rpId,
    allowCredentials: allowed.map((c) => ({ id: c.credentialId, transports: transports(c.transports) })),
    userVerification: 'required',
    timeout: challengeMinutes * 60_000,
  });
}

export type VerifiedAuthentication = { ok: true; signCount: number; backedUp: boolean } | { ok: false; detail: string };

export async function verifyAuthentication(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  challenge: string,
  passkey: StoredPasskey,
): Promise<VerifiedAuthentication> {
  const origin = acceptedOrigin(rp, response.response.clientDataJSON);
  if (!origin) return { ok: false, detail: 'origin not accepted' };
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rp.rpId,
      requireUserVerification: true,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.signCount,
        transports: transports(passkey.transports),
      },
    });
    if (!result.verified) return { ok: false, detail: 'not verified' };
    return { ok: true, signCount: result.authenticationInfo.newCounter, backedUp: result.authenticationInfo.credentialBackedUp };
  } catch (error) {
    // Among others: a signature counter that went backwards (a cloned authenticator).
    return { ok: false, detail: error instanceof Error ? error.message.slice(0, 200) : 'error' };
  }
}
