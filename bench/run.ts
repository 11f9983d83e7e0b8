import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import { totpCode } from '../src/auth/totp.ts';
import { openMigrated, secretsKeyFor } from '../src/runtime.ts';
import { SecretBox } from '../src/auth/secrets.ts';
import { isSeeded, seedDemo, seedScale, seedScaleHistory, writeDemoAccounts, readDemoAccounts, type DemoAccount } from '../src/seed/demo.ts';
import { withSystem } from '../src/db/context.ts';
import { benchPages } from './pages.ts';

export interface BenchOptions {
  scale: number;
  connections: number;
  seconds: number;
  /** Only the pages whose name contains this text. */
  pages?: string;
  /** Keeps this run's data apart from other runs at the same scale (lantern_bench_<scale>_<tag>). */
  tag?: string;
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * Seeds the requested scale (once; later runs reuse it), starts the server as its own process,
 * signs in as demo users and drives each page with `connections` concurrent clients.
 * Embedded by default (data in $TMPDIR/lantern-bench-<scale>[_<tag>]); DATABASE_URL uses a server
 * database named lantern_bench_<scale>[_<tag>] on that server (its demo accounts in
 * $TMPDIR/lantern-bench-server-<scale>[_<tag>]).
 */
export async function runBenchmarks(options: BenchOptions, say: (line: string) => void): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  const suffix = options.tag ? `_${options.tag}` : '';
  // A server run keeps its demo accounts apart from the embedded database's at the same scale (each seeding writes its own).
  const dataDir = path.join(os.tmpdir(), `lantern-bench-${serverUrl ? 'server-' : ''}${options.scale}${suffix}`);
  // LANTERN_SERVER_TIMING: each answer says how long its SQL statements took (src/web/server-timing.ts).
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LANTERN_DATA_DIR: dataDir,
    LANTERN_LOG_LEVEL: 'warn',
    PORT: '3917',
    LANTERN_DEMO: 'true',
    LANTERN_SERVER_TIMING: 'true',
  };
  if (serverUrl) {
    const name = `lantern_bench_${options.scale}${suffix}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    env.DATABASE_POOL_SIZE = '20';
  }
  const config = loadConfig(env);

  const seedStart = Date.now();
  const handle = await openMigrated(config);
  if (!(await isSeeded(handle.owner))) writeDemoAccounts(dataDir, await seedDemo(handle.owner, new SecretBox(secretsKeyFor(config))));
  const accounts = readDemoAccounts(dataDir);
  if (!accounts) throw new Error(`No demo accounts in ${dataDir}: remove the benchmark database and run again`);
  const have = await withSystem(handle.owner, (tx) =>
    tx
      .selectFrom('children')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  const missing = options.scale - Number(have.n);
  if (missing > 0) {
    const t = Date.now();
    await seedScale(handle.owner, missing, say);
    say(
      `seeded ${missing} children with their history in ${((Date.now() - t) / 1000).toFixed(1)} s (${Math.round(missing / ((Date.now() - t) / 1000))} children/s)`,
    );
    // The seed updates every child's current risk level and flags many times over: without a vacuum the
    // tables and their indexes carry those dead rows (the children's risk index read 216,595 entries for
    // 39,521 children), which a live system's autovacuum would long have cleared. Outside a transaction.
    const v = Date.now();
    await sql`VACUUM (ANALYZE)`.execute(handle.owner);
    say(`vacuumed and analysed in ${((Date.now() - v) / 1000).toFixed(1)} s`);
  } else {
    // A database seeded before scaled children had history: give them history now.
    const counts = await withSystem(handle.owner, (tx) =>
      sql<{ scaled: string; with_history: string }>`
      SELECT (SELECT count(*) FROM children WHERE reference ~ '^C[0-9]{7}$') AS scaled,
             (SELECT count(*) FROM concerns WHERE reference ~ '^SC[0-9]{7}$') AS with_history`.execute(tx),
    );
    const row = counts.rows[0]!;
    if (Number(row.with_history) === 0 && Number(row.scaled) > 0) {
      const range = await withSystem(handle.owner, (tx) =>
        sql<{ lo: string; hi: string }>`
        SELECT min(substr(reference, 2)::int) AS lo, max(substr(reference, 2)::int) AS hi FROM children WHERE reference ~ '^C[0-9]{7}$'`.execute(tx),
      );
      await seedScaleHistory(handle.owner, { from: Number(range.rows[0]!.lo), to: Number(range.rows[0]!.hi) }, say);
    }
  }
  const version = await sql<{ server_version: string }>`SHOW server_version`.execute(handle.owner);
  const postgres = `${serverUrl ? 'PostgreSQL server' : 'embedded PGlite'} ${version.rows[0]?.server_version ?? ''}`;
  await handle.close();
  say(`data ready in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

  const server = await startServer(env);
  // The PostgreSQL backends serving the benchmark's requests, for their CPU time (a server on this machine only).
  const monitor = serverUrl ? new pg.Client({ connectionString: env.DATABASE_URL }) : null;
  await monitor?.connect();
  // PostgreSQL's own account of each page's statements, when pg_stat_statements is preloaded on the server
  // (`shared_preload_libraries`): the execution time of the statements run by Lantern's request logins,
  // not the monitor's. Without it the table shows '–' and the statement time measured in Lantern stands.
  const statStatements = monitor ? await serverStatementStats(monitor) : null;
  const backends = async () =>
    monitor
      ? (
          await monitor.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'lantern-%'`)
        ).rows.map((r) => r.pid)
      : [];
  try {
    const base = `http://127.0.0.1:${env.PORT}`;
    const results: string[] = [];
    const loadBefore = os.loadavg();
    results.push(
      '| page | role | requests/s | p50 ms | p95 ms | p99 ms | DB ms (mean) | DB ms (p95) | statements | ratio | PostgreSQL exec ms | ratio (exec) | CPU ms: Node | CPU ms: PostgreSQL | errors |',
    );
    results.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const cookies = new Map<string, string>();
    for (const page of benchPages.filter((p) => !options.pages || options.pages.split('|').some((part) => p.name.includes(part)))) {
      const account = accounts.find((a) => a.email === `${page.account}.northmere@lantern.example`);
      if (!account) throw new Error(`no demo account ${page.account}`);
      if (!cookies.has(account.email)) cookies.set(account.email, await signIn(base, account));
      const cookie = cookies.get(account.email)!;
      const url = typeof page.path === 'function' ? await page.path(base, cookie) : page.path;
      const post = page.form ? await formBody(base, cookie, page.tokenFrom ?? '/', page.form) : undefined;
      const check = await fetch(
        `${base}${url}`,
        post
          ? { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: post, redirect: 'manual' }
          : { headers: { cookie }, redirect: 'manual' },
      );
      await check.arrayBuffer();
      if (check.status !== 200) say(`warning: ${page.name} (${url}) answers ${check.status}`);
      await statStatements?.reset();
      const nodeBefore = cpuMs([server.pid!]);
      const pgBefore = cpuMs(await backends());
      const r = await measure(`${base}${url}`, cookie, options, post);
      const perRequest = (before: Map<number, number>, after: Map<number, number>) =>
        [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0) / r.requests;
      const nodeCpu = perRequest(nodeBefore, cpuMs([server.pid!]));
      const pgCpu = monitor ? perRequest(pgBefore, cpuMs(await backends())).toFixed(1) : '–';
      const pgExec = statStatements ? (await statStatements.executionMs()) / r.requests : null;
      const pgExecCells = pgExec === null ? '– | –' : `${pgExec.toFixed(1)} | ${(r.mean / pgExec).toFixed(1)}`;
      results.push(
        `| ${page.name} | ${account.role} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} ` +
          `| ${r.dbMean.toFixed(1)} | ${r.dbP95.toFixed(1)} | ${r.statements.toFixed(0)} | ${r.ratio.toFixed(1)} | ${pgExecCells} | ${nodeCpu.toFixed(1)} | ${pgCpu} | ${r.errors} |`,
      );
      say(results.at(-1)!);
    }
    say('');
    say(`Lantern benchmark: ${options.scale} children, ${options.connections} connections, ${options.seconds} s per page, ${postgres}`);
    say(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ` +
        `load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} after`,
    );
    say("DB ms: the time of the request's SQL statements as the server process saw them (Server-Timing: db); ratio: mean page time ÷ mean DB time;");
    say(
      statStatements
        ? 'PostgreSQL exec ms: execution time per request of the statements of Lantern’s logins (pg_stat_statements); ratio (exec): mean page time ÷ that;'
        : 'PostgreSQL exec ms: – (pg_stat_statements is not preloaded on this server);',
    );
    say('CPU ms: CPU time per request of the server process (with PGlite in it) and of the PostgreSQL backends serving it (/proc, Linux)');
    for (const line of results) say(line);
  } finally {
    await monitor?.end();
    server.kill('SIGTERM');
  }
}

/**
 * pg_stat_statements on the benchmark database, if the server preloads it: reset before a page, then the
 * execution time of the statements run by any login but the monitor's own (Lantern's request logins).
 */
async function serverStatementStats(monitor: pg.Client): Promise<{ reset(): Promise<void>; executionMs(): Promise<number> } | null> {
  const preload = await monitor.query<{ setting: string }>(`SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'`);
  if (!/\bpg_stat_statements\b/.test(preload.rows[0]?.setting ?? '')) return null;
  await monitor.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  return {
    async reset() {
      await monitor.query('SELECT pg_stat_statements_reset()');
    },
    async executionMs() {
      const r = await monitor.query<{ ms: string | null }>(
        `SELECT sum(total_exec_time) AS ms FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
      );
      return Number(r.rows[0]?.ms ?? 0);
    },
  };
}

/** CPU time used so far (ms) by each of these processes that still runs, from /proc/<pid>/stat (Linux; 100 ticks a second). */
function cpuMs(pids: number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    try {
      // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime and stime are the 12th and 13th.
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      used.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // gone, or not Linux
    }
  }
  return used;
}

async function startServer(env: Record<string, string>): Promise<ChildProcess> {
  // LANTERN_BENCH_CPU_PROFILE=<folder>: the server writes a V8 CPU profile there when it stops (for finding where a page spends).
  const profile = process.env.LANTERN_BENCH_CPU_PROFILE;
  const child = spawn(process.execPath, [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), path.join(root, 'bin/lantern.mjs'), 'serve'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 120 s')), 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Lantern is running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  child.stdout.resume();
  return child;
}

/** Signs in over HTTP like a browser: CSRF cookie and token, password, then a TOTP code. */
export async function signIn(base: string, account: DemoAccount, attempts = 3): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      jar.set(k!, v.join('='));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = async (url: string, fields: Record<string, string>) => {
    const page = await fetch(`${base}${url}`, { headers: { cookie: cookie() }, redirect: 'manual' });
    keep(page);
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const response = await fetch(`${base}${url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, _csrf: token }).toString(),
    });
    keep(response);
    return response;
  };
  await form('/sign-in', { email: account.email, password: account.password });
  // A code can be used once: wait for a fresh period if this account signed in moments ago.
  const done = await form('/sign-in/code', { code: await totpCode(account.totpSecret, new Date()) });
  if (done.headers.get('location') !== '/') {
    // A used code shows the code page again (no redirect); a redirect anywhere but home (a passkey to
    // register, a password to change) will not come right by waiting.
    if (attempts <= 1 || done.headers.get('location') !== null)
      throw new Error(`${account.email} could not sign in: the code step went to ${done.headers.get('location') ?? 'nowhere'}`);
    await new Promise((r) => setTimeout(r, 31_000));
    return signIn(base, account, attempts - 1);
  }
  return cookie();
}

