import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import type { SessionUser } from '../../src/auth/service.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { openDatabase, openEmbedded, type DatabaseHandle } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { initI18n } from '../../src/i18n/i18n.ts';
import { createServices, type Services } from '../../src/services.ts';
import { seedDemo, type DemoAccount } from '../../src/seed/demo.ts';
import { SecretBox } from '../../src/auth/secrets.ts';
import { buildApp } from '../../src/web/app.ts';
import { buildAssets } from '../../src/web/assets/build.ts';

/** The key the template's TOTP secrets were sealed with (scripts/run-tests.mjs makes one per run). */
let fallbackKey: Buffer | undefined;
export function testSecretsKey(): Buffer {
  if (process.env.LANTERN_SECRETS_KEY) return Buffer.from(process.env.LANTERN_SECRETS_KEY, 'base64');
  fallbackKey ??= crypto.randomBytes(32);
  return fallbackKey;
}

/** A clock tests move by hand: sessions, lockouts and TOTP codes all read it. */
export class TestClock {
  constructor(private current = new Date('2026-11-02T09:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestContext {
  handle: DatabaseHandle;
  accounts: DemoAccount[];
  config: Config;
  clock: TestClock;
  services: Services;
  app: FastifyInstance;
  account(email: string): DemoAccount;
  /**
   * A signed-in session for a demo or test account, made directly in the database, resolved as a
   * request would be: for calling services and withActor without going through the sign-in pages.
   */
  sessionUser(email: string): Promise<SessionUser>;
  /** Runs SQL as the database owner (outside RLS), for set-up and for tampering. */
  ownerQuery<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

type TemplateInfo =
  { kind: 'server'; template: string; adminUrl: string; accounts: DemoAccount[] } | { kind: 'embedded'; dump: string; accounts: DemoAccount[] };

/**
 * An isolated, migrated and seeded database with an app on top. With DATABASE_URL the file gets
 * its own clone of the server template; otherwise its own in-memory PGlite.
 */
export async function createTestContext(options: { configOverrides?: Record<string, string> } = {}): Promise<TestContext> {
  buildAssets();
  await initI18n();
  const infoFile = process.env.LANTERN_TEST_TEMPLATE_INFO;
  let handle: DatabaseHandle;
  let accounts: DemoAccount[];
  let cleanup: () => Promise<void> = async () => {};
  let ownerQuery: TestContext['ownerQuery'];
  let config: Config;

  const info = infoFile ? (JSON.parse(fs.readFileSync(infoFile, 'utf8')) as TemplateInfo) : null;
  if (info?.kind === 'server') {
    const name = `lantern_t_${Math.floor(Date.now() / 1000)}_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: info.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${info.template}`);
    await admin.end();
    const url = new URL(info.adminUrl);
    url.pathname = `/${name}`;
    config = loadConfig({ NODE_ENV: 'test', LANTERN_LOG_LEVEL: 'silent', DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '5', ...options.configOverrides });
    handle = await openDatabase(config);
    accounts = info.accounts;
    const owner = new pg.Pool({ connectionString: url.toString(), max: 1 });
    ownerQuery = async (text, values = []) => (await owner.query(text, values)).rows as never[];
    cleanup = async () => {
      await owner.end();
      const a = new pg.Client({ connectionString: info.adminUrl });
      await a.connect();
      // pg's pool.end() resolves before its sockets have closed; a FORCE drop while one is still
      // closing terminates it, and that error would surface in whichever test runs next.
      for (let i = 0; i < 100; i++) {
        const { rows } = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0]!.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  } else {
    config = loadConfig({ NODE_ENV: 'test', LANTERN_LOG_LEVEL: process.env.DEBUG_LOG ? 'error' : 'silent', ...options.configOverrides });
    if (info?.kind === 'embedded') {
      handle = await openEmbedded(undefined, new Blob([fs.readFileSync(info.dump)]), { timing: config.serverTiming });
      accounts = info.accounts;
    } else {
      // Run outside scripts/run-tests.mjs: make the database from scratch.
      handle = await openEmbedded();
      await migrate(handle);
      accounts = await seedDemo(handle.owner, new SecretBox(testSecretsKey()));
    }
    const { sql } = await import('kysely');
    ownerQuery = async (text, values = []) => {
      // PGlite has one connection; the owner's statements go through the same Kysely instance.
      const compiled = sql.raw(text);
      if (values.length === 0) return (await compiled.execute(handle.db)).rows as never[];
      const parts = text.split(/\$(\d+)/);
      const fragments = parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${values[Number(part) - 1]}`));
      return (await sql.join(fragments, sql.raw('')).execute(handle.db)).rows as never[];
    };
  }

  // The request pool must be the non-owner login on a server (src/db/logins.ts), as in production.
  await handle.verifyLogins();
  const clock = new TestClock();
  const services = createServices({
    config,
    db: handle.db,
    authDb: handle.auth,
    dbKind: handle.kind,
    cookieSecret: crypto.randomBytes(32).toString('hex'),
    secretsKey: testSecretsKey(),
    clock,
  });
  const app = await buildApp(services);
  await app.ready();
  return {
    handle,
    accounts,
    config,
    clock,
    services,
    app,
    ownerQuery,
    async sessionUser(email) {
      const token = crypto.randomBytes(32).toString('base64url');
      const now = clock.now();
      const [user] = await ownerQuery<{ id: string; partnership_id: string }>(`SELECT id, partnership_id FROM users WHERE email = $1`, [email]);
      if (!user) throw new Error(`no account ${email}`);
      await ownerQuery(
        `INSERT INTO sessions (id, partnership_id, user_id, acting_partnership_id, stage, created_at, last_seen_at, absolute_expires_at)
        VALUES ($1, $2, $3, $2, 'signed_in', $4, $4, $5)`,
        [crypto.createHash('sha256').update(token).digest('hex'), user.partnership_id, user.id, now, new Date(now.getTime() + 3_600_000)],
      );
      const session = await services.auth.resolveSession(token, { clientAddress: '192.0.2.10', userAgent: 'lantern-test' });
      if (!session) throw new Error(`session for ${email} did not resolve`);
      return session;
    },
    account(email) {
      const found = accounts.find((a) => a.email === email);
      if (!found) throw new Error(`no demo account ${email}`);
      return found;
    },
    async close() {
      await app.close();
      await handle.close();
      await cleanup();
    },
  };
}
