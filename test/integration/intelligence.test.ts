import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Intelligence entities and links (issue 12 §1): persons of concern, locations and objects made, listed,
 * searched (a registration however it is typed), viewed with their links, and linked to children and to
 * each other through the pages, each read and change with its audit row; only the intelligence roles in
 * (pages and row-level security), another partnership's rows neither read nor written; malformed ids 404,
 * malformed forms 400 with the GOV.UK error summary.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
const agencies: Record<string, string> = {};
const agents: Record<string, Agent> = {};

before(async () => {
  ctx = await createTestContext();
  const partnership = async (code: string) => (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = $1`, [code]))[0]!.id;
  northmere = await partnership('northmere');
  westbrook = await partnership('westbrook');
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agencies[a.kind] = a.id;
  for (const key of ['analyst', 'coordinator', 'police', 'school', 'social-worker', 'councillor'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx.close());

const idFrom = (location: string | string[] | number | undefined, kind: string) => {
  const match = new RegExp(`^/intelligence/${kind}/([0-9a-f-]{36})$`).exec(String(location));
  assert.ok(match, `redirected to a ${kind} page: ${String(location)}`);
  return match[1]!;
};
const auditRows = (recordType: string, recordId?: string) =>
  ctx.ownerQuery<{ action: string; actor_label: string; disclosed_ids: string[] | null }>(
    `SELECT action, actor_label, disclosed_ids FROM audit_events WHERE record_type = $1 AND ($2::text IS NULL OR record_id = $2) ORDER BY seq`,
    [recordType, recordId ?? null],
  );

describe('intelligence pages', () => {
  let person = '';
  let car = '';
  let takeaway = '';

  test('the analyst adds a person of concern known only by a nickname, with markers: saved, shown with its banner, audited', async () => {
    const analyst = agents.analyst!;
    const form = await analyst.get('/intelligence/persons/new');
    assert.equal(form.statusCode, 200);
    const saved = await analyst.post('/intelligence/persons/new', {
      givenName: '',
      familyName: '',
      aliases: 'Smiley\r\nSmiles',
      estimatedAge: '31',
      description: 'Test person',
      phoneNumbers: '07700 900999',
      socialMedia: '',
      markers: ['offers_lifts', 'uses_hotel_rooms'],
      status: 'active',
      owningAgencyId: agencies.police!,
    });
    assert.equal(saved.statusCode, 302);
    person = idFrom(saved.headers.location, 'persons');
    const page = await analyst.get(saved.headers.location as string);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Person of concern added/);
    assert.match(page.body, /Known as “Smiley”/);
    assert.match(page.body, /Smiley, Smiles/);
    assert.match(page.body, /Offers lifts, Uses hotel rooms/);
    const [row] = await ctx.ownerQuery<{ aliases: string[]; markers: string[]; partnership_id: string; estimated_age: number }>(
      `SELECT aliases, markers, partnership_id, estimated_age FROM persons_of_concern WHERE id = $1`,
      [person],
    );
    assert.deepEqual(row, { aliases: ['Smiley', 'Smiles'], markers: ['offers_lifts', 'uses_hotel_rooms'], partnership_id: northmere, estimated_age: 31 });
    assert.deepEqual(
      (await auditRows('person_of_concern', person)).map((r) => r.action),
      ['record.create', 'record.view'],
    );
  });

  test('a person with neither a name nor a nickname, and a wrong age, is refused with the error summary', async () => {
    const refused = await agents.analyst!.post('/intelligence/persons/new', {
      givenName: '',
      aliases: '',
      estimatedAge: 'old',
      status: 'active',
      owningAgencyId: '',
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /govuk-error-summary/);
    assert.match(refused.body, /Enter a name, or at least one alias or nickname/);
    assert.match(refused.body, /Estimated age must be a whole number between 10 and 100/);
    assert.match(refused.body, /Select the agency that owns this intelligence/);
  });

  test('a vehicle: its registration kept as typed and keyed without spaces or case; the same car typed again is refused', async () => {
    const analyst = agents.analyst!;
    const saved = await analyst.post('/intelligence/objects/new', {
      kind: 'vehicle',
      registration: 'tq12 zzx',
      make: 'Vauxhall',
      model: 'Corsa',
      colour: 'Silver',
    });
    assert.equal(saved.statusCode, 302);
    car = idFrom(saved.headers.location, 'objects');
    const [row] = await ctx.ownerQuery<{ registration: string; vrm_key: string }>(`SELECT registration, vrm_key FROM intel_objects WHERE id = $1`, [car]);
    assert.deepEqual(row, { registration: 'tq12 zzx', vrm_key: 'TQ12ZZX' });
    const again = await analyst.post('/intelligence/objects/new', { kind: 'vehicle', registration: 'TQ-12-ZZX' });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /A vehicle with this registration is already recorded/);
    const noRegistration = await analyst.post('/intelligence/objects/new', { kind: 'vehicle', registration: ' - ' });
    assert.equal(noRegistration.statusCode, 400);
    assert.match(noRegistration.body, /Enter the vehicle’s registration/);
  });

  test('the co-ordinator adds a licensed takeaway', async () => {
    const saved = await agents.coordinator!.post('/intelligence/locations/new', {
      name: 'Test Kebab House',
      kind: 'takeaway',
      address: '1 Test Street',
      postcode: 'nm1 1aa',
      localityId: '',
      businessType: 'Hot food takeaway',
      licensingAuthority: 'Northmere Council',
      licenceNumber: 'NMC/TEST/1',
    });
    assert.equal(saved.statusCode, 302);
    takeaway = idFrom(saved.headers.location, 'locations');
    const [row] = await ctx.ownerQuery<{ postcode: string; licence_number: string }>(`SELECT postcode, licence_number FROM intel_locations WHERE id = $1`, [
      takeaway,
    ]);
    assert.deepEqual(row, { postcode: 'NM1 1AA', licence_number: 'NMC/TEST/1' });
  });

  test('links: a person drives the car, a child (by reference, however cased) is seen with the person; both shown from each end and on the child’s record', async () => {
    const analyst = agents.analyst!;
    const drives = await analyst.post(`/intelligence/persons/${person}/links`, {
      relation: 'drives',
      targetKind: 'object',
      objectId: car,
      source: 'ANPR read',
      confidence: 'high',
      'firstSeenOn-day': '1',
      'firstSeenOn-month': '10',
      'firstSeenOn-year': '2026',
    });
    assert.equal(drives.statusCode, 302);
    assert.equal(drives.headers.location, `/intelligence/persons/${person}`);
    const seen = await analyst.post(`/intelligence/persons/${person}/links`, {
      relation: 'seen_with',
      targetKind: 'child',
      childReference: 'nm-1004',
      source: 'Return interview',
      confidence: 'medium',
    });
    assert.equal(seen.statusCode, 302);
    const frequents = await analyst.post(`/intelligence/persons/${person}/links`, {
      relation: 'frequents',
      targetKind: 'location',
      locationId: takeaway,
      source: 'Patrol',
      confidence: 'low',
    });
    assert.equal(frequents.statusCode, 302);

    const personPage = await analyst.get(`/intelligence/persons/${person}`);
    assert.match(personPage.body, /Link added/);
    assert.match(personPage.body, /TQ12ZZX/);
    assert.match(personPage.body, /Test Kebab House/);
    assert.match(personPage.body, /\(NM-1004\)/);
    const carPage = await analyst.get(`/intelligence/objects/${car}`);
    assert.match(carPage.body, /Driven by/);
    assert.match(carPage.body, /Known as “Smiley”|“Smiley”/);

    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE partnership_id = $1 AND reference = 'NM-1004'`, [northmere]);
    const childPage = await analyst.get(`/children/${child!.id}`);
    assert.equal(childPage.statusCode, 200);
    assert.match(childPage.body, /Intelligence links/);
    assert.match(childPage.body, /“Smiley”/);
    const [links] = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_links WHERE from_id = $1`, [person]);
    assert.equal(links!.n, 3);
    const audited = await auditRows('intel_link');
    assert.ok(audited.filter((r) => r.action === 'record.create').length >= 3);
    assert.ok((await auditRows('child', child!.id)).some((r) => r.action === 'record.view'));
  });

  test('a link refused: an unknown child reference, the record itself, no source, last seen before first seen', async () => {
    const analyst = agents.analyst!;
    const unknown = await analyst.post(`/intelligence/persons/${person}/links`, {
      relation: 'seen_with',
      targetKind: 'child',
      childReference: 'WB-1004',
      source: 'x',
      confidence: 'low',
    });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /No child in this partnership has that reference/);
    const blank = await analyst.post(`/intelligence/persons/${person}/links`, {
      relation: 'seen_with',
      targetKind: 'object',
      objectId: car,
      source: '',
      confidence: '',
    });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /Enter where this came from/);
    assert.match(blank.body, /Select the confidence/);
    const itself = await analyst.post(`/intelligence/persons/${person}/links`, {
      relation: 'associates_with',
      targetKind: 'person',
      personId: person,
      source: 'x',
      confidence: 'low',
    });
    assert.equal(itself.statusCode, 400);
    assert.match(itself.body, /A record cannot be linked to itself/);
    const incomplete = await analyst.post(`/intelligence/persons/${person}/links`, {
      relation: 'seen_with',
      targetKind: 'object',
      objectId: car,
      source: 'x',
      confidence: 'low',
      'firstSeenOn-day': '5',
      'firstSeenOn-month': '10',
      'firstSeenOn-year': '2026',
      'lastSeenOn-day': '1',
      'lastSeenOn-month': '10',
      'lastSeenOn-year': '2026',
    });
    assert.equal(incomplete.statusCode, 400);
    assert.match(incomplete.body, /Last seen must be the same as or after first seen/);
  });

  test('the list and the search: a registration found however it is typed, a nickname found; both audited with what they disclosed', async () => {
    const analyst = agents.analyst!;
    const list = await analyst.get('/intelligence');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Test Kebab House/);
    assert.match(list.body, /Ferry Road Grill/, 'the demo takeaway');
    for (const typed of ['tq12zzx', 'TQ12 ZZX', 'tq-12-zzx']) {
      const found = await analyst.post('/intelligence', { q: typed });
      assert.equal(found.statusCode, 200);
      assert.match(found.body, new RegExp(`/intelligence/objects/${car}`), typed);
      assert.doesNotMatch(found.body, /Ferry Road Grill/);
    }
    const byNickname = await analyst.post('/intelligence', { q: 'smil' });
    assert.match(byNickname.body, new RegExp(`/intelligence/persons/${person}`));
    const empty = await analyst.post('/intelligence', { q: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Enter a name, place or registration to search for/);
    const searches = (await auditRows('intelligence')).filter((r) => r.action === 'search');
    assert.ok(searches.length >= 4);
    assert.ok(searches.some((r) => r.disclosed_ids?.includes(car)));
  });

  test('no one but the intelligence roles: the police practitioner, the school, the social worker and the councillor are refused, and the child page shows them no links', async () => {
    for (const key of ['police', 'school', 'social-worker', 'councillor']) {
      for (const url of ['/intelligence', `/intelligence/persons/${person}`, `/intelligence/objects/${car}`, '/intelligence/locations/new']) {
        const r = await agents[key]!.get(url);
        assert.equal(r.statusCode, 403, `${key} ${url}`);
      }
      const post = await agents[key]!.post('/intelligence/persons/new', { aliases: 'Sneaky', status: 'active', owningAgencyId: agencies.police! });
      assert.equal(post.statusCode, 403, key);
    }
    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE partnership_id = $1 AND reference = 'NM-1004'`, [northmere]);
    const socialWorker = await agents['social-worker']!.get(`/children/${child!.id}`);
    if (socialWorker.statusCode === 200) assert.doesNotMatch(socialWorker.body, /Intelligence links|Smiley/);
    assert.match((await agents.analyst!.get('/')).body, /href="\/intelligence"/, 'the analyst’s navigation');
    assert.doesNotMatch((await agents.school!.get('/')).body, /href="\/intelligence"/, 'not the school’s');
  });

  test('malformed ids are not found, unknown ones too, and another partnership’s records are not found', async () => {
    const analyst = agents.analyst!;
    for (const url of ['/intelligence/persons/not-a-uuid', '/intelligence/objects/123', `/intelligence/locations/${crypto.randomUUID()}`]) {
      assert.equal((await analyst.get(url)).statusCode, 404, url);
    }
    assert.equal((await analyst.post('/intelligence/persons/nope/links', { relation: 'drives' })).statusCode, 404);
    const [theirs] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 LIMIT 1`, [westbrook]);
    assert.equal((await analyst.get(`/intelligence/persons/${theirs!.id}`)).statusCode, 404);
    const link = await analyst.post(`/intelligence/persons/${theirs!.id}/links`, {
      relation: 'drives',
      targetKind: 'object',
      objectId: car,
      source: 'x',
      confidence: 'low',
    });
    assert.equal(link.statusCode, 404);
    // Linking to their car from ours: not one of ours, so refused as a choice.
    const [theirCar] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_objects WHERE partnership_id = $1 LIMIT 1`, [westbrook]);
    const cross = await analyst.post(`/intelligence/persons/${person}/links`, {
      relation: 'drives',
      targetKind: 'object',
      objectId: theirCar!.id,
      source: 'x',
      confidence: 'low',
    });
    assert.equal(cross.statusCode, 400);
    assert.match(cross.body, /Select a vehicle, phone or account/);
  });
});

