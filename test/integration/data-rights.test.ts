import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor } from '../../src/db/context.ts';
import { onSecurityEvent, type SecurityEventLine } from '../../src/security-events.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, demoAgency, demoPartnership } from '../helpers/factories.ts';
import { apiTokens } from '../helpers/api-tokens.ts';
import { dateFields, signIn, type Agent } from '../helpers/http.ts';

/**
 * Data subjects' rights (issue 16 §3, migration 0645): rectification requests and their one-month deadline,
 * decisions and the subject's supplementary statement on the record's page, restriction of processing
 * enforced by the database (an edit of the child and a casework write refused with 409, nothing changed;
 * lifting allows them again), who may do it (the DPO only), and the other partnership seeing none of it.
 */
let ctx: TestContext;
let northmere: string;
let agency: string;
let police: string;
const agents = {} as Record<'dpo' | 'practitioner' | 'coordinator' | 'admin' | 'analyst' | 'westbrook', Agent>;

before(async () => {
  ctx = await createTestContext();
  northmere = await demoPartnership(ctx, 'northmere');
  agency = (await demoAgency(ctx, 'northmere', 'childrens_services')).id;
  police = (await demoAgency(ctx, 'northmere', 'police')).id;
  agents.dpo = await signIn(ctx.app, ctx.clock, ctx.account('dpo.northmere@lantern.example'));
  agents.practitioner = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
  agents.coordinator = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.northmere@lantern.example'));
  agents.admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
  agents.analyst = await signIn(ctx.app, ctx.clock, ctx.account('analyst.northmere@lantern.example'));
  agents.westbrook = await signIn(ctx.app, ctx.clock, ctx.account('dpo.westbrook@lantern.example'));
  await agents.dpo.get('/dpo/data-rights');
});
after(async () => ctx.close());

const child = (reference?: string) =>
  aChild(ctx, { partnership_id: northmere, owning_agency_id: agency, given_name: 'Rhian', family_name: 'Synthetic', ...(reference ? { reference } : {}) });

const rectification = (receivedOn: string) => ({
  requestedBy: 'The subject’s mother',
  ...dateFields('receivedOn', receivedOn),
  disputedRecord: 'Date of birth on the child’s record',
  requestedCorrection: 'Born on 4 March 2011, not 1 April 2011',
});

async function recordRequest(id: string, receivedOn: string, as: Agent = agents.dpo) {
  await as.get(`/dpo/data-rights/child/${id}/rectification`);
  return as.post(`/dpo/data-rights/child/${id}/rectification`, rectification(receivedOn));
}

const requestIdOf = (location: string | undefined) => /\/dpo\/data-rights\/requests\/([0-9a-f-]{36})$/.exec(String(location))?.[1];
const count = async (text: string, values: unknown[]) => Number((await ctx.ownerQuery<{ n: string }>(text, values))[0]!.n);

