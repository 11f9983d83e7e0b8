import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { actorOf, type SessionUser } from '../../src/auth/service.ts';
import { withActor, withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { disruptionQuarters } from '../../src/features/intelligence/disruption-figures.ts';
import { computeQuarter } from '../../src/features/strategy/computed-measures.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Disruption and outcomes (issue 12 §3): a disruption recorded on the form (tactic, date, agency,
 * target, children, outcome) and its outcome recorded later, every read and change audited; the
 * form's mistakes 400 with GOV.UK's messages; the list filtered by quarter and tactic (a malformed
 * filter 400); a disruption shown on its target's page and its children's records; row-level security
 * (migration 0310) keeps the rows from every role but the intelligence roles and from the other
 * partnership; the figures by quarter (disruptions by tactic, charges, convictions, the median days
 * from first intelligence to first disruption) worked out from data placed in 2023, which the demo
 * does not reach; and the strategy's Pursue measures, read by a board member, moved by a disruption.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
const agency: Record<string, string> = {};
const agents: Record<string, Agent> = {};
let analystUser: SessionUser;
let boardMember: SessionUser;
/** The demo's "Dean", Ferry Road Grill and NM-1004. */
const demo = { dean: '', grill: '', child: '', childReference: 'NM-1004' };

before(async () => {
  ctx = await createTestContext();
  const partnership = async (code: string) => (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = $1`, [code]))[0]!.id;
  northmere = await partnership('northmere');
  westbrook = await partnership('westbrook');
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agency[a.kind] = a.id;
  demo.dean = (
    await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 AND 'Dean' = ANY (aliases)`, [northmere])
  )[0]!.id;
  demo.grill = (
    await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_locations WHERE partnership_id = $1 AND name = 'Ferry Road Grill'`, [northmere])
  )[0]!.id;
  demo.child = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = $1`, [demo.childReference]))[0]!.id;
  for (const key of ['analyst', 'coordinator', 'social-worker', 'councillor'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
  agents.westbrook = await signIn(ctx.app, ctx.clock, ctx.account('analyst.westbrook@lantern.example'));
  analystUser = await ctx.sessionUser('analyst.northmere@lantern.example');
  boardMember = await ctx.sessionUser('councillor.northmere@lantern.example');
});
after(async () => ctx.close());

const auditRows = (recordId: string | null) =>
  ctx.ownerQuery<{ action: string; details: Record<string, unknown> | null; disclosed_ids: string[] | null; actor_label: string }>(
    `SELECT action, details, disclosed_ids, actor_label FROM audit_events WHERE record_type = 'intel_disruption' AND ($1::text IS NULL OR record_id = $1) ORDER BY seq`,
    [recordId],
  );
const aDisruption = (overrides: Record<string, string> = {}) => ({
  tactic: 'sexual_risk_order',
  tacticOther: '',
  'disruptedOn-day': '12',
  'disruptedOn-month': '11',
  'disruptedOn-year': '2025',
  agencyId: agency.police!,
  personId: demo.dean,
  locationId: '',
  childReferences: `${demo.childReference.toLowerCase()}\n`,
  summary: 'DISRUPT-TEST: order applied for at the magistrates’ court.',
  outcome: 'pending',
  outcomeNotes: '',
  ...overrides,
});

