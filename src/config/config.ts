import crypto from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { parseAnchorPrivateKey, parseAnchorPublicKey, publicKeyText } from '../audit/anchor-key.ts';

/**
 * Configuration is read from the environment once, here, and nowhere else.
 * A bad environment exits with every problem listed (see loadConfig).
 */
const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const proxyAddress = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);
/** Comma-separated IP addresses or CIDR ranges; every entry must be one. */
const proxyList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .superRefine((entries, ctx) => {
    for (const entry of entries) {
      if (!proxyAddress.safeParse(entry).success) ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR range` });
    }
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LANTERN_DATA_DIR: z.string().min(1).default('./.lantern'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // The schema owner's login, for migrations, the command line and seeding. Without it, DATABASE_URL must
  // be allowed to create roles, and Lantern makes its own request and sign-in logins (src/db/logins.ts).
  DATABASE_OWNER_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  // The sign-in login (a member of lantern_auth only); DATABASE_URL's login when absent.
  DATABASE_AUTH_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  // 32 random bytes, base64: encrypts TOTP secrets at rest (AES-256-GCM).
  LANTERN_SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  // 32 random bytes, base64: encrypts backups (`lantern backup`, src/backup; AES-256-GCM). Needed only to back up and restore.
  LANTERN_BACKUP_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  // security.txt (RFC 9116): where to report a vulnerability, and the page that describes the policy.
  LANTERN_SECURITY_CONTACT: z
    .string()
    .regex(/^(mailto:|https:\/\/|tel:)\S+$/, 'must be a mailto:, https:// or tel: URI')
    .optional(),
  LANTERN_SECURITY_POLICY_URL: z.string().url().optional(),
  // Security events as JSON lines for a SIEM (src/security-events.ts): a file to append to, or "stdout"; none by default.
  LANTERN_SECURITY_EVENTS_FILE: z.string().min(1).optional(),
  LANTERN_DEMO: booleanFlag.optional(),
  LANTERN_COOKIE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LANTERN_PUBLIC_URL: z.string().url().optional(),
  LANTERN_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LANTERN_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(240).default(15),
  LANTERN_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24).default(12),
  LANTERN_TRUSTED_PROXIES: proxyList.default([]),
  LANTERN_API_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(120),
  LANTERN_AUDIT_ANCHOR_KEY: z
    .string()
    .min(32, { message: 'must be at least 32 characters', abort: true })
    .refine(parses(parseAnchorPrivateKey), 'must be an Ed25519 private key: PKCS#8 PEM, or its 32-byte seed in hex or base64')
    .optional(),
  LANTERN_AUDIT_ANCHOR_PUBLIC_KEY: z
    .string()
    .refine(parses(parseAnchorPublicKey), 'must be an Ed25519 public key: SPKI PEM, or its 32 bytes in hex or base64')
    .optional(),
  LANTERN_AUDIT_ANCHOR_FILE: z.string().min(1).optional(),
  LANTERN_AUDIT_ANCHOR_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
  LANTERN_SERVER_TIMING: booleanFlag.optional(),
  // How long stored figures (the problem profile's, the hotspots' shared counts: src/db/stored-figures.ts) are reused, in seconds; 0 computes them on every read.
  LANTERN_FIGURES_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(86_400).optional(),
  // The Chromium that prints PDFs (src/documents/pdf.ts; Debian's chromium package).
  // Single sign-on with OpenID Connect (issue 16 §1, src/auth/oidc.ts): all three, or none.
  LANTERN_OIDC_ISSUER: z.string().url('must be the issuer URL, for example https://login.example.org/').optional(),
  LANTERN_OIDC_CLIENT_ID: z.string().min(1).max(400).optional(),
  LANTERN_OIDC_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters').max(1000).optional(),
  // acr values that mean the provider checked a second factor (comma-separated); amr values mfa, otp, hwk, sc and fido always do.
  LANTERN_OIDC_MFA_ACR: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .optional(),
  // An administrator must sign in with a passkey or security key (issue 16 §1). Always on in production; off by default only in tests.
  LANTERN_ADMIN_PASSKEY_REQUIRED: booleanFlag.optional(),
  LANTERN_CHROMIUM_PATH: z.string().regex(/^\//, 'must be an absolute path to the Chromium executable').default('/usr/bin/chromium'),
});

function parses(parse: (text: string) => unknown): (text: string) => boolean {
  return (text) => {
    try {
      parse(text);
      return true;
    } catch {
      return false;
    }
  };
}

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  database:
    { kind: 'embedded'; dataDir: string } | { kind: 'server'; url: string; ownerUrl: string | undefined; authUrl: string | undefined; poolSize: number };
  demo: boolean;
  cookieSecret: string | undefined;
  /** The key that encrypts backups (src/backup); only the backup and restore commands need it. */
  backupKey: Buffer | undefined;
  /** security.txt (RFC 9116): the contact URIs and policy page; the path is served only when a contact is set (and always outside production). */
  securityTxt: { contact: string[]; policy: string | undefined };
  /** Where security events go as JSON lines for a SIEM ('stdout', a file, or nowhere); they are always stored for the DPO's alerts. */
  securityEventsFile: string | undefined;
  /** The key that encrypts TOTP secrets at rest; outside production it is made once and kept in the data folder. */
  secretsKey: Buffer | undefined;
  secureCookies: boolean;
  hsts: boolean;
  publicUrl: string | undefined;
  logLevel: string;
  session: { idleMinutes: number; absoluteHours: number };
  /**
   * Reverse proxies whose X-Forwarded-For is believed (IPs or CIDR ranges); empty means the
   * client address is the socket's peer, whatever the headers say.
   */
  trustedProxies: string[];
  /** Requests a minute one API token (or one address without a valid token) may make. */
  apiRateLimitPerMinute: number;
  /** Signing the audit chain heads outside the database (src/audit/anchor.ts). */
  auditAnchor: { key: string | undefined; publicKey: string | undefined; file: string; minutes: number };
  /** Each response says how long its SQL statements took (Server-Timing: db), for the benchmark; never in production. */
  serverTiming: boolean;
  /** The Chromium executable that prints PDFs (docs/DECISIONS.md 24); absent, a PDF download is a 503 page. */
  chromiumPath: string;
  /** How long stored figures (problem profile, hotspots) are reused, in seconds: 300 by default, 0 in tests. */
  figuresMaxAgeSeconds: number;
  /** Single sign-on with OpenID Connect (src/auth/oidc.ts); absent when not configured. */
  oidc: OidcConfig | undefined;
  /** Passkeys and security keys (src/auth/passkeys.ts): administrators must use one. */
  passkeys: { adminRequired: boolean; rpId: string; origins: string[] | 'localhost' };
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `${LANTERN_PUBLIC_URL}/sign-in/oidc/callback`. */
  redirectUri: string;
  /** The issuer is http:// on a loopback address (development and tests only). */
  insecureLoopback: boolean;
  /** acr values that count as a second factor checked by the provider. */
  mfaAcrValues: string[];
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The OIDC settings, or the problems with them (pushed onto problems). */
function oidcConfig(e: z.output<typeof envSchema>, production: boolean, problems: string[]): OidcConfig | undefined {
  const given = [e.LANTERN_OIDC_ISSUER, e.LANTERN_OIDC_CLIENT_ID, e.LANTERN_OIDC_CLIENT_SECRET].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3) {
    problems.push('LANTERN_OIDC_ISSUER, LANTERN_OIDC_CLIENT_ID and LANTERN_OIDC_CLIENT_SECRET: give all three, or none');
    return undefined;
  }
  const issuer = new URL(e.LANTERN_OIDC_ISSUER!);
  const insecureLoopback = issuer.protocol === 'http:';
  if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') problems.push('LANTERN_OIDC_ISSUER: must be an https:// URL');
  if (insecureLoopback && (production || !loopbackHosts.has(issuer.hostname))) {
    problems.push('LANTERN_OIDC_ISSUER: must be https:// (http:// is accepted only on a loopback address outside production)');
  }
  if (issuer.search || issuer.hash || issuer.username || issuer.password) problems.push('LANTERN_OIDC_ISSUER: must have no query, fragment or credentials');
  if (!e.LANTERN_PUBLIC_URL) {
    problems.push('LANTERN_PUBLIC_URL: needed with LANTERN_OIDC_ISSUER (the redirect URI is /sign-in/oidc/callback on it)');
    return undefined;
  }
  const publicUrl = new URL(e.LANTERN_PUBLIC_URL);
  if (production && publicUrl.protocol !== 'https:') problems.push('LANTERN_PUBLIC_URL: must be https:// in production with single sign-on');
  return {
    issuer: issuer.href,
    clientId: e.LANTERN_OIDC_CLIENT_ID!,
    clientSecret: e.LANTERN_OIDC_CLIENT_SECRET!,
    redirectUri: new URL('/sign-in/oidc/callback', publicUrl).href,
    insecureLoopback,
    mfaAcrValues: e.LANTERN_OIDC_MFA_ACR ?? [],
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Lantern cannot start: the environment has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && !e.LANTERN_COOKIE_SECRET) problems.push('LANTERN_COOKIE_SECRET: required in production');
  if (production && e.LANTERN_DEMO) problems.push('LANTERN_DEMO: demo mode is not allowed in production');
  if (production && e.LANTERN_SERVER_TIMING)
    problems.push('LANTERN_SERVER_TIMING: not allowed in production (it tells every client how long the database took)');
  if (production && !e.DATABASE_URL) problems.push('DATABASE_URL: production needs a PostgreSQL server');
  if (production && !e.LANTERN_SECRETS_KEY) problems.push('LANTERN_SECRETS_KEY: required in production');
  if (production && e.DATABASE_URL && !e.DATABASE_OWNER_URL) {
    problems.push('DATABASE_OWNER_URL: production needs the schema owner apart from the login that serves requests');
  }
  if ((e.DATABASE_OWNER_URL || e.DATABASE_AUTH_URL) && !e.DATABASE_URL) problems.push('DATABASE_URL: needed with DATABASE_OWNER_URL or DATABASE_AUTH_URL');
  if (production && !e.LANTERN_AUDIT_ANCHOR_KEY && !e.LANTERN_AUDIT_ANCHOR_PUBLIC_KEY) {
    problems.push('LANTERN_AUDIT_ANCHOR_KEY: required in production (or LANTERN_AUDIT_ANCHOR_PUBLIC_KEY alone, to verify only)');
  }
  if (e.LANTERN_AUDIT_ANCHOR_KEY && e.LANTERN_AUDIT_ANCHOR_PUBLIC_KEY) {
    const derived = publicKeyText(crypto.createPublicKey(parseAnchorPrivateKey(e.LANTERN_AUDIT_ANCHOR_KEY)));
    if (derived !== publicKeyText(parseAnchorPublicKey(e.LANTERN_AUDIT_ANCHOR_PUBLIC_KEY))) {
      problems.push('LANTERN_AUDIT_ANCHOR_PUBLIC_KEY: is not the public half of LANTERN_AUDIT_ANCHOR_KEY');
    }
  }
  const oidc = oidcConfig(e, production, problems);
  if (production && e.LANTERN_ADMIN_PASSKEY_REQUIRED === false) problems.push('LANTERN_ADMIN_PASSKEY_REQUIRED: cannot be turned off in production');
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(e.LANTERN_DATA_DIR);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'server', url: e.DATABASE_URL, ownerUrl: e.DATABASE_OWNER_URL, authUrl: e.DATABASE_AUTH_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: 'embedded', dataDir: path.join(dataDir, 'pgdata') },
    demo: e.LANTERN_DEMO ?? !production,
    cookieSecret: e.LANTERN_COOKIE_SECRET,
    secretsKey: e.LANTERN_SECRETS_KEY ? Buffer.from(e.LANTERN_SECRETS_KEY, 'base64') : undefined,
    backupKey: e.LANTERN_BACKUP_KEY ? Buffer.from(e.LANTERN_BACKUP_KEY, 'base64') : undefined,
    securityTxt: {
      contact: e.LANTERN_SECURITY_CONTACT ? [e.LANTERN_SECURITY_CONTACT] : production ? [] : ['mailto:security@lantern.example'],
      policy: e.LANTERN_SECURITY_POLICY_URL,
    },
    securityEventsFile:
      e.LANTERN_SECURITY_EVENTS_FILE === 'stdout' ? 'stdout' : e.LANTERN_SECURITY_EVENTS_FILE ? path.resolve(e.LANTERN_SECURITY_EVENTS_FILE) : undefined,
    secureCookies: production,
    hsts: production,
    publicUrl: e.LANTERN_PUBLIC_URL,
    logLevel: e.LANTERN_LOG_LEVEL,
    session: { idleMinutes: e.LANTERN_SESSION_IDLE_MINUTES, absoluteHours: e.LANTERN_SESSION_ABSOLUTE_HOURS },
    trustedProxies: e.LANTERN_TRUSTED_PROXIES,
    apiRateLimitPerMinute: e.LANTERN_API_RATE_LIMIT,
    auditAnchor: {
      key: e.LANTERN_AUDIT_ANCHOR_KEY,
      publicKey: e.LANTERN_AUDIT_ANCHOR_PUBLIC_KEY,
      file: path.resolve(e.LANTERN_AUDIT_ANCHOR_FILE ?? path.join(dataDir, 'audit-anchors.jsonl')),
      minutes: e.LANTERN_AUDIT_ANCHOR_MINUTES,
    },
    serverTiming: e.LANTERN_SERVER_TIMING ?? false,
    chromiumPath: e.LANTERN_CHROMIUM_PATH,
    figuresMaxAgeSeconds: e.LANTERN_FIGURES_MAX_AGE_SECONDS ?? (e.NODE_ENV === 'test' ? 0 : 300),
    oidc,
    passkeys: {
      // Required in production (and cannot be turned off there); off by default in development and tests, where the
      // demo's synthetic administrators have no authenticator (the benchmark and the durability test sign them in).
      adminRequired: e.LANTERN_ADMIN_PASSKEY_REQUIRED ?? e.NODE_ENV === 'production',
      // Passkeys are bound to the public address's host name; without one (development and tests), to localhost on any port.
      rpId: e.LANTERN_PUBLIC_URL ? new URL(e.LANTERN_PUBLIC_URL).hostname : 'localhost',
      origins: e.LANTERN_PUBLIC_URL ? [new URL(e.LANTERN_PUBLIC_URL).origin] : 'localhost',
    },
  };
}
