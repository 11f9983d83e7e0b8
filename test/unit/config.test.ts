import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

test('defaults give an embedded database on port 3000 in demo mode', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.database.kind, 'embedded');
  assert.equal(config.demo, true);
  assert.equal(config.secureCookies, false);
  assert.equal(config.hsts, false);
});

test('DATABASE_URL switches to a PostgreSQL server', () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/lantern' });
  assert.deepEqual(config.database, {
    kind: 'server',
    url: 'postgres://postgres@127.0.0.1:5432/lantern',
    ownerUrl: undefined,
    authUrl: undefined,
    poolSize: 10,
  });
});

test('the schema owner and the sign-in login can be given apart from the request login', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://lantern_web:x@db/lantern',
    DATABASE_OWNER_URL: 'postgres://owner:y@db/lantern',
    DATABASE_AUTH_URL: 'postgres://lantern_signin:z@db/lantern',
  });
  assert.deepEqual(config.database, {
    kind: 'server',
    url: 'postgres://lantern_web:x@db/lantern',
    ownerUrl: 'postgres://owner:y@db/lantern',
    authUrl: 'postgres://lantern_signin:z@db/lantern',
    poolSize: 10,
  });
  assert.throws(() => loadConfig({ DATABASE_OWNER_URL: 'postgres://owner@db/lantern' }), /DATABASE_URL: needed/);
  assert.throws(() => loadConfig({ LANTERN_SECRETS_KEY: 'too-short' }), /LANTERN_SECRETS_KEY/);
  assert.equal(loadConfig({ LANTERN_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') }).secretsKey?.length, 32);
});

test('a bad environment lists every problem at once', () => {
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LANTERN_LOG_LEVEL: 'loud' });
    assert.fail('should have thrown');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 3, error.problems.join('; '));
  }
});

const anchorSeed = crypto.randomBytes(32).toString('base64url');
/** Everything production requires, for tests about something else. */
const productionEnv = {
  NODE_ENV: 'production',
  LANTERN_COOKIE_SECRET: 'x'.repeat(40),
  DATABASE_URL: 'postgres://db/lantern',
  DATABASE_OWNER_URL: 'postgres://owner@db/lantern',
  LANTERN_SECRETS_KEY: Buffer.alloc(32).toString('base64'),
  LANTERN_AUDIT_ANCHOR_KEY: anchorSeed,
};

test('production needs a cookie secret, a secrets key, an audit anchor key and a server database with its owner apart, and refuses demo mode', () => {
  assert.throws(
    () => loadConfig({ NODE_ENV: 'production', LANTERN_DEMO: 'true' }),
    (e: unknown) =>
      e instanceof ConfigError &&
      ['LANTERN_COOKIE_SECRET', 'LANTERN_DEMO', 'DATABASE_URL', 'LANTERN_SECRETS_KEY', 'LANTERN_AUDIT_ANCHOR_KEY'].every((v) =>
        e.problems.some((p) => p.startsWith(v)),
      ),
  );
  assert.throws(
    () =>
      loadConfig({
        NODE_ENV: 'production',
        LANTERN_COOKIE_SECRET: 'x'.repeat(40),
        DATABASE_URL: 'postgres://db/lantern',
        LANTERN_SECRETS_KEY: Buffer.alloc(32).toString('base64'),
        LANTERN_AUDIT_ANCHOR_KEY: anchorSeed,
      }),
    /DATABASE_OWNER_URL/,
  );
  const config = loadConfig({
    NODE_ENV: 'production',
    LANTERN_COOKIE_SECRET: 'x'.repeat(40),
    DATABASE_URL: 'postgres://db/lantern',
    DATABASE_OWNER_URL: 'postgres://owner@db/lantern',
    LANTERN_SECRETS_KEY: Buffer.alloc(32).toString('base64'),
    LANTERN_AUDIT_ANCHOR_KEY: anchorSeed,
  });
  assert.equal(config.secureCookies, true);
  assert.equal(config.hsts, true);
  assert.equal(config.demo, false);
});