describe('disruptions', () => {
  let recorded = '';

  test('the analyst records a disruption: saved with its target and child, shown with its banner, audited', async () => {
    const analyst = agents.analyst!;
    const form = await analyst.get('/intelligence/disruptions/new');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Child abduction warning notice/);
    assert.match(form.body, /National Referral Mechanism referral/);
    const saved = await analyst.post('/intelligence/disruptions/new', aDisruption());
    assert.equal(saved.statusCode, 302, saved.body);
    const match = /^\/intelligence\/disruptions\/([0-9a-f-]{36})$/.exec(String(saved.headers.location));
    assert.ok(match, String(saved.headers.location));
    recorded = match[1]!;
    const page = await analyst.get(saved.headers.location as string);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Disruption recorded/);
    assert.match(page.body, /Sexual risk order on 12 November 2025/);
    assert.match(page.body, /DISRUPT-TEST/);
    assert.match(page.body, new RegExp(`href="/children/${demo.child}"`), 'the child it protects is linked');
    assert.match(page.body, new RegExp(`href="/intelligence/persons/${demo.dean}"`));
    assert.match(page.body, /Awaiting outcome/);

    const [row] = await ctx.ownerQuery<{
      tactic: string;
      disrupted_on: string;
      agency_id: string;
      target_person_id: string;
      outcome: string;
      created_by_name: string;
    }>(`SELECT tactic, disrupted_on::text, agency_id, target_person_id, outcome, created_by_name FROM intel_disruptions WHERE id = $1`, [recorded]);
    assert.deepEqual(
      { ...row, created_by_name: typeof row!.created_by_name },
      {
        tactic: 'sexual_risk_order',
        disrupted_on: '2025-11-12',
        agency_id: agency.police,
        target_person_id: demo.dean,
        outcome: 'pending',
        created_by_name: 'string',
      },
    );
    const children = await ctx.ownerQuery<{ linked_child_id: string }>(`SELECT linked_child_id FROM intel_disruption_children WHERE disruption_id = $1`, [
      recorded,
    ]);
    assert.deepEqual(
      children.map((c) => c.linked_child_id),
      [demo.child],
    );
    const formView = (await auditRows(null)).find((a) => a.details?.page === 'disruption form');
    assert.ok(formView?.disclosed_ids?.includes(demo.dean), 'the form’s list of persons is audited as a view');
    const audit = await auditRows(recorded);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['record.create', 'record.view'],
    );
    assert.deepEqual(audit[0]!.details, { tactic: 'sexual_risk_order', disruptedOn: '2025-11-12', outcome: 'pending', children: 1 });
    assert.deepEqual([...audit[0]!.disclosed_ids!].sort(), [demo.dean, demo.child].sort());
  });

  test('the form’s mistakes are refused with GOV.UK’s messages (400) and nothing is saved', async () => {
    const analyst = agents.analyst!;
    const before = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_disruptions`))[0]!.n;
    const empty = await analyst.post('/intelligence/disruptions/new', {});
    assert.equal(empty.statusCode, 400);
    for (const message of ['Select the tactic', 'Enter the date of the disruption', 'Select the agency that carried it out', 'Enter what was done'])
      assert.match(empty.body, new RegExp(message), message);
    assert.match(empty.body, /govuk-error-summary/);

    const noTarget = await analyst.post('/intelligence/disruptions/new', aDisruption({ personId: '', locationId: '' }));
    assert.equal(noTarget.statusCode, 400);
    assert.match(noTarget.body, /Select a person of concern, a location or both/);
    const other = await analyst.post('/intelligence/disruptions/new', aDisruption({ tactic: 'other', tacticOther: '' }));
    assert.equal(other.statusCode, 400);
    assert.match(other.body, /Enter what was done/);
    const future = await analyst.post('/intelligence/disruptions/new', aDisruption({ 'disruptedOn-year': '2099' }));
    assert.equal(future.statusCode, 400);
    assert.match(future.body, /must be today or in the past/);
    const unreal = await analyst.post('/intelligence/disruptions/new', aDisruption({ 'disruptedOn-day': '31', 'disruptedOn-month': '2' }));
    assert.equal(unreal.statusCode, 400);
    assert.match(unreal.body, /must be a real date/);
    const unknownChild = await analyst.post('/intelligence/disruptions/new', aDisruption({ childReferences: 'NM-1004, NM-99999' }));
    assert.equal(unknownChild.statusCode, 400);
    assert.match(unknownChild.body, /No child has one of these references/);
    assert.match(unknownChild.body, /NM-99999/, 'what was typed is shown again');
    const badTactic = await analyst.post('/intelligence/disruptions/new', aDisruption({ tactic: 'kneecapping' }));
    assert.equal(badTactic.statusCode, 400);
    const badPerson = await analyst.post('/intelligence/disruptions/new', aDisruption({ personId: 'not-a-uuid' }));
    assert.equal(badPerson.statusCode, 400);
    const otherPartnershipPerson = (
      await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 LIMIT 1`, [westbrook])
    )[0]!.id;
    const foreign = await analyst.post('/intelligence/disruptions/new', aDisruption({ personId: otherPartnershipPerson }));
    assert.equal(foreign.statusCode, 400, 'another partnership’s person is not one to target');
    assert.equal((await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_disruptions`))[0]!.n, before);
  });

  test('the list filters by quarter and tactic; a malformed filter is 400; each list is audited', async () => {
    const analyst = agents.analyst!;
    const all = await analyst.get('/intelligence/disruptions');
    assert.equal(all.statusCode, 200);
    assert.match(all.body, new RegExp(`/intelligence/disruptions/${recorded}`));
    assert.match(all.body, /Child abduction warning notice/, 'the demo’s notice on Dean is listed');
    const q4 = await analyst.get('/intelligence/disruptions?quarter=2025-10-01&tactic=sexual_risk_order');
    assert.equal(q4.statusCode, 200);
    assert.match(q4.body, new RegExp(`/intelligence/disruptions/${recorded}`));
    assert.match(q4.body, /Disruptions found: 1\. Quarter: October to December 2025\. Tactic: Sexual risk order\./);
    const none = await analyst.get('/intelligence/disruptions?quarter=2025-10-01&tactic=conviction');
    assert.doesNotMatch(none.body, new RegExp(`/intelligence/disruptions/${recorded}`));
    assert.match(none.body, /No disruptions recorded/);
    const blank = await analyst.get('/intelligence/disruptions?quarter=&tactic=');
    assert.equal(blank.statusCode, 200, 'the form’s “any” choices are blank');
    for (const bad of ['quarter=2025-11-05', 'quarter=yesterday', 'tactic=kneecapping', 'quarter=2025-13-01'])
      assert.equal((await analyst.get(`/intelligence/disruptions?${bad}`)).statusCode, 400, bad);
    const lists = (await auditRows(null)).filter((a) => a.details?.list === 'disruptions');
    assert.ok(lists.some((a) => a.action === 'record.view'));
    assert.ok(lists.some((a) => a.action === 'search' && a.details?.tactic === 'sexual_risk_order' && a.details?.results === 1));
  });

  test('a disruption shows on its target’s page and on the record of the child it protects, for the intelligence roles', async () => {
    const person = await agents.coordinator!.get(`/intelligence/persons/${demo.dean}`);
    assert.equal(person.statusCode, 200);
    assert.match(person.body, /Disruptions \(3\)/, 'the demo’s notice and arrest, and the order recorded here');
    assert.match(person.body, new RegExp(`/intelligence/disruptions/${recorded}`));
    const grill = await agents.coordinator!.get(`/intelligence/locations/${demo.grill}`);
    assert.match(grill.body, /Licence review or revocation/);
    const child = await agents.coordinator!.get(`/children/${demo.child}`);
    assert.equal(child.statusCode, 200);
    assert.match(child.body, new RegExp(`/intelligence/disruptions/${recorded}`));
    const practitionerChild = await agents['social-worker']!.get(`/children/${demo.child}`);
    assert.doesNotMatch(practitionerChild.body, /intelligence\/disruptions/, 'no disruption for a role without intelligence');
  });

  test('the outcome is recorded later: saved, shown, audited with the old and new outcome; a mistake is 400', async () => {
    const analyst = agents.analyst!;
    const refused = await analyst.post(`/intelligence/disruptions/${recorded}/outcome`, { outcome: 'granted' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Select the outcome/);
    const saved = await analyst.post(`/intelligence/disruptions/${recorded}/outcome`, { outcome: 'achieved', outcomeNotes: 'Order made for five years.' });
    assert.equal(saved.statusCode, 302);
    const page = await analyst.get(`/intelligence/disruptions/${recorded}`);
    assert.match(page.body, /Outcome saved/);
    assert.match(page.body, /Order made for five years/);
    const update = (await auditRows(recorded)).find((a) => a.action === 'record.update');
    assert.deepEqual(update?.details, { outcome: { from: 'pending', to: 'achieved' } });
    assert.equal((await analyst.post(`/intelligence/disruptions/${crypto.randomUUID()}/outcome`, { outcome: 'achieved' })).statusCode, 404);
  });

  test('row-level security: only the intelligence roles of the partnership read the rows, whatever query runs', async () => {
    const as = (roles: TrustedActor['roles']): TrustedActor => ({
      userId: null,
      partnershipId: northmere,
      agencyId: agency.police!,
      roles,
      label: 'disruption rls test',
    });
    const count = (actor: TrustedActor, table: string) =>
      withTrustedActor(
        ctx.handle.owner,
        actor,
        async (tx) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(tx)).rows[0]!.n,
      );
    for (const table of ['intel_disruptions', 'intel_disruption_children']) {
      assert.ok((await count(as(['analyst']), table)) > 0, `${table}: the analyst reads rows`);
      assert.ok((await count(as(['coordinator']), table)) > 0, `${table}: the co-ordinator reads rows`);
      for (const roles of [['practitioner'], ['board_member'], ['strategy_lead'], ['triage_worker'], ['partnership_admin', 'dpo']])
        assert.equal(await count(as(roles), table), 0, `${table}: ${roles.join(', ')} reads none`);
    }
    // A practitioner cannot add one either.
    const [user] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'social-worker.northmere@lantern.example'`);
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, { ...as(['practitioner']), userId: user!.id }, (tx) =>
        tx
          .insertInto('intel_disruptions')
          .values({
            partnership_id: northmere,
            tactic: 'arrest',
            disrupted_on: '2025-01-01',
            agency_id: agency.police!,
            target_person_id: demo.dean,
            summary: 'not allowed',
          })
          .execute(),
      ),
      /row-level security/,
    );
    // The pages say the same: 403 for the practitioner and the board member, 404 for the other partnership's analyst.
    for (const key of ['social-worker', 'councillor']) {
      assert.equal((await agents[key]!.get('/intelligence/disruptions')).statusCode, 403, key);
      assert.equal((await agents[key]!.get(`/intelligence/disruptions/${recorded}`)).statusCode, 403, key);
      assert.equal((await agents[key]!.get('/intelligence/disruptions/figures')).statusCode, 403, key);
    }
    assert.equal((await agents.westbrook!.get(`/intelligence/disruptions/${recorded}`)).statusCode, 404);
    assert.doesNotMatch((await agents.westbrook!.get('/intelligence/disruptions')).body, /DISRUPT-TEST|Ferry Road/);
  });

  describe('figures by quarter and the Pursue measures (data in 2023, which the demo does not reach)', () => {
    const persons: Record<'x' | 'y', string> = { x: '', y: '' };

    before(async () => {
      const person = async (alias: string) =>
        (
          await ctx.ownerQuery<{ id: string }>(
            `INSERT INTO persons_of_concern (partnership_id, aliases, owning_agency_id, created_at) VALUES ($1, ARRAY[$2], $3, '2023-03-20T12:00Z') RETURNING id`,
            [northmere, alias, agency.police],
          )
        )[0]!.id;
      persons.x = await person('MI-X');
      persons.y = await person('MI-Y');
      // X: first sighted with a child on 1 December 2022 (the link was recorded in 2026: the sighting is earlier).
      await ctx.ownerQuery(
        `INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, first_seen_on, source, confidence)
         VALUES ($1, 'person', $2, 'child', $3, 'seen_with', '2022-12-01', 'MI test', 'high')`,
        [northmere, persons.x, demo.child],
      );
      // Y: a C report obtained on 1 January 2023 (withheld from the co-ordinator: it still dates Y's first intelligence).
      const [report] = await ctx.ownerQuery<{ id: string }>(
        `INSERT INTO intel_reports (partnership_id, source_evaluation, intelligence_assessment, handling_code, handling_conditions, obtained_on,
           submitting_agency_id, officer_name, sanitised_text, created_at)
         VALUES ($1, '1', 'A', 'C', 'MI test only', '2023-01-01', $2, 'DC MI', 'MI test report', '2023-01-02T09:00Z') RETURNING id`,
        [northmere, agency.police],
      );
      await ctx.ownerQuery(`INSERT INTO intel_report_links (partnership_id, report_id, entity_kind, entity_id) VALUES ($1, $2, 'person', $3)`, [
        northmere,
        report!.id,
        persons.y,
      ]);
    });

    const record = (tactic: string, on: string, personId: string) => {
      const [year, month, day] = on.split('-');
      return agents.analyst!.post(
        '/intelligence/disruptions/new',
        aDisruption({ tactic, 'disruptedOn-day': day!, 'disruptedOn-month': month!, 'disruptedOn-year': year!, personId, childReferences: '' }),
      );
    };
    const figures = (user: SessionUser, quarters: string[]) => withActor(ctx.handle.db, actorOf(user), (tx) => disruptionQuarters(tx, quarters));
    const measure = (source: Parameters<typeof computeQuarter>[1], quarter: string) =>
      withActor(ctx.handle.db, actorOf(boardMember), (tx) => computeQuarter(tx, source, quarter, ctx.clock.now()));

    test('a board member’s Pursue measures count nothing before the disruptions, and a recorded charge moves them', async () => {
      assert.deepEqual(
        [
          await measure('disruptions', '2023-01-01'),
          await measure('disruption_charges', '2023-01-01'),
          await measure('days_to_first_disruption', '2023-01-01'),
        ].map((v) => v.value),
        [0, 0, null],
      );
      assert.equal((await record('charge', '2023-01-31', persons.x)).statusCode, 302);
      const charges = await measure('disruption_charges', '2023-01-01');
      assert.equal(charges.value, 1, 'the charge is counted for the board member, who cannot read the row');
      assert.equal((await measure('disruptions', '2023-01-01')).value, 1);
      assert.equal((await measure('disruption_convictions', '2023-01-01')).value, 0);
      const days = await measure('days_to_first_disruption', '2023-01-01');
      assert.equal(days.value, 61, '1 December 2022 to 31 January 2023');
      assert.equal(days.basis, 'Persons first disrupted: 1');
    });

    test('the figures by quarter: disruptions by tactic, charges, convictions and the median days to first disruption', async () => {
      assert.equal((await record('conviction', '2023-02-10', persons.y)).statusCode, 302);
      assert.equal((await record('arrest', '2023-03-01', persons.y)).statusCode, 302, 'a second disruption of Y: not its first');
      assert.equal((await record('trespass_notice', '2023-04-03', persons.x)).statusCode, 302, 'in Q2: not X’s first either');
      for (const user of [analystUser, await ctx.sessionUser('coordinator.northmere@lantern.example'), boardMember]) {
        const [q1, q2, q3] = await figures(user, ['2023-01-01', '2023-04-01', '2023-07-01']);
        assert.deepEqual(
          {
            total: q1!.total,
            charges: q1!.charges,
            convictions: q1!.convictions,
            arrests: q1!.byTactic.arrest,
            first: q1!.firstDisrupted,
            median: q1!.medianDays,
          },
          { total: 3, charges: 1, convictions: 1, arrests: 1, first: 2, median: 50.5 },
          `${user.roles.join()}: the median of 61 and 40 days, whoever asks (the C report dates Y for everyone)`,
        );
        assert.deepEqual(
          { total: q2!.total, trespass: q2!.byTactic.trespass_notice, first: q2!.firstDisrupted, median: q2!.medianDays },
          { total: 1, trespass: 1, first: 0, median: null },
        );
        assert.equal(q3!.total, 0);
      }
      assert.equal((await measure('days_to_first_disruption', '2023-01-01')).value, 50.5);
      assert.equal((await measure('disruption_convictions', '2023-01-01')).value, 1);
      assert.equal((await measure('disruptions', '2023-04-01')).value, 1);
    });

    test('the figures page shows the last eight quarters to the intelligence roles, audited', async () => {
      const page = await agents.coordinator!.get('/intelligence/disruptions/figures');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Disruption figures by quarter/);
      assert.match(page.body, /Median days from first intelligence/);
      assert.equal((page.body.match(/href="\/intelligence\/disruptions\?quarter=/g) ?? []).length, 8);
      assert.ok((await auditRows(null)).some((a) => a.details?.page === 'disruption figures'));
    });

    test('a plan’s measure computed from disruptions shows its figure to a board member, naming no one', async () => {
      const page = await agents.councillor!.get(
        `/strategy/plans/${(await ctx.ownerQuery<{ plan_id: string }>(`SELECT plan_id FROM strategy_measures WHERE partnership_id = $1 AND source = 'disruptions' LIMIT 1`, [northmere]))[0]!.plan_id}/measures`,
      );
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Disruptions of those who exploit children/);
      assert.match(page.body, /Computed \(Pursue\): disruptions recorded in each quarter/);
      assert.doesNotMatch(page.body, /Dean|DISRUPT-TEST|MI-X/);
    });
  });
});
