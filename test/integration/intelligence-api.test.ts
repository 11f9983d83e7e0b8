import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiScopes } from '../../src/authz/policy.ts';
import { apiTokens } from '../helpers/api-tokens.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/**
 * The intelligence API (issue 12 §1): persons of concern, locations, objects and links read and written
 * by a partner system through the pages' service, with the pages' rule (only the co-ordinator and the
 * analyst) and the token's scopes: a token without intelligence:read or :write is 403, a token of a
 * role without intelligence is 403 whatever its scopes, another partnership's records are 404, malformed
 * ids 404, invalid bodies 400; every read and write leaves its audit row naming the token.
 */
let ctx: TestContext;
let tokens: ReturnType<typeof apiTokens>;
let northmere: string;
let westbrook: string;
const agency: Record<string, string> = {};
/** The analyst's token, every scope. */
let analyst: { token: string; id: string };

type Json = Record<string, unknown>;
const call = (...args: Parameters<ReturnType<typeof apiTokens>['call']>) => tokens.call(...args);
const body = <T = Json>(r: { json: <J>() => J }) => r.json<T>();
const errorCode = (r: { json: <J>() => J }) => body<{ error: { code: string } }>(r).error.code;

/** The audit rows a token has left, oldest first. */
const auditOf = (tokenId: string) =>
  ctx.ownerQuery<{ action: string; record_type: string; record_id: string | null; disclosed_ids: string[] | null; actor_label: string }>(
    `SELECT action, record_type, record_id, disclosed_ids, actor_label FROM audit_events WHERE details->>'apiToken' = $1 ORDER BY seq`,
    [tokenId],
  );

const person = { aliases: ['Smudge'], estimatedAge: 34, markers: ['offers_lifts'], phoneNumbers: ['07700 900111'], description: 'Synthetic API person' };
const vehicle = { kind: 'vehicle', registration: 'xy71 api', make: 'Ford', model: 'Fiesta', colour: 'Blue' };
const takeaway = { name: 'API Test Chicken', kind: 'takeaway', postcode: 'nm14qt', licensingAuthority: 'Northmere Council', licenceNumber: 'PL-API-1' };

