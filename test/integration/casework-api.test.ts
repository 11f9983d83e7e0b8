import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { londonDate } from '../../src/dates.ts';
import { apiTokens } from '../helpers/api-tokens.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, aConcern } from '../helpers/factories.ts';

/**
 * The casework API (issue 10 §6): a partner system reads and writes what a practitioner can, through
 * the pages' services, and nothing more: another agency's token without access gets 404, a
 * read-only scope cannot write, an unapproved token nothing, a restricted child is unreachable; every
 * read and write leaves one audit row naming the token and its issuer.
 */
let ctx: TestContext;
let tokens: ReturnType<typeof apiTokens>;
let northmere: string;
const agency: Record<string, string> = {};
/** A child of Northmere's children's services, shared with nobody: the social worker's. */
let child: string;
let restrictedChild: string;
let westbrookChild: string;
/** The social worker's token (a practitioner of children's services, every scope). */
let worker: { token: string; id: string };
let socialWorkerId: string;
let today: string;

type Json = Record<string, unknown>;
const call = (...args: Parameters<ReturnType<typeof apiTokens>['call']>) => tokens.call(...args);
const body = <T = Json>(r: { json: <J>() => J }) => r.json<T>();

/** Audit rows a token has left so far. */
const auditCount = async (tokenId: string) =>
  (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE details->>'apiToken' = $1`, [tokenId]))[0]!.n;

before(async () => {
  ctx = await createTestContext();
  tokens = apiTokens(ctx);
  today = londonDate(ctx.clock.now());
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agency[a.kind] = a.id;
  child = await aChild(ctx, { partnership_id: northmere, owning_agency_id: agency.childrens_services!, given_name: 'Api', family_name: 'Casework' });
  restrictedChild = await aChild(ctx, {
    partnership_id: northmere,
    owning_agency_id: agency.childrens_services!,
    restricted: true,
    restricted_reason: 'A synthetic restriction for the API test',
  });
  [{ id: westbrookChild }] = (await ctx.ownerQuery<{ id: string }>(
    `SELECT c.id FROM children c JOIN partnerships p ON p.id = c.partnership_id WHERE p.code = 'westbrook' LIMIT 1`,
  )) as [{ id: string }];
  worker = await tokens.createToken('Children’s services case system', 'social-worker', ['practitioner']);
  socialWorkerId = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'social-worker.northmere@lantern.example'`))[0]!.id;
});
after(async () => ctx.close());

