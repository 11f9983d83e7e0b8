import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config/config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { sealPlaintextTotpSecrets } from './auth/seal-secrets.ts';
import { SecretBox } from './auth/secrets.ts';
import { initI18n } from './i18n/i18n.ts';
import { createServices, type Services } from './services.ts';
import type { Clock } from './auth/service.ts';

/**
 * Opens and migrates the database the configuration names, seals any TOTP secret still stored in
 * plain text, and checks that the logins serving requests and sign-in cannot step outside
 * row-level security (src/db/logins.ts).
 */
export async function openMigrated(config: Config, log: (line: string) => void = () => {}): Promise<DatabaseHandle> {
  const handle = await openDatabase(config);
  try {
    await migrate(handle, log);
    const sealed = await sealPlaintextTotpSecrets(handle.owner, new SecretBox(secretsKeyFor(config)));
    if (sealed > 0) log(`encrypted ${sealed} TOTP secret(s) at rest`);
    await handle.verifyLogins();
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

/** A secret made once and kept in the data folder outside production (production must configure it). */
function keptSecret(config: Config, file: string, make: () => string): string {
  const full = path.join(config.dataDir, file);
  if (fs.existsSync(full)) return fs.readFileSync(full, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = make();
  fs.writeFileSync(full, secret, { mode: 0o600 });
  return secret;
}

/**
 * Outside production the cookie-signing secret is made once and kept in the data folder,
 * so sessions survive a restart without anyone having to configure a secret.
 */
export function cookieSecretFor(config: Config): string {
  return config.cookieSecret ?? keptSecret(config, 'cookie-secret', () => crypto.randomBytes(32).toString('base64url'));
}

/** The key that encrypts TOTP secrets at rest: LANTERN_SECRETS_KEY, or one kept in the data folder outside production. */
export function secretsKeyFor(config: Config): Buffer {
  return (
    config.secretsKey ??
    Buffer.from(
      keptSecret(config, 'secrets-key', () => crypto.randomBytes(32).toString('base64')),
      'base64',
    )
  );
}

export async function startServices(config: Config, handle: DatabaseHandle, clock?: Clock): Promise<Services> {
  await initI18n();
  return createServices({
    config,
    db: handle.db,
    authDb: handle.auth,
    dbKind: handle.kind,
    cookieSecret: cookieSecretFor(config),
    secretsKey: secretsKeyFor(config),
    ...(clock ? { clock } : {}),
  });
}
