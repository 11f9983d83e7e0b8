import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { onSecurityEvent, securityEventKinds, type SecurityEventLine } from '../../src/security-events.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn } from '../helpers/http.ts';

/**
 * Security events (issue 16 §4), each from its real call site over HTTP: one JSON line of the fixed
 * schema in LANTERN_SECURITY_EVENTS_FILE and one row for the DPO's alerts, in the partnership's own
 * rows only; no email, name or typed reason in either. Also /.well-known/security.txt.
 */
let ctx: TestContext;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-sec-'));
const file = path.join(dir, 'security-events.jsonl');
const seen: SecurityEventLine[] = [];
let stopListening: () => void;
let northmere: string;
const agents = new Map<string, Agent>();
const as = async (email: string) => {
  if (!agents.has(email)) agents.set(email, await signIn(ctx.app, ctx.clock, ctx.account(email)));
  return agents.get(email)!;
};
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const schemaKeys = ['time', 'event', 'outcome', 'user_id', 'partnership_id', 'ip', 'request_id', 'record_type', 'record_id', 'details'].sort();

before(async () => {
  ctx = await createTestContext({ configOverrides: { LANTERN_SECURITY_EVENTS_FILE: file, LANTERN_SECURITY_CONTACT: 'mailto:security@council.example' } });
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  stopListening = onSecurityEvent((e) => seen.push(e));
});
after(async () => {
  stopListening();
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The events emitted while `work` ran. */
async function during(work: () => Promise<unknown>): Promise<SecurityEventLine[]> {
  const start = seen.length;
  await work();
  return seen.slice(start);
}
const userId = async (email: string) => (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [email]))[0]!.id;
const stored = (event: string) =>
  ctx.ownerQuery<{ partnership_id: string | null; user_id: string | null; request_id: string | null; details: Record<string, unknown> }>(
    `SELECT partnership_id, user_id, request_id, details FROM security_events WHERE event = $1 ORDER BY occurred_at DESC`,
    [event],
  );

describe('each security event, from where it happens', () => {
  test('a failed sign-in, and a lockout', async () => {
    const email = 'strategy.westbrook@lantern.example';
    const agent = new Agent(ctx.app);
    await agent.get('/sign-in');
    const failed = await during(() => agent.post('/sign-in', { email, password: 'not-the-password' }));
    assert.equal(failed.length, 1);
    const [line] = failed;
    assert.equal(line!.event, 'sign_in.failure');
    assert.equal(line!.outcome, 'failure');
    assert.equal(line!.user_id, await userId(email));
    assert.match(line!.request_id!, uuid, 'the request it happened in');
    assert.ok(line!.ip);
    assert.equal((await stored('sign_in.failure'))[0]!.request_id, line!.request_id);

    const events: SecurityEventLine[] = [];
    for (let i = 0; i < 6; i++) events.push(...(await during(() => agent.post('/sign-in', { email, password: 'still-not-it' }))));
    const locked = events.find((e) => e.event === 'sign_in.locked');
    assert.ok(locked, 'the account locks and says so');
    assert.equal(locked.outcome, 'denied');
  });

  test('a wrong second-factor code', async () => {
    const account = ctx.account('analyst.westbrook@lantern.example');
    const step = await ctx.services.auth.signInWithPassword(account.email, account.password, { clientAddress: '198.51.100.9', userAgent: 'test' });
    assert.ok(step.ok);
    const events = await during(() => ctx.services.auth.completeSecondFactor(step.token, '000000', { clientAddress: '198.51.100.9', userAgent: 'test' }));
    assert.deepEqual(
      events.map((e) => [e.event, e.ip]),
      [['sign_in.second_factor_failure', '198.51.100.9']],
    );
  });

  test('a permission denied', async () => {
    const practitioner = await as('police.northmere@lantern.example');
    const events = await during(() => practitioner.get('/audit'));
    const denied = events.find((e) => e.event === 'permission.denied');
    assert.ok(denied);
    assert.equal(denied.outcome, 'denied');
    assert.equal(denied.partnership_id, northmere);
    assert.equal(denied.details.route, '/audit');
    assert.equal(denied.details.status, 403);
  });

  test('break-glass, with its record and without its reason', async () => {
    const [child] = await ctx.ownerQuery<{ id: string }>(
      `UPDATE children SET restricted = true, restricted_reason = 'test', owning_agency_id = (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'health')
       WHERE reference = 'NM-1011' AND partnership_id = $1 RETURNING id`,
      [northmere],
    );
    const triage = await as('triage.northmere@lantern.example');
    await triage.get(`/children/${child!.id}`);
    const reason = 'Strategy discussion this afternoon about missing episodes';
    const events = await during(() => triage.post(`/children/${child!.id}/break-glass`, { reason }));
    const glass = events.find((e) => e.event === 'break_glass');
    assert.ok(glass, JSON.stringify(events));
    assert.equal(glass.record_type, 'child');
    assert.equal(glass.record_id, child!.id);
    assert.ok(!JSON.stringify(glass).includes('Strategy discussion'));
  });

  test('an export, and unsuppressed figures', async () => {
    const analyst = await as('analyst.northmere@lantern.example');
    const figures = await during(() => analyst.get('/profile/figures.csv'));
    const unsuppressed = figures.find((e) => e.event === 'statistics.unsuppressed');
    assert.ok(unsuppressed, JSON.stringify(figures));
    assert.equal(unsuppressed.details.format, 'csv');

    const [child] = await ctx.ownerQuery<{ id: string }>(
      `SELECT c.id FROM children c JOIN agencies a ON a.id = c.owning_agency_id WHERE c.partnership_id = $1 AND a.kind = 'police' AND NOT c.restricted LIMIT 1`,
      [northmere],
    );
    const police = await as('police.northmere@lantern.example');
    const exported = await during(() => police.get(`/children/${child!.id}/chronology/docx`));
    const line = exported.find((e) => e.event === 'export');
    assert.ok(line, JSON.stringify(exported));
    assert.equal(line.record_id, child!.id);
  });
});

describe('the SIEM stream', () => {
  test('every line has the fixed schema and names no one', async () => {
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SecurityEventLine);
    assert.ok(lines.length >= 6);
    for (const line of lines) {
      assert.deepEqual(Object.keys(line).sort(), schemaKeys);
      assert.ok((securityEventKinds as readonly string[]).includes(line.event));
      assert.ok(!Number.isNaN(Date.parse(line.time)));
    }
    const text = fs.readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /@lantern\.example|Strategy discussion|NM-1011/);
    const names = await ctx.ownerQuery<{ given_name: string; family_name: string }>(`SELECT given_name, family_name FROM children LIMIT 200`);
    for (const n of names) assert.ok(!text.includes(`"${n.family_name}"`));
  });
});