describe('rectification requests', () => {
  test('are due one calendar month after receipt: the same date, or the last day of a shorter month', async () => {
    const id = await child();
    for (const [received, due] of [
      ['2026-01-31', '2026-02-28'],
      ['2024-01-31', '2024-02-29'],
      ['2026-03-31', '2026-04-30'],
      ['2026-03-15', '2026-04-15'],
      ['2025-12-31', '2026-01-31'],
      ['2026-10-20', '2026-11-20'],
    ] as [string, string][]) {
      const r = await recordRequest(id, received);
      assert.equal(r.statusCode, 302, r.body);
      const requestId = requestIdOf(r.headers.location);
      assert.ok(requestId);
      const [row] = await ctx.ownerQuery<{ due: string }>(`SELECT to_char(due_on, 'YYYY-MM-DD') AS due FROM data_rights_requests WHERE id = $1`, [requestId]);
      assert.equal(row!.due, due, `received ${received}`);
    }
    // The test clock's day is 2 November 2026: the request received on 31 January is overdue, the one of 20 October is not.
    const page = await agents.dpo.get('/dpo/data-rights');
    assert.equal(page.statusCode, 200);
    const rows = page.body.split('<tr class="govuk-table__row">');
    const rowOf = (date: string) => rows.find((r) => r.includes(date)) ?? '';
    assert.match(rowOf('28 February 2026'), /Overdue/);
    assert.doesNotMatch(rowOf('20 November 2026'), /Overdue/);
    assert.match(page.body, /Rhian Synthetic/);
    // Audited, with the deadline.
    assert.equal(await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'data_rights.request' AND record_id = $1`, [id]), 6);
  });

  test('only the data protection officer records or decides them', async () => {
    const id = await child();
    for (const who of ['practitioner', 'coordinator', 'admin', 'analyst'] as const) {
      const agent = agents[who];
      assert.equal((await agent.get('/dpo/data-rights')).statusCode, 403, who);
      assert.equal((await agent.get(`/dpo/data-rights/child/${id}/rectification`)).statusCode, 403, who);
      await agent.get('/');
      assert.equal((await agent.post(`/dpo/data-rights/child/${id}/rectification`, rectification('2026-10-01'))).statusCode, 403, who);
      assert.equal((await agent.post(`/dpo/data-rights/child/${id}/restriction`, { reason: 'x', ...dateFields('fromOn', '2026-11-01') })).statusCode, 403, who);
    }
    assert.equal(await count(`SELECT count(*) AS n FROM data_rights_requests WHERE child_id = $1`, [id]), 0);
    assert.equal(await count(`SELECT count(*) AS n FROM processing_restrictions WHERE child_id = $1`, [id]), 0);
    // The child's page offers the links to the DPO only (the practitioner sees the page, not the links).
    const page = await agents.practitioner.get(`/children/${id}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Record a rectification request|Restrict processing/);
  });

  test('a decision needs what changed, or reasons and the date told, or the statement; it is made once', async () => {
    const id = await child();
    const requestId = requestIdOf((await recordRequest(id, '2026-10-01')).headers.location)!;
    await agents.dpo.get(`/dpo/data-rights/requests/${requestId}`);
    const decide = (form: Record<string, string>) => agents.dpo.post(`/dpo/data-rights/requests/${requestId}/decision`, form);
    assert.equal((await decide({})).statusCode, 400);
    assert.equal((await decide({ decision: 'maybe' })).statusCode, 400);
    assert.equal((await decide({ decision: 'rectified' })).statusCode, 400);
    const noDate = await decide({ decision: 'not_rectified', reasons: 'The birth certificate shows 1 April 2011' });
    assert.equal(noDate.statusCode, 400);
    assert.match(noDate.body, /Enter the date the requester was told/);
    assert.equal((await decide({ decision: 'statement_added' })).statusCode, 400);
    const ok = await decide({ decision: 'not_rectified', reasons: 'The birth certificate shows 1 April 2011', ...dateFields('toldOn', '2026-10-20') });
    assert.equal(ok.statusCode, 302);
    assert.equal(ok.headers.location, `/dpo/data-rights/child/${id}`);
    const [row] = await ctx.ownerQuery<{ decision: string; told: string }>(
      `SELECT decision, to_char(requester_told_on, 'YYYY-MM-DD') AS told FROM data_rights_requests WHERE id = $1`,
      [requestId],
    );
    assert.deepEqual(row, { decision: 'not_rectified', told: '2026-10-20' });
    assert.equal((await decide({ decision: 'rectified', changed: 'Date of birth' })).statusCode, 404);
    assert.equal(await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'data_rights.decide' AND record_id = $1`, [id]), 1);
  });

  test('a supplementary statement is shown on the child’s page to those who see the record', async () => {
    const id = await child();
    const requestId = requestIdOf((await recordRequest(id, '2026-10-01')).headers.location)!;
    await agents.dpo.get(`/dpo/data-rights/requests/${requestId}`);
    const statement = 'I was born in March, not April. My school records show it.';
    const r = await agents.dpo.post(`/dpo/data-rights/requests/${requestId}/decision`, { decision: 'statement_added', statement });
    assert.equal(r.statusCode, 302);
    const page = await agents.practitioner.get(`/children/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /The subject disputes this record:/);
    assert.match(page.body, /I was born in March, not April\. My school records show it\./);
    assert.match(page.body, /Date of birth on the child’s record/);
    // The DPO's page for the record shows it too.
    assert.match((await agents.dpo.get(`/dpo/data-rights/child/${id}`)).body, /My school records show it/);
  });
});

