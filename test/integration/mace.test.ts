import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import JSZip from 'jszip';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { aChild, aRiskAssessment, uniqueReference } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';
import { isTaggedPdf, pdfText } from '../helpers/pdf.ts';

/**
 * MACE meetings (issue 12 §4): the VOLT agenda rules (victims at high risk or newly escalated, offenders
 * linked to two or more children or newly identified, places linked to two or more children or where
 * children were found repeatedly), building again adds only what is new and keeps removals, the chair
 * adds and removes items with a reason, minutes, actions in the owning agency's worklist, decisions,
 * the pack withholding restricted items per recipient agency, row-level security and audit rows.
 */
let ctx: TestContext;
let northmere: string;
const agencies: Record<string, string> = {};
const agents: Record<string, Agent> = {};
const kids: Record<string, string> = {};
const entities: Record<string, string> = {};
let meeting = '';

const heldOn = '2027-03-01';
/** The meeting before it: the cut-off for "newly escalated" and "newly identified". */
const previousOn = '2027-02-01';

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agencies[a.kind] = a.id;
  for (const key of ['coordinator', 'analyst', 'school', 'police', 'social-worker'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));

  const cs = agencies.childrens_services!;
  const child = async (name: string, level: 'low' | 'medium' | 'high' | null, assessedOn: string, closed = false) => {
    const id = await aChild(ctx, {
      partnership_id: northmere,
      owning_agency_id: cs,
      reference: uniqueReference('VOLT'),
      given_name: name,
      family_name: 'Volt',
      ...(closed ? { status: 'closed', closed_at: new Date('2026-10-01T10:00Z'), closing_outcome: 'risk_reduced' } : {}),
    });
    if (level) await aRiskAssessment(ctx, { partnership_id: northmere, child_id: id, assessor_agency_id: cs, judgement_level: level, assessed_on: assessedOn });
    kids[name] = id;
  };
  await child('Ada', 'high', '2026-09-01');
  await child('Bea', 'medium', '2027-02-10');
  await child('Cai', 'medium', '2026-09-01');
  await child('Dai', 'low', '2027-02-10');
  await child('Eve', 'high', '2026-09-01', true);
  await child('Fay', 'high', '2027-02-10');

  const person = async (alias: string, createdAt: string, status = 'active') =>
    (entities[alias] = (
      await ctx.ownerQuery<{ id: string }>(
        `INSERT INTO persons_of_concern (partnership_id, aliases, status, owning_agency_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [northmere, [alias], status, agencies.police, createdAt],
      )
    )[0]!.id);
  const place = async (name: string) =>
    (entities[name] = (
      await ctx.ownerQuery<{ id: string }>(
        `INSERT INTO intel_locations (partnership_id, name, kind, created_at) VALUES ($1, $2, 'park', '2026-01-01') RETURNING id`,
        [northmere, name],
      )
    )[0]!.id);
  await person('Twolinks', '2026-01-01');
  await person('Onelink', '2026-01-01');
  await person('Newcomer', '2027-02-15T12:00Z');
  await person('Gone', '2026-01-01', 'deceased');
  await place('Two Children Park');
  await place('Found Twice Park');
  await place('One Child Park');
  const link = (fromKind: string, fromId: string, toKind: string, toId: string, relation: string) =>
    ctx.ownerQuery(
      `INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, source, confidence) VALUES ($1, $2, $3, $4, $5, $6, 'test', 'high')`,
      [northmere, fromKind, fromId, toKind, toId, relation],
    );
  // Either way round: a person seen with a child, a child seen with the person.
  await link('person', entities.Twolinks!, 'child', kids.Ada!, 'seen_with');
  await link('child', kids.Cai!, 'person', entities.Twolinks!, 'seen_with');
  await link('child', kids.Cai!, 'person', entities.Onelink!, 'seen_with');
  await link('child', kids.Ada!, 'person', entities.Gone!, 'seen_with');
  await link('child', kids.Bea!, 'person', entities.Gone!, 'seen_with');
  await link('child', kids.Ada!, 'location', entities['Two Children Park']!, 'frequents');
  await link('location', entities['Two Children Park']!, 'child', kids.Dai!, 'frequents');
  await link('child', kids.Bea!, 'location', entities['Found Twice Park']!, 'found_at');
  await link('child', kids.Bea!, 'location', entities['Found Twice Park']!, 'found_at');
  await link('child', kids.Ada!, 'location', entities['One Child Park']!, 'found_at');
});
after(async () => ctx.close());

const dateFields = (name: string, iso: string) => {
  const [year, month, day] = iso.split('-');
  return { [`${name}-day`]: day!, [`${name}-month`]: month!, [`${name}-year`]: year! };
};
const itemsOf = (meetingId: string) =>
  ctx.ownerQuery<{ id: string; section: string; entity_id: string | null; reasons: string[]; removed_at: Date | null; linked_children: number | null }>(
    `SELECT id, section, entity_id, reasons, removed_at, linked_children FROM mace_agenda_items WHERE meeting_id = $1`,
    [meetingId],
  );
const auditRows = (recordId: string) =>
  ctx.ownerQuery<{ action: string; details: Record<string, unknown> | null; disclosed_ids: string[] | null; reason: string | null }>(
    `SELECT action, details, disclosed_ids, reason FROM audit_events WHERE record_type = 'mace_meeting' AND record_id = $1 ORDER BY seq`,
    [recordId],
  );

async function createMeeting(title: string, on: string): Promise<string> {
  const saved = await agents.coordinator!.post('/mace/new', { title, ...dateFields('heldOn', on), venue: 'Test room' });
  assert.equal(saved.statusCode, 302, saved.body);
  const match = /^\/mace\/([0-9a-f-]{36})$/.exec(String(saved.headers.location));
  assert.ok(match, String(saved.headers.location));
  return match[1]!;
}

describe('MACE meetings: the VOLT agenda rules', () => {
  test('the co-ordinator plans a meeting; a form without a title or date is refused with GOV.UK errors', async () => {
    const refused = await agents.coordinator!.post('/mace/new', { title: '', ...dateFields('heldOn', '2027-02-31') });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /There is a problem/);
    assert.match(refused.body, /Enter the meeting’s title/);
    assert.match(refused.body, /must be a real date/);
    await createMeeting('Previous MACE', previousOn);
    meeting = await createMeeting('Test MACE', heldOn);
    assert.deepEqual(
      (await auditRows(meeting)).map((r) => r.action),
      ['record.create'],
    );
  });

  test('building the agenda puts on it exactly the children, persons and places the rules name, with their reasons', async () => {
    const built = await agents.coordinator!.post(`/mace/${meeting}/agenda`, {});
    assert.equal(built.statusCode, 302);
    const page = await agents.coordinator!.follow(built);
    assert.match(page.body, /Agenda built. Items added: \d+/);
    const items = await itemsOf(meeting);
    const reasonsOf = (id: string) => items.find((i) => i.entity_id === id)?.reasons;
    // Victims: high risk (Ada), newly escalated to medium (Bea), high and newly escalated (Fay); not an old
    // medium (Cai), not low (Dai), not a closed case (Eve).
    assert.deepEqual(reasonsOf(kids.Ada!), ['high_risk']);
    assert.deepEqual(reasonsOf(kids.Bea!), ['newly_escalated']);
    assert.deepEqual(reasonsOf(kids.Fay!), ['high_risk', 'newly_escalated']);
    for (const name of ['Cai', 'Dai', 'Eve']) assert.equal(reasonsOf(kids[name]!), undefined, `${name} is not on the agenda`);
    // Numbered in the order the chair reads them: high risk first, then by name (Ada, Fay; then Bea).
    const positions = await ctx.ownerQuery<{ entity_id: string; position: number }>(
      `SELECT entity_id, position FROM mace_agenda_items WHERE meeting_id = $1 AND section = 'victims' ORDER BY position`,
      [meeting],
    );
    assert.deepEqual(
      positions.filter((p) => [kids.Ada, kids.Fay, kids.Bea].includes(p.entity_id)).map((p) => p.entity_id),
      [kids.Ada, kids.Fay, kids.Bea],
    );
    // Offenders: linked to two children, either way round (Twolinks); recorded since the cut-off (Newcomer); not
    // one child (Onelink), not the deceased even with two (Gone).
    assert.deepEqual(reasonsOf(entities.Twolinks!), ['linked_children']);
    assert.equal(items.find((i) => i.entity_id === entities.Twolinks)?.linked_children, 2);
    assert.deepEqual(reasonsOf(entities.Newcomer!), ['newly_identified']);
    assert.equal(reasonsOf(entities.Onelink!), undefined);
    assert.equal(reasonsOf(entities.Gone!), undefined);
    // Locations: two children (either way round); found at twice (one child); not one child found once.
    assert.deepEqual(reasonsOf(entities['Two Children Park']!), ['linked_children']);
    assert.deepEqual(reasonsOf(entities['Found Twice Park']!), ['repeated_found_at']);
    assert.equal(reasonsOf(entities['One Child Park']!), undefined);
    // Every child item is in the victims section, and so on.
    for (const i of items) assert.equal(i.section, { [kids.Ada!]: 'victims', [entities.Twolinks!]: 'offenders' }[i.entity_id ?? ''] ?? i.section);
    const audit = (await auditRows(meeting)).find((r) => r.action === 'record.update')!;
    assert.ok(audit, 'the build is audited');
    assert.equal((audit.details!.agendaBuilt as { cutOff: string }).cutOff, previousOn);
  });

  test('the meeting page lists the agenda by VOLT section with the reasons, and its view is audited with the children and persons it names', async () => {
    const page = await agents.coordinator!.get(`/mace/${meeting}`);
    assert.equal(page.statusCode, 200);
    for (const section of ['Victims', 'Offenders', 'Locations', 'Themes']) assert.match(page.body, new RegExp(`<caption[^>]*>${section} \\(`));
    assert.match(page.body, /Ada Volt/);
    assert.match(page.body, /High risk; Newly escalated/);
    assert.match(page.body, /Linked to 2 children/);
    assert.match(page.body, /Children found here 2 times/);
    const view = (await auditRows(meeting)).at(-1)!;
    assert.equal(view.action, 'record.view');
    assert.ok(view.disclosed_ids!.includes(kids.Ada!) && view.disclosed_ids!.includes(entities.Twolinks!));
  });

  test('building again adds only what is new, and an item the chair removed stays removed', async () => {
    const ada = (await itemsOf(meeting)).find((i) => i.entity_id === kids.Ada)!;
    const refused = await agents.coordinator!.post(`/mace/${meeting}/items/${ada.id}/remove`, { reason: '' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Enter the reason for removing the item/);
    const removed = await agents.coordinator!.post(`/mace/${meeting}/items/${ada.id}/remove`, { reason: 'Discussed at the strategy meeting instead' });
    assert.equal(removed.statusCode, 302);
    const before = (await itemsOf(meeting)).length;
    await agents.coordinator!.post(`/mace/${meeting}/agenda`, {});
    const after = await itemsOf(meeting);
    assert.equal(after.length, before);
    assert.ok(after.find((i) => i.entity_id === kids.Ada)!.removed_at, 'still removed');
    const page = await agents.coordinator!.get(`/mace/${meeting}`);
    assert.match(page.body, /Removed by [^:]+: Discussed at the strategy meeting instead/);
    const rows = await auditRows(meeting);
    assert.ok(rows.some((r) => r.reason === 'Discussed at the strategy meeting instead' && (r.details as { itemRemoved?: string }).itemRemoved === ada.id));
  });

  test('the chair adds a theme and a child with a reason; one already on the agenda, or unknown, is refused', async () => {
    const none = await agents.coordinator!.post(`/mace/${meeting}/items/new`, { section: 'themes', theme: '', reason: '' });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Enter the theme/);
    assert.match(none.body, /Enter the reason for adding the item/);
    const theme = await agents.coordinator!.post(`/mace/${meeting}/items/new`, {
      section: 'themes',
      theme: 'Hotels near the ring road',
      reason: 'Raised by the police',
    });
    assert.equal(theme.statusCode, 302);
    const [cai] = await ctx.ownerQuery<{ reference: string }>(`SELECT reference FROM children WHERE id = $1`, [kids.Cai]);
    const added = await agents.coordinator!.post(`/mace/${meeting}/items/new`, {
      section: 'victims',
      childReference: cai!.reference.toLowerCase(),
      reason: 'Seen with Twolinks',
    });
    assert.equal(added.statusCode, 302);
    const again = await agents.coordinator!.post(`/mace/${meeting}/items/new`, { section: 'victims', childReference: cai!.reference, reason: 'Twice' });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /This is already on the agenda/);
    const unknown = await agents.coordinator!.post(`/mace/${meeting}/items/new`, { section: 'victims', childReference: 'NOPE-1', reason: 'x' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /No child you can see has that reference/);
    const items = await itemsOf(meeting);
    assert.deepEqual(items.find((i) => i.entity_id === kids.Cai)?.reasons, ['chair_added']);
    assert.ok(items.some((i) => i.section === 'themes'));
  });
});

describe('MACE meetings: the chair finds a person or place to add by search (no giant select)', () => {
  const searchAudit = () =>
    ctx.ownerQuery<{ details: { list: string; results: number; shown: number }; disclosed_ids: string[] | null }>(
      `SELECT details, disclosed_ids FROM audit_events WHERE record_type = 'intelligence' AND action = 'search' AND details->>'meeting' = $1 ORDER BY seq`,
      [meeting],
    );
  const radios = (body: string, name: string) => [...body.matchAll(new RegExp(`name="${name}" type="radio" value="([^"]+)"`, 'g'))].map((m) => m[1]);
  const find = (section: string, q: string) => agents.coordinator!.post(`/mace/${meeting}/items/find`, { section, q });

  test('the form asks for the part of the agenda first, then offers a search; it lists no persons or places', async () => {
    const first = await agents.coordinator!.get(`/mace/${meeting}/items/new`);
    assert.equal(first.statusCode, 200);
    assert.deepEqual(radios(first.body, 'section'), ['victims', 'offenders', 'locations', 'themes']);
    assert.doesNotMatch(first.body, /<select/);
    const offenders = await agents.coordinator!.get(`/mace/${meeting}/items/new?section=offenders`);
    assert.equal(offenders.statusCode, 200);
    assert.match(offenders.body, /Offenders: find the person of concern/);
    assert.doesNotMatch(offenders.body, /<select|name="personId"|Twolinks/);
    const bogus = await agents.coordinator!.get(`/mace/${meeting}/items/new?section=bogus`);
    assert.equal(bogus.statusCode, 200);
    assert.equal(radios(bogus.body, 'section').length, 4);
    assert.equal((await searchAudit()).length, 0, 'no names shown, no search audited');
  });

  test('no match says so; one match is offered as a radio, audited with its id, and added with a reason', async () => {
    const none = await find('offenders', 'Zzyzx');
    assert.equal(none.statusCode, 200);
    assert.match(none.body, /No person of concern you can see matches “Zzyzx”/);
    assert.deepEqual(radios(none.body, 'personId'), []);
    // Westbrook's "Jonno" is another partnership's: row-level security hides him.
    assert.deepEqual(radios((await find('offenders', 'jonno')).body, 'personId'), []);

    const one = await find('offenders', 'onelin');
    assert.equal(one.statusCode, 200);
    assert.deepEqual(radios(one.body, 'personId'), [entities.Onelink]);
    const audited = await searchAudit();
    assert.deepEqual(
      audited.map((r) => [r.details.list, r.details.results, r.details.shown, r.disclosed_ids ?? []]),
      [
        ['mace item persons', 0, 0, []],
        ['mace item persons', 0, 0, []],
        ['mace item persons', 1, 1, [entities.Onelink]],
      ],
    );

    const noReason = await agents.coordinator!.post(`/mace/${meeting}/items/new`, {
      section: 'offenders',
      q: 'onelin',
      personId: entities.Onelink!,
      reason: '',
    });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Enter the reason for adding the item/);
    assert.match(noReason.body, new RegExp(`value="${entities.Onelink}" checked`), 'the search is shown again with the choice kept');
    const added = await agents.coordinator!.post(`/mace/${meeting}/items/new`, {
      section: 'offenders',
      q: 'onelin',
      personId: entities.Onelink!,
      reason: 'Seen with Cai',
    });
    assert.equal(added.statusCode, 302);
    assert.deepEqual((await itemsOf(meeting)).find((i) => i.entity_id === entities.Onelink)?.reasons, ['chair_added']);

    const place = await find('locations', 'one child');
    assert.deepEqual(radios(place.body, 'locationId'), [entities['One Child Park']]);
    const noPick = await agents.coordinator!.post(`/mace/${meeting}/items/new`, { section: 'locations', q: 'one child', reason: 'Found there' });
    assert.equal(noPick.statusCode, 400);
    assert.match(noPick.body, /Select the place/);
  });

  test('twenty matches are offered; more asks the chair to refine the search and shows none', async () => {
    const add = (n: number) =>
      ctx.ownerQuery(`INSERT INTO persons_of_concern (partnership_id, aliases, status, owning_agency_id) VALUES ($1, $2, 'active', $3)`, [
        northmere,
        [`Manyname ${n}`],
        agencies.police,
      ]);
    for (let n = 1; n <= 20; n++) await add(n);
    const twenty = await find('offenders', 'MANYNAME');
    assert.equal(radios(twenty.body, 'personId').length, 20);
    assert.doesNotMatch(twenty.body, /Refine your search/);
    await add(21);
    const tooMany = await find('offenders', 'manyname');
    assert.equal(tooMany.statusCode, 200);
    assert.match(tooMany.body, /More than 20 match “manyname”. Refine your search/);
    assert.deepEqual(radios(tooMany.body, 'personId'), []);
    const last = (await searchAudit()).at(-1)!;
    assert.deepEqual([last.details.results, last.details.shown, last.disclosed_ids ?? []], [21, 0, []]);
  });

  test('a malformed search is refused with 400; the analyst may not search; another meeting id is not found', async () => {
    const blank = await find('offenders', '   ');
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /Enter a name, nickname, place or postcode to search for/);
    assert.equal((await find('offenders', 'x'.repeat(101))).statusCode, 400);
    assert.equal((await find('victims', 'Ada')).statusCode, 400);
    assert.equal((await find('bogus', 'Ada')).statusCode, 400);
    assert.equal((await find('offenders', 'De\u0000an')).statusCode, 400);
    assert.equal((await agents.analyst!.post(`/mace/${meeting}/items/find`, { section: 'offenders', q: 'Onelink' })).statusCode, 403);
    assert.equal((await agents.coordinator!.post(`/mace/not-a-uuid/items/find`, { section: 'offenders', q: 'Onelink' })).statusCode, 404);
    assert.equal(
      (await agents.coordinator!.post(`/mace/00000000-0000-4000-8000-000000000000/items/find`, { section: 'offenders', q: 'Onelink' })).statusCode,
      404,
    );
  });
});

