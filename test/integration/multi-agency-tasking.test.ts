import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent, dateFields } from '../helpers/http.ts';

/**
 * Multi-agency working without sharing by hand (issue 10 §2): attending a child's strategy meeting
 * or owning an action of the plan shares the child with the agency (migration 0171), on a recorded
 * basis, listed on the sharing panel and in the access log, audited, never twice, and ended when the
 * plan closes with the case; the agency's home page and worklists show its actions and meetings;
 * each agency has a named contact.
 */
let ctx: TestContext;
let northmere: string;
const agencies: Record<string, string> = {};
const agents: Record<string, Agent> = {};

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere])) {
    agencies[a.kind] = a.id;
  }
  for (const key of ['police', 'school', 'social-worker', 'triage', 'admin']) {
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
  }
});
after(async () => ctx.close());

const childByRef = async (reference: string) =>
  (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = $1 AND partnership_id = $2`, [reference, northmere]))[0]!.id;

/** A child of children's services with no meeting, action or share yet. */
const freshChild = async (not: string[] = []) => {
  const [row] = await ctx.ownerQuery<{ id: string }>(
    `SELECT c.id FROM children c WHERE c.partnership_id = $1 AND c.owning_agency_id = $2 AND c.status = 'open' AND NOT c.restricted
        AND NOT EXISTS (SELECT 1 FROM strategy_meetings m WHERE m.child_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM plan_actions p WHERE p.child_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM record_shares s WHERE s.record_id = c.id)
        AND NOT (c.id = ANY ($3::uuid[]))
      ORDER BY c.reference LIMIT 1`,
    [northmere, agencies.childrens_services, not],
  );
  return row!.id;
};

const meeting = (attending: string[], heldOn = '2026-10-30') => ({
  meetingKind: 'meeting',
  ...dateFields('heldOn', heldOn),
  attendingAgencyIds: attending,
  attendees: 'Casey Madeup (chair), Jordan Notreal (police)',
  decisions: 'Share what the police know about the address; a safety plan.',
  riskLevel: 'high',
  ...dateFields('nextReviewOn', '2026-11-27'),
});

const liveShares = (childId: string) =>
  ctx.ownerQuery<{ id: string; agency_id: string; automatic_source: string | null; lawful_basis: string; shared_by: string | null }>(
    `SELECT id, agency_id, automatic_source, lawful_basis, shared_by FROM record_shares WHERE record_type = 'child' AND record_id = $1 AND revoked_at IS NULL`,
    [childId],
  );

const auditsOf = (childId: string, action: string) =>
  ctx.ownerQuery<{ reason: string; actor_user_id: string; details: Record<string, unknown> }>(
    `SELECT reason, actor_user_id, details FROM audit_events WHERE record_type = 'child' AND record_id = $1 AND action = $2 ORDER BY seq`,
    [childId, action],
  );

describe('access from the child’s plan', () => {
  test('the demo: the police attended NM-1004’s strategy discussion and own an action, so they open the child and see it', async () => {
    const id = await childByRef('NM-1004');
    const police = agents.police!;
    const page = await police.get(`/children/${id}`);
    assert.equal(page.statusCode, 200);
    const plan = await police.get(`/children/${id}/meetings`);
    assert.equal(plan.statusCode, 200);
    assert.match(plan.body, /Visit the flat where she was found and record the vehicles seen there/);
    const [share] = (await liveShares(id)).filter((s) => s.agency_id === agencies.police);
    assert.equal(share?.automatic_source, 'strategy_meeting');
  });

  test('attending a meeting shares the child with the agency on a recorded basis, in the panel and the access log, audited, once', async () => {
    const id = await freshChild();
    const police = agents.police!;
    const worker = agents['social-worker']!;
    assert.equal((await police.get(`/children/${id}`)).statusCode, 404, 'not shared yet');

    await worker.get(`/children/${id}/meetings`);
    const recorded = await worker.post(`/children/${id}/meetings`, meeting([agencies.childrens_services!, agencies.police!]));
    assert.equal(recorded.statusCode, 302);
    assert.equal((await police.get(`/children/${id}`)).statusCode, 200, 'the police open the child after attending');

    const shares = await liveShares(id);
    assert.equal(shares.length, 1, 'no share for the owning agency, one for the police');
    const workerId = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'social-worker.northmere@lantern.example'`))[0]!.id;
    assert.equal(shares[0]!.agency_id, agencies.police);
    assert.equal(shares[0]!.automatic_source, 'strategy_meeting');
    assert.equal(shares[0]!.shared_by, workerId, 'who recorded the meeting');
    assert.match(shares[0]!.lawful_basis, /Children Act 1989 s\.47 strategy discussion; Wales Safeguarding Procedures/);

    const audits = await auditsOf(id, 'record.share');
    assert.equal(audits.length, 1);
    assert.equal(audits[0]!.actor_user_id, workerId);
    assert.equal(audits[0]!.details.automatic, true);
    assert.equal(audits[0]!.details.agencyId, agencies.police);
    assert.equal(audits[0]!.details.source, 'strategy_meeting');

    const panel = (await worker.get(`/children/${id}`)).body;
    assert.match(panel, /Through the child’s plan: attended the strategy meeting on 30 October 2026/);
    assert.match(panel, /Fenland Valley Police/);
    assert.match(panel, /Wales Safeguarding Procedures/);
    assert.match(panel, /Ends when the plan closes/);

    // A second meeting and an action for the police: still one share, no second audit row.
    assert.equal((await worker.post(`/children/${id}/meetings`, meeting([agencies.police!], '2026-11-01'))).statusCode, 302);
    const action = await worker.post(`/children/${id}/actions`, {
      description: 'Check the car seen outside the house',
      ownerName: 'Jordan Notreal',
      agencyId: agencies.police!,
      ...dateFields('dueOn', '2026-11-09'),
      meetingId: '',
    });
    assert.equal(action.statusCode, 302);
    assert.equal((await liveShares(id)).length, 1, 'not duplicated');
    assert.equal((await auditsOf(id, 'record.share')).length, 1);
  });

  test('owning an action shares the child; closing the plan ends the plan’s access (404 again) but not a share made by hand', async () => {
    const id = await freshChild();
    const worker = agents['social-worker']!;
    const school = agents.school!;
    const police = agents.police!;
    assert.equal((await school.get(`/children/${id}`)).statusCode, 404);
    await worker.get(`/children/${id}/meetings`);
    const action = await worker.post(`/children/${id}/actions`, {
      description: 'See her at the start of each school day',
      ownerName: 'Riley Example',
      agencyId: agencies.education!,
      ...dateFields('dueOn', '2026-11-16'),
      meetingId: '',
    });
    assert.equal(action.statusCode, 302);
    assert.equal((await school.get(`/children/${id}`)).statusCode, 200, 'the school opens the child after being given the action');
    const panel = (await worker.get(`/children/${id}`)).body;
    assert.match(panel, /Through the child’s plan: owns the action “See her at the start of each school day”/);

    // The police attend a meeting, then are also shared with by hand: their access outlives the plan.
    assert.equal((await worker.post(`/children/${id}/meetings`, meeting([agencies.police!]))).statusCode, 302);
    assert.equal(
      (await worker.post(`/children/${id}/share`, { shareAgencyId: agencies.police!, lawfulBasis: 'Joint investigation: DPA 2018 Sch 1 para 18' })).statusCode,
      302,
    );
    const shares = await liveShares(id);
    assert.equal(shares.length, 2);
    assert.equal(shares.find((s) => s.agency_id === agencies.police)!.automatic_source, null, 'sharing by hand makes the share manual');

    await worker.get(`/children/${id}`);
    const closed = await worker.post(`/children/${id}/close`, { outcome: 'risk_reduced', reason: 'No indicators for three months; the plan has ended.' });
    assert.equal(closed.statusCode, 302);
    assert.equal((await school.get(`/children/${id}`)).statusCode, 404, 'the plan’s access ended with it');
    assert.equal((await police.get(`/children/${id}`)).statusCode, 200, 'the share made by hand stays');

    const [ended] = await ctx.ownerQuery<{ revoked_reason: string; revoked_by: string }>(
      `SELECT revoked_reason, revoked_by FROM record_shares WHERE record_id = $1 AND agency_id = $2`,
      [id, agencies.education],
    );
    assert.match(ended!.revoked_reason, /plan closed/);
    const unshared = await auditsOf(id, 'record.unshare');
    assert.equal(unshared.length, 1);
    assert.equal(unshared[0]!.details.automatic, true);
    assert.equal(unshared[0]!.details.agencyId, agencies.education);
    assert.match((await worker.get(`/children/${id}`)).body, /Stopped sharing/, 'the access log shows the end');
  });

  test('an agency added to a meeting when it is corrected gets access too', async () => {
    const id = await freshChild();
    const worker = agents['social-worker']!;
    await worker.get(`/children/${id}/meetings`);
    assert.equal((await worker.post(`/children/${id}/meetings`, meeting([agencies.childrens_services!]))).statusCode, 302);
    assert.equal((await liveShares(id)).length, 0);
    const [m] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_meetings WHERE child_id = $1`, [id]);
    await worker.get(`/children/${id}/meetings/${m!.id}/edit`);
    const edited = await worker.post(`/children/${id}/meetings/${m!.id}/edit`, meeting([agencies.childrens_services!, agencies.health!]));
    assert.equal(edited.statusCode, 302);
    const shares = await liveShares(id);
    assert.deepEqual(
      shares.map((s) => [s.agency_id, s.automatic_source]),
      [[agencies.health, 'strategy_meeting']],
    );
    assert.equal((await auditsOf(id, 'record.share')).length, 1);
  });

  test('a meeting on a closed case, or attended only by the owning agency, shares nothing', async () => {
    const id = await freshChild();
    const worker = agents['social-worker']!;
    await worker.get(`/children/${id}/meetings`);
    assert.equal((await worker.post(`/children/${id}/meetings`, meeting([agencies.childrens_services!]))).statusCode, 302);
    assert.equal((await liveShares(id)).length, 0);
    await ctx.ownerQuery(`UPDATE children SET status = 'closed', closed_at = now(), closing_outcome = 'other', closing_reason = 'Test' WHERE id = $1`, [id]);
    await ctx.ownerQuery(
      `INSERT INTO plan_actions (partnership_id, child_id, description, owner_name, agency_id, due_on) VALUES ($1, $2, 'x', 'y', $3, '2026-12-01')`,
      [northmere, id, agencies.police],
    );
    assert.equal((await liveShares(id)).length, 0);
  });

  test('a request cannot pass a share off as the plan’s (only the triggers make automatic shares)', async () => {
    const id = await freshChild();
    const workerId = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'social-worker.northmere@lantern.example'`))[0]!.id;
    const [m] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_meetings WHERE partnership_id = $1 LIMIT 1`, [northmere]);
    const forged = await withTrustedActor(
      ctx.handle.owner,
      { partnershipId: northmere, agencyId: agencies.childrens_services!, userId: workerId, roles: ['practitioner'], label: 'test' },
      (tx) =>
        sql`INSERT INTO record_shares (partnership_id, record_type, record_id, agency_id, lawful_basis, automatic_source, source_meeting_id)
            VALUES (${northmere}::uuid, 'child', ${id}::uuid, ${agencies.health!}::uuid, 'forged', 'strategy_meeting', ${m!.id}::uuid)`.execute(tx),
    ).catch((e: unknown) => e);
    assert.ok(forged instanceof Error && /row-level security/.test(forged.message), String(forged));
  });
});

describe('the other agency’s home page and worklists', () => {
  test('the police home page names their action and links to the child’s plan; their worklists list it and the meeting', async () => {
    const id = await childByRef('NM-1004');
    const police = agents.police!;
    const home = (await police.get('/')).body;
    assert.match(home, /Your agency’s next actions/);
    assert.match(home, /Visit the flat where she was found and record the vehicles seen there/);
    assert.ok(home.includes(`href="/children/${id}/meetings"`));
    assert.match(home, /Open plan actions your agency owns/);
    const [audit] = await ctx.ownerQuery<{ disclosed_ids: string[] }>(
      `SELECT disclosed_ids FROM audit_events WHERE action = 'search' AND details->>'home' = 'agencyActions' ORDER BY occurred_at DESC LIMIT 1`,
    );
    assert.ok(audit?.disclosed_ids.includes(id), 'the home page’s list is audited with the child it named');

    const lists = (await police.get('/worklists')).body;
    assert.match(lists, /id="list-agencyActions"/);
    assert.match(lists, /Visit the flat where she was found/);
    assert.match(lists, /id="list-agencyMeetings"[\s\S]*Kayleigh[\s\S]*Strategy discussion/);
    const one = await police.get('/worklists?show=agencyActions');
    assert.equal(one.statusCode, 200);
    assert.match(one.body, /Visit the flat where she was found/);
  });

  test('a school practitioner’s worklists have no triage queue; a triage worker’s do', async () => {
    const school = agents.school!;
    const all = (await school.get('/worklists')).body;
    assert.doesNotMatch(all, /id="list-triage"/);
    assert.doesNotMatch(all, /<option value="triage"/);
    assert.match(all, /id="list-agencyActions"/);
    assert.doesNotMatch((await school.get('/worklists?show=triage')).body, /id="list-triage"/);
    assert.match((await agents.triage!.get('/worklists')).body, /id="list-triage"/);
  });
});

describe('named contacts', () => {
  test('shown with the agencies working with a child and in the directory', async () => {
    const id = await childByRef('NM-1004');
    const page = (await agents['social-worker']!.get(`/children/${id}`)).body;
    assert.match(page, /Named contact/);
    assert.match(page, /Casey Madeup, Exploitation team manager/);
    assert.match(page, /01632 960\d{3}/);
    assert.match(page, /casey\.madeup@childrens-services\.northmere\.example\.org/);
    const directory = (await agents.police!.get('/directory')).body;
    assert.match(directory, /Named contacts in each agency/);
    assert.match(directory, /Jordan Notreal/);
  });

  test('the partnership administrator changes one with a GOV.UK form; malformed input is a 400 with the error summary', async () => {
    const admin = agents.admin!;
    const list = await admin.get('/admin/agencies');
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes(`href="/admin/agencies/${agencies.police}/contact"`));
    const form = await admin.get(`/admin/agencies/${agencies.police}/contact`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /value="Jordan Notreal"/);

    const bad = await admin.post(`/admin/agencies/${agencies.police}/contact`, { name: '', role: 'DS', phone: 'call me', secureEmail: 'not-an-email' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /govuk-error-summary/);
    assert.match(bad.body, /Enter the contact’s name/);
    assert.match(bad.body, /Enter a phone number, like 01632 960 001/);
    assert.match(bad.body, /Enter an email address in the correct format/);
    assert.match(bad.body, /value="call me"/, 'what was typed is kept');

    const saved = await admin.post(`/admin/agencies/${agencies.police}/contact`, {
      name: 'Sam Pretend',
      role: 'Detective inspector',
      phone: '01632 960 999',
      secureEmail: 'Sam.Pretend@police.example.org',
    });
    assert.equal(saved.statusCode, 302);
    assert.equal(saved.headers.location, '/admin/agencies');
    const after = (await admin.get('/admin/agencies')).body;
    assert.match(after, /govuk-notification-banner--success[\s\S]*Named contact saved/);
    assert.match(after, /Sam Pretend, Detective inspector/);
    assert.match(after, /sam\.pretend@police\.example\.org/);
    const [audit] = await ctx.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE action = 'agency.update' AND record_id = $1`, [
      agencies.police,
    ]);
    assert.equal(Number(audit!.n), 1);

    assert.equal((await admin.get('/admin/agencies/not-a-uuid/contact')).statusCode, 404);
    assert.equal((await admin.get('/admin/agencies/00000000-0000-4000-8000-000000000000/contact')).statusCode, 404);
    const police = agents.police!;
    await police.get('/');
    assert.equal(
      (await police.post(`/admin/agencies/${agencies.police}/contact`, { name: 'x', role: 'y', phone: '01632 960000', secureEmail: 'a@b.org' })).statusCode,
      403,
    );
  });
});