describe('restriction of processing', () => {
  test('refuses an edit of the child and a casework write with 409, changing nothing; lifting allows them again', async () => {
    const id = await child();
    const events: SecurityEventLine[] = [];
    const stop = onSecurityEvent((e) => events.push(e));
    await agents.dpo.get(`/dpo/data-rights/child/${id}/restriction`);
    assert.equal((await agents.dpo.post(`/dpo/data-rights/child/${id}/restriction`, { reason: '', ...dateFields('fromOn', '2026-11-01') })).statusCode, 400);
    const placed = await agents.dpo.post(`/dpo/data-rights/child/${id}/restriction`, {
      reason: 'The accuracy of the record is contested',
      ...dateFields('fromOn', '2026-11-01'),
    });
    assert.equal(placed.statusCode, 302);
    assert.equal(placed.headers.location, `/dpo/data-rights/child/${id}`);
    // A second restriction of the same record is a conflict.
    await agents.dpo.get(`/dpo/data-rights/child/${id}/restriction`);
    assert.equal(
      (await agents.dpo.post(`/dpo/data-rights/child/${id}/restriction`, { reason: 'Again', ...dateFields('fromOn', '2026-11-01') })).statusCode,
      409,
    );

    // The record is shown with the banner, to the worker who can see it.
    const page = await agents.practitioner.get(`/children/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /This record’s processing is restricted/);
    assert.match(page.body, /1 November 2026/);

    const before = await ctx.ownerQuery(`SELECT to_jsonb(c) AS row FROM children c WHERE id = $1`, [id]);
    const edit = await agents.practitioner.post(`/children/${id}/edit`, { aliases: 'Changed', gender: 'female' });
    assert.equal(edit.statusCode, 409);
    assert.match(edit.body, /LANTERN_E_PROCESSING_RESTRICTED/);
    assert.match(edit.body, /This record’s processing is restricted/);
    assert.deepEqual(await ctx.ownerQuery(`SELECT to_jsonb(c) AS row FROM children c WHERE id = $1`, [id]), before);

    // The JSON API answers the same refusal, as JSON.
    const tokens = apiTokens(ctx);
    const worker = await tokens.createToken('Data rights test system', 'social-worker', ['practitioner']);
    const patched = await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { school: 'Northmere College' });
    assert.equal(patched.statusCode, 409, patched.body);
    assert.equal(patched.json<{ error: { code: string } }>().error.code, 'LANTERN_E_PROCESSING_RESTRICTED');
    assert.deepEqual(await ctx.ownerQuery(`SELECT to_jsonb(c) AS row FROM children c WHERE id = $1`, [id]), before);

    await agents.practitioner.get(`/children/${id}/notes`);
    const note = await agents.practitioner.post(`/children/${id}/notes`, { body: 'A note while restricted' });
    assert.equal(note.statusCode, 409);
    assert.match(note.body, /LANTERN_E_PROCESSING_RESTRICTED/);
    assert.equal(await count(`SELECT count(*) AS n FROM case_notes WHERE child_id = $1`, [id]), 0);
    // Nothing was audited as changed.
    assert.equal(await count(`SELECT count(*) AS n FROM audit_events WHERE record_id = $1 AND action IN ('record.update', 'record.create')`, [id]), 0);
    // The database refuses it whoever writes, the owner included.
    await assert.rejects(ctx.ownerQuery(`UPDATE children SET school = 'Anywhere' WHERE id = $1`, [id]), /processing of this child record is restricted/);

    // Lifting: a reason is needed; then the same edit and note succeed.
    await agents.dpo.get(`/dpo/data-rights/child/${id}`);
    assert.equal((await agents.dpo.post(`/dpo/data-rights/child/${id}/restriction/lift`, { liftReason: ' ' })).statusCode, 400);
    const lifted = await agents.dpo.post(`/dpo/data-rights/child/${id}/restriction/lift`, { liftReason: 'Accuracy checked; requester told' });
    assert.equal(lifted.statusCode, 302);
    assert.equal((await agents.dpo.post(`/dpo/data-rights/child/${id}/restriction/lift`, { liftReason: 'Again' })).statusCode, 404);
    const [restriction] = await ctx.ownerQuery<{ lifted_by_name: string; lift_reason: string }>(
      `SELECT lifted_by_name, lift_reason FROM processing_restrictions WHERE child_id = $1`,
      [id],
    );
    assert.equal(restriction!.lift_reason, 'Accuracy checked; requester told');
    assert.ok(restriction!.lifted_by_name);

    await agents.practitioner.get(`/children/${id}`);
    assert.equal((await agents.practitioner.post(`/children/${id}/edit`, { aliases: 'Changed', gender: 'female' })).statusCode, 302);
    await agents.practitioner.get(`/children/${id}/notes`);
    assert.equal((await agents.practitioner.post(`/children/${id}/notes`, { body: 'A note after the restriction was lifted' })).statusCode, 302);
    assert.equal(await count(`SELECT count(*) AS n FROM case_notes WHERE child_id = $1`, [id]), 1);
    const after = await agents.practitioner.get(`/children/${id}`);
    assert.doesNotMatch(after.body, /This record’s processing is restricted/);

    stop();
    assert.deepEqual(
      events.filter((e) => e.record_id === id).map((e) => e.event),
      ['processing.restricted', 'processing.restriction_lifted'],
    );
    for (const action of ['data_rights.restrict', 'data_rights.lift'])
      assert.equal(await count(`SELECT count(*) AS n FROM audit_events WHERE action = $1 AND record_id = $2`, [action, id]), 1, action);
  });

  test('a person of concern: the banner on their page, changes refused, and disposal holds the record', async () => {
    const [person] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO persons_of_concern (partnership_id, owning_agency_id, given_name, family_name) VALUES ($1, $2, 'Synthetic', 'Suspect') RETURNING id`,
      [northmere, police],
    );
    const id = person!.id;
    await agents.dpo.get(`/dpo/data-rights/person/${id}/restriction`);
    const placed = await agents.dpo.post(`/dpo/data-rights/person/${id}/restriction`, { reason: 'Accuracy contested', ...dateFields('fromOn', '2026-11-02') });
    assert.equal(placed.statusCode, 302);
    const page = await agents.analyst.get(`/intelligence/persons/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /This record’s processing is restricted/);
    await assert.rejects(ctx.ownerQuery(`UPDATE persons_of_concern SET description = 'x' WHERE id = $1`, [id]), /restricted/);
    const [held] = await ctx.ownerQuery<{ held: boolean }>(`SELECT lantern_retention_held($1, 'person_of_concern', $2, now()) AS held`, [northmere, id]);
    assert.equal(held!.held, true);
  });
});

describe('row-level security of the data-rights tables', () => {
  test('a statement and a restriction are read with the record; requests by the DPO only; only the DPO writes', async () => {
    const id = await child();
    const requestId = requestIdOf((await recordRequest(id, '2026-10-01')).headers.location)!;
    await agents.dpo.get(`/dpo/data-rights/requests/${requestId}`);
    await agents.dpo.post(`/dpo/data-rights/requests/${requestId}/decision`, { decision: 'statement_added', statement: 'Not so' });
    await agents.dpo.get(`/dpo/data-rights/child/${id}/restriction`);
    await agents.dpo.post(`/dpo/data-rights/child/${id}/restriction`, { reason: 'Contested', ...dateFields('fromOn', '2026-11-01') });
    const [dpoUser] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'dpo.northmere@lantern.example'`);
    const education = (await demoAgency(ctx, 'northmere', 'education')).id;
    const as = (agencyId: string, roles: string[], userId: string | null = null) => ({
      partnershipId: northmere,
      agencyId,
      userId,
      roles,
      label: 'data rights test',
    });
    const reads = (who: ReturnType<typeof as>) =>
      withTrustedActor(ctx.handle.owner, who, async (tx) => {
        const n = async (table: string) =>
          (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE child_id = ${id}`.execute(tx)).rows[0]!.n;
        return [await n('data_rights_requests'), await n('record_statements'), await n('processing_restrictions')];
      });
    assert.deepEqual(await reads(as(agency, ['practitioner'])), [0, 1, 1], 'the owning agency: the statement and the restriction');
    assert.deepEqual(await reads(as(education, ['practitioner'])), [0, 0, 0], 'another agency, which cannot see the child: nothing');
    assert.deepEqual(await reads(as(agency, ['dpo'], dpoUser!.id)), [1, 1, 1], 'the DPO: everything');
    const westbrookAgency = (await demoAgency(ctx, 'westbrook', 'partnership')).id;
    assert.deepEqual(
      await withTrustedActor(
        ctx.handle.owner,
        { partnershipId: await demoPartnership(ctx, 'westbrook'), agencyId: westbrookAgency, userId: null, roles: ['dpo'], label: 'data rights test' },
        async (tx) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM processing_restrictions WHERE child_id = ${id}`.execute(tx)).rows[0]!.n,
      ),
      0,
      'the other partnership’s DPO: nothing',
    );
    // The owning agency's worker cannot lift the restriction nor add a statement.
    const lifted = await withTrustedActor(ctx.handle.owner, as(agency, ['practitioner']), async (tx) =>
      Number(
        (
          await sql`UPDATE processing_restrictions SET lifted_at = now(), lifted_by = ${dpoUser!.id}, lifted_by_name = 'x', lift_reason = 'x' WHERE child_id = ${id}`.execute(
            tx,
          )
        ).numAffectedRows ?? 0n,
      ),
    ).catch((e: Error) => e.message);
    assert.ok(lifted === 0 || /row-level security|permission denied/.test(String(lifted)), String(lifted));
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, as(agency, ['practitioner']), (tx) =>
        sql`INSERT INTO record_statements (partnership_id, child_id, request_id, disputed_record, statement, added_by, added_by_name)
            VALUES (${northmere}, ${id}, ${requestId}, 'x', 'x', ${dpoUser!.id}, 'x')`.execute(tx),
      ),
      /row-level security/,
    );
    assert.equal(await count(`SELECT count(*) AS n FROM processing_restrictions WHERE child_id = $1 AND lifted_at IS NULL`, [id]), 1);
  });
});

