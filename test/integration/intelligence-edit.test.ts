import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Editing and removing intelligence records (issue 12, migration 0460): a person of concern, a place and
 * a vehicle are edited through a form filled with the record (GOV.UK errors when wrong, a banner after the
 * save) and removed with a reason — kept, shown as removed, left out of the lists, the searches, the link
 * and MACE choices and the network. Only the owning agency's intelligence roles change a record: the pages
 * refuse another agency (403) and another partnership (404), and row-level security refuses them too.
 * Each edit and removal is audited with what changed or why.
 */
let ctx: TestContext;
let northmere: string;
const agencies: Record<string, string> = {};
const agents: Record<string, Agent> = {};
const ids: Record<string, string> = {};

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agencies[a.kind] = a.id;
  agents.analyst = await signIn(ctx.app, ctx.clock, ctx.account('analyst.northmere@lantern.example'));
  agents.coordinator = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.northmere@lantern.example'));
  agents.westbrook = await signIn(ctx.app, ctx.clock, ctx.account('analyst.westbrook@lantern.example'));
  const one = async (q: string) => (await ctx.ownerQuery<{ id: string }>(q, [northmere]))[0]!.id;
  ids.kieran = await one(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 AND given_name = 'Kieran'`);
  ids.dean = await one(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 AND 'Dean' = ANY (aliases)`);
  ids.grill = await one(`SELECT id FROM intel_locations WHERE partnership_id = $1 AND name = 'Ferry Road Grill'`);
  ids.cars = await one(`SELECT id FROM intel_locations WHERE partnership_id = $1 AND name = 'Mere Cars'`);
  ids.audi = await one(`SELECT id FROM intel_objects WHERE partnership_id = $1 AND vrm_key = 'NM19KXE'`);
});
after(async () => ctx.close());

const auditOf = (recordId: string) =>
  ctx.ownerQuery<{ action: string; details: Record<string, unknown> | null; reason: string | null }>(
    `SELECT action, details, reason FROM audit_events WHERE record_id = $1 AND action IN ('record.update', 'record.close') ORDER BY seq`,
    [recordId],
  );
const kieranForm = (change: Record<string, string | string[]> = {}) => ({
  givenName: 'Kieran',
  familyName: 'Holt-Marsh',
  aliases: 'Kez\r\nKH',
  'dateOfBirth-day': '',
  'dateOfBirth-month': '',
  'dateOfBirth-year': '',
  estimatedAge: '35',
  description: 'Drives for a private hire firm; seen collecting girls from the retail park.',
  phoneNumbers: '',
  socialMedia: '',
  markers: ['offers_lifts', 'uses_hotel_rooms'],
  status: 'convicted',
  owningAgencyId: agencies.police!,
  ...change,
});

