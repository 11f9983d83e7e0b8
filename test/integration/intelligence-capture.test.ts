import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { foundLocationCounts } from '../../src/features/intelligence/repository.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Issue 12 §1 and §2, the rest: entities captured from a concern, a return interview and a strategy
 * meeting (the entity and its link to the child in one transaction, the source record on the link, back
 * to the record with a banner; only the intelligence roles are offered it); events recorded, viewed and
 * shown on the entity pages and the child's record; a missing episode's found location recorded once as
 * an event and a found_at link that the hotspot count sees; a C report released by its agency's analyst
 * with a reason, audited, after which — and only after which — the co-ordinator reads its sanitised text
 * (pages and row-level security), never the original.
 */
let ctx: TestContext;
let northmere: string;
const agencies: Record<string, string> = {};
const agents: Record<string, Agent> = {};
const fixtures = { child: '', childLabel: '', reference: '', interview: '', episode: '', meeting: '', meetingChild: '', concern: '', concernChild: '' };

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agencies[a.kind] = a.id;
  for (const key of ['analyst', 'coordinator', 'social-worker', 'police'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
  const [interview] = await ctx.ownerQuery<{ id: string; child_id: string; episode_id: string; reference: string; given_name: string; family_name: string }>(
    `SELECT i.id, i.child_id, i.episode_id, c.reference, c.given_name, c.family_name FROM return_interviews i
       JOIN missing_episodes e ON e.id = i.episode_id JOIN children c ON c.id = i.child_id
      WHERE i.partnership_id = $1 AND NOT c.restricted AND e.where_found IS NOT NULL ORDER BY c.reference LIMIT 1`,
    [northmere],
  );
  assert.ok(interview, 'a demo return interview after an episode with where found');
  Object.assign(fixtures, {
    child: interview.child_id,
    childLabel: `${interview.given_name} ${interview.family_name} (${interview.reference})`,
    reference: interview.reference,
    interview: interview.id,
    episode: interview.episode_id,
  });
  const [meeting] = await ctx.ownerQuery<{ id: string; child_id: string }>(
    `SELECT m.id, m.child_id FROM strategy_meetings m JOIN children c ON c.id = m.child_id WHERE m.partnership_id = $1 AND NOT c.restricted ORDER BY m.held_on LIMIT 1`,
    [northmere],
  );
  const [concern] = await ctx.ownerQuery<{ id: string; child_id: string }>(
    `SELECT k.id, k.child_id FROM concerns k JOIN children c ON c.id = k.child_id WHERE k.partnership_id = $1 AND NOT c.restricted ORDER BY k.received_at LIMIT 1`,
    [northmere],
  );
  Object.assign(fixtures, { meeting: meeting!.id, meetingChild: meeting!.child_id, concern: concern!.id, concernChild: concern!.child_id });
});
after(async () => ctx.close());

const auditRows = (recordType: string, recordId?: string) =>
  ctx.ownerQuery<{ action: string; details: Record<string, unknown> | null; disclosed_ids: string[] | null }>(
    `SELECT action, details, disclosed_ids FROM audit_events WHERE record_type = $1 AND ($2::text IS NULL OR record_id = $2) ORDER BY seq`,
    [recordType, recordId ?? null],
  );
const count = async (query: string, params: unknown[] = []) => (await ctx.ownerQuery<{ n: number }>(query, params))[0]!.n;