before(async () => {
  ctx = await createTestContext();
  tokens = apiTokens(ctx);
  const partnership = async (code: string) => (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = $1`, [code]))[0]!.id;
  northmere = await partnership('northmere');
  westbrook = await partnership('westbrook');
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agency[a.kind] = a.id;
  analyst = await tokens.createToken('Police analysis system', 'analyst', ['analyst']);
});
after(async () => ctx.close());

describe('intelligence through the API', () => {
  const ids = { person: '', location: '', object: '' };

  test('the analyst’s token records a person, a location and a vehicle; reads each back; each write and read audited with the token', async () => {
    const created = await call('POST', '/api/v1/intelligence/persons', analyst.token, person);
    assert.equal(created.statusCode, 201, created.body);
    ids.person = body<{ id: string }>(created).id;
    const place = await call('POST', '/api/v1/intelligence/locations', analyst.token, takeaway);
    assert.equal(place.statusCode, 201, place.body);
    ids.location = body<{ id: string }>(place).id;
    const car = await call('POST', '/api/v1/intelligence/objects', analyst.token, vehicle);
    assert.equal(car.statusCode, 201, car.body);
    ids.object = body<{ id: string }>(car).id;

    const [police] = await ctx.ownerQuery<{ agency_id: string }>(`SELECT agency_id FROM api_tokens WHERE id = $1`, [analyst.id]);
    const read = body<Json>(await call('GET', `/api/v1/intelligence/persons/${ids.person}`, analyst.token));
    assert.deepEqual(
      { aliases: read.aliases, estimated_age: read.estimated_age, markers: read.markers, status: read.status, agency: read.owning_agency_id },
      { aliases: ['Smudge'], estimated_age: 34, markers: ['offers_lifts'], status: 'active', agency: police!.agency_id },
      'the token’s agency owns it when none is named',
    );
    assert.equal(read.partnership_id, undefined, 'only the described fields are sent');
    const location = body<Json>(await call('GET', `/api/v1/intelligence/locations/${ids.location}`, analyst.token));
    assert.deepEqual([location.name, location.postcode, location.licence_number], ['API Test Chicken', 'NM1 4QT', 'PL-API-1']);
    const object = body<Json>(await call('GET', `/api/v1/intelligence/objects/${ids.object}`, analyst.token));
    assert.deepEqual([object.registration, object.vrm_key, object.identifier], ['xy71 api', 'XY71API', null]);

    const audit = (await auditOf(analyst.id)).filter((r) => r.action !== 'access.refused');
    assert.deepEqual(
      audit.map((r) => [r.action, r.record_type, r.record_id]),
      [
        ['record.create', 'person_of_concern', ids.person],
        ['record.create', 'intel_location', ids.location],
        ['record.create', 'intel_object', ids.object],
        ['record.view', 'person_of_concern', ids.person],
        ['record.view', 'intel_location', ids.location],
        ['record.view', 'intel_object', ids.object],
      ],
    );
    assert.ok(audit.every((r) => r.actor_label === 'api-token:Police analysis system'));
  });

  test('lists and searches: the newest of each kind; a registration found however it is typed; searches audited with what they disclosed', async () => {
    const persons = body<{ persons: { id: string; aliases: string[] }[] }>(await call('GET', '/api/v1/intelligence/persons', analyst.token)).persons;
    assert.ok(persons.some((p) => p.id === ids.person));
    assert.ok(
      persons.some((p) => p.aliases.includes('Dean')),
      'the demo person',
    );
    assert.ok(!persons.some((p) => p.aliases.includes('Jonno')), 'not Westbrook’s');
    const locations = body<{ locations: { id: string }[] }>(await call('GET', '/api/v1/intelligence/locations', analyst.token)).locations;
    assert.ok(locations.some((l) => l.id === ids.location));
    const objects = body<{ objects: { id: string; kind: string }[] }>(await call('GET', '/api/v1/intelligence/objects', analyst.token)).objects;
    assert.ok(objects.some((o) => o.id === ids.object));

    for (const q of ['XY71API', 'xy-71 api', ' xy71api ']) {
      const found = await call('POST', '/api/v1/intelligence/objects/search', analyst.token, { q });
      assert.equal(found.statusCode, 200, found.body);
      assert.deepEqual(
        body<{ objects: { id: string }[] }>(found).objects.map((o) => o.id),
        [ids.object],
        q,
      );
    }
    const smudge = body<{ persons: { id: string }[] }>(await call('POST', '/api/v1/intelligence/persons/search', analyst.token, { q: 'smud' })).persons;
    assert.deepEqual(
      smudge.map((p) => p.id),
      [ids.person],
    );
    const chicken = body<{ locations: { id: string }[] }>(await call('POST', '/api/v1/intelligence/locations/search', analyst.token, { q: 'PL-API' }));
    assert.deepEqual(
      chicken.locations.map((l) => l.id),
      [ids.location],
    );
    const searches = (await auditOf(analyst.id)).filter((r) => r.action === 'search');
    assert.equal(searches.length, 5);
    assert.ok(searches.every((r) => r.record_type === 'intelligence'));
    assert.deepEqual(searches[0]!.disclosed_ids, [ids.object]);
    const lists = (await auditOf(analyst.id)).filter((r) => r.action === 'record.view' && r.record_type === 'intelligence');
    assert.equal(lists.length, 3, 'each list audited');
    assert.ok(lists[0]!.disclosed_ids!.includes(ids.person));
    assert.ok(!lists[0]!.disclosed_ids!.includes(ids.object), 'a list discloses only its own kind');
  });

  test('links: the person drives the vehicle, a child (by reference, however cased) is seen with the person; listed from each end', async () => {
    const drives = await call('POST', '/api/v1/intelligence/links', analyst.token, {
      from: { kind: 'person', id: ids.person },
      to: { kind: 'object', id: ids.object },
      relation: 'drives',
      firstSeenOn: '2026-10-01',
      lastSeenOn: '2026-11-20',
      source: 'ANPR and a return interview',
      confidence: 'high',
    });
    assert.equal(drives.statusCode, 201, drives.body);
    const driveId = body<{ id: string }>(drives).id;
    const seen = await call('POST', '/api/v1/intelligence/links', analyst.token, {
      from: { kind: 'person', id: ids.person },
      to: { kind: 'child', reference: 'nm-1004' },
      relation: 'seen_with',
      source: 'School staff',
      confidence: 'medium',
    });
    assert.equal(seen.statusCode, 201, seen.body);
    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE partnership_id = $1 AND reference = 'NM-1004'`, [northmere]);

    type Link = { id: string; relation: string; outward: boolean; other: { kind: string; id: string | null; label: string | null; withheld: boolean } };
    const ofPerson = body<{ links: Link[] }>(await call('GET', `/api/v1/intelligence/persons/${ids.person}/links`, analyst.token)).links;
    assert.deepEqual(ofPerson.map((l) => [l.relation, l.outward, l.other.kind, l.other.id, l.other.withheld]).sort(), [
      ['drives', true, 'object', ids.object, false],
      ['seen_with', true, 'child', child!.id, false],
    ]);
    const ofCar = body<{ links: Link[] }>(await call('GET', `/api/v1/intelligence/objects/${ids.object}/links`, analyst.token)).links;
    assert.deepEqual(
      ofCar.map((l) => [l.id, l.relation, l.outward, l.other.kind, l.other.id, l.other.label]),
      [[driveId, 'drives', false, 'person', ids.person, '“Smudge”']],
    );
    const ofPlace = await call('GET', `/api/v1/intelligence/locations/${ids.location}/links`, analyst.token);
    assert.deepEqual(body<{ links: Link[] }>(ofPlace).links, []);

    const [row] = await ctx.ownerQuery<{ action: string; disclosed_ids: string[] }>(
      `SELECT action, disclosed_ids FROM audit_events WHERE record_type = 'intel_link' AND record_id = $1`,
      [driveId],
    );
    assert.deepEqual(row, { action: 'record.create', disclosed_ids: [ids.person, ids.object] });
    const views = (await auditOf(analyst.id)).filter((r) => r.action === 'record.view' && r.record_id === ids.person);
    assert.ok(views.at(-1)!.disclosed_ids!.includes(child!.id), 'the links read disclosed the child');
  });

  test('refused links and bodies: 400 with the field named, and nothing written', async () => {
    const count = async () => (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_links`))[0]!.n;
    const before = await count();
    const valid = { from: { kind: 'person', id: ids.person }, to: { kind: 'object', id: ids.object }, relation: 'owns', source: 'Test', confidence: 'low' };
    for (const [what, payload, path] of [
      ['unknown child', { ...valid, to: { kind: 'child', reference: 'NM-0000' } }, 'to.reference'],
      ['itself', { ...valid, to: { kind: 'person', id: ids.person } }, 'to.id'],
      ['an unknown vehicle', { ...valid, to: { kind: 'object', id: crypto.randomUUID() } }, 'to.id'],
      ['no source', { ...valid, source: '  ' }, 'source'],
      ['last before first', { ...valid, firstSeenOn: '2026-11-02', lastSeenOn: '2026-11-01' }, 'lastSeenOn'],
      ['an impossible date', { ...valid, firstSeenOn: '2026-02-30' }, 'firstSeenOn'],
      ['an unknown relation', { ...valid, relation: 'knows' }, 'relation'],
      ['a malformed id', { ...valid, to: { kind: 'object', id: 'not-a-uuid' } }, null],
      ['an unknown field', { ...valid, extra: true }, null],
    ] as const) {
      const r = await call('POST', '/api/v1/intelligence/links', analyst.token, payload);
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      assert.equal(errorCode(r), 'LANTERN_E_VALIDATION', what);
      if (path)
        assert.ok(
          body<{ error: { issues: { path: string }[] } }>(r).error.issues.some((i) => i.path === path),
          `${what}: ${r.body}`,
        );
    }
    assert.equal(await count(), before);

    for (const [url, payload, what] of [
      ['/api/v1/intelligence/persons', { description: 'No name at all' }, 'a person without a name or alias'],
      ['/api/v1/intelligence/persons', { aliases: ['X'], estimatedAge: 7 }, 'an age under 10'],
      ['/api/v1/intelligence/persons', { aliases: ['X'], dateOfBirth: '2999-01-01' }, 'a birth in the future'],
      ['/api/v1/intelligence/persons', { aliases: ['X'], markers: ['is_nice'] }, 'an unknown marker'],
      ['/api/v1/intelligence/locations', { name: 'Somewhere', kind: 'castle' }, 'an unknown kind of place'],
      ['/api/v1/intelligence/locations', { name: 'Somewhere', kind: 'park', postcode: 'nowhere' }, 'not a postcode'],
      ['/api/v1/intelligence/objects', { kind: 'vehicle', registration: ' - ' }, 'a vehicle without a registration'],
      ['/api/v1/intelligence/objects', { kind: 'phone' }, 'a phone without a number'],
      ['/api/v1/intelligence/objects', { ...vehicle, registration: 'XY-71-API' }, 'the same vehicle typed again'],
      ['/api/v1/intelligence/objects', '{"kind":', 'not JSON'],
      ['/api/v1/intelligence/persons/search', { q: '' }, 'an empty search'],
    ] as const) {
      const r = await call('POST', url, analyst.token, payload);
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      assert.equal(errorCode(r), 'LANTERN_E_VALIDATION', what);
    }
    const again = await call('POST', '/api/v1/intelligence/objects', analyst.token, { ...vehicle, registration: 'XY-71-API' });
    assert.deepEqual(
      body<{ error: { issues: { path: string }[] } }>(again).error.issues.map((i) => i.path),
      ['registration'],
    );
  });

  test('corrections and removal: the owning agency’s token corrects each record (audited by field name); another agency’s is 403; removal needs a reason', async () => {
    const put = await call('PUT', `/api/v1/intelligence/persons/${ids.person}`, analyst.token, { ...person, description: 'Corrected through the API' });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(body(put), { id: ids.person });
    const read = body<{ description: string; aliases: string[] }>(await call('GET', `/api/v1/intelligence/persons/${ids.person}`, analyst.token));
    assert.equal(read.description, 'Corrected through the API');
    const place = await call('PUT', `/api/v1/intelligence/locations/${ids.location}`, analyst.token, { ...takeaway, name: 'API Test Chicken (renamed)' });
    assert.equal(place.statusCode, 200, place.body);
    const car = await call('PUT', `/api/v1/intelligence/objects/${ids.object}`, analyst.token, { ...vehicle, colour: 'Red' });
    assert.equal(car.statusCode, 200, car.body);
    const updates = (await auditOf(analyst.id)).filter((r) => r.action === 'record.update').map((r) => r.record_id);
    assert.deepEqual(updates.slice(-3), [ids.person, ids.location, ids.object]);
    const changed = await ctx.ownerQuery<{ changed: string[] }>(
      `SELECT details->'changed' AS changed FROM audit_events WHERE action = 'record.update' AND record_id = $1 ORDER BY seq DESC LIMIT 1`,
      [ids.object],
    );
    assert.deepEqual(changed[0]!.changed, ['colour'], 'the audit row names the field, not its value');

    // A phone is not edited into a car; a body the create route refuses is refused here too.
    const kind = await call('PUT', `/api/v1/intelligence/objects/${ids.object}`, analyst.token, { kind: 'phone', identifier: '07700 900222' });
    assert.equal(kind.statusCode, 400, kind.body);
    const nameless = await call('PUT', `/api/v1/intelligence/persons/${ids.person}`, analyst.token, { description: 'No name' });
    assert.equal(nameless.statusCode, 400, nameless.body);

    // Another agency's intelligence role reads the record but does not change or remove it.
    const council = await tokens.createToken('Council co-ordination', 'coordinator', ['coordinator']);
    const theirs = await call('PUT', `/api/v1/intelligence/persons/${ids.person}`, council.token, { ...person, description: 'Not ours to change' });
    assert.equal(theirs.statusCode, 403, theirs.body);
    assert.equal((await call('POST', `/api/v1/intelligence/persons/${ids.person}/remove`, council.token, { reason: 'No' })).statusCode, 403);
    assert.equal(
      body<{ description: string }>(await call('GET', `/api/v1/intelligence/persons/${ids.person}`, analyst.token)).description,
      'Corrected through the API',
    );

    const noReason = await call('POST', `/api/v1/intelligence/objects/${ids.object}/remove`, analyst.token, { reason: '  ' });
    assert.equal(noReason.statusCode, 400, noReason.body);
    const removed = await call('POST', `/api/v1/intelligence/objects/${ids.object}/remove`, analyst.token, { reason: 'Entered twice by the API test' });
    assert.equal(removed.statusCode, 200, removed.body);
    const listed = body<{ objects: { id: string }[] }>(await call('GET', '/api/v1/intelligence/objects', analyst.token));
    assert.ok(!listed.objects.some((o) => o.id === ids.object), 'a removed object is left out of the list');
    const [row] = await ctx.ownerQuery<{ removed_reason: string }>(`SELECT removed_reason FROM intel_objects WHERE id = $1`, [ids.object]);
    assert.equal(row!.removed_reason, 'Entered twice by the API test', 'kept, with the reason');
    const close = (await auditOf(analyst.id)).filter((r) => r.action === 'record.close');
    assert.equal(close.at(-1)!.record_id, ids.object);
  });
});

describe('what an intelligence token may not do', () => {
  let ours = { person: '', location: '', object: '', report: '' };
  before(async () => {
    const first = async (table: string, partnershipId: string) =>
      (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM ${table} WHERE partnership_id = $1 ORDER BY created_at LIMIT 1`, [partnershipId]))[0]!.id;
    ours = {
      person: await first('persons_of_concern', northmere),
      location: await first('intel_locations', northmere),
      object: await first('intel_objects', northmere),
      // A P report, which every intelligence role of the partnership reads.
      report: (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_reports WHERE partnership_id = $1 AND handling_code = 'P' LIMIT 1`, [northmere]))[0]!
        .id,
    };
  });
  /** Every intelligence route, for the records of a partnership. */
  const everyRoute = (of: { person: string; location: string; object: string; report: string }) => [
    { method: 'GET' as const, url: '/api/v1/intelligence/persons', write: false },
    { method: 'POST' as const, url: '/api/v1/intelligence/persons/search', body: { q: 'Dean' }, write: false },
    { method: 'GET' as const, url: `/api/v1/intelligence/persons/${of.person}`, write: false },
    { method: 'GET' as const, url: `/api/v1/intelligence/persons/${of.person}/links`, write: false },
    { method: 'POST' as const, url: '/api/v1/intelligence/persons', body: { aliases: ['Sweep'] }, write: true },
    { method: 'PUT' as const, url: `/api/v1/intelligence/persons/${of.person}`, body: { aliases: ['Sweep'] }, write: true },
    { method: 'POST' as const, url: `/api/v1/intelligence/persons/${of.person}/remove`, body: { reason: 'Sweep' }, write: true },
    { method: 'GET' as const, url: '/api/v1/intelligence/locations', write: false },
    { method: 'POST' as const, url: '/api/v1/intelligence/locations/search', body: { q: 'Ferry' }, write: false },
    { method: 'GET' as const, url: `/api/v1/intelligence/locations/${of.location}`, write: false },
    { method: 'GET' as const, url: `/api/v1/intelligence/locations/${of.location}/links`, write: false },
    { method: 'POST' as const, url: '/api/v1/intelligence/locations', body: { name: 'Sweep park', kind: 'park' }, write: true },
    { method: 'PUT' as const, url: `/api/v1/intelligence/locations/${of.location}`, body: { name: 'Sweep park', kind: 'park' }, write: true },
    { method: 'POST' as const, url: `/api/v1/intelligence/locations/${of.location}/remove`, body: { reason: 'Sweep' }, write: true },
    { method: 'GET' as const, url: '/api/v1/intelligence/objects', write: false },
    { method: 'POST' as const, url: '/api/v1/intelligence/objects/search', body: { q: 'NM19KXE' }, write: false },
    { method: 'GET' as const, url: `/api/v1/intelligence/objects/${of.object}`, write: false },
    { method: 'GET' as const, url: `/api/v1/intelligence/objects/${of.object}/links`, write: false },
    { method: 'POST' as const, url: '/api/v1/intelligence/objects', body: { kind: 'phone', identifier: '07700 900000' }, write: true },
    { method: 'PUT' as const, url: `/api/v1/intelligence/objects/${of.object}`, body: { kind: 'phone', identifier: '07700 900000' }, write: true },
    { method: 'POST' as const, url: `/api/v1/intelligence/objects/${of.object}/remove`, body: { reason: 'Sweep' }, write: true },
    {
      method: 'POST' as const,
      url: '/api/v1/intelligence/links',
      body: { from: { kind: 'person', id: of.person }, to: { kind: 'location', id: of.location }, relation: 'frequents', source: 'Sweep', confidence: 'low' },
      write: true,
    },
    { method: 'GET' as const, url: '/api/v1/intelligence/reports', write: false },
    { method: 'POST' as const, url: '/api/v1/intelligence/reports/search', body: { q: 'Audi' }, write: false },
    { method: 'GET' as const, url: `/api/v1/intelligence/reports/${of.report}`, write: false },
    {
      method: 'POST' as const,
      url: '/api/v1/intelligence/reports',
      body: {
        sourceEvaluation: '2',
        intelligenceAssessment: 'B',
        handlingCode: 'P',
        obtainedOn: '2026-10-01',
        officerName: 'PC Sweep',
        sanitisedText: 'Sweep report',
      },
      write: true,
    },
  ];

  test('the sweep covers every intelligence route of the API', () => {
    const routes = (ctx.app as unknown as { routeTable: { method: string; url: string }[] }).routeTable
      // Disruptions have scopes and a sweep of their own (disruptions-api.test.ts).
      .filter((r) => r.url.startsWith('/api/v1/intelligence') && !r.url.startsWith('/api/v1/intelligence/disruptions'))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    const swept = everyRoute({ person: ':id', location: ':id', object: ':id', report: ':id' })
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    assert.deepEqual(routes, swept);
  });

  test('a token without the intelligence scopes is 403 on every route; a read-only one reads and cannot write', async () => {
    const casework = await tokens.createToken('Casework only', 'analyst', ['analyst'], {
      scopes: apiScopes.filter((s) => !s.startsWith('intelligence:')),
    });
    const readOnly = await tokens.createToken('Intelligence read only', 'coordinator', ['coordinator'], { scopes: ['intelligence:read'] });
    for (const r of everyRoute(ours)) {
      const refused = await call(r.method, r.url, casework.token, r.body);
      assert.equal(refused.statusCode, 403, `${r.method} ${r.url}`);
      assert.equal(errorCode(refused), 'LANTERN_E_FORBIDDEN');
      const response = await call(r.method, r.url, readOnly.token, r.body);
      assert.equal(response.statusCode, r.write ? 403 : 200, `read-only ${r.method} ${r.url}: ${response.body}`);
    }
  });

  test('a token of a role without intelligence (a practitioner, a triage worker) is 403 whatever its scopes, and reads nothing', async () => {
    const before = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM persons_of_concern`))[0]!.n;
    for (const [issuer, role] of [
      ['police', 'practitioner'],
      ['triage', 'triage_worker'],
    ] as const) {
      const token = await tokens.createToken(`No intelligence ${role}`, issuer, [role]);
      for (const r of everyRoute(ours)) {
        const response = await call(r.method, r.url, token.token, r.body);
        assert.equal(response.statusCode, 403, `${role} ${r.method} ${r.url}`);
      }
      assert.deepEqual(
        (await auditOf(token.id)).filter((a) => a.action !== 'access.refused'),
        [],
        'nothing read',
      );
    }
    assert.equal((await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM persons_of_concern`))[0]!.n, before, 'nothing written');
  });

  test('another partnership’s person, location and vehicle are 404 on every route that names one, and cannot be linked', async () => {
    const theirs = {
      person: (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 LIMIT 1`, [westbrook]))[0]!.id,
      location: (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_locations WHERE partnership_id = $1 LIMIT 1`, [westbrook]))[0]!.id,
      object: (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_objects WHERE partnership_id = $1 LIMIT 1`, [westbrook]))[0]!.id,
      report: (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_reports WHERE partnership_id = $1 LIMIT 1`, [westbrook]))[0]!.id,
    };
    const named = (url: string) => [theirs.person, theirs.location, theirs.object, theirs.report].some((id) => url.includes(id));
    for (const r of everyRoute(theirs).filter((r) => named(r.url))) {
      const response = await call(r.method, r.url, analyst.token, r.body);
      assert.equal(response.statusCode, 404, `${r.method} ${r.url}`);
      assert.equal(errorCode(response), 'LANTERN_E_NOT_FOUND');
    }
    const link = { relation: 'frequents', source: 'Cross-boundary test', confidence: 'low' };
    const fromTheirs = await call('POST', '/api/v1/intelligence/links', analyst.token, {
      ...link,
      from: { kind: 'person', id: theirs.person },
      to: { kind: 'location', id: ours.location },
    });
    assert.equal(fromTheirs.statusCode, 404, fromTheirs.body);
    const toTheirs = await call('POST', '/api/v1/intelligence/links', analyst.token, {
      ...link,
      from: { kind: 'person', id: ours.person },
      to: { kind: 'location', id: theirs.location },
    });
    assert.equal(toTheirs.statusCode, 400, toTheirs.body);
    const searched = body<{ objects: { id: string }[] }>(await call('POST', '/api/v1/intelligence/objects/search', analyst.token, { q: 'WB68TRL' }));
    assert.deepEqual(searched.objects, [], 'their vehicle is not found by its registration');
    const linked = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_links WHERE source = 'Cross-boundary test'`))[0]!.n;
    assert.equal(linked, 0);
  });

  test('malformed and unknown ids are 404 as JSON with a stable code; no token is 401', async () => {
    for (const url of [
      '/api/v1/intelligence/persons/not-a-uuid',
      '/api/v1/intelligence/locations/42',
      `/api/v1/intelligence/objects/${'x'.repeat(300)}`,
      "/api/v1/intelligence/persons/1'or'1/links",
      `/api/v1/intelligence/objects/${crypto.randomUUID()}`,
      `/api/v1/intelligence/locations/${crypto.randomUUID()}/links`,
      '/api/v1/intelligence/reports/not-a-uuid',
      `/api/v1/intelligence/reports/${crypto.randomUUID()}`,
    ]) {
      const r = await call('GET', url, analyst.token);
      assert.equal(r.statusCode, 404, url);
      assert.equal(errorCode(r), 'LANTERN_E_NOT_FOUND', url);
    }
    for (const r of everyRoute(ours)) assert.equal((await call(r.method, r.url, null, r.body)).statusCode, 401, `${r.method} ${r.url}`);
  });
});

