import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config/config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { initI18n } from './i18n/i18n.ts';
import { createServices, type Services } from './services.ts';
import type { Clock } from './auth/service.ts';

/** Opens and migrates the database the configuration names. */
export async function openMigrated(config: Config, log: (line: string) => void = () => {}): Promise<DatabaseHandle> {
  const handle = await openDatabase(config);
  await migrate(handle, log);
  return handle;
}

/**
 * Outside production the cookie-signing secret is made once and kept in the data folder,
 * so sessions survive a restart without anyone having to configure a secret.
 */
export function cookieSecretFor(config: Config): string {
  if (config.cookieSecret) return config.cookieSecret;
  const file = path.join(config.dataDir, 'cookie-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export async function startServices(config: Config, handle: DatabaseHandle, clock?: Clock): Promise<Services> {
  await initI18n();
  return createServices({
    config,
    db: handle.db,
    dbKind: handle.kind,
    cookieSecret: cookieSecretFor(config),
    ...(clock ? { clock } : {}),
  });
}
