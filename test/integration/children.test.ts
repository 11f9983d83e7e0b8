import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aConcern } from '../helpers/factories.ts';
import { Agent, dateBox, dateFields, shownDate, signIn } from '../helpers/http.ts';

/**
 * Children at risk: a public concern, triage with near-duplicate warnings, the child record,
 * authorisation by role, agency and partnership, break-glass, sharing, closing, and the audit rows.
 */
let ctx: TestContext;
let northmere: string;
const agents: Record<string, Agent> = {};

before(async () => {
  ctx = await createTestContext();
  [{ id: northmere }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
  for (const key of [
    'triage.northmere',
    'school.northmere',
    'social-worker.northmere',
    'councillor.northmere',
    'dpo.northmere',
    'coordinator.northmere',
    'triage.westbrook',
    'coordinator.westbrook',
  ]) {
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}@lantern.example`));
  }
});
after(async () => ctx.close());

const count = async (sqlText: string, values: unknown[] = []) => (await ctx.ownerQuery<{ n: number }>(sqlText, values))[0]!.n;
const audits = (action: string, recordId?: string) =>
  recordId
    ? count(`SELECT count(*)::int AS n FROM audit_events WHERE action = $1 AND record_id = $2`, [action, recordId])
    : count(`SELECT count(*)::int AS n FROM audit_events WHERE action = $1`, [action]);
const childByRef = async (reference: string) =>
  (
    await ctx.ownerQuery<{ id: string }>(
      `SELECT c.id FROM children c JOIN partnerships p ON p.id = c.partnership_id WHERE c.reference = $1 AND p.code = 'northmere'`,
      [reference],
    )
  )[0]!.id;

async function publicAgent() {
  const agent = new Agent(ctx.app);
  await agent.get('/report');
  return agent;
}

describe('a concern from the public', () => {
  test('goes into the chosen partnership’s triage queue with a reference, audited as public', async () => {
    const agent = await publicAgent();
    const before = await audits('concern.raise');
    const r = await agent.post('/report', {
      partnershipId: northmere,
      whatHappened: 'Older men giving <b>alcohol</b> to girls <script>alert(1)</script> at the park.',
      where: 'Riverside park',
      when: 'Friday evening',
      anonymous: 'yes',
    });
    // Post/redirect/get: the answer to the post is a redirect to the confirmation page, so a refresh
    // asks for that page again and never sends the concern twice.
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, '/report/sent');
    const sent = await agent.get('/report/sent');
    assert.equal(sent.statusCode, 200);
    const reference = /id="concern-reference">([^<]+)</.exec(sent.body)?.[1];
    assert.match(reference ?? '', /^CN-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const refreshed = await agent.get('/report/sent');
    assert.match(refreshed.body, new RegExp(`id="concern-reference">${reference}<`), 'a refresh shows the same reference');
    assert.equal(await audits('concern.raise'), before + 1, 'and sends nothing again');
    assert.equal(
      (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM concerns WHERE what_happened LIKE 'Older men giving%'`))[0]!.n,
      1,
      'one concern',
    );
    // Another page drops the message: the confirmation does not follow the person around.
    await agent.get('/report');
    assert.doesNotMatch((await agent.get('/report/sent')).body, /concern-reference/);
    const [row] = await ctx.ownerQuery<{
      partnership_id: string;
      source: string;
      contact_text: string | null;
      what_happened: string;
      id: string;
      deadline_at: Date;
      received_at: Date;
    }>(`SELECT * FROM concerns WHERE reference = $1`, [reference]);
    assert.equal(row!.partnership_id, northmere);
    assert.equal(row!.source, 'public');
    assert.equal(row!.contact_text, null);
    assert.equal(new Date(row!.deadline_at).getTime() - new Date(row!.received_at).getTime(), 24 * 3_600_000, 'the partnership’s 24 hours to decide');
    assert.equal(await audits('concern.raise'), before + 1);
    const [audit] = await ctx.ownerQuery<{ actor_label: string; actor_user_id: string | null }>(
      `SELECT actor_label, actor_user_id FROM audit_events WHERE record_id = $1`,
      [row!.id],
    );
    assert.deepEqual(audit, { actor_label: 'public', actor_user_id: null });
    // Stored as typed, shown escaped: never rendered as HTML.
    const page = await agents['triage.northmere']!.get(`/triage/${row!.id}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /<script>alert\(1\)/);
    assert.match(page.body, /&lt;script&gt;/);
  });

  test('refuses empty, oversized and contact-less concerns with an error summary', async () => {
    const agent = await publicAgent();
    const empty = await agent.post('/report', {});
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /govuk-error-summary/);
    assert.match(empty.body, /Say what worried you/);
    const huge = await agent.post('/report', { partnershipId: northmere, whatHappened: 'x'.repeat(5000), anonymous: 'yes' });
    assert.equal(huge.statusCode, 400);
    const noContact = await agent.post('/report', { partnershipId: northmere, whatHappened: 'Something happened that worried me a lot.' });
    assert.equal(noContact.statusCode, 400);
    assert.match(noContact.body, /Give a way to contact you/);
    const noCsrf = await agent.post('/report', { partnershipId: northmere, whatHappened: 'Something happened that worried me.', anonymous: 'yes' }, null);
    assert.equal(noCsrf.statusCode, 403);
  });
});

describe('triage', () => {
  test('the queue shows time left; a decision links a new child after a near-duplicate warning', async () => {
    const triage = agents['triage.northmere']!;
    const queue = await triage.get('/triage');
    assert.equal(queue.statusCode, 200);
    assert.match(queue.body, /left|Overdue/);
    const [concern] = await ctx.ownerQuery<{ id: string }>(
      `SELECT id FROM concerns WHERE partnership_id = $1 AND decision IS NULL ORDER BY received_at LIMIT 1`,
      [northmere],
    );
    const search = await triage.post(`/triage/${concern!.id}/search`, { name: 'Kayleigh Smith' });
    assert.equal(search.statusCode, 200);
    assert.match(search.body, /Kayley/, 'the near-duplicate spelling is found');
    const agency = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'`, [northmere]))[0]!
      .id;
    const [seeded] = await ctx.ownerQuery<{ date_of_birth: string }>(
      `SELECT to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth FROM children WHERE partnership_id = $1 AND given_name = 'Kayley'`,
      [northmere],
    );
    const decision = {
      decision: 'cse_concern',
      riskLevel: 'high',
      actingAgencyId: agency,
      notes: 'Strategy discussion today.',
      link: 'new',
      givenName: 'Kayleigh',
      familyName: 'Smithe',
      ...dateFields('dateOfBirth', seeded!.date_of_birth),
      gender: 'female',
    };
    // The date of birth is checked as GOV.UK's date input: the boxes in error, shown again as typed.
    const future = await triage.post(`/triage/${concern!.id}`, { ...decision, ...dateFields('dateOfBirth', '2099-01-05') });
    assert.equal(future.statusCode, 400);
    assert.match(future.body, /href="#dateOfBirth-day">Date of birth must be today or in the past/);
    assert.equal(shownDate(future.body, 'dateOfBirth'), '2099-01-05');
    const noYear = await triage.post(`/triage/${concern!.id}`, { ...decision, 'dateOfBirth-day': '5', 'dateOfBirth-month': 'Jan', 'dateOfBirth-year': '' });
    assert.match(noYear.body, /href="#dateOfBirth-year">Date of birth must include a year/);
    assert.match(dateBox(noYear.body, 'dateOfBirth', 'month'), /value="Jan"/);
    const warned = await triage.post(`/triage/${concern!.id}`, decision);
    assert.equal(warned.statusCode, 409);
    assert.match(warned.body, /There may already be a record for this child/);
    const creates = await audits('record.create');
    const done = await triage.post(`/triage/${concern!.id}`, { ...decision, confirmNew: 'yes' });
    assert.equal(done.statusCode, 302);
    const childId = /^\/children\/([0-9a-f-]{36})$/.exec(done.headers.location as string)?.[1];
    assert.ok(childId);
    assert.equal(await audits('concern.triage', concern!.id), 1);
    assert.equal(await audits('record.create'), creates + 1);
    const [row] = await ctx.ownerQuery<{ flag_cse: boolean; current_risk_level: string; current_risk_source: string; current_risk_source_id: string }>(
      `SELECT flag_cse, current_risk_level, current_risk_source, current_risk_source_id FROM children WHERE id = $1`,
      [childId],
    );
    assert.deepEqual(
      row,
      { flag_cse: true, current_risk_level: 'high', current_risk_source: 'triage', current_risk_source_id: concern!.id },
      'the decision is the level’s source',
    );
    const again = await triage.post(`/triage/${concern!.id}`, { ...decision, confirmNew: 'yes' });
    assert.equal(again.statusCode, 409, 'a concern is decided once');
  });

  test('breaches show: an undecided concern past its deadline is overdue', async () => {
    const now = ctx.clock.now().getTime();
    const late = await aConcern(ctx, {
      partnership_id: northmere,
      reference: 'CN-LATE-TEST',
      received_at: new Date(now - 30 * 3_600_000),
      deadline_at: new Date(now - 6 * 3_600_000),
      what_happened: 'Waiting too long for a decision',
    });
    const page = await agents['triage.northmere']!.get(`/triage/${late}`);
    assert.match(page.body, /Overdue by 6 h 0 min/);
    const queue = await agents['triage.northmere']!.get('/triage');
    const breaches = /id="breaches">([^<]+)</.exec(queue.body)?.[1] ?? '';
    assert.match(breaches, /[1-9]\d* still waiting past it/);
    assert.match(breaches, /[1-9]\d* decided after their deadline/, 'the seeded late decision counts');
  });
});