describe('MACE meetings: minutes, actions, decisions, the pack and who sees what', () => {
  test('minutes with a restriction, an action for the school and a decision are recorded on an item and audited', async () => {
    const fay = (await itemsOf(meeting)).find((i) => i.entity_id === kids.Fay)!;
    const minutes = await agents.coordinator!.post(`/mace/${meeting}/items/${fay.id}/minutes`, {
      minutes: 'Fay was found in a car with older men.',
      restrictedTo: agencies.police!,
    });
    assert.equal(minutes.statusCode, 302);
    const refused = await agents.coordinator!.post(`/mace/${meeting}/items/${fay.id}/actions`, {
      description: '',
      ownerAgencyId: '',
      ...dateFields('dueOn', '2027-03-10'),
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Enter the action/);
    assert.match(refused.body, /Select the agency that owns the action/);
    const twolinks = (await itemsOf(meeting)).find((i) => i.entity_id === entities.Twolinks)!;
    const action = await agents.coordinator!.post(`/mace/${meeting}/items/${twolinks.id}/actions`, {
      description: 'Brief the school’s safeguarding lead about Twolinks',
      ownerAgencyId: agencies.education!,
      ...dateFields('dueOn', '2027-03-10'),
    });
    assert.equal(action.statusCode, 302);
    const decision = await agents.coordinator!.post(`/mace/${meeting}/items/${twolinks.id}/decisions`, { kind: 'other', note: '' });
    assert.equal(decision.statusCode, 400);
    assert.match(decision.body, /Enter a note saying what was decided/);
    const park = (await itemsOf(meeting)).find((i) => i.entity_id === entities['Found Twice Park'])!;
    assert.equal((await agents.coordinator!.post(`/mace/${meeting}/items/${park.id}/decisions`, { kind: 'refer_to_licensing', note: '' })).statusCode, 302);
    const page = await agents.coordinator!.get(`/mace/${meeting}`);
    assert.match(page.body, /Brief the school’s safeguarding lead about Twolinks/);
    assert.match(page.body, /Refer to licensing/);
    const [row] = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE record_type = 'mace_action'`);
    assert.ok(row!.n >= 1);
  });

  test('the school sees the action in its worklist and marks it done there; another agency’s practitioner neither sees nor changes it', async () => {
    const school = await agents.school!.get('/worklists?show=maceActions');
    assert.equal(school.statusCode, 200);
    assert.match(school.body, /Your agency’s MACE actions/);
    assert.match(school.body, /Brief the school’s safeguarding lead about Twolinks/);
    const social = await agents['social-worker']!.get('/worklists?show=maceActions');
    assert.equal(social.statusCode, 200);
    assert.doesNotMatch(social.body, /Brief the school’s safeguarding lead/);
    const [action] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM mace_actions WHERE description LIKE 'Brief the school%Twolinks'`);
    // Another agency cannot reach it; the school marks it done from its worklist, and it leaves the list.
    assert.equal((await agents['social-worker']!.post(`/mace/actions/${action!.id}/status`, { status: 'done', from: 'worklist' })).statusCode, 404);
    const done = await agents.school!.post(`/mace/actions/${action!.id}/status`, { status: 'done', from: 'worklist' });
    assert.equal(done.statusCode, 302);
    assert.equal(done.headers.location, '/worklists?show=maceActions');
    const after = await agents.school!.get('/worklists?show=maceActions');
    assert.match(after.body, /Action status changed/);
    assert.doesNotMatch(after.body, /Brief the school’s safeguarding lead about Twolinks/);
    const [row] = await ctx.ownerQuery<{ status: string; status_changed_by_name: string }>(
      `SELECT status, status_changed_by_name FROM mace_actions WHERE id = $1`,
      [action!.id],
    );
    assert.equal(row!.status, 'done');
    const audit = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE record_type = 'mace_action' AND record_id = $1 AND action = 'record.update'`,
      [action!.id],
    );
    assert.equal(audit[0]!.n, 1);
    await ctx.ownerQuery(`UPDATE mace_actions SET status = 'open' WHERE id = $1`, [action!.id]);
  });

  test('the pack for the school withholds the item restricted to the police and says so; the police’s pack has it', async () => {
    const forSchool = await agents.coordinator!.get(`/mace/${meeting}/pack/docx?agency=${agencies.education}&language=en`);
    assert.equal(forSchool.statusCode, 200, forSchool.body);
    assert.match(String(forSchool.headers['content-type']), /wordprocessingml/);
    const text = async (body: Buffer) => (await (await JSZip.loadAsync(body)).file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, ' ');
    const school = await text(forSchool.rawPayload);
    assert.match(school, /1 item withheld/);
    assert.doesNotMatch(school, /Fay Volt/);
    assert.doesNotMatch(school, /found in a car with older men/);
    assert.match(school, /Bea Volt/);
    assert.match(school, /Brief the school’s safeguarding lead/);
    const police = await text((await agents.coordinator!.get(`/mace/${meeting}/pack/docx?agency=${agencies.police}&language=cy`)).rawPayload);
    assert.doesNotMatch(police, /withheld|dal yn ôl/);
    assert.match(police, /Fay Volt/);
    assert.match(police, /Dioddefwyr/);
    const exported = (await auditRows(meeting)).filter((r) => r.action === 'export');
    assert.deepEqual(
      exported.map((r) => [r.details!.recipientAgency, r.details!.withheld, r.details!.language]),
      [
        [agencies.education, 1, 'en'],
        [agencies.police, 0, 'cy'],
      ],
    );
    assert.equal((await agents.coordinator!.get(`/mace/${meeting}/pack/docx`)).statusCode, 400, 'a recipient agency is required');
  });

  test(
    'the pack as a tagged PDF in Welsh, for the school: withheld and counted',
    { skip: browserAvailable ? false : 'Chromium is not installed' },
    async () => {
      const r = await agents.coordinator!.get(`/mace/${meeting}/pack/pdf?agency=${agencies.education}&language=cy`);
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['content-type'], 'application/pdf');
      assert.ok(isTaggedPdf(r.rawPayload), 'a structure tree, and marked content');
      const text = pdfText(r.rawPayload);
      assert.ok(text.includes('Dioddefwyr'), 'the VOLT sections in Welsh');
      assert.ok(text.includes('dal yn ôl'), 'the withheld note in Welsh');
      assert.ok(!text.includes('Fay Volt'), 'the item restricted to the police is withheld');
      assert.ok(text.includes('Bea Volt'));
    },
  );

  test('the analyst reads the meeting but not an item restricted to another agency, and cannot change anything', async () => {
    const bea = (await itemsOf(meeting)).find((i) => i.entity_id === kids.Bea)!;
    await agents.coordinator!.post(`/mace/${meeting}/items/${bea.id}/minutes`, { minutes: 'Education only.', restrictedTo: agencies.education! });
    const page = await agents.analyst!.get(`/mace/${meeting}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Fay Volt/, 'restricted to the police: the police analyst reads it');
    assert.doesNotMatch(page.body, /Bea Volt/, 'restricted to education');
    assert.equal((await agents.analyst!.get(`/mace/${meeting}/items/${bea.id}`)).statusCode, 404);
    assert.equal((await agents.analyst!.post(`/mace/${meeting}/agenda`, {})).statusCode, 403);
    assert.equal((await agents.analyst!.get('/mace/new')).statusCode, 403);
    for (const key of ['school', 'police', 'social-worker']) assert.equal((await agents[key]!.get('/mace')).statusCode, 403, key);
  });

  test('a long agenda is shown a section page at a time, and the view names only the children it shows', async () => {
    const long = await createMeeting('Long agenda', '2027-06-01');
    const many: string[] = [];
    for (let n = 0; n < 60; n++)
      many.push(
        await aChild(ctx, {
          partnership_id: northmere,
          owning_agency_id: agencies.childrens_services!,
          reference: uniqueReference('PAGE'),
          given_name: `Page${String(n).padStart(2, '0')}`,
          family_name: 'Long',
        }),
      );
    await ctx.ownerQuery(
      `INSERT INTO mace_agenda_items (partnership_id, meeting_id, section, entity_kind, entity_id, reasons, chair_reason)
       SELECT $1, $2, 'victims', 'child', id, '{}', 'Test' FROM unnest($3::uuid[]) AS id`,
      [northmere, long, many],
    );
    const rowsIn = (body: string) => (body.match(/<table class="govuk-table" id="section-victims">[\s\S]*?<\/table>/)![0].match(/Page\d\d Long/g) ?? []).length;
    const first = await agents.coordinator!.get(`/mace/${long}`);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /Victims \(60\)/);
    assert.equal(rowsIn(first.body), 50);
    assert.match(first.body, /Page 1 of 2/);
    assert.match(first.body, new RegExp(`href="/mace/${long}\\?section=victims&amp;page=2#section-victims"`));
    const firstView = (await auditRows(long)).at(-1)!;
    assert.equal(firstView.disclosed_ids!.length, 50);
    const second = await agents.coordinator!.get(`/mace/${long}?section=victims&page=2`);
    assert.equal(rowsIn(second.body), 10);
    assert.match(second.body, /Page 2 of 2/);
    assert.equal((await auditRows(long)).at(-1)!.disclosed_ids!.length, 10);
    for (const query of ['?section=victims&page=99', '?section=nonsense&page=abc', '?page=-1'])
      assert.equal((await agents.coordinator!.get(`/mace/${long}${query}`)).statusCode, 200, query);
  });

  test('malformed ids are 404 and another partnership’s meeting is not found', async () => {
    assert.equal((await agents.coordinator!.get('/mace/not-a-uuid')).statusCode, 404);
    assert.equal((await agents.coordinator!.get(`/mace/${meeting}/items/not-a-uuid`)).statusCode, 404);
    const [westbrook] = await ctx.ownerQuery<{ id: string }>(
      `SELECT m.id FROM mace_meetings m JOIN partnerships p ON p.id = m.partnership_id WHERE p.code = 'westbrook' LIMIT 1`,
    );
    assert.equal((await agents.coordinator!.get(`/mace/${westbrook!.id}`)).statusCode, 404);
  });
});