test('trusted proxies: none by default, in every environment; a list of IPs or CIDR ranges; anything else refused', () => {
  assert.deepEqual(loadConfig({}).trustedProxies, []);
  assert.deepEqual(loadConfig(productionEnv).trustedProxies, []);
  assert.deepEqual(loadConfig({ LANTERN_TRUSTED_PROXIES: ' 10.0.0.0/8, 127.0.0.1,::1 , fd00::/8,' }).trustedProxies, [
    '10.0.0.0/8',
    '127.0.0.1',
    '::1',
    'fd00::/8',
  ]);
  assert.throws(
    () => loadConfig({ LANTERN_TRUSTED_PROXIES: '10.0.0.0/33, proxy.internal, *' }),
    (e: unknown) => e instanceof ConfigError && e.problems.length === 3 && e.problems.every((p) => p.startsWith('LANTERN_TRUSTED_PROXIES')),
  );
});

test('the API rate limit is 120 a minute unless configured', () => {
  assert.equal(loadConfig({}).apiRateLimitPerMinute, 120);
  assert.equal(loadConfig({ LANTERN_API_RATE_LIMIT: '600' }).apiRateLimitPerMinute, 600);
  assert.throws(() => loadConfig({ LANTERN_API_RATE_LIMIT: '0' }), ConfigError);
});

test('PDFs are printed by Debian’s Chromium unless LANTERN_CHROMIUM_PATH names another, as an absolute path', () => {
  assert.equal(loadConfig({}).chromiumPath, '/usr/bin/chromium');
  assert.equal(loadConfig({ LANTERN_CHROMIUM_PATH: '/opt/chromium/chrome' }).chromiumPath, '/opt/chromium/chrome');
  assert.throws(() => loadConfig({ LANTERN_CHROMIUM_PATH: 'chromium' }), /LANTERN_CHROMIUM_PATH: must be an absolute path/);
});

test('the audit anchor key is an Ed25519 key: a seed or PEM; its public key must match; the file sits in the data folder by default', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const config = loadConfig({ LANTERN_DATA_DIR: '/srv/lantern', LANTERN_AUDIT_ANCHOR_KEY: pem, LANTERN_AUDIT_ANCHOR_PUBLIC_KEY: publicPem });
  assert.deepEqual(config.auditAnchor, { key: pem, publicKey: publicPem, file: '/srv/lantern/audit-anchors.jsonl', minutes: 5 });
  assert.equal(loadConfig({ LANTERN_AUDIT_ANCHOR_KEY: crypto.randomBytes(32).toString('hex') }).auditAnchor.key?.length, 64);
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems.map((p) => p.split(':')[0]);
    }
  };
  assert.deepEqual(problems({ LANTERN_AUDIT_ANCHOR_KEY: 'short' }), ['LANTERN_AUDIT_ANCHOR_KEY']);
  assert.deepEqual(problems({ LANTERN_AUDIT_ANCHOR_KEY: 'x'.repeat(40) }), ['LANTERN_AUDIT_ANCHOR_KEY']);
  assert.deepEqual(problems({ LANTERN_AUDIT_ANCHOR_KEY: anchorSeed, LANTERN_AUDIT_ANCHOR_PUBLIC_KEY: publicPem }), ['LANTERN_AUDIT_ANCHOR_PUBLIC_KEY']);
  assert.deepEqual(problems({ LANTERN_AUDIT_ANCHOR_MINUTES: '0' }), ['LANTERN_AUDIT_ANCHOR_MINUTES']);
  // A verify-only production set-up: the public key alone.
  const { LANTERN_AUDIT_ANCHOR_KEY: _key, ...verifyOnly } = productionEnv;
  assert.equal(loadConfig({ ...verifyOnly, LANTERN_AUDIT_ANCHOR_PUBLIC_KEY: publicPem }).auditAnchor.key, undefined);
});

test('the CLI exits with status 2 and every problem listed when the environment is wrong', () => {
  const r = spawnSync(process.execPath, ['bin/lantern.mjs', 'migrate'], {
    env: { ...process.env, PORT: 'x', DATABASE_URL: 'nope' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /PORT/);
  assert.match(r.stderr, /DATABASE_URL/);
});