describe('graded reports through the API', () => {
  const cReport = {
    sourceEvaluation: '1',
    intelligenceAssessment: 'B',
    handlingCode: 'C',
    handlingConditions: 'Police only',
    obtainedOn: '2026-10-02',
    officerName: 'DC 77 API Officer',
    sanitisedText: 'Sanitised API-GRADE text about a van.',
    originalText: 'Original API-GRADE text naming the informant.',
  };
  let created = '';

  test('the analyst’s token submits a C report with its original and reads both back; each audited with the token', async () => {
    const r = await call('POST', '/api/v1/intelligence/reports', analyst.token, cReport);
    assert.equal(r.statusCode, 201, r.body);
    created = body<{ id: string }>(r).id;
    const one = await call('GET', `/api/v1/intelligence/reports/${created}`, analyst.token);
    assert.equal(one.statusCode, 200, one.body);
    const report = body<{ sanitised_text: string; original_text: string | null; handling_code: string; submitting_agency_id: string }>(one);
    assert.equal(report.sanitised_text, cReport.sanitisedText);
    assert.equal(report.original_text, cReport.originalText, 'the owning analyst reads the original');
    assert.equal(report.handling_code, 'C');
    assert.equal(report.submitting_agency_id, agency.police);
    const audited = (await auditOf(analyst.id)).filter((a) => a.record_type === 'intel_report' && a.record_id === created).map((a) => a.action);
    assert.deepEqual(audited, ['record.create', 'record.view']);
    const listed = body<{ reports: Json[] }>(await call('GET', '/api/v1/intelligence/reports', analyst.token)).reports;
    assert.ok(listed.some((x) => x.id === created));
    assert.ok(
      listed.every((x) => !('original_text' in x)),
      'lists carry the sanitised text only',
    );
    const found = body<{ reports: { id: string }[] }>(await call('POST', '/api/v1/intelligence/reports/search', analyst.token, { q: 'API-GRADE' })).reports;
    assert.deepEqual(
      found.map((x) => x.id),
      [created],
    );
  });

  test('a co-ordinator’s token neither lists, finds nor reads an unreleased C report of the police, nor ever an original', async () => {
    const coordinator = await tokens.createToken('Co-ordination system', 'coordinator', ['coordinator']);
    const listed = body<{ reports: { id: string }[] }>(await call('GET', '/api/v1/intelligence/reports', coordinator.token)).reports;
    assert.ok(listed.length > 0, 'the P reports are listed');
    assert.ok(!listed.some((x) => x.id === created));
    assert.deepEqual(
      body<{ reports: unknown[] }>(await call('POST', '/api/v1/intelligence/reports/search', coordinator.token, { q: 'API-GRADE' })).reports,
      [],
    );
    const one = await call('GET', `/api/v1/intelligence/reports/${created}`, coordinator.token);
    assert.equal(one.statusCode, 404);
    const p = listed[0]!.id;
    const readable = body<{ original_text: string | null; sanitised_text: string }>(await call('GET', `/api/v1/intelligence/reports/${p}`, coordinator.token));
    assert.equal(readable.original_text, null, 'the sanitised text only');
    assert.ok(readable.sanitised_text.length > 0);
  });

  test('refused bodies: C without conditions, a grade off the scale, an original from a co-ordinator, unknown fields — 400 and nothing written', async () => {
    const before = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_reports`))[0]!.n;
    const coordinator = await tokens.createToken('Co-ordination system 2', 'coordinator', ['coordinator']);
    for (const [token, payload] of [
      [analyst.token, { ...cReport, handlingConditions: '' }],
      [analyst.token, { ...cReport, sourceEvaluation: '4' }],
      [analyst.token, { ...cReport, intelligenceAssessment: 'F' }],
      [analyst.token, { ...cReport, obtainedOn: '2999-01-01' }],
      [analyst.token, { ...cReport, extra: 'field' }],
      [coordinator.token, cReport],
    ] as const) {
      const r = await call('POST', '/api/v1/intelligence/reports', token, payload);
      assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
    }
    assert.equal((await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_reports`))[0]!.n, before);
  });
});