describe('MACE meetings: persons of concern across the boundary (issue 12 §6)', () => {
  const dean = async () =>
    (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 AND 'Dean' = ANY (aliases)`, [northmere]))[0]!.id;

  test('a person shared with a neighbour is on both partnerships’ agendas; once the share is withdrawn, on neither new one', async () => {
    const deanId = await dean();
    // Northmere's own agenda: the demo shares Dean with Westbrook.
    const northmereItems = await itemsOf(meeting);
    assert.ok(northmereItems.find((i) => i.entity_id === deanId)?.reasons.includes('cross_boundary'), 'Dean is cross-boundary on Northmere’s agenda');
    // Westbrook's chair plans a meeting and builds its agenda: Dean, a Northmere person, is on it.
    const westbrookChair = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.westbrook@lantern.example'));
    const plan = async (title: string) => {
      const saved = await westbrookChair.post('/mace/new', { title, ...dateFields('heldOn', '2027-04-01') });
      assert.equal(saved.statusCode, 302, saved.body);
      const id = /^\/mace\/([0-9a-f-]{36})$/.exec(String(saved.headers.location))![1]!;
      assert.equal((await westbrookChair.post(`/mace/${id}/agenda`, {})).statusCode, 302);
      return id;
    };
    const first = await plan('Westbrook MACE (shared)');
    assert.deepEqual((await itemsOf(first)).find((i) => i.entity_id === deanId)?.reasons, ['cross_boundary']);
    const page = await westbrookChair.get(`/mace/${first}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Known across the boundary/);
    // Withdrawn: a new agenda on either side leaves Dean out (he has no other reason in Westbrook).
    await ctx.ownerQuery(`UPDATE intel_shares SET withdrawn_at = now() WHERE entity_id = $1`, [deanId]);
    const second = await plan('Westbrook MACE (withdrawn)');
    assert.equal(
      (await itemsOf(second)).find((i) => i.entity_id === deanId),
      undefined,
    );
  });
});