describe('editing intelligence records', () => {
  test('the places and vehicles the demo recorded are owned by the agency of whoever recorded them (the police analyst)', async () => {
    const owners = await ctx.ownerQuery<{ owning_agency_id: string | null }>(
      `SELECT owning_agency_id FROM intel_locations WHERE id = ANY ($1) UNION ALL SELECT owning_agency_id FROM intel_objects WHERE id = $2`,
      [[ids.grill, ids.cars], ids.audi],
    );
    assert.deepEqual(
      owners.map((o) => o.owning_agency_id),
      [agencies.police, agencies.police, agencies.police],
    );
  });

  test('the owning agency’s analyst edits a person from a form filled with the record; saved with a banner and audited with the fields changed', async () => {
    const page = await agents.analyst!.get(`/intelligence/persons/${ids.kieran}`);
    assert.match(page.body, new RegExp(`href="/intelligence/persons/${ids.kieran}/edit">Edit this record`));
    const form = await agents.analyst!.get(`/intelligence/persons/${ids.kieran}/edit`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<h1 class="govuk-heading-l">Edit the person of concern<\/h1>/);
    assert.match(form.body, /name="familyName" type="text" value="Holt"/);
    assert.match(form.body, />\nKez<\/textarea>|>Kez<\/textarea>/);
    assert.match(form.body, /value="charged" checked/);
    assert.doesNotMatch(form.body, /id="owningAgencyId"/, 'the owner is not changed by an edit');

    // Another agency posted as the owner is ignored: the owner stays.
    const saved = await agents.analyst!.post(`/intelligence/persons/${ids.kieran}/edit`, kieranForm({ owningAgencyId: agencies.childrens_services! }));
    assert.equal(saved.statusCode, 302);
    assert.equal(saved.headers.location, `/intelligence/persons/${ids.kieran}`);
    const after = await agents.analyst!.follow(saved);
    assert.match(after.body, /Person of concern updated/);
    assert.match(after.body, /Kieran Holt-Marsh/);
    const [row] = await ctx.ownerQuery<{ family_name: string; aliases: string[]; status: string; estimated_age: number; owning_agency_id: string }>(
      `SELECT family_name, aliases, status, estimated_age, owning_agency_id FROM persons_of_concern WHERE id = $1`,
      [ids.kieran],
    );
    assert.deepEqual(row, { family_name: 'Holt-Marsh', aliases: ['Kez', 'KH'], status: 'convicted', estimated_age: 35, owning_agency_id: agencies.police });
    assert.deepEqual(
      (await auditOf(ids.kieran!)).map((r) => [r.action, r.details]),
      [['record.update', { changed: ['family_name', 'aliases', 'estimated_age', 'status'] }]],
    );
  });

  test('a wrong form is refused with the GOV.UK error summary and keeps what was typed', async () => {
    const noName = await agents.analyst!.post(`/intelligence/persons/${ids.kieran}/edit`, kieranForm({ givenName: '', familyName: '', aliases: '' }));
    assert.equal(noName.statusCode, 400);
    assert.match(noName.body, /There is a problem/);
    assert.match(noName.body, /Enter a name, or at least one alias or nickname/);
    assert.match(noName.body, /Edit the person of concern/);
    const future = await agents.analyst!.post(
      `/intelligence/persons/${ids.kieran}/edit`,
      kieranForm({ 'dateOfBirth-day': '1', 'dateOfBirth-month': '1', 'dateOfBirth-year': '2999', estimatedAge: '' }),
    );
    assert.equal(future.statusCode, 400);
    assert.match(future.body, /name="dateOfBirth-year" type="text" value="2999"/);
    const [row] = await ctx.ownerQuery<{ family_name: string }>(`SELECT family_name FROM persons_of_concern WHERE id = $1`, [ids.kieran]);
    assert.equal(row!.family_name, 'Holt-Marsh');
  });

  test('a place’s details and a vehicle’s details are edited; a registration already recorded, or a change of kind, is refused', async () => {
    const location = await agents.analyst!.get(`/intelligence/locations/${ids.grill}/edit`);
    assert.match(location.body, /name="postcode" type="text" value="NM3 4FR"/);
    const [grill] = await ctx.ownerQuery<{ locality_id: string | null }>(`SELECT locality_id FROM intel_locations WHERE id = $1`, [ids.grill]);
    const savedPlace = await agents.analyst!.post(`/intelligence/locations/${ids.grill}/edit`, {
      name: 'Ferry Road Grill & Kebab',
      kind: 'takeaway',
      address: '14 Ferry Road, Northmere',
      postcode: 'nm3 4fr',
      localityId: grill!.locality_id ?? '',
      businessType: 'Hot food takeaway',
      licensingAuthority: 'Northmere Council',
      licenceNumber: 'NMC/LN/2291',
      description: 'Open until 3am',
    });
    assert.equal(savedPlace.statusCode, 302);
    assert.match((await agents.analyst!.follow(savedPlace)).body, /Location updated/);
    assert.deepEqual(
      (await auditOf(ids.grill!)).map((r) => r.details),
      [{ changed: ['name', 'description'] }],
    );

    const vehicle = {
      kind: 'vehicle',
      registration: 'NM19 KXE',
      make: 'Audi',
      model: 'A3 Sportback',
      colour: 'Silver',
      identifier: '',
      platform: '',
      description: '',
    };
    await ctx.ownerQuery(`INSERT INTO intel_objects (partnership_id, kind, registration, owning_agency_id) VALUES ($1, 'vehicle', 'NM70 ABC', $2)`, [
      northmere,
      agencies.police,
    ]);
    const taken = await agents.analyst!.post(`/intelligence/objects/${ids.audi}/edit`, { ...vehicle, registration: 'nm70abc' });
    assert.equal(taken.statusCode, 400);
    assert.match(taken.body, /A vehicle with this registration is already recorded/);
    const kind = await agents.analyst!.post(`/intelligence/objects/${ids.audi}/edit`, { ...vehicle, kind: 'phone', identifier: '07700 900000' });
    assert.equal(kind.statusCode, 400);
    assert.match(kind.body, /The kind of object cannot be changed/);
    const savedCar = await agents.analyst!.post(`/intelligence/objects/${ids.audi}/edit`, vehicle);
    assert.equal(savedCar.statusCode, 302);
    const [car] = await ctx.ownerQuery<{ model: string; vrm_key: string }>(`SELECT model, vrm_key FROM intel_objects WHERE id = $1`, [ids.audi]);
    assert.deepEqual(car, { model: 'A3 Sportback', vrm_key: 'NM19KXE' });
  });

  test('another agency’s intelligence role is refused (403, no edit link), another partnership’s 403 for a person shared with it and 404 for the rest, malformed ids 404', async () => {
    const page = await agents.coordinator!.get(`/intelligence/persons/${ids.dean}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Edit this record|Remove this record/);
    for (const url of [`/intelligence/persons/${ids.dean}/edit`, `/intelligence/locations/${ids.cars}/remove`, `/intelligence/objects/${ids.audi}/edit`])
      assert.equal((await agents.coordinator!.get(url)).statusCode, 403, url);
    assert.equal((await agents.coordinator!.post(`/intelligence/persons/${ids.dean}/edit`, kieranForm({ aliases: 'Dean' }))).statusCode, 403);
    assert.equal((await agents.coordinator!.post(`/intelligence/persons/${ids.dean}/remove`, { reason: 'Not ours' })).statusCode, 403);
    // Westbrook reads Dean, shared with it (seed-sharing.ts), but does not own him; Northmere's vehicle it does not see at all.
    assert.equal((await agents.westbrook!.get(`/intelligence/persons/${ids.dean}/edit`)).statusCode, 403);
    assert.equal((await agents.westbrook!.post(`/intelligence/persons/${ids.dean}/remove`, { reason: 'x' })).statusCode, 403);
    assert.equal((await agents.westbrook!.get(`/intelligence/objects/${ids.audi}/edit`)).statusCode, 404);
    assert.equal((await agents.westbrook!.post(`/intelligence/objects/${ids.audi}/remove`, { reason: 'x' })).statusCode, 404);
    assert.equal((await agents.analyst!.get(`/intelligence/persons/not-a-uuid/edit`)).statusCode, 404);
    assert.equal((await agents.analyst!.post(`/intelligence/objects/123/remove`, { reason: 'x' })).statusCode, 404);
    const [dean] = await ctx.ownerQuery<{ aliases: string[]; removed_at: Date | null }>(`SELECT aliases, removed_at FROM persons_of_concern WHERE id = $1`, [
      ids.dean,
    ]);
    assert.deepEqual(dean, { aliases: ['Dean', 'D'], removed_at: null });
  });

  test('row-level security: only the owning agency’s intelligence roles update a record, never a neighbour it is shared with', async () => {
    const actor = (agencyId: string, roles: TrustedActor['roles']): TrustedActor => ({
      userId: null,
      partnershipId: northmere,
      agencyId,
      roles,
      label: 'intelligence edit rls test',
    });
    const update = (as: TrustedActor, table: 'persons_of_concern' | 'intel_locations' | 'intel_objects', id: string) =>
      withTrustedActor(ctx.handle.owner, as, async (tx) =>
        Number((await sql`UPDATE ${sql.table(table)} SET description = 'rls' WHERE id = ${id}`.execute(tx)).numAffectedRows ?? 0n),
      );
    assert.equal(await update(actor(agencies.childrens_services!, ['coordinator', 'analyst']), 'persons_of_concern', ids.dean!), 0);
    assert.equal(await update(actor(agencies.police!, ['practitioner']), 'intel_locations', ids.cars!), 0);
    const [westbrookPolice] = await ctx.ownerQuery<{ id: string; partnership_id: string }>(
      `SELECT a.id, a.partnership_id FROM agencies a JOIN partnerships p ON p.id = a.partnership_id WHERE p.code = 'westbrook' AND a.kind = 'police'`,
    );
    const neighbour = { ...actor(westbrookPolice!.id, ['analyst', 'coordinator']), partnershipId: westbrookPolice!.partnership_id };
    assert.equal(await update(neighbour, 'persons_of_concern', ids.dean!), 0, 'a person shared with a neighbour is read there, never changed');
    assert.equal(await update(actor(agencies.police!, ['analyst']), 'intel_objects', ids.audi!), 1);
    // Moving a record to another agency is refused.
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, actor(agencies.police!, ['analyst']), (tx) =>
        sql`UPDATE intel_locations SET owning_agency_id = ${agencies.childrens_services!} WHERE id = ${ids.cars!}`.execute(tx),
      ),
      /permission denied/,
    );
  });
});

describe('removing intelligence records', () => {
  test('removal needs a reason; it is kept, shown as removed, audited, and changes no more', async () => {
    const form = await agents.analyst!.get(`/intelligence/locations/${ids.cars}/remove`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Remove the location/);
    assert.match(form.body, /Mere Cars/);
    const blank = await agents.analyst!.post(`/intelligence/locations/${ids.cars}/remove`, { reason: '  ' });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /Enter the reason for removing the record/);
    const removed = await agents.analyst!.post(`/intelligence/locations/${ids.cars}/remove`, { reason: 'Recorded twice: see Mere Cars Ltd' });
    assert.equal(removed.statusCode, 302);
    assert.equal(removed.headers.location, `/intelligence/locations/${ids.cars}`);
    const page = await agents.analyst!.follow(removed);
    assert.match(page.body, /Location removed/);
    assert.match(page.body, /Removed by [^<]+ on \d+ \w+ \d{4}: Recorded twice: see Mere Cars Ltd/);
    assert.doesNotMatch(page.body, /Edit this record|Add a link/);
    const [row] = await ctx.ownerQuery<{ name: string; removed_reason: string }>(`SELECT name, removed_reason FROM intel_locations WHERE id = $1`, [ids.cars]);
    assert.deepEqual(row, { name: 'Mere Cars', removed_reason: 'Recorded twice: see Mere Cars Ltd' });
    assert.deepEqual(
      (await auditOf(ids.cars!)).map((r) => [r.action, r.reason]),
      [['record.close', 'Recorded twice: see Mere Cars Ltd']],
    );
    assert.equal((await agents.analyst!.get(`/intelligence/locations/${ids.cars}/edit`)).statusCode, 403);
    assert.equal((await agents.analyst!.post(`/intelligence/locations/${ids.cars}/remove`, { reason: 'again' })).statusCode, 403);
    const police: TrustedActor = { userId: null, partnershipId: northmere, agencyId: agencies.police!, roles: ['analyst'], label: 'intelligence removal test' };
    const restored = await withTrustedActor(ctx.handle.owner, police, async (tx) =>
      Number((await sql`UPDATE intel_locations SET removed_at = NULL, removed_reason = NULL WHERE id = ${ids.cars!}`.execute(tx)).numAffectedRows ?? 0n),
    );
    assert.equal(restored, 0, 'row-level security: not even the owner changes a removed record');
  });

  test('a removed record is left out of the list, the search, another record’s links and link choices, the MACE search and the network', async () => {
    const deansNetwork = `/intelligence/network?kind=person&id=${ids.dean}&hops=2`;
    const before = await agents.analyst!.get(deansNetwork);
    assert.equal(before.statusCode, 200);
    assert.match(before.body, /Kieran Holt-Marsh/, 'Kieran associates with Dean');
    assert.match((await agents.analyst!.get(`/intelligence/persons/${ids.dean}`)).body, /Kieran Holt-Marsh/, 'in Dean’s links');
    assert.equal((await agents.analyst!.post(`/intelligence/persons/${ids.kieran}/remove`, { reason: 'Duplicate of another record' })).statusCode, 302);
    const list = await agents.analyst!.get('/intelligence');
    assert.doesNotMatch(list.body, /Mere Cars|Kieran/);
    assert.match(list.body, /Ferry Road Grill/);
    const search = await agents.analyst!.post('/intelligence', { q: 'kez' });
    assert.equal(search.statusCode, 200);
    assert.doesNotMatch(search.body, /Kieran/);
    const deanPage = await agents.analyst!.get(`/intelligence/persons/${ids.dean}`);
    assert.doesNotMatch(deanPage.body, /Kieran/, 'neither in Dean’s links nor offered as a link');
    const linked = await agents.analyst!.post(`/intelligence/persons/${ids.dean}/links`, {
      relation: 'associates_with',
      targetKind: 'person',
      personId: ids.kieran!,
      source: 'Phone download',
      confidence: 'high',
    });
    assert.equal(linked.statusCode, 400, 'nothing new is linked to a removed record');
    const [meeting] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM mace_meetings WHERE partnership_id = $1 LIMIT 1`, [northmere]);
    const mace = await agents.coordinator!.post(`/mace/${meeting!.id}/items/find`, { section: 'offenders', q: 'kez' });
    assert.match(mace.body, /No person of concern you can see matches “kez”/);
    const network = await agents.analyst!.get(deansNetwork);
    assert.equal(network.statusCode, 200);
    assert.doesNotMatch(network.body, /Kieran/);
  });
});
