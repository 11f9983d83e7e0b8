import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, demoAgency } from '../helpers/factories.ts';
import { signIn, type Agent, dateFields } from '../helpers/http.ts';

/**
 * Near-duplicate search and restricted records: a restricted child held by another agency is
 * invisible at triage, so a strong match (family name and date of birth) shows a notice that
 * names nobody, and the search's audit row records it.
 */
let ctx: TestContext;
let northmere: string;
let hiddenId: string;
const agents: Record<string, Agent> = {};
// A synthetic child, restricted and held by the police; the triage worker is in children's services.
const hidden = { given: 'Tamsin', family: 'Quellbrook', dob: '2012-03-04', reference: 'NM-7001' };
const notice = /A restricted record may match this child\. Ask the designated safeguarding lead or the DPO before creating a new record\./;

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  hiddenId = await aChild(ctx, {
    partnership_id: northmere,
    owning_agency_id: (await demoAgency(ctx, 'northmere', 'police')).id,
    reference: hidden.reference,
    given_name: hidden.given,
    family_name: hidden.family,
    date_of_birth: hidden.dob,
    restricted: true,
    restricted_reason: 'A relative works in the MASH',
  });
  for (const key of ['triage.northmere', 'police.northmere', 'triage.westbrook']) {
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}@lantern.example`));
  }
});
after(async () => ctx.close());

/** Nothing that identifies the hidden child: its stored name (the search echoes what was typed, in lower case), reference or id. */
function assertNothingIdentifying(body: string) {
  assert.ok(!body.includes(hidden.family), 'no family name');
  assert.ok(!body.includes(hidden.given), 'no given name');
  assert.ok(!body.includes(hidden.reference), 'no reference');
  assert.ok(!body.includes(hiddenId), 'no id');
}
const lastSearchAudit = async () =>
  (
    await ctx.ownerQuery<{ details: { restrictedMatches?: number; results: number } }>(
      `SELECT details FROM audit_events WHERE action = 'search' AND partnership_id = $1 ORDER BY id DESC LIMIT 1`,
      [northmere],
    )
  )[0]!.details;

describe('restricted records in near-duplicate search', () => {
  test('a triage worker of another agency searching the same name and date of birth sees a notice naming nobody', async () => {
    const triage = agents['triage.northmere']!;
    await triage.get('/children');
    const r = await triage.post('/children/search', { name: 'tamsin quellbrook', ...dateFields('dateOfBirth', hidden.dob) });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, notice);
    assertNothingIdentifying(r.body);
    assert.equal((await lastSearchAudit()).restrictedMatches, 1, 'the search’s audit row records the match');

    // The family name and date of birth are enough; a spelling of the family name that differs is not a strong match.
    assert.match((await triage.post('/children/search', { name: 'quellbrook', ...dateFields('dateOfBirth', hidden.dob) })).body, notice);
    assert.match(
      (await triage.post('/children/search', { name: 'quellbrook tamsin', ...dateFields('dateOfBirth', hidden.dob) })).body,
      notice,
      'names swapped',
    );
    const other = await triage.post('/children/search', { name: 'tamsin quelbrook', ...dateFields('dateOfBirth', hidden.dob) });
    assert.doesNotMatch(other.body, notice);
    const otherName = await triage.post('/children/search', { name: 'tamsin harrowgate', ...dateFields('dateOfBirth', hidden.dob) });
    assert.equal(otherName.statusCode, 200);
    assert.doesNotMatch(otherName.body, notice, 'a different name: no notice');
    assert.equal((await lastSearchAudit()).restrictedMatches, 0);
    assert.doesNotMatch(
      (await triage.post('/children/search', { name: 'tamsin quellbrook', ...dateFields('dateOfBirth', '2012-03-05') })).body,
      notice,
      'another date of birth',
    );
    assert.doesNotMatch((await triage.post('/children/search', { name: 'tamsin quellbrook' })).body, notice, 'no date of birth: no strong match');
  });

  test('the owning agency sees the record itself, not the notice; another partnership sees neither', async () => {
    const police = agents['police.northmere']!;
    await police.get('/children');
    const own = await police.post('/children/search', { name: 'tamsin quellbrook', ...dateFields('dateOfBirth', hidden.dob) });
    assert.ok(own.body.includes(hidden.reference), 'listed for the agency that holds it');
    assert.doesNotMatch(own.body, notice);
    const westbrook = agents['triage.westbrook']!;
    await westbrook.get('/children');
    const elsewhere = await westbrook.post('/children/search', { name: 'tamsin quellbrook', ...dateFields('dateOfBirth', hidden.dob) });
    assert.doesNotMatch(elsewhere.body, notice);
    assertNothingIdentifying(elsewhere.body);
  });

  test('at triage: the search and the duplicate warning show the notice; confirming creates the record', async () => {
    const triage = agents['triage.northmere']!;
    const [concern] = await ctx.ownerQuery<{ id: string }>(
      `SELECT id FROM concerns WHERE partnership_id = $1 AND decision IS NULL ORDER BY received_at LIMIT 1`,
      [northmere],
    );
    await triage.get(`/triage/${concern!.id}`);
    const search = await triage.post(`/triage/${concern!.id}/search`, { name: 'tamsin quellbrook', ...dateFields('dateOfBirth', hidden.dob) });
    assert.equal(search.statusCode, 200);
    assert.match(search.body, notice);
    assertNothingIdentifying(search.body);
    assert.equal((await lastSearchAudit()).restrictedMatches, 1);
    assert.doesNotMatch(
      (await triage.post(`/triage/${concern!.id}/search`, { name: 'tamsin harrowgate', ...dateFields('dateOfBirth', hidden.dob) })).body,
      notice,
    );

    const agency = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'`, [northmere]))[0]!
      .id;
    const decision = {
      decision: 'cse_concern',
      riskLevel: 'medium',
      actingAgencyId: agency,
      notes: 'Strategy discussion.',
      link: 'new',
      givenName: 'tamsin',
      familyName: 'quellbrook',
      ...dateFields('dateOfBirth', hidden.dob),
      gender: 'female',
    };
    const warned = await triage.post(`/triage/${concern!.id}`, decision);
    assert.equal(warned.statusCode, 409, 'a restricted match alone asks for confirmation');
    assert.match(warned.body, /govuk-error-summary/);
    assert.ok(warned.body.includes('href="#restricted-match"'));
    assert.match(warned.body, notice);
    assertNothingIdentifying(warned.body);
    const warning = await lastSearchAudit();
    assert.deepEqual([warning.results, warning.restrictedMatches], [0, 1], 'the duplicate check is audited as a search');
    assert.equal((await ctx.ownerQuery(`SELECT 1 FROM concerns WHERE id = $1 AND decision IS NOT NULL`, [concern!.id])).length, 0);

    const done = await triage.post(`/triage/${concern!.id}`, { ...decision, confirmNew: 'yes' });
    assert.equal(done.statusCode, 302);
    const [audit] = await ctx.ownerQuery<{ details: { restrictedMatches: number } }>(
      `SELECT details FROM audit_events WHERE action = 'concern.triage' AND record_id = $1`,
      [concern!.id],
    );
    assert.equal(audit!.details.restrictedMatches, 1, 'the decision records that the worker went on past the notice');
  });

  test('the function gives a count only, to lantern_app, for the acting partnership', async () => {
    const [fn] = await ctx.ownerQuery<{ secdef: boolean; config: string[]; result: string }>(
      `SELECT p.prosecdef AS secdef, p.proconfig AS config, pg_get_function_result(p.oid) AS result FROM pg_proc p WHERE p.proname = 'lantern_restricted_match_count'`,
    );
    assert.deepEqual(fn, { secdef: true, config: ['search_path=public'], result: 'integer' });
    const [grants] = await ctx.ownerQuery<{ app: boolean; public: boolean }>(`SELECT
      has_function_privilege('lantern_app', 'lantern_restricted_match_count(text, text, date)', 'EXECUTE') AS app,
      EXISTS (SELECT 1 FROM pg_proc p, aclexplode(p.proacl) a WHERE p.proname = 'lantern_restricted_match_count' AND a.grantee = 0) AS public`);
    assert.deepEqual(grants, { app: true, public: false });
  });
});