describe('the DPO’s alerts', () => {
  test('list the partnership’s events, filter them, and are the DPO’s and system administrator’s alone', async () => {
    const dpo = await as('dpo.northmere@lantern.example');
    const page = await dpo.get('/audit/security-events');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Security alerts/);
    assert.match(page.body, /<td class="govuk-table__cell">Break-glass access/);
    assert.match(page.body, /<td class="govuk-table__cell">Request refused/);
    const glassOnly = await dpo.get('/audit/security-events?event=break_glass');
    assert.match(glassOnly.body, /<td class="govuk-table__cell">Break-glass access/);
    assert.doesNotMatch(glassOnly.body, /<td class="govuk-table__cell">Request refused/);
    assert.equal((await dpo.get('/audit/security-events?event=nonsense')).statusCode, 400);
    const audited = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'audit.view' AND details->>'view' = 'security_events'`,
    );
    assert.ok(audited[0]!.n >= 2);
    // Westbrook's failed sign-ins are Westbrook's: not on Northmere's page, on Westbrook's.
    assert.doesNotMatch(page.body, /<td class="govuk-table__cell">Sign-in locked out/);
    const westbrook = await as('dpo.westbrook@lantern.example');
    const theirs = await westbrook.get('/audit/security-events?outcome=denied');
    assert.match(theirs.body, /<td class="govuk-table__cell">Sign-in locked out/);
    assert.doesNotMatch(theirs.body, /<td class="govuk-table__cell">Break-glass access/);
    const welsh = await dpo.get('/audit/security-events', { 'accept-language': 'cy' });
    assert.equal(welsh.statusCode, 200);
    assert.equal((await (await as('analyst.northmere@lantern.example')).get('/audit/security-events')).statusCode, 403);
  });
});

describe('security.txt', () => {
  test('RFC 9116: contact, an expiry within the year, languages and its canonical address', async () => {
    const r = await ctx.app.inject({ method: 'GET', url: '/.well-known/security.txt' });
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/plain; charset=utf-8/);
    assert.match(r.body, /^Contact: mailto:security@council\.example$/m);
    assert.match(r.body, /^Preferred-Languages: en, cy$/m);
    assert.match(r.body, /^Canonical: https?:\/\/[^\s]+\/\.well-known\/security\.txt$/m);
    const expires = Date.parse(/^Expires: (\S+)$/m.exec(r.body)![1]!);
    assert.ok(expires > Date.now() && expires < Date.now() + 365 * 86_400_000);
  });
});