describe('intelligence row-level security', () => {
  const actor = async (partnershipId: string, roles: TrustedActor['roles']): Promise<TrustedActor> => {
    const [agency] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'police'`, [partnershipId]);
    return { userId: null, partnershipId, agencyId: agency!.id, roles, label: 'intelligence rls test' };
  };
  // With the disruptions (issue 12 §3, migration 0310), which follow the same rule.
  const tables = ['persons_of_concern', 'intel_locations', 'intel_objects', 'intel_links', 'intel_disruptions', 'intel_disruption_children'];
  const visible = (as: TrustedActor, table: string, partnershipId: string) =>
    withTrustedActor(
      ctx.handle.owner,
      as,
      async (tx) =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE partnership_id = ${partnershipId}`.execute(tx)).rows[0]!.n,
    );

  test('the analyst and co-ordinator read their own partnership’s rows of every table, none of the other’s', async () => {
    for (const roles of [['analyst'], ['coordinator']] as const) {
      const as = await actor(northmere, [...roles]);
      for (const table of tables) {
        assert.ok((await visible(as, table, northmere)) > 0, `${roles[0]} reads ${table}`);
        assert.equal(await visible(as, table, westbrook), 0, `${roles[0]} reads none of Westbrook's ${table}`);
      }
    }
  });

  test('a practitioner (police, school), a triage worker, a board member and an administrator read none, even of their own partnership', async () => {
    for (const roles of [['practitioner'], ['triage_worker'], ['board_member'], ['partnership_admin', 'dpo', 'strategy_lead']] as const) {
      const as = await actor(northmere, [...roles]);
      for (const table of tables) assert.equal(await visible(as, table, northmere), 0, `${roles.join('+')} reads none of ${table}`);
    }
  });

  test('a practitioner cannot write a person of concern; an analyst cannot write one into Westbrook, nor link to Westbrook’s records', async () => {
    const insert = (as: TrustedActor, partnershipId: string) =>
      withTrustedActor(ctx.handle.owner, as, (tx) =>
        tx
          .insertInto('persons_of_concern')
          .values({ partnership_id: partnershipId, aliases: ['RLS'], owning_agency_id: as.agencyId! })
          .execute(),
      );
    await assert.rejects(insert(await actor(northmere, ['practitioner']), northmere), /row-level security/);
    const [westbrookPolice] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'police'`, [westbrook]);
    await assert.rejects(insert({ ...(await actor(northmere, ['analyst'])), agencyId: westbrookPolice!.id }, westbrook), /row-level security|foreign key/);
    const [ours] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 LIMIT 1`, [northmere]);
    const [theirs] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_objects WHERE partnership_id = $1 LIMIT 1`, [westbrook]);
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, await actor(northmere, ['analyst']), (tx) =>
        tx
          .insertInto('intel_links')
          .values({
            partnership_id: northmere,
            from_kind: 'person',
            from_id: ours!.id,
            to_kind: 'object',
            to_id: theirs!.id,
            relation: 'drives',
            source: 'x',
            confidence: 'low',
          })
          .execute(),
      ),
      /not a record of its partnership/,
    );
  });
});