describe('risk assessments through the API', () => {
  test('a token records an assessment scored by the tool; the child’s current level follows the judgement; one audit row names token and issuer', async () => {
    const tools = await call('GET', '/api/v1/risk-tools', worker.token);
    assert.equal(tools.statusCode, 200);
    const tool = body<{ tools: { id: string; tool_key: string; definition: { sections: { indicators: { id: string }[]; windows: { id: string }[] }[] } }[] }>(
      tools,
    ).tools.find((t) => t.tool_key === 'cse-screening')!;
    assert.ok(tool, 'the default tool');
    const section = tool.definition.sections[0]!;
    const before = await auditCount(worker.id);
    const created = await call('POST', `/api/v1/children/${child}/risk-assessments`, worker.token, {
      toolId: tool.id,
      assessedOn: today,
      knownToSocialCare: true,
      inCare: false,
      childProtectionPlan: false,
      youthJustice: false,
      answers: { [section.indicators[0]!.id]: { [section.windows[0]!.id]: true } },
      judgementLevel: 'high',
      judgementReasons: 'Seen with older men at the bus station twice this week.',
    });
    assert.equal(created.statusCode, 201, created.body);
    const result = body<{ id: string; score_total: number; explanation: string[]; child: { risk_level: string; risk_source: string; risk_source_id: string } }>(
      created,
    );
    assert.ok(result.score_total > 0, 'scored by the engine');
    assert.ok(result.explanation.length > 0);
    assert.deepEqual(
      { level: result.child.risk_level, source: result.child.risk_source, id: result.child.risk_source_id },
      {
        level: 'high',
        source: 'assessment',
        id: result.id,
      },
    );
    assert.equal(await auditCount(worker.id), before + 1, 'one audit row for the write');
    const [audit] = await ctx.ownerQuery<{ actor_label: string; actor_user_id: string; action: string; details: Json }>(
      `SELECT actor_label, actor_user_id, action, details FROM audit_events WHERE details->>'apiToken' = $1 ORDER BY id DESC LIMIT 1`,
      [worker.id],
    );
    assert.equal(audit!.actor_label, 'api-token:Children’s services case system');
    assert.equal(audit!.actor_user_id, socialWorkerId, 'the issuer is accountable');
    assert.equal(audit!.action, 'record.create');
    assert.equal(audit!.details.record, 'risk_assessment');

    // The same level on the child record the children API gives, and in the database.
    const record = body<{ risk_level: string; risk_source: string }>(await call('GET', `/api/v1/children/${child}`, worker.token));
    assert.equal(record.risk_level, 'high');
    assert.equal(record.risk_source, 'assessment');
    const [row] = await ctx.ownerQuery<{ current_risk_level: string }>(`SELECT current_risk_level FROM children WHERE id = $1`, [child]);
    assert.equal(row!.current_risk_level, 'high');

    const list = await call('GET', `/api/v1/children/${child}/risk-assessments`, worker.token);
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      body<{ assessments: { id: string; judgement_level: string }[] }>(list).assessments.map((a) => [a.id, a.judgement_level]),
      [[result.id, 'high']],
    );
    const one = await call('GET', `/api/v1/children/${child}/risk-assessments/${result.id}`, worker.token);
    assert.equal(one.statusCode, 200);
    assert.deepEqual(body<{ answers: Json }>(one).answers, { [section.indicators[0]!.id]: { [section.windows[0]!.id]: true } });
    assert.equal(await auditCount(worker.id), before + 4, 'one audit row for each read');
  });

  test('answers the tool does not define, an impossible date or an unknown field are 400 with the fields named, and nothing is written', async () => {
    const [{ id: toolId }] = (await ctx.ownerQuery<{ id: string }>(
      `SELECT id FROM risk_tools WHERE partnership_id = $1 AND tool_key = 'cse-screening' ORDER BY version DESC LIMIT 1`,
      [northmere],
    )) as [{ id: string }];
    const valid = {
      toolId,
      assessedOn: today,
      knownToSocialCare: true,
      inCare: false,
      childProtectionPlan: false,
      youthJustice: false,
      answers: {},
      judgementLevel: 'low',
      judgementReasons: 'Nothing of concern this month.',
    };
    const count = async () => (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM risk_assessments WHERE child_id = $1`, [child]))[0]!.n;
    const before = await count();
    for (const [what, payload] of [
      ['unknown indicator', { ...valid, answers: { 'no-such-indicator': { now: true } } }],
      ['impossible date', { ...valid, assessedOn: '2026-02-30' }],
      ['unknown field', { ...valid, extra: 1 }],
      ['unknown level', { ...valid, judgementLevel: 'significant' }],
      ['missing reasons', { ...valid, judgementReasons: '   ' }],
      ['unknown tool', { ...valid, toolId: crypto.randomUUID() }],
      ['not JSON', '{"toolId":'],
    ] as const) {
      const r = await call('POST', `/api/v1/children/${child}/risk-assessments`, worker.token, payload);
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      assert.equal(body<{ error: { code: string } }>(r).error.code, 'LANTERN_E_VALIDATION', what);
    }
    const unknown = await call('POST', `/api/v1/children/${child}/risk-assessments`, worker.token, { ...valid, answers: { nope: { now: true } } });
    assert.ok(body<{ error: { issues: { path: string }[] } }>(unknown).error.issues.some((i) => i.path === 'nope'));
    assert.equal(await count(), before);
  });
});

describe('missing and absent episodes and return interviews through the API', () => {
  test('open, refuse a second open one, end, interview; each state the service refuses is a 409', async () => {
    const started = new Date(ctx.clock.now().getTime() - 30 * 3_600_000).toISOString();
    const created = await call('POST', `/api/v1/children/${child}/episodes`, worker.token, {
      episodeType: 'missing',
      startedAt: started,
      reportedBy: 'Residential home staff',
      riskLevel: 'high',
    });
    assert.equal(created.statusCode, 201, created.body);
    const { id } = body<{ id: string }>(created);
    const second = await call('POST', `/api/v1/children/${child}/episodes`, worker.token, {
      episodeType: 'absent',
      startedAt: started,
      reportedBy: 'School',
      riskLevel: 'low',
    });
    assert.equal(second.statusCode, 409);
    assert.equal(body<{ error: { code: string } }>(second).error.code, 'LANTERN_E_CONFLICT');

    const early = await call('POST', `/api/v1/children/${child}/episodes/${id}/return`, worker.token, { returnedAt: '2020-01-01T00:00:00Z' });
    assert.equal(early.statusCode, 409, 'a return before the start');
    const returnedAt = new Date(ctx.clock.now().getTime() - 2 * 3_600_000).toISOString();
    const ended = await call('POST', `/api/v1/children/${child}/episodes/${id}/return`, worker.token, { returnedAt, whereFound: 'A flat in the town centre' });
    assert.equal(ended.statusCode, 200, ended.body);
    assert.equal((await call('POST', `/api/v1/children/${child}/episodes/${id}/return`, worker.token, { returnedAt })).statusCode, 409, 'already ended');

    const interview = {
      offeredAt: new Date(ctx.clock.now().getTime() - 3_600_000).toISOString(),
      interviewerName: 'Independent return worker',
      interviewerAgencyId: agency.voluntary,
      independent: true,
      outcome: 'accepted',
      learned: 'Was given a lift by an adult she met online.',
      places: ['Bus station'],
    };
    const recorded = await call('POST', `/api/v1/children/${child}/episodes/${id}/interview`, worker.token, interview);
    assert.equal(recorded.statusCode, 201, recorded.body);
    assert.equal((await call('POST', `/api/v1/children/${child}/episodes/${id}/interview`, worker.token, interview)).statusCode, 409, 'already recorded');

    const list = body<{ episodes: { id: string; ended_by: string; interviewDue: string; interview: { outcome: string; places_mentioned: string[] } }[] }>(
      await call('GET', `/api/v1/children/${child}/episodes`, worker.token),
    ).episodes;
    const episode = list.find((e) => e.id === id)!;
    assert.equal(episode.ended_by, 'returned');
    assert.match(episode.interviewDue, /^\d{4}-\d{2}-\d{2}T/);
    assert.deepEqual([episode.interview.outcome, episode.interview.places_mentioned], ['accepted', ['Bus station']]);
    const one = await call('GET', `/api/v1/children/${child}/episodes/${id}`, worker.token);
    assert.equal(one.statusCode, 200);
    assert.equal((await call('GET', `/api/v1/children/${child}/episodes/${crypto.randomUUID()}`, worker.token)).statusCode, 404);
  });

  test('an instant without an offset, a return before the start or an unknown type is 400', async () => {
    for (const payload of [
      { episodeType: 'missing', startedAt: '2026-11-01 10:00', reportedBy: 'Carer', riskLevel: 'low' },
      { episodeType: 'missing', startedAt: '2026-11-01T10:00:00Z', endedAt: '2026-10-01T10:00:00Z', reportedBy: 'Carer', riskLevel: 'low' },
      { episodeType: 'lost', startedAt: '2026-11-01T10:00:00Z', reportedBy: 'Carer', riskLevel: 'low' },
      { episodeType: 'missing', startedAt: '2026-11-01T10:00:00Z', reportedBy: 'Carer', riskLevel: 'low', extra: true },
    ]) {
      const r = await call('POST', `/api/v1/children/${child}/episodes`, worker.token, payload);
      assert.equal(r.statusCode, 400, JSON.stringify(payload));
      assert.ok(body<{ error: { issues: unknown[] } }>(r).error.issues.length > 0);
    }
  });
});

describe('strategy meetings, plan actions and multi-agency access through the API', () => {
  test('a meeting the police attend sets the agreed risk and gives the police token access; an action owned by the school gives the school access', async () => {
    const police = await tokens.createToken('Police case system', 'police', ['practitioner']);
    const school = await tokens.createToken('School safeguarding system', 'school', ['practitioner']);
    assert.equal((await call('GET', `/api/v1/children/${child}/strategy-meetings`, police.token)).statusCode, 404, 'no access before the meeting');
    assert.equal((await call('GET', `/api/v1/children/${child}/plan-actions`, school.token)).statusCode, 404);

    const created = await call('POST', `/api/v1/children/${child}/strategy-meetings`, worker.token, {
      meetingKind: 'meeting',
      heldOn: today,
      attendingAgencyIds: [agency.childrens_services, agency.police],
      attendees: 'Social worker; detective constable',
      decisions: 'Disruption plan; police to visit the address.',
      riskLevel: 'medium',
      nextReviewOn: null,
    });
    assert.equal(created.statusCode, 201, created.body);
    const meeting = body<{ id: string; child: { risk_level: string; risk_source: string } }>(created);
    assert.deepEqual([meeting.child.risk_level, meeting.child.risk_source], ['medium', 'meeting'], 'the latest source is the meeting');

    const seen = await call('GET', `/api/v1/children/${child}/strategy-meetings/${meeting.id}`, police.token);
    assert.equal(seen.statusCode, 200, 'the police attended: access from the meeting (0171)');
    assert.deepEqual(body<{ attending_agency_ids: string[] }>(seen).attending_agency_ids.sort(), [agency.childrens_services, agency.police].sort());

    const action = await call('POST', `/api/v1/children/${child}/plan-actions`, worker.token, {
      description: 'Check attendance daily and report absences',
      ownerName: 'Designated safeguarding lead',
      agencyId: agency.education,
      dueOn: today,
      meetingId: meeting.id,
    });
    assert.equal(action.statusCode, 201, action.body);
    const { id: actionId } = body<{ id: string }>(action);
    const actions = await call('GET', `/api/v1/children/${child}/plan-actions`, school.token);
    assert.equal(actions.statusCode, 200, 'the school owns an action: access from the plan (0171)');
    assert.ok(body<{ actions: { id: string }[] }>(actions).actions.some((a) => a.id === actionId));

    const done = await call('POST', `/api/v1/children/${child}/plan-actions/${actionId}/done`, school.token);
    assert.equal(done.statusCode, 200, done.body);
    assert.equal((await call('POST', `/api/v1/children/${child}/plan-actions/${actionId}/done`, school.token)).statusCode, 404, 'already done');
    const [row] = await ctx.ownerQuery<{ done: boolean }>(`SELECT done_at IS NOT NULL AS done FROM plan_actions WHERE id = $1`, [actionId]);
    assert.equal(row!.done, true);

    const wrongMeeting = await call('POST', `/api/v1/children/${child}/plan-actions`, worker.token, {
      description: 'x',
      ownerName: 'y',
      agencyId: agency.education,
      dueOn: today,
      meetingId: crypto.randomUUID(),
    });
    assert.equal(wrongMeeting.statusCode, 400);
    const badReview = await call('POST', `/api/v1/children/${child}/strategy-meetings`, worker.token, {
      meetingKind: 'meeting',
      heldOn: today,
      attendingAgencyIds: [],
      attendees: 'a',
      decisions: 'b',
      riskLevel: 'low',
      nextReviewOn: '2000-01-01',
    });
    assert.equal(badReview.statusCode, 400);
  });
});

describe('the chronology through the API', () => {
  test('every event as JSON in order; rows the token may not see are {kind, date, withheld: true} and nothing more', async () => {
    // A concern children's services raised about the child: an agency-scoped school token may not read it.
    await aConcern(ctx, { partnership_id: northmere, child_id: child, source: 'professional', raised_by_agency_id: agency.childrens_services! });
    const school = await tokens.createToken('School chronology reader', 'school', ['practitioner'], { scopes: ['chronology:read'] });
    const r = await call('GET', `/api/v1/children/${child}/chronology`, school.token);
    assert.equal(r.statusCode, 200, r.body);
    const { entries } = body<{ entries: (Json & { kind: string; date: string; withheld: boolean })[] }>(r);
    const kinds = new Set(entries.map((e) => e.kind));
    for (const kind of ['assessment', 'missing', 'return_interview', 'meeting', 'plan_action', 'action_done']) assert.ok(kinds.has(kind), kind);
    const withheld = entries.filter((e) => e.withheld);
    assert.ok(withheld.length > 0, 'the concern is withheld, not dropped');
    for (const w of withheld) assert.deepEqual(Object.keys(w).sort(), ['date', 'kind', 'withheld']);
    const dates = entries.map((e) => e.date);
    assert.deepEqual(dates, [...dates].sort(), 'oldest first');

    const full = body<{ entries: { kind: string; withheld: boolean }[] }>(await call('GET', `/api/v1/children/${child}/chronology`, worker.token)).entries;
    assert.ok(
      full.some((e) => e.kind === 'concern' && !e.withheld),
      'the owning agency reads it',
    );
    const filtered = body<{ entries: { kind: string }[] }>(await call('GET', `/api/v1/children/${child}/chronology?type=meeting`, worker.token)).entries;
    assert.ok(filtered.length > 0 && filtered.every((e) => e.kind === 'meeting'));
    assert.equal((await call('GET', `/api/v1/children/${child}/chronology?type=gossip`, worker.token)).statusCode, 400);
    assert.equal((await call('GET', `/api/v1/children/${child}/chronology?agency=nope`, worker.token)).statusCode, 400);
  });
});

describe('referrals to services and case notes through the API', () => {
  test('a token finds a service, refers the child, updates the referral and lists it; each call leaves one audit row', async () => {
    const services = await call('GET', '/api/v1/directory-services?q=', worker.token);
    assert.equal(services.statusCode, 200, services.body);
    const service = body<{ services: { id: string; name: string }[] }>(services).services[0];
    assert.ok(service, 'the seeded directory');
    const found = body<{ services: { id: string }[] }>(await call('GET', `/api/v1/directory-services?q=${encodeURIComponent(service.name)}`, worker.token));
    assert.ok(
      found.services.some((s) => s.id === service.id),
      'searched by name',
    );

    const before = await auditCount(worker.id);
    const created = await call('POST', `/api/v1/children/${child}/referrals`, worker.token, {
      serviceId: service.id,
      referredOn: today,
      referredByName: 'Social worker (API)',
      status: 'referred',
    });
    assert.equal(created.statusCode, 201, created.body);
    const { id } = body<{ id: string }>(created);
    assert.equal(await auditCount(worker.id), before + 1);
    const [audit] = await ctx.ownerQuery<{ action: string; record_id: string; details: Json }>(
      `SELECT action, record_id, details FROM audit_events WHERE details->>'apiToken' = $1 ORDER BY id DESC LIMIT 1`,
      [worker.id],
    );
    assert.deepEqual([audit!.action, audit!.record_id, audit!.details.record], ['record.create', child, 'service_referral']);

    const updated = await call('PUT', `/api/v1/children/${child}/referrals/${id}`, worker.token, { status: 'attending', outcomeNote: 'Attends weekly.' });
    assert.equal(updated.statusCode, 200, updated.body);
    const list = await call('GET', `/api/v1/children/${child}/referrals`, worker.token);
    assert.equal(list.statusCode, 200, list.body);
    const referral = body<{ referrals: { id: string; service_id: string; status: string; outcome_note: string; referred_by_agency_id: string }[] }>(
      list,
    ).referrals.find((r) => r.id === id);
    assert.deepEqual(
      referral && [referral.service_id, referral.status, referral.outcome_note, referral.referred_by_agency_id],
      [service.id, 'attending', 'Attends weekly.', agency.childrens_services],
      'the token’s agency refers when none is named',
    );
    assert.equal(await auditCount(worker.id), before + 3, 'the update and the list each audited');
    assert.equal(
      (await call('PUT', `/api/v1/children/${child}/referrals/${crypto.randomUUID()}`, worker.token, { status: 'completed' })).statusCode,
      404,
      'another referral id',
    );
  });

  test('the service’s refusals are 400 on their field; an invalid referral writes nothing', async () => {
    const [{ id: serviceId }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM directory_services WHERE partnership_id = $1 AND active LIMIT 1`, [
      northmere,
    ])) as [{ id: string }];
    const valid = { serviceId, referredOn: today, referredByName: 'Worker', status: 'referred' };
    const count = async () => (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM service_referrals WHERE child_id = $1`, [child]))[0]!.n;
    const before = await count();
    for (const [what, payload, field] of [
      ['unknown service', { ...valid, serviceId: crypto.randomUUID() }, 'serviceId'],
      ['unknown agency', { ...valid, referredByAgencyId: crypto.randomUUID() }, 'referredByAgencyId'],
      ['a future day', { ...valid, referredOn: '2999-01-01' }, 'referredOn'],
      ['unknown status', { ...valid, status: 'lost' }, 'status'],
      ['unknown field', { ...valid, extra: 1 }, ''],
      ['impossible date', { ...valid, referredOn: '2026-02-30' }, 'referredOn'],
    ] as const) {
      const r = await call('POST', `/api/v1/children/${child}/referrals`, worker.token, payload);
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      const error = body<{ error: { code: string; issues: { path: string }[] } }>(r).error;
      assert.equal(error.code, 'LANTERN_E_VALIDATION', what);
      if (field)
        assert.ok(
          error.issues.some((i) => i.path === field),
          `${what}: ${JSON.stringify(error.issues)}`,
        );
    }
    assert.equal(await count(), before);
  });

  test('a token adds a case note (its author the token’s name) and reads the notes newest first; an empty note is 400', async () => {
    const before = await auditCount(worker.id);
    const created = await call('POST', `/api/v1/children/${child}/case-notes`, worker.token, { body: 'Visited at home; spoke with her alone.' });
    assert.equal(created.statusCode, 201, created.body);
    const { id } = body<{ id: string }>(created);
    const [audit] = await ctx.ownerQuery<{ action: string; details: Json }>(
      `SELECT action, details FROM audit_events WHERE details->>'apiToken' = $1 ORDER BY id DESC LIMIT 1`,
      [worker.id],
    );
    assert.deepEqual([audit!.action, audit!.details.record], ['record.create', 'case_note']);
    const list = await call('GET', `/api/v1/children/${child}/case-notes`, worker.token);
    assert.equal(list.statusCode, 200, list.body);
    const [first] = body<{ notes: { id: string; body: string; author_name: string }[] }>(list).notes;
    assert.deepEqual(first, { ...first!, id, body: 'Visited at home; spoke with her alone.', author_name: 'Children’s services case system' });
    assert.equal(await auditCount(worker.id), before + 2);
    for (const payload of [{ body: '   ' }, {}, { body: 'x'.repeat(8001) }, { body: 'ok', author: 'someone else' }]) {
      const r = await call('POST', `/api/v1/children/${child}/case-notes`, worker.token, payload);
      assert.equal(r.statusCode, 400, JSON.stringify(payload).slice(0, 60));
    }
    assert.equal(await auditCount(worker.id), before + 2, 'refused notes leave no row');
  });
});

/** Every casework route, with a body that would be valid. */
function everyRoute(childId: string): { method: 'GET' | 'POST' | 'PUT'; url: string; write: boolean; body?: Json }[] {
  const record = crypto.randomUUID();
  const at = '2026-11-01T10:00:00Z';
  return [
    { method: 'GET', url: `/api/v1/children/${childId}/risk-assessments`, write: false },
    { method: 'GET', url: `/api/v1/children/${childId}/risk-assessments/${record}`, write: false },
    {
      method: 'POST',
      url: `/api/v1/children/${childId}/risk-assessments`,
      write: true,
      body: {
        toolId: record,
        assessedOn: '2026-11-01',
        knownToSocialCare: true,
        inCare: false,
        childProtectionPlan: false,
        youthJustice: false,
        answers: {},
        judgementLevel: 'low',
        judgementReasons: 'r',
      },
    },
    { method: 'GET', url: `/api/v1/children/${childId}/episodes`, write: false },
    { method: 'GET', url: `/api/v1/children/${childId}/episodes/${record}`, write: false },
    {
      method: 'POST',
      url: `/api/v1/children/${childId}/episodes`,
      write: true,
      body: { episodeType: 'absent', startedAt: at, reportedBy: 'x', riskLevel: 'low' },
    },
    { method: 'POST', url: `/api/v1/children/${childId}/episodes/${record}/return`, write: true, body: { returnedAt: at } },
    {
      method: 'POST',
      url: `/api/v1/children/${childId}/episodes/${record}/interview`,
      write: true,
      body: { offeredAt: at, interviewerName: 'x', interviewerAgencyId: record, independent: true, outcome: 'declined' },
    },
    { method: 'GET', url: `/api/v1/children/${childId}/strategy-meetings`, write: false },
    { method: 'GET', url: `/api/v1/children/${childId}/strategy-meetings/${record}`, write: false },
    {
      method: 'POST',
      url: `/api/v1/children/${childId}/strategy-meetings`,
      write: true,
      body: { meetingKind: 'discussion', heldOn: '2026-11-01', attendingAgencyIds: [record], attendees: 'a', decisions: 'b', riskLevel: 'low' },
    },
    { method: 'GET', url: `/api/v1/children/${childId}/plan-actions`, write: false },
    {
      method: 'POST',
      url: `/api/v1/children/${childId}/plan-actions`,
      write: true,
      body: { description: 'a', ownerName: 'b', agencyId: record, dueOn: '2026-11-01' },
    },
    { method: 'POST', url: `/api/v1/children/${childId}/plan-actions/${record}/done`, write: true },
    { method: 'GET', url: `/api/v1/children/${childId}/chronology`, write: false },
    { method: 'GET', url: `/api/v1/children/${childId}/referrals`, write: false },
    {
      method: 'POST',
      url: `/api/v1/children/${childId}/referrals`,
      write: true,
      body: { serviceId: record, referredOn: '2026-11-01', referredByName: 'x', status: 'referred' },
    },
    { method: 'PUT', url: `/api/v1/children/${childId}/referrals/${record}`, write: true, body: { status: 'withdrawn' } },
    { method: 'GET', url: `/api/v1/children/${childId}/case-notes`, write: false },
    { method: 'POST', url: `/api/v1/children/${childId}/case-notes`, write: true, body: { body: 'A note' } },
  ];
}

describe('what a token may not do', () => {
  test('another agency’s token without access, a restricted child and another partnership’s child: 404 on every route, nothing written', async () => {
    const health = await tokens.createToken('Health record system', 'school', ['practitioner']);
    const count = async () =>
      (
        await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action LIKE 'record.%' AND details->>'apiToken' IN ($1, $2)`, [
          health.id,
          worker.id,
        ])
      )[0]!.n;
    const other = await aChild(ctx, { partnership_id: northmere, owning_agency_id: agency.childrens_services! });
    const before = await count();
    for (const [who, token, childId] of [
      ['another agency', health.token, other],
      ['a restricted child, even for the owning agency', worker.token, restrictedChild],
      ['another partnership', worker.token, westbrookChild],
    ] as const) {
      for (const r of everyRoute(childId)) {
        const response = await call(r.method, r.url, token, r.body);
        assert.equal(response.statusCode, 404, `${who}: ${r.method} ${r.url} ${response.body}`);
        assert.equal(body<{ error: { code: string } }>(response).error.code, 'LANTERN_E_NOT_FOUND');
      }
    }
    assert.equal(await count(), before, 'nothing read or written');
  });

  test('a read-only token reads and cannot write (403); a token without a family’s scope cannot read it (403)', async () => {
    const readOnly = await tokens.createToken('Read-only casework', 'social-worker', ['practitioner'], {
      scopes: ['children:read', 'assessments:read', 'episodes:read', 'meetings:read', 'plans:read', 'chronology:read', 'referrals:read', 'notes:read'],
    });
    for (const r of everyRoute(child)) {
      const response = await call(r.method, r.url, readOnly.token, r.body);
      if (r.write) {
        assert.equal(response.statusCode, 403, `${r.method} ${r.url}`);
        assert.equal(body<{ error: { code: string } }>(response).error.code, 'LANTERN_E_FORBIDDEN');
      } else assert.ok([200, 404].includes(response.statusCode), `${r.method} ${r.url}: ${response.statusCode}`);
    }
    const childrenOnly = await tokens.createToken('Children only', 'social-worker', ['practitioner'], { scopes: ['children:read'] });
    assert.equal((await call('GET', `/api/v1/children/${child}`, childrenOnly.token)).statusCode, 200);
    for (const r of everyRoute(child)) assert.equal((await call(r.method, r.url, childrenOnly.token, r.body)).statusCode, 403, `${r.method} ${r.url}`);
  });

  test('an analyst token reads casework but its role cannot write it (403), whatever its scopes', async () => {
    const analyst = await tokens.createToken('Analyst workbench', 'analyst', ['analyst']);
    for (const r of everyRoute(child)) {
      const response = await call(r.method, r.url, analyst.token, r.body);
      if (r.write) assert.equal(response.statusCode, 403, `${r.method} ${r.url}`);
      else assert.ok([200, 404].includes(response.statusCode), `${r.method} ${r.url}: ${response.statusCode}`);
    }
  });

  test('an unapproved casework token and no token are refused (401)', async () => {
    const pending = await tokens.createToken('Not yet approved', 'social-worker', ['practitioner'], { approve: false });
    for (const r of everyRoute(child)) {
      assert.equal((await call(r.method, r.url, pending.token, r.body)).statusCode, 401, `${r.method} ${r.url}`);
      assert.equal((await call(r.method, r.url, null, r.body)).statusCode, 401);
    }
  });

  test('malformed ids are 404 and malformed bodies 400, as JSON with a stable code, never 500', async () => {
    for (const url of [
      '/api/v1/children/not-a-uuid/risk-assessments',
      `/api/v1/children/${child}/risk-assessments/42`,
      '/api/v1/children/%ZZ/episodes',
      `/api/v1/children/${child}/episodes/${'x'.repeat(500)}`,
      "/api/v1/children/1'or'1/chronology",
      '/api/v1/children/not-a-uuid/case-notes',
      '/api/v1/children/42/referrals',
    ]) {
      const r = await call('GET', url, worker.token);
      assert.equal(r.statusCode, url.includes('%ZZ') ? 400 : 404, url);
      assert.match(body<{ error: { code: string } }>(r).error.code, /^LANTERN_E_/);
    }
    for (const [method, url] of [
      ['POST', '/api/v1/children/not-a-uuid/case-notes'],
      ['POST', '/api/v1/children/not-a-uuid/referrals'],
      ['PUT', `/api/v1/children/${child}/referrals/not-a-uuid`],
    ] as const) {
      const r = await call(method, url, worker.token, method === 'PUT' ? { status: 'withdrawn' } : { body: 'A note' });
      assert.equal(r.statusCode, 404, `${method} ${url}`);
      assert.equal(body<{ error: { code: string } }>(r).error.code, 'LANTERN_E_NOT_FOUND');
    }
    for (const payload of [null, [], 'text', { episodeType: 'missing', startedAt: 'now', reportedBy: 'x\u0000y', riskLevel: 'low' }]) {
      const r = await call('POST', `/api/v1/children/${child}/episodes`, worker.token, payload === null ? 'null' : payload);
      assert.equal(r.statusCode, 400, JSON.stringify(payload));
    }
  });
});

