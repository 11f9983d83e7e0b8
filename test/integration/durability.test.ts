import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { signIn } from '../../bench/run.ts';
import type { DemoAccount } from '../../src/seed/demo.ts';

/**
 * Security baseline test 5: the server is killed with SIGKILL at random moments while it is
 * writing; every write it acknowledged must survive with its audit row, and the audit chain must
 * still verify. Runs the real server process on a loopback port over its own database.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-durability-'));
const template = process.env.LANTERN_TEST_TEMPLATE_INFO
  ? (JSON.parse(fs.readFileSync(process.env.LANTERN_TEST_TEMPLATE_INFO, 'utf8')) as {
      kind: string;
      adminUrl: string;
      template: string;
      accounts: DemoAccount[];
    })
  : null;
const info = template?.kind === 'server' ? template : null;
const dbName = `lantern_t_${Math.floor(Date.now() / 1000)}_dur${process.pid}`;
let server: ChildProcess | undefined;

after(async () => {
  server?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
  if (info) {
    const c = new pg.Client({ connectionString: info.adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  }
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function start(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/lantern.mjs', 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 90_000);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Lantern is running')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out.slice(-2000)}`));
    });
  });
}

test('acknowledged writes survive kill -9 with their audit rows', { timeout: 600_000 }, async () => {
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port), LANTERN_DATA_DIR: dir, LANTERN_LOG_LEVEL: 'silent', NODE_ENV: 'development' };
  let accounts: DemoAccount[];
  if (info) {
    const c = new pg.Client({ connectionString: info.adminUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName} TEMPLATE ${info.template}`);
    await c.end();
    const url = new URL(info.adminUrl);
    url.pathname = `/${dbName}`;
    env.DATABASE_URL = url.toString();
    accounts = info.accounts;
  } else {
    // The first start seeds the demo and writes its accounts; then it is stopped hard too.
    const first = await start(env);
    accounts = JSON.parse(fs.readFileSync(path.join(dir, 'demo-accounts.json'), 'utf8')) as DemoAccount[];
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
  }
  const base = `http://127.0.0.1:${port}`;
  const acknowledged: string[] = [];
  let cookie = '';
  const rounds = 4;
  for (let round = 0; round < rounds; round++) {
    server = await start(env);
    if (!cookie)
      cookie = await signIn(
        base,
        accounts.find((a) => a.email === 'admin.northmere@lantern.example')!,
      );
    const page = await fetch(`${base}/admin/agencies`, { headers: { cookie } });
    assert.equal(page.status, 200, 'the session survives the restart');
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const killAfter = 150 + Math.floor(Math.random() * 600);
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; ; i++) {
        const name = `Durability ${round}-${w}-${i}`;
        try {
          const r = await fetch(`${base}/admin/agencies`, {
            method: 'POST',
            redirect: 'manual',
            headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ name, kind: 'voluntary', _csrf: token }).toString(),
          });
          if (r.status === 302) acknowledged.push(name);
        } catch {
          return; // the server is gone
        }
      }
    });
    await new Promise((r) => setTimeout(r, killAfter));
    server.kill('SIGKILL');
    await Promise.all(writers);
    const stopped = server;
    if (stopped.exitCode === null && stopped.signalCode === null) await new Promise((r) => stopped.once('exit', r));
  }
  assert.ok(acknowledged.length > 0, 'some writes were acknowledged before the kills');

  // Check with the server stopped, straight from the database.
  const query = async <R>(text: string): Promise<R[]> => {
    if (env.DATABASE_URL) {
      const c = new pg.Client({ connectionString: env.DATABASE_URL });
      await c.connect();
      try {
        return (await c.query(text)).rows as R[];
      } finally {
        await c.end();
      }
    }
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(path.join(dir, 'pgdata'));
    try {
      return (await db.query<R>(text)).rows;
    } finally {
      await db.close();
    }
  };
  const rows = await query<{ name: string; audited: number }>(`
    SELECT a.name, (SELECT count(*)::int FROM audit_events e WHERE e.action = 'agency.create' AND e.record_id = a.id::text) AS audited
    FROM agencies a WHERE a.name LIKE 'Durability %'`);
  const stored = new Map(rows.map((r) => [r.name, r.audited]));
  const lost = acknowledged.filter((n) => !stored.has(n));
  assert.deepEqual(lost, [], 'no acknowledged write is lost');
  assert.deepEqual(
    rows.filter((r) => r.audited !== 1).map((r) => r.name),
    [],
    'every stored write has exactly one audit row',
  );

  const verify = spawn(process.execPath, ['bin/lantern.mjs', 'audit', 'verify'], { env: { ...process.env, ...env }, stdio: 'pipe' });
  const code = await new Promise<number>((r) => verify.on('exit', (c) => r(c ?? 1)));
  assert.equal(code, 0, 'the audit chain still verifies');
});
