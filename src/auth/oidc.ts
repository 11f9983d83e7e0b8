import * as client from 'openid-client';
import type { OidcConfig } from '../config/config.ts';

/**
 * Single sign-on with an organisation's OpenID Connect provider (issue 16 §1): the authorization code
 * flow with PKCE, a state and a nonce, through openid-client (docs/DECISIONS.md 45). This module only
 * speaks the protocol; which Lantern account a provider's answer opens is AuthService.signInWithOidc's.
 */

/** What the browser carries, in a signed cookie, from the start of a sign-in to its callback. */
export interface PendingOidc {
  state: string;
  nonce: string;
  verifier: string;
  /** When the sign-in started (ms since the epoch): a callback more than 10 minutes later is refused. */
  at: number;
}

export const pendingOidcMaxAgeSeconds = 600;

/** The person as the provider vouched for them. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  /** The provider says it checked a second factor (amr, or an acr configured as meaning one). */
  mfa: boolean;
}

export type OidcOutcome = { ok: true; identity: OidcIdentity } | { ok: false; reason: 'provider_refused' | 'rejected' | 'unavailable'; detail: string };

/** amr values (RFC 8176) that mean more than one factor, or a factor that is a possession on its own. */
const multiFactorAmr = new Set(['mfa', 'otp', 'hwk', 'sc', 'fido', 'swk']);

export function pendingFromCookie(value: string | undefined, now: Date): PendingOidc | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PendingOidc>;
    const { state, nonce, verifier, at } = parsed;
    if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string' || typeof at !== 'number') return null;
    if (now.getTime() - at > pendingOidcMaxAgeSeconds * 1000 || at - now.getTime() > 60_000) return null;
    return { state, nonce, verifier, at };
  } catch {
    return null;
  }
}

export function pendingToCookie(pending: PendingOidc): string {
  return Buffer.from(JSON.stringify(pending), 'utf8').toString('base64url');
}

export class OidcSignIn {
  private discovered: Promise<client.Configuration> | undefined;

  constructor(readonly config: OidcConfig) {}

  /** The provider's metadata, fetched once (a failed fetch is tried again on the next sign-in). */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(
        new URL(this.config.issuer),
        this.config.clientId,
        { client_secret: this.config.clientSecret, id_token_signed_response_alg: 'RS256' },
        client.ClientSecretBasic(this.config.clientSecret),
        { timeout: 10, ...(this.config.insecureLoopback ? { execute: [client.allowInsecureRequests] } : {}) },
      )
      .then((configuration) => {
        // The ID token's signature is checked too, not only trusted for having come over TLS.
        client.enableNonRepudiationChecks(configuration);
        return configuration;
      })
      .catch((error: unknown) => {
        this.discovered = undefined;
        throw error;
      });
    return this.discovered;
  }

  /** Starts a sign-in: the provider's address to send the browser to, and what to keep until it comes back. */
  async start(now: Date): Promise<{ url: string; pending: PendingOidc }> {
    const configuration = await this.configuration();
    const pending: PendingOidc = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), at: now.getTime() };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri,
      scope: 'openid email',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /**
   * Finishes a sign-in from the callback's full URL: the code is exchanged (with the PKCE verifier),
   * and the ID token's issuer, audience, signature, expiry and nonce are checked by openid-client.
   */
  async finish(callbackUrl: URL, pending: PendingOidc): Promise<OidcOutcome> {
    let configuration: client.Configuration;
    try {
      configuration = await this.configuration();
    } catch (error) {
      return { ok: false, reason: 'unavailable', detail: describe(error) };
    }
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) return { ok: false, reason: 'rejected', detail: 'no ID token' };
      let email = typeof claims.email === 'string' ? claims.email : null;
      let emailVerified = claims.email_verified === true;
      if (!email) {
        // Some providers put the email in the userinfo response only.
        const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        email = typeof info.email === 'string' ? info.email : null;
        emailVerified = info.email_verified === true;
      }
      const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
      const acr = typeof claims.acr === 'string' ? claims.acr : null;
      const mfa = amr.some((v) => multiFactorAmr.has(v)) || (acr !== null && this.config.mfaAcrValues.includes(acr));
      return { ok: true, identity: { issuer: claims.iss, subject: claims.sub, email: email?.trim().toLowerCase() ?? null, emailVerified, mfa } };
    } catch (error) {
      const refused = error instanceof client.AuthorizationResponseError;
      return { ok: false, reason: refused ? 'provider_refused' : 'rejected', detail: describe(error) };
    }
  }
}

/** An error's name, code and message for the log (never a token). */
function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`.slice(0, 300);
  }
  return 'unknown error';
}