describe('the other partnership and malformed input', () => {
  test('another partnership’s DPO sees and changes nothing', async () => {
    const reference = `DR-${Date.now().toString(36).toUpperCase()}`;
    const id = await child(reference);
    const requestId = requestIdOf((await recordRequest(id, '2026-10-01')).headers.location)!;
    await agents.dpo.get(`/dpo/data-rights/child/${id}/restriction`);
    await agents.dpo.post(`/dpo/data-rights/child/${id}/restriction`, { reason: 'Contested', ...dateFields('fromOn', '2026-11-01') });
    const w = agents.westbrook;
    const overview = await w.get('/dpo/data-rights');
    assert.equal(overview.statusCode, 200);
    assert.doesNotMatch(overview.body, new RegExp(reference));
    assert.doesNotMatch(overview.body, /Rhian Synthetic/);
    assert.equal((await w.get(`/dpo/data-rights/child/${id}`)).statusCode, 404);
    assert.equal((await w.get(`/dpo/data-rights/child/${id}/rectification`)).statusCode, 404);
    assert.equal((await w.get(`/dpo/data-rights/requests/${requestId}`)).statusCode, 404);
    await w.get('/dpo/data-rights');
    assert.equal((await w.post(`/dpo/data-rights/requests/${requestId}/decision`, { decision: 'rectified', changed: 'x' })).statusCode, 404);
    assert.equal((await w.post(`/dpo/data-rights/child/${id}/restriction/lift`, { liftReason: 'x' })).statusCode, 404);
    assert.equal((await w.post(`/dpo/data-rights/child/${id}/rectification`, rectification('2026-10-01'))).statusCode, 404);
    const found = await w.post('/dpo/data-rights/find', { kind: 'child', key: reference });
    assert.equal(found.statusCode, 400);
    assert.match(found.body, /No record with that case reference or ID was found/);
    // Still restricted and undecided.
    assert.equal(await count(`SELECT count(*) AS n FROM processing_restrictions WHERE child_id = $1 AND lifted_at IS NULL`, [id]), 1);
    assert.equal(await count(`SELECT count(*) AS n FROM data_rights_requests WHERE id = $1 AND decision IS NULL`, [requestId]), 1);
    // Its own DPO finds it by case reference.
    const mine = await agents.dpo.post('/dpo/data-rights/find', { kind: 'child', key: reference.toLowerCase() });
    assert.equal(mine.statusCode, 303);
    assert.equal(mine.headers.location, `/dpo/data-rights/child/${id}`);
  });

  test('malformed paths are 404 and malformed forms 400, never 500', async () => {
    const id = await child();
    const d = agents.dpo;
    assert.equal((await d.get(`/dpo/data-rights/other/${id}`)).statusCode, 404);
    assert.equal((await d.get('/dpo/data-rights/child/not-a-uuid')).statusCode, 404);
    assert.equal((await d.get('/dpo/data-rights/requests/not-a-uuid')).statusCode, 404);
    assert.equal((await d.get(`/dpo/data-rights/person/${id}`)).statusCode, 404);
    assert.equal((await d.get(`/dpo/data-rights/child/00000000-0000-4000-8000-000000000000`)).statusCode, 404);
    await d.get('/dpo/data-rights');
    for (const form of [
      { ...rectification('2026-10-01'), requestedBy: '' },
      { ...rectification('2026-10-01'), 'receivedOn-month': '13' },
      { ...rectification('2030-10-01') },
      { ...rectification('2026-10-01'), disputedRecord: 'x'.repeat(501) },
    ]) {
      const r = await d.post(`/dpo/data-rights/child/${id}/rectification`, form);
      assert.equal(r.statusCode, 400, JSON.stringify(form));
    }
    assert.equal((await d.post('/dpo/data-rights/find', { kind: 'vehicle', key: 'x' })).statusCode, 400);
    assert.equal((await d.post('/dpo/data-rights/find', { kind: 'person', key: 'not-an-id' })).statusCode, 400);
    assert.equal(await count(`SELECT count(*) AS n FROM data_rights_requests WHERE child_id = $1`, [id]), 0);
  });
});