describe('capture from casework records', () => {
  test('the missing page offers the intelligence roles “add a person, place or vehicle mentioned here” on a return interview, and no one else', async () => {
    const path = `/children/${fixtures.child}/missing`;
    const analyst = await agents.analyst!.get(path);
    assert.equal(analyst.statusCode, 200);
    assert.match(analyst.body, /Add a person, place or vehicle mentioned here/);
    assert.ok(analyst.body.includes(`/intelligence/objects/new?sourceKind=return_interview&amp;sourceId=${fixtures.interview}`));
    assert.ok(analyst.body.includes(`/intelligence/events/new?episode=${fixtures.episode}`), 'and to record where the child was found');
    const worker = await agents['social-worker']!.get(path);
    if (worker.statusCode === 200) {
      assert.doesNotMatch(worker.body, /mentioned here/);
      assert.doesNotMatch(worker.body, /\/intelligence\//);
    }
    const refused = await agents['social-worker']!.get(`/intelligence/objects/new?sourceKind=return_interview&sourceId=${fixtures.interview}`);
    assert.equal(refused.statusCode, 403);
  });

  test('the analyst adds a vehicle from a return interview: the vehicle and its link from the child in one go, the source on the link, back with a banner', async () => {
    const analyst = agents.analyst!;
    const formPath = `/intelligence/objects/new?sourceKind=return_interview&sourceId=${fixtures.interview}`;
    const form = await analyst.get(formPath);
    assert.equal(form.statusCode, 200);
    assert.ok(form.body.includes(fixtures.childLabel.replace(/'/g, '&#39;')), 'the form names the child');
    assert.match(form.body, /Source: Return interview \d{1,2} \w+ \d{4}/);
    assert.match(form.body, /name="sourceId" value="[0-9a-f-]{36}"/);

    // Without the link's relation and confidence: 400, and nothing saved.
    const before = await count(`SELECT count(*)::int AS n FROM intel_objects`);
    const refused = await analyst.post('/intelligence/objects/new', {
      kind: 'vehicle',
      registration: 'CP21 TUR',
      sourceKind: 'return_interview',
      sourceId: fixtures.interview,
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /There is a problem/);
    assert.match(refused.body, /Select the link/);
    assert.match(refused.body, /Source: Return interview/, 'the form still says where it came from');
    assert.equal(await count(`SELECT count(*)::int AS n FROM intel_objects`), before);

    const saved = await analyst.post('/intelligence/objects/new', {
      kind: 'vehicle',
      registration: 'CP21 TUR',
      make: 'Vauxhall',
      model: 'Corsa',
      colour: 'Black',
      sourceKind: 'return_interview',
      sourceId: fixtures.interview,
      captureRelation: 'seen_with',
      captureConfidence: 'medium',
    });
    assert.equal(saved.statusCode, 302, saved.body);
    assert.equal(saved.headers.location, `/children/${fixtures.child}/missing`);
    const back = await analyst.get(saved.headers.location);
    assert.match(back.body, /Vehicle, phone or account added and linked to the child/);
    const [link] = await ctx.ownerQuery<{
      to_id: string;
      relation: string;
      source: string;
      source_record_kind: string;
      source_record_id: string;
      confidence: string;
    }>(
      `SELECT l.to_id, l.relation, l.source, l.source_record_kind, l.source_record_id, l.confidence FROM intel_links l JOIN intel_objects o ON o.id = l.to_id
        WHERE o.vrm_key = 'CP21TUR' AND l.from_kind = 'child' AND l.from_id = $1`,
      [fixtures.child],
    );
    assert.ok(link, 'the child is linked to the new vehicle');
    assert.equal(link.relation, 'seen_with');
    assert.equal(link.confidence, 'medium');
    assert.equal(link.source_record_kind, 'return_interview');
    assert.equal(link.source_record_id, fixtures.interview);
    assert.match(link.source, /^Return interview \d{1,2} \w+ \d{4}$/);
    assert.deepEqual(
      (await auditRows('intel_object', link.to_id)).map((a) => a.action),
      ['record.create'],
    );
    const [linkAudit] = await auditRows('intel_link');
    assert.ok(
      (await auditRows('intel_link')).some((a) => a.details?.source === `return_interview:${fixtures.interview}`),
      JSON.stringify(linkAudit),
    );
    // The vehicle's page shows the link to the child with its source.
    const page = await analyst.get(`/intelligence/objects/${link.to_id}`);
    assert.match(page.body, /Return interview \d{1,2} \w+ \d{4}/);
  });

  test('the co-ordinator adds a person from a strategy meeting and a place from a concern; each back where it came from', async () => {
    const coordinator = agents.coordinator!;
    const meetings = await coordinator.get(`/children/${fixtures.meetingChild}/meetings`);
    assert.equal(meetings.statusCode, 200);
    assert.ok(meetings.body.includes(`/intelligence/persons/new?sourceKind=strategy_meeting&amp;sourceId=${fixtures.meeting}`));
    const person = await coordinator.post('/intelligence/persons/new', {
      aliases: 'Capture Kid',
      status: 'active',
      owningAgencyId: agencies.partnership!,
      sourceKind: 'strategy_meeting',
      sourceId: fixtures.meeting,
      captureRelation: 'associates_with',
      captureConfidence: 'low',
    });
    assert.equal(person.statusCode, 302, person.body);
    assert.equal(person.headers.location, `/children/${fixtures.meetingChild}/meetings`);
    assert.equal(
      await count(
        `SELECT count(*)::int AS n FROM intel_links l JOIN persons_of_concern p ON p.id = l.to_id
          WHERE 'Capture Kid' = ANY (p.aliases) AND l.source_record_kind = 'strategy_meeting' AND l.source_record_id = $1 AND l.from_id = $2`,
        [fixtures.meeting, fixtures.meetingChild],
      ),
      1,
    );

    const concernPage = await coordinator.get(`/triage/${fixtures.concern}`);
    assert.equal(concernPage.statusCode, 200);
    assert.ok(concernPage.body.includes(`/intelligence/locations/new?sourceKind=concern&amp;sourceId=${fixtures.concern}`));
    const place = await coordinator.post('/intelligence/locations/new', {
      name: 'Capture Park',
      kind: 'park',
      sourceKind: 'concern',
      sourceId: fixtures.concern,
      captureRelation: 'frequents',
      captureConfidence: 'high',
    });
    assert.equal(place.statusCode, 302, place.body);
    assert.equal(place.headers.location, `/triage/${fixtures.concern}`);
    assert.match((await coordinator.get(`/triage/${fixtures.concern}`)).body, /Location added and linked to the child/);
  });

  test('a capture that fails after the entity is written leaves nothing: an unknown source record is 404 and no entity is saved', async () => {
    const analyst = agents.analyst!;
    const before = await count(`SELECT count(*)::int AS n FROM intel_locations`);
    const unknown = crypto.randomUUID();
    assert.equal((await analyst.get(`/intelligence/locations/new?sourceKind=return_interview&sourceId=${unknown}`)).statusCode, 404);
    const r = await analyst.post('/intelligence/locations/new', {
      name: 'Orphan place',
      kind: 'park',
      sourceKind: 'strategy_meeting',
      sourceId: unknown,
      captureRelation: 'frequents',
      captureConfidence: 'high',
    });
    assert.equal(r.statusCode, 404);
    assert.equal(await count(`SELECT count(*)::int AS n FROM intel_locations`), before, 'the location was rolled back with the link');
    assert.equal((await analyst.get(`/intelligence/locations/new?sourceKind=return_interview&sourceId=not-a-uuid`)).statusCode, 400);
    assert.equal((await analyst.get(`/intelligence/locations/new?sourceKind=diary&sourceId=${unknown}`)).statusCode, 400);
  });
});

describe('events', () => {
  let event = '';

  test('the co-ordinator records a sighting linked to a child, a person and a vehicle; its page, the entities’ pages and the child’s record list it', async () => {
    const coordinator = agents.coordinator!;
    assert.equal((await coordinator.get('/intelligence/events/new')).statusCode, 200);
    const [dean] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 AND 'Dean' = ANY (aliases)`, [northmere]);
    const [car] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_objects WHERE vrm_key = 'NM19KXE'`);
    const undated = await coordinator.post('/intelligence/events/new', { kind: 'missing_from', description: 'x', source: 'y' });
    assert.equal(undated.statusCode, 400);
    assert.match(undated.body, /Enter the date of the event/);
    const nowhere = await coordinator.post('/intelligence/events/new', {
      kind: 'missing_from',
      'occurredOn-day': '3',
      'occurredOn-month': '11',
      'occurredOn-year': '2026',
      description: 'x',
      source: 'y',
    });
    assert.equal(nowhere.statusCode, 400);
    assert.match(nowhere.body, /Select the location or the area/);
    const saved = await coordinator.post('/intelligence/events/new', {
      kind: 'sighting',
      'occurredOn-day': '3',
      'occurredOn-month': '11',
      'occurredOn-year': '2026',
      description: 'EVENT-TEST: the Audi outside the school gates at 15:30.',
      source: 'School staff call',
      childReference: fixtures.reference.toLowerCase(),
      personId: dean!.id,
      objectId: car!.id,
    });
    assert.equal(saved.statusCode, 302, saved.body);
    const match = /^\/intelligence\/events\/([0-9a-f-]{36})$/.exec(String(saved.headers.location));
    assert.ok(match);
    event = match[1]!;
    const page = await coordinator.get(`/intelligence/events/${event}`);
    assert.match(page.body, /Event recorded/);
    assert.match(page.body, /EVENT-TEST/);
    assert.ok(page.body.includes(`/intelligence/persons/${dean!.id}`));
    assert.ok(page.body.includes(`/children/${fixtures.child}`));
    assert.equal(await count(`SELECT count(*)::int AS n FROM intel_event_links WHERE event_id = $1`, [event]), 3);
    assert.deepEqual(
      (await auditRows('intel_event', event)).map((a) => a.action),
      ['record.create', 'record.view'],
    );
    for (const path of [`/intelligence/persons/${dean!.id}`, `/intelligence/objects/${car!.id}`, `/children/${fixtures.child}`]) {
      const r = await coordinator.get(path);
      assert.ok(r.body.includes(`/intelligence/events/${event}`), `${path} lists the event`);
    }
    assert.match((await coordinator.get('/intelligence/events')).body, /EVENT-TEST/);
  });

  test('nobody else reads events: pages 403, row-level security none; malformed ids 404', async () => {
    for (const key of ['social-worker', 'police']) {
      assert.equal((await agents[key]!.get('/intelligence/events')).statusCode, 403);
      assert.equal((await agents[key]!.get(`/intelligence/events/${event}`)).statusCode, 403);
    }
    assert.doesNotMatch((await agents['social-worker']!.get(`/children/${fixtures.child}`)).body, /EVENT-TEST/);
    const practitioner: TrustedActor = { userId: null, partnershipId: northmere, agencyId: agencies.police!, roles: ['practitioner'], label: 'capture test' };
    const seen = await withTrustedActor(
      ctx.handle.owner,
      practitioner,
      async (tx) =>
        (await sql<{ n: number }>`SELECT (SELECT count(*) FROM intel_events)::int + (SELECT count(*) FROM intel_event_links)::int AS n`.execute(tx)).rows[0]!.n,
    );
    assert.equal(seen, 0);
    assert.equal((await agents.coordinator!.get('/intelligence/events/not-a-uuid')).statusCode, 404);
    assert.equal((await agents.coordinator!.get(`/intelligence/events/${crypto.randomUUID()}`)).statusCode, 404);
    assert.equal((await agents.coordinator!.get('/intelligence/events/new?episode=nope')).statusCode, 400);
    assert.equal((await agents.coordinator!.get(`/intelligence/events/new?episode=${crypto.randomUUID()}`)).statusCode, 404);
  });

  test('a missing episode’s found location: prefilled from the episode, saved once as an event and a found_at link, counted as a hotspot', async () => {
    const analyst = agents.analyst!;
    const form = await analyst.get(`/intelligence/events/new?episode=${fixtures.episode}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Record where a missing child was found/);
    assert.match(form.body, /Found at: /);
    assert.match(form.body, /Missing episode \d{1,2} \w+ \d{4}/);
    const values: Record<string, string> = Object.fromEntries(
      [...form.body.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)]
        .filter((m) => m[1] !== '_csrf')
        .map((m) => [m[1]!, m[2]!.replace(/&#39;/g, "'")]),
    );
    const description = /<textarea[^>]*name="description"[^>]*>([^<]*)</.exec(form.body)?.[1] ?? '';
    const [takeaway] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_locations WHERE partnership_id = $1 AND name = 'Ferry Road Grill'`, [
      northmere,
    ]);
    const countsBefore = await withTrustedActor(
      ctx.handle.owner,
      { userId: null, partnershipId: northmere, agencyId: agencies.police!, roles: ['analyst'], label: 'capture test' },
      (tx) => foundLocationCounts(tx),
    );
    const before = countsBefore.find((c) => c.id === takeaway!.id)?.found ?? 0;
    const posted: Record<string, string> = { ...values, description: description.trim(), locationId: takeaway!.id };
    assert.equal(posted.episodeId, fixtures.episode);
    assert.equal(posted.kind, 'found_location');
    const saved = await analyst.post('/intelligence/events/new', posted);
    assert.equal(saved.statusCode, 302, saved.body);
    const [row] = await ctx.ownerQuery<{ id: string; source_record_kind: string; source_record_id: string }>(
      `SELECT id, source_record_kind, source_record_id FROM intel_events WHERE kind = 'found_location' AND source_record_id = $1`,
      [fixtures.episode],
    );
    assert.equal(row?.source_record_kind, 'missing_episode');
    assert.equal(
      await count(
        `SELECT count(*)::int AS n FROM intel_links WHERE from_kind = 'child' AND from_id = $1 AND relation = 'found_at' AND to_id = $2 AND source_record_kind = 'missing_episode' AND source_record_id = $3`,
        [fixtures.child, takeaway!.id, fixtures.episode],
      ),
      1,
    );
    assert.equal(await count(`SELECT count(*)::int AS n FROM intel_event_links WHERE event_id = $1`, [row.id]), 2, 'the child and the place');
    const countsAfter = await withTrustedActor(
      ctx.handle.owner,
      { userId: null, partnershipId: northmere, agencyId: agencies.police!, roles: ['analyst'], label: 'capture test' },
      (tx) => foundLocationCounts(tx),
    );
    assert.equal(countsAfter.find((c) => c.id === takeaway!.id)?.found, before + 1);
    // Twice: refused on the form, nothing more written.
    const again = await analyst.post('/intelligence/events/new', posted);
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /already been recorded for this episode/);
    assert.equal(await count(`SELECT count(*)::int AS n FROM intel_events WHERE source_record_id = $1`, [fixtures.episode]), 1);
  });
});

describe('releasing a C report', () => {
  let report = '';
  const coordinatorActor = (): TrustedActor => ({
    userId: null,
    partnershipId: northmere,
    agencyId: agencies.partnership!,
    roles: ['coordinator'],
    label: 'capture test',
  });
  const coordinatorSees = (id: string) =>
    withTrustedActor(ctx.handle.owner, coordinatorActor(), async (tx) => {
      const reports = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM intel_reports WHERE id = ${id}`.execute(tx)).rows[0]!.n;
      const originals = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM intel_report_originals WHERE report_id = ${id}`.execute(tx)).rows[0]!.n;
      const links = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM intel_report_links WHERE report_id = ${id}`.execute(tx)).rows[0]!.n;
      return { reports, originals, links };
    });

  test('before release the co-ordinator cannot see a police C report: 404, row-level security none, not on the entity’s page', async () => {
    const analyst = agents.analyst!;
    await analyst.get('/intelligence/reports/new');
    const saved = await analyst.post('/intelligence/reports/new', {
      sourceEvaluation: '1',
      intelligenceAssessment: 'B',
      handlingCode: 'C',
      handlingConditions: 'Partnership intelligence roles only once released',
      'obtainedOn-day': '1',
      'obtainedOn-month': '11',
      'obtainedOn-year': '2026',
      officerName: 'DC 9 Release Test',
      sanitisedText: 'Sanitised RELEASE-TEST: a car seen at the park.',
      originalText: 'Original RELEASE-TEST: the informant’s name.',
    });
    assert.equal(saved.statusCode, 302);
    report = /([0-9a-f-]{36})$/.exec(String(saved.headers.location))![1]!;
    await analyst.post(`/intelligence/reports/${report}/links`, { targetKind: 'child', childReference: fixtures.reference });
    assert.equal((await agents.coordinator!.get(`/intelligence/reports/${report}`)).statusCode, 404);
    assert.doesNotMatch((await agents.coordinator!.get('/intelligence/reports')).body, /RELEASE-TEST/);
    assert.doesNotMatch((await agents.coordinator!.get(`/children/${fixtures.child}`)).body, /RELEASE-TEST/);
    assert.deepEqual(await coordinatorSees(report), { reports: 0, originals: 0, links: 0 });
    // The analyst's page offers the release; the co-ordinator cannot release what it cannot see.
    assert.match((await analyst.get(`/intelligence/reports/${report}`)).body, /Release the report/);
    await agents.coordinator!.get('/intelligence/reports');
    assert.equal((await agents.coordinator!.post(`/intelligence/reports/${report}/release`, { reason: 'Want it' })).statusCode, 404);
  });

  test('the database refuses a release by anyone but the owning agency’s analyst, and an un-release', async () => {
    const refusedBy = async (as: TrustedActor) => {
      try {
        await withTrustedActor(ctx.handle.owner, as, async (tx) => {
          await tx
            .insertInto('intel_report_releases')
            .values({ report_id: report, partnership_id: northmere, agency_id: agencies.police!, reason: 'not allowed' })
            .execute();
        });
        return false;
      } catch (error) {
        return /row-level security/.test((error as Error).message);
      }
    };
    assert.ok(
      await refusedBy({ userId: null, partnershipId: northmere, agencyId: agencies.police!, roles: ['coordinator'], label: 't' }),
      'a police co-ordinator',
    );
    assert.ok(await refusedBy(coordinatorActor()), 'the partnership’s co-ordinator');
    const updated = await withTrustedActor(
      ctx.handle.owner,
      { userId: null, partnershipId: northmere, agencyId: agencies.police!, roles: ['coordinator'], label: 't' },
      async (tx) =>
        Number((await tx.updateTable('intel_reports').set({ released_to_partnership: true }).where('id', '=', report).executeTakeFirst()).numUpdatedRows),
    );
    assert.equal(updated, 0, 'a co-ordinator of the police updates no report');
    // Even the analyst cannot set the flag without a release row.
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, { userId: null, partnershipId: northmere, agencyId: agencies.police!, roles: ['analyst'], label: 't' }, (tx) =>
        tx.updateTable('intel_reports').set({ released_to_partnership: true }).where('id', '=', report).execute(),
      ),
      /row-level security/,
    );
  });

  test('the analyst releases it with a reason (audited); then the co-ordinator reads the sanitised text and links, never the original', async () => {
    const analyst = agents.analyst!;
    const empty = await analyst.post(`/intelligence/reports/${report}/release`, { reason: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Enter the reason for release/);
    const released = await analyst.post(`/intelligence/reports/${report}/release`, { reason: 'Needed for the child’s safety plan; agreed by DI Evans.' });
    assert.equal(released.statusCode, 302);
    const page = await analyst.get(`/intelligence/reports/${report}`);
    assert.match(page.body, /Report released to the partnership/);
    assert.match(page.body, /agreed by DI Evans/);
    assert.doesNotMatch(page.body, /Release the report/);
    const audit = (await auditRows('intel_report', report)).find((a) => a.details?.released === true);
    assert.ok(audit, 'the release is audited');
    assert.equal(audit.details?.reason, 'Needed for the child’s safety plan; agreed by DI Evans.');
    assert.deepEqual(await coordinatorSees(report), { reports: 1, originals: 0, links: 1 });
    const coordinator = await agents.coordinator!.get(`/intelligence/reports/${report}`);
    assert.equal(coordinator.statusCode, 200);
    assert.match(coordinator.body, /Sanitised RELEASE-TEST/);
    assert.doesNotMatch(coordinator.body, /Original RELEASE-TEST/);
    assert.doesNotMatch(coordinator.body, /Release the report/);
    assert.match((await agents.coordinator!.get(`/children/${fixtures.child}`)).body, /RELEASE-TEST/);
    // Once only.
    const twice = await analyst.post(`/intelligence/reports/${report}/release`, { reason: 'Again' });
    assert.equal(twice.statusCode, 400);
    assert.equal(await count(`SELECT count(*)::int AS n FROM intel_report_releases WHERE report_id = $1`, [report]), 1);
  });
});