describe('the OpenAPI document', () => {
  test('every /api/v1 route is described with its parameters, request body, responses and the scope it needs', async () => {
    const r = await call('GET', '/api/openapi.json', null);
    assert.equal(r.statusCode, 200);
    type Operation = {
      parameters?: { in: string; name: string }[];
      requestBody?: { content: Record<string, { schema: unknown }> };
      responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
      security?: Record<string, string[]>[];
      operationId?: string;
    };
    const doc = body<{ paths: Record<string, Record<string, Operation>> }>(r);
    const apiRoutes = (ctx.app as unknown as { routeTable: { method: string; url: string }[] }).routeTable.filter((route) => route.url.startsWith('/api/v1/'));
    assert.ok(apiRoutes.length >= 20, `${apiRoutes.length} routes`);
    for (const route of apiRoutes) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${path} is in the document`);
      assert.ok(operation.operationId, `${route.method} ${path} has an operationId`);
      const success = operation.responses['200'] ?? operation.responses['201'];
      assert.ok(success?.content?.['application/json']?.schema, `${route.method} ${path} describes its answer`);
      for (const status of ['400', '401', '403']) assert.ok(operation.responses[status], `${route.method} ${path} describes ${status}`);
      for (const name of [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]))
        assert.ok(
          operation.parameters?.some((p) => p.in === 'path' && p.name === name),
          `${route.method} ${path} describes :${name}`,
        );
      // Actions that take no body: marking done, building a MACE agenda.
      if (route.method === 'POST' && !route.url.endsWith('/done') && !route.url.endsWith('/agenda'))
        assert.ok(operation.requestBody?.content['application/json']?.schema, `${route.method} ${path} describes its request body`);
      assert.match(operation.security?.[0]?.bearerToken?.[0] ?? '', /^[a-z]+:(read|write)$/, `${route.method} ${path} names its scope`);
    }
    const paths = Object.keys(doc.paths).length;
    assert.ok(paths >= 15, `${paths} paths`);
  });
});