/** A form body as a browser would post it: the fields and the CSRF token from a page that carries the form. */
async function formBody(base: string, cookie: string, tokenFrom: string, fields: Record<string, string>): Promise<string> {
  const html = await (await fetch(`${base}${tokenFrom}`, { headers: { cookie } })).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token on ${tokenFrom}`);
  return new URLSearchParams({ ...fields, _csrf: token }).toString();
}

/** The statements' time and count a response reports (`Server-Timing: db;dur=…;desc="N statements"`). */
function statementTime(rawHeaders: string[]): { ms: number; statements: number } | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'server-timing') continue;
    const found = /(?:^|,)\s*db;dur=([0-9.]+);desc="(\d+) statements"/.exec(rawHeaders[i + 1] ?? '');
    if (found) return { ms: Number(found[1]), statements: Number(found[2]) };
  }
  return undefined;
}

async function measure(url: string, cookie: string, options: BenchOptions, post?: string) {
  const latencies: number[] = [];
  const dbTimes: number[] = [];
  let statements = 0;
  let errors = 0;
  // Each client sends one request at a time, so the headers a client last received belong to its next response.
  const lastTime = new WeakMap<object, { ms: number; statements: number }>();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const request = post
      ? { method: 'POST' as const, body: post, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } }
      : { headers: { cookie } };
    const setupClient = (client: autocannon.Client) => {
      // autocannon passes the HTTP parser's record ({ statusCode, headers: [name, value, …] }), not what its types say.
      (client as NodeJS.EventEmitter).on('headers', (info: { headers?: string[] }) => {
        const time = statementTime(info.headers ?? []);
        if (time) lastTime.set(client, time);
        else lastTime.delete(client);
      });
    };
    const instance = autocannon({ url, connections: options.connections, duration: options.seconds, setupClient, ...request }, (err: Error | null, r) =>
      err ? reject(err) : resolve(r),
    );
    // Our own latency list, because autocannon reports p97.5 but not p95.
    instance.on('response', (client, statusCode, _bytes, ms) => {
      // A form's POST answers with a redirect (post/redirect/get): that is its success, not an error.
      if (post ? statusCode !== 302 && statusCode !== 303 : statusCode !== 200) errors++;
      latencies.push(ms);
      const time = lastTime.get(client);
      if (time) {
        dbTimes.push(time.ms);
        statements += time.statements;
      }
    });
  });
  const at = (list: number[], q: number) => list[Math.min(list.length - 1, Math.floor(q * list.length))] ?? NaN;
  const mean = (list: number[]) => list.reduce((sum, v) => sum + v, 0) / list.length;
  latencies.sort((a, b) => a - b);
  dbTimes.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    requests: latencies.length,
    mean: mean(latencies),
    p50: at(latencies, 0.5),
    p95: at(latencies, 0.95),
    p99: at(latencies, 0.99),
    dbMean: mean(dbTimes),
    dbP95: at(dbTimes, 0.95),
    statements: statements / dbTimes.length,
    ratio: mean(latencies) / mean(dbTimes),
    errors: errors + result.errors + result.timeouts,
  };
}