describe('the child record', () => {
  test('a view writes its audit row and shows the access log and sub-navigation', async () => {
    const id = await childByRef('NM-1001');
    const before = await audits('record.view', id);
    const page = await agents['triage.northmere']!.get(`/children/${id}`);
    assert.equal(page.statusCode, 200);
    assert.equal(await audits('record.view', id), before + 1);
    assert.match(page.body, /access-log-heading/);
    for (const path of ['', '/assessments', '/missing', '/meetings', '/notes', '/chronology'])
      assert.ok(page.body.includes(`href="/children/${id}${path}"`), path);
    assert.match(page.body, /aria-current="page"/);
  });

  test('a practitioner of another agency gets 404 until the record is shared with a lawful basis', async () => {
    const id = await childByRef('NM-1012'); // held by the police, in no plan (a plan would share it: migration 0170)
    const school = agents['school.northmere']!;
    assert.equal((await school.get(`/children/${id}`)).statusCode, 404);
    const police = await signIn(ctx.app, ctx.clock, ctx.account('police.northmere@lantern.example'));
    assert.equal((await police.get(`/children/${id}`)).statusCode, 200);
    const education = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'education'`, [northmere]))[0]!.id;
    const missingBasis = await police.post(`/children/${id}/share`, { shareAgencyId: education, lawfulBasis: '' });
    assert.equal(missingBasis.statusCode, 400);
    const shares = await audits('record.share', id);
    const shared = await police.post(`/children/${id}/share`, { shareAgencyId: education, lawfulBasis: 'UK GDPR 6(1)(e), 9(2)(g); DPA 2018 Sch 1 para 18' });
    assert.equal(shared.statusCode, 302);
    assert.equal(await audits('record.share', id), shares + 1);
    assert.equal((await school.get(`/children/${id}`)).statusCode, 200);
  });

  test('a board member can raise a concern but sees no child and no queue', async () => {
    const councillor = agents['councillor.northmere']!;
    const id = await childByRef('NM-1002');
    assert.equal((await councillor.get(`/children/${id}`)).statusCode, 403);
    assert.equal((await councillor.get('/children')).statusCode, 403);
    assert.equal((await councillor.get('/triage')).statusCode, 403);
    await councillor.get('/concerns/new');
    const r = await councillor.follow(
      councillor.post('/concerns/new', { whatHappened: 'Residents told me about girls at a flat late at night.', childId: id }),
    );
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /concern-reference/);
    const reference = /id="concern-reference">([^<]+)</.exec(r.body)![1];
    const [row] = await ctx.ownerQuery<{ source: string; child_id: string | null }>(`SELECT source, child_id FROM concerns WHERE reference = $1`, [reference]);
    assert.deepEqual(row, { source: 'member', child_id: null }, 'a councillor cannot attach a concern to a child');
  });

  test('the other partnership sees nothing unless shared under a live agreement', async () => {
    const id = await childByRef('NM-1003');
    const westbrook = agents['coordinator.westbrook']!;
    assert.equal((await westbrook.get(`/children/${id}`)).statusCode, 404);
    assert.equal((await agents['triage.westbrook']!.get(`/children/${id}`)).statusCode, 404);
    const coordinator = agents['coordinator.northmere']!;
    const [{ id: westbrookPolice }] = (await ctx.ownerQuery<{ id: string }>(`SELECT a.id FROM agencies a JOIN partnerships p ON p.id = a.partnership_id
      WHERE p.code = 'westbrook' AND a.kind = 'police'`)) as [{ id: string }];
    const [live] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM sharing_agreements WHERE partnership_id = $1 AND ends_on IS NULL`, [northmere]);
    const [ended] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM sharing_agreements WHERE partnership_id = $1 AND ends_on IS NOT NULL`, [northmere]);
    const refused = await coordinator.post(`/children/${id}/share-partnership`, {
      agreementId: ended!.id,
      partnershipBasis: 'Joint operation',
      recipientAgencyIds: [westbrookPolice],
    });
    assert.equal(refused.statusCode, 400, 'not under an ended agreement');
    const ok = await coordinator.post(`/children/${id}/share-partnership`, {
      agreementId: live!.id,
      partnershipBasis: 'Cross-border exploitation: joint strategy discussion',
      recipientAgencyIds: [westbrookPolice],
    });
    assert.equal(ok.statusCode, 302);
    const seen = await westbrook.get(`/children/${id}`);
    assert.equal(seen.statusCode, 200);
    assert.match(seen.body, /shared with yours under a sharing agreement/);
    // The disclosure is in the owning partnership's audit trail as well as the reader's.
    const [owned] = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events
      WHERE partnership_id = $1 AND action = 'record.view' AND record_id = $2 AND details->>'viewer_partnership' IS NOT NULL`,
      [northmere, id],
    );
    assert.equal(owned!.n, 1);
  });

  test('a restricted record needs a reason (break-glass); the DPO is alerted; the grant is time-limited', async () => {
    const [restricted] = await ctx.ownerQuery<{ id: string }>(
      `SELECT c.id FROM children c JOIN agencies a ON a.id = c.owning_agency_id
      WHERE c.partnership_id = $1 AND c.restricted AND a.kind <> 'childrens_services' AND c.id NOT IN (SELECT child_id FROM break_glass_grants) LIMIT 1`,
      [northmere],
    );
    const id =
      restricted?.id ??
      (
        await ctx.ownerQuery<{ id: string }>(
          `UPDATE children SET restricted = true, restricted_reason = 'test', owning_agency_id = (SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'health')
      WHERE reference = 'NM-1010' AND partnership_id = $1 RETURNING id`,
          [northmere],
        )
      )[0]!.id;
    const triage = agents['triage.northmere']!;
    const asked = await triage.get(`/children/${id}`);
    assert.equal(asked.statusCode, 200);
    assert.match(asked.body, /This record is restricted/);
    assert.doesNotMatch(asked.body, /access-log-heading/);
    const tooShort = await triage.post(`/children/${id}/break-glass`, { reason: 'need' });
    assert.equal(tooShort.statusCode, 400);
    assert.match(tooShort.body, /govuk-error-summary/);
    const opened = await triage.post(`/children/${id}/break-glass`, { reason: 'Strategy discussion this afternoon about her missing episodes' });
    assert.equal(opened.statusCode, 302);
    assert.equal(await audits('record.break_glass', id), 1);
    const page = await triage.get(`/children/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /You opened it with a recorded reason/);
    const alerts = await agents['dpo.northmere']!.get('/break-glass');
    assert.equal(alerts.statusCode, 200);
    assert.match(alerts.body, /Strategy discussion this afternoon/);
    // When the grant expires the record closes again.
    await ctx.ownerQuery(`UPDATE break_glass_grants SET granted_at = now() - interval '5 hours', expires_at = now() - interval '1 hour' WHERE child_id = $1`, [
      id,
    ]);
    assert.match((await triage.get(`/children/${id}`)).body, /This record is restricted/);
    // A practitioner of an agency that cannot see it at all gets no break-glass offer.
    assert.equal((await agents['school.northmere']!.get(`/children/${id}`)).statusCode, 404);
  });

  test('closing needs an outcome and a reason; reopening is recorded', async () => {
    const id = await childByRef('NM-1005');
    const triage = agents['triage.northmere']!;
    assert.equal((await triage.post(`/children/${id}/close`, { reason: 'Done' })).statusCode, 400);
    assert.equal((await triage.post(`/children/${id}/close`, { outcome: 'risk_reduced', reason: 'No indicators for three months.' })).statusCode, 302);
    assert.equal(await audits('record.close', id), 1);
    const [closed] = await ctx.ownerQuery<{ status: string; closing_outcome: string }>(`SELECT status, closing_outcome FROM children WHERE id = $1`, [id]);
    assert.deepEqual(closed, { status: 'closed', closing_outcome: 'risk_reduced' });
    assert.equal((await triage.post(`/children/${id}/reopen`, { reason: 'A new concern from school about older men.' })).statusCode, 302);
    assert.equal(await audits('record.reopen', id), 1);
    assert.equal(await count(`SELECT count(*)::int AS n FROM child_status_events WHERE child_id = $1`, [id]), 2);
  });

  test('details, addresses and workers change with one audit row each', async () => {
    const [held] = await ctx.ownerQuery<{ id: string }>(
      `SELECT c.id FROM children c JOIN agencies a ON a.id = c.owning_agency_id
      WHERE c.partnership_id = $1 AND a.kind = 'childrens_services' AND NOT c.restricted ORDER BY c.reference LIMIT 1`,
      [northmere],
    );
    const id = held!.id;
    const worker = agents['social-worker.northmere']!;
    assert.equal((await worker.get(`/children/${id}`)).statusCode, 200, 'the social worker’s agency holds this record');
    const updates = await audits('record.update', id);
    assert.equal(
      (
        await worker.post(`/children/${id}/addresses`, {
          line1: '4 Quarry Lane',
          town: 'Northmere',
          postcode: 'nm14qt',
          ...dateFields('fromDate', '2026-10-01'),
        })
      ).statusCode,
      302,
    );
    assert.equal((await worker.post(`/children/${id}/addresses`, { line1: '5 Quarry Lane', postcode: 'not a postcode' })).statusCode, 400);
    assert.equal(await audits('record.update', id), updates + 1);
    const [address] = await ctx.ownerQuery<{ postcode: string }>(`SELECT postcode FROM child_addresses WHERE child_id = $1 AND line1 = '4 Quarry Lane'`, [id]);
    assert.equal(address!.postcode, 'NM1 4QT');
    const users = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'social-worker.northmere@lantern.example'`))[0]!.id;
    const agency = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'voluntary'`, [northmere]))[0]!.id;
    // The child page links to a page of its own: choose the agency, then one of its workers.
    const record = await worker.get(`/children/${id}`);
    assert.match(record.body, new RegExp(`href="/children/${id}/involvements/new"`));
    assert.doesNotMatch(record.body, /name="workerUserId"/, 'no staff list on the child page');
    const choose = await worker.get(`/children/${id}/involvements/new`);
    assert.equal(choose.statusCode, 200);
    assert.doesNotMatch(choose.body, /name="workerUserId"/, 'workers come once the agency is chosen');
    const cs = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'`, [northmere]))[0]!.id;
    const withWorkers = await worker.get(`/children/${id}/involvements/new?agencyId=${cs}`);
    assert.match(withWorkers.body, new RegExp(`<option value="${users}"`), 'the agency’s own worker is offered');
    const police = (
      await ctx.ownerQuery<{ id: string }>(
        `SELECT u.id FROM users u JOIN agencies a ON a.id = u.agency_id WHERE a.partnership_id = $1 AND a.kind = 'police' AND 'practitioner' = ANY(u.roles) LIMIT 1`,
        [northmere],
      )
    )[0];
    if (police) assert.doesNotMatch(withWorkers.body, new RegExp(`<option value="${police.id}"`), 'another agency’s worker is not');
    const missing = await worker.post(`/children/${id}/involvements`, { workerUserId: users });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /govuk-error-summary/);
    assert.equal((await worker.post(`/children/${id}/involvements`, { agencyId: agency, workerUserId: users })).statusCode, 302);
    assert.equal(await audits('record.update', id), updates + 2);
  });

  test('the triage worker edits details, including ethnicity (equality monitoring only)', async () => {
    const id = await childByRef('NM-1009');
    const triage = agents['triage.northmere']!;
    assert.equal((await triage.get(`/children/${id}/edit`)).statusCode, 200);
    const r = await triage.post(`/children/${id}/edit`, {
      aliases: 'Kay, KJ',
      gender: 'female',
      ethnicity: 'white_roma',
      educationStatus: 'excluded',
      lookedAfter: 'yes',
      placement: 'Foster care',
      flagCse: 'yes',
      riskLevel: 'medium',
    });
    assert.equal(r.statusCode, 302);
    const [row] = await ctx.ownerQuery<{ aliases: string[]; ethnicity: string; looked_after: boolean }>(
      `SELECT aliases, ethnicity, looked_after FROM children WHERE id = $1`,
      [id],
    );
    assert.deepEqual(row, { aliases: ['Kay', 'KJ'], ethnicity: 'white_roma', looked_after: true });
    const restrictWithoutReason = await triage.post(`/children/${id}/edit`, { restricted: 'yes' });
    assert.equal(restrictWithoutReason.statusCode, 400);
  });

  test('search by name goes by POST, finds spelling variants and is audited', async () => {
    const triage = agents['triage.northmere']!;
    const searches = await audits('search');
    const r = await triage.post('/children/search', { name: 'kayley smyth' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /Kayleigh/);
    assert.match(r.body, /Kayley/);
    assert.equal(await audits('search'), searches + 1);
    const list = await triage.get('/children?status=all&page=1');
    assert.equal(list.statusCode, 200);
    assert.equal((await triage.post('/children/search', {})).statusCode, 400);
  });
});

describe('abuse limits on the public form', () => {
  test('a sixth concern from one address within ten minutes is refused', async () => {
    const agent = await publicAgent();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await agent.post('/report', { partnershipId: northmere, whatHappened: `Repeated report number ${i} about a worry.`, anonymous: 'yes' })).statusCode,
      );
    }
    assert.ok(statuses.includes(429), statuses.join());
    assert.ok(statuses.indexOf(429) <= 5, 'at most five are accepted (earlier posts in this file count too)');
    const last = await agent.post('/report', { partnershipId: northmere, whatHappened: 'One more report about a worry.', anonymous: 'yes' });
    assert.equal(last.statusCode, 429);
    assert.match(last.body, /LANTERN_E_RATE_LIMITED/);
    // The limit is on this route only: other pages still work.
    assert.equal((await agent.get('/report')).statusCode, 200);
  });
});
