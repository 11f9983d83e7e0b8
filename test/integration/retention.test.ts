import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import fc from 'fast-check';
import type { SessionUser } from '../../src/auth/service.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { onSecurityEvent, type SecurityEventLine } from '../../src/security-events.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, aConcern, aMissingEpisode, aReturnInterview, demoAgency, demoPartnership } from '../helpers/factories.ts';
import { dateFields, signIn, type Agent } from '../helpers/http.ts';

/**
 * Retention and disposal (issue 16 §3, migration 0600): what is due, legal holds, the second-person rule,
 * the certificate in the audit chain, row-level security, malformed input; and a property: whatever the
 * records, schedule and holds, a disposal run never touches a held record and disposes exactly the due,
 * unheld ones.
 */
let ctx: TestContext;
let northmere: string;
let agency: string;
let police: string;
let admin: SessionUser;
let dpo: SessionUser;
const agents = {} as Record<'admin' | 'dpo' | 'practitioner' | 'westbrook', Agent>;
const today = '2026-11-02'; // the test clock's day

before(async () => {
  ctx = await createTestContext();
  northmere = await demoPartnership(ctx, 'northmere');
  agency = (await demoAgency(ctx, 'northmere', 'childrens_services')).id;
  police = (await demoAgency(ctx, 'northmere', 'police')).id;
  admin = await ctx.sessionUser('admin.northmere@lantern.example');
  dpo = await ctx.sessionUser('dpo.northmere@lantern.example');
  agents.admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
  agents.dpo = await signIn(ctx.app, ctx.clock, ctx.account('dpo.northmere@lantern.example'));
  agents.practitioner = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
  agents.westbrook = await signIn(ctx.app, ctx.clock, ctx.account('admin.westbrook@lantern.example'));
  // What the demo data has due today is disposed of first, so each test sees only its own records.
  await clearDue();
});
after(async () => ctx.close());

async function clearDue() {
  await ctx.ownerQuery(`DELETE FROM retention_holds WHERE partnership_id = $1`, [northmere]);
  await ctx.ownerQuery(`UPDATE retention_runs SET status = 'cancelled', decided_at = now() WHERE status = 'proposed'`);
  if ((await ctx.services.retention.due(admin, today)).length === 0) return;
  const run = await ctx.services.retention.propose(admin);
  await ctx.services.retention.approve(dpo, run);
}

async function closedChild(values: { dob: string | null; closedAt: string; createdAt?: string }) {
  return aChild(ctx, {
    partnership_id: northmere,
    owning_agency_id: agency,
    date_of_birth: values.dob,
    status: 'closed',
    closed_at: new Date(values.closedAt),
    closing_outcome: 'risk_reduced',
    ...(values.createdAt ? { created_at: new Date(values.createdAt) } : {}),
  });
}

async function person(createdAt: string) {
  const rows = await ctx.ownerQuery<{ id: string }>(
    `INSERT INTO persons_of_concern (partnership_id, owning_agency_id, given_name, family_name, created_at) VALUES ($1, $2, 'Synthetic', 'Person', $3) RETURNING id`,
    [northmere, police, createdAt],
  );
  return rows[0]!.id;
}

async function setSchedule(values: {
  keepUntilAge?: number;
  yearsAfterClosure?: number;
  childAction?: string;
  monthsAfterUpdate?: number;
  personAction?: string;
}) {
  await ctx.services.retention.saveSchedule(admin, {
    keepUntilAge: values.keepUntilAge ?? 25,
    yearsAfterClosure: values.yearsAfterClosure ?? 0,
    childAction: (values.childAction ?? 'delete') as 'delete',
    monthsAfterUpdate: values.monthsAfterUpdate ?? 24,
    personAction: (values.personAction ?? 'delete') as 'delete',
  });
}

const exists = async (table: string, id: string) => (await ctx.ownerQuery(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).length === 1;
const dueIds = async () => new Set((await ctx.services.retention.due(admin, today)).filter((d) => !d.held).map((d) => d.recordId));
const heldIds = async () => new Set((await ctx.services.retention.due(admin, today)).filter((d) => d.held).map((d) => d.recordId));

beforeEach(async () => {
  await setSchedule({});
  await clearDue();
});

describe('what is due', () => {
  test('a closed child past the 25th birthday, a person not changed for the months set; not an open child, nor a child not yet 25', async () => {
    const old = await closedChild({ dob: '1995-01-10', closedAt: '2012-03-01T12:00:00Z' });
    const young = await closedChild({ dob: '2005-01-10', closedAt: '2020-03-01T12:00:00Z' });
    const noDob = await closedChild({ dob: null, closedAt: '1995-03-01T12:00:00Z' });
    const noDobRecent = await closedChild({ dob: null, closedAt: '2010-03-01T12:00:00Z' });
    const open = await aChild(ctx, { partnership_id: northmere, owning_agency_id: agency, date_of_birth: '1990-01-01' });
    const stale = await person('2023-01-01T12:00:00Z');
    const fresh = await person('2026-06-01T12:00:00Z');
    const due = await ctx.services.retention.due(admin, today);
    const ids = new Set(due.map((d) => d.recordId));
    for (const id of [old, noDob, stale]) assert.ok(ids.has(id), id);
    for (const id of [young, noDobRecent, open, fresh]) assert.ok(!ids.has(id), id);
    assert.equal(due.find((d) => d.recordId === old)!.dueOn, '2020-01-10');
    assert.equal(due.find((d) => d.recordId === stale)!.dueOn, '2025-01-01');
    // Years after closure win when later than the birthday.
    await setSchedule({ yearsAfterClosure: 20 });
    assert.ok(!(await dueIds()).has(old));
    await setSchedule({ keepUntilAge: 18, monthsAfterUpdate: 60 });
    assert.ok((await dueIds()).has(young));
    assert.ok(!(await dueIds()).has(stale));
  });

  test('the page lists ids and references, never names; the settings form refuses malformed values (400)', async () => {
    const id = await closedChild({ dob: '1990-01-10', closedAt: '2010-03-01T12:00:00Z' });
    await ctx.ownerQuery(`UPDATE children SET given_name = 'Zebedee', family_name = 'Quintrell' WHERE id = $1`, [id]);
    const page = await agents.admin.get('/admin/retention');
    assert.equal(page.statusCode, 200);
    const reference = (await ctx.ownerQuery<{ reference: string }>(`SELECT reference FROM children WHERE id = $1`, [id]))[0]!.reference;
    assert.match(page.body, new RegExp(reference));
    assert.doesNotMatch(page.body, /Zebedee|Quintrell/);
    const bad = await agents.admin.post('/admin/retention', {
      keepUntilAge: 'abc',
      yearsAfterClosure: '0',
      childAction: 'shred',
      monthsAfterUpdate: '0',
      personAction: 'delete',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /govuk-error-summary/);
    const ok = await agents.admin.post('/admin/retention', {
      keepUntilAge: '30',
      yearsAfterClosure: '2',
      childAction: 'anonymise',
      monthsAfterUpdate: '36',
      personAction: 'delete',
    });
    assert.equal(ok.statusCode, 302);
    const rows = await ctx.ownerQuery<{ keep_until_age: number; action: string }>(
      `SELECT keep_until_age, action FROM retention_schedules WHERE partnership_id = $1 AND record_type = 'closed_child'`,
      [northmere],
    );
    assert.deepEqual(rows[0], { keep_until_age: 30, action: 'anonymise' });
  });
});

describe('a disposal run', () => {
  test('is approved by a second person only; deletes the record and its rows; leaves a certificate in the audit chain and a security event', async () => {
    const child = await closedChild({ dob: '1990-01-10', closedAt: '2010-03-01T12:00:00Z' });
    const concern = await aConcern(ctx, { partnership_id: northmere, child_id: child });
    const episode = await aMissingEpisode(ctx, { partnership_id: northmere, child_id: child, started_at: new Date('2006-01-01T20:00:00Z') });
    const interview = await aReturnInterview(ctx, {
      partnership_id: northmere,
      child_id: child,
      episode_id: episode,
      interviewer_agency_id: agency,
      offered_at: new Date('2006-01-03T10:00:00Z'),
    });
    const note = (
      await ctx.ownerQuery<{ id: string }>(
        `INSERT INTO case_notes (partnership_id, child_id, body, author_name) VALUES ($1, $2, 'Synthetic note', 'Tester') RETURNING id`,
        [northmere, child],
      )
    )[0]!.id;
    const stale = await person('2020-01-01T12:00:00Z');
    const link = (
      await ctx.ownerQuery<{ id: string }>(
        `INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, source, confidence, created_at)
         VALUES ($1, 'person', $2, 'child', $3, 'associates_with', 'Synthetic', 'low', '2020-01-01T12:00:00Z') RETURNING id`,
        [northmere, stale, child],
      )
    )[0]!.id;

    const proposed = await agents.admin.post('/admin/retention/disposals', {});
    assert.equal(proposed.statusCode, 302);
    const runId = /\/admin\/retention\/disposals\/([0-9a-f-]{36})/.exec(proposed.headers.location as string)![1]!;
    const runPage = await agents.admin.get(`/admin/retention/disposals/${runId}`);
    assert.match(runPage.body, new RegExp(child));
    assert.match(runPage.body, /id="second-person"/);
    // A second proposal while one waits: 409.
    assert.equal((await agents.dpo.post('/admin/retention/disposals', {})).statusCode, 409);
    // The proposer may not approve their own run.
    assert.equal((await agents.admin.post(`/admin/retention/disposals/${runId}/approve`, {})).statusCode, 403);
    await assert.rejects(ctx.services.retention.approve(admin, runId), /second person/);
    assert.ok(await exists('children', child));

    const events: SecurityEventLine[] = [];
    const stop = onSecurityEvent((e) => events.push(e));
    await agents.dpo.get(`/admin/retention/disposals/${runId}`);
    const approved = await agents.dpo.post(`/admin/retention/disposals/${runId}/approve`, {});
    stop();
    assert.equal(approved.statusCode, 302);
    for (const [table, id] of [
      ['children', child],
      ['concerns', concern],
      ['missing_episodes', episode],
      ['return_interviews', interview],
      ['case_notes', note],
      ['persons_of_concern', stale],
      ['intel_links', link],
    ] as const)
      assert.ok(!(await exists(table, id)), `${table} row left`);

    const audit = await ctx.ownerQuery<{ details: { certificate: Record<string, unknown>; proposedBy: string; approvedBy: string }; record_id: string }>(
      `SELECT details, record_id FROM audit_events WHERE action = 'retention.dispose' AND record_id = $1`,
      [runId],
    );
    assert.equal(audit.length, 1);
    const certificate = audit[0]!.details.certificate;
    assert.deepEqual(certificate.deleted, { closed_child: 1, person_of_concern: 1 });
    assert.match(String(certificate.idsHash), /^[0-9a-f]{64}$/);
    assert.equal(audit[0]!.details.proposedBy, admin.userId);
    assert.equal(audit[0]!.details.approvedBy, dpo.userId);
    const expectedHash = (await import('node:crypto'))
      .createHash('sha256')
      .update([`closed_child:${child}`, `person_of_concern:${stale}`].sort().join('\n'))
      .digest('hex');
    assert.equal(certificate.idsHash, expectedHash);
    assert.ok(!JSON.stringify(audit[0]!.details).includes('Synthetic'));
    assert.deepEqual(
      events.map((e) => [e.event, e.record_id]),
      [['disposal', runId]],
    );
    const stored = await ctx.ownerQuery(`SELECT 1 FROM security_events WHERE event = 'disposal' AND record_id = $1`, [runId]);
    assert.equal(stored.length, 1);
    assert.equal((await verifyAuditChain(ctx.handle.owner)).ok, true);

    const certificatePage = await agents.dpo.get(`/admin/retention/disposals/${runId}`);
    assert.equal(certificatePage.statusCode, 200);
    assert.match(certificatePage.body, new RegExp(expectedHash));
    assert.doesNotMatch(certificatePage.body, new RegExp(child));
    // Done is done.
    assert.equal((await agents.dpo.post(`/admin/retention/disposals/${runId}/approve`, {})).statusCode, 404);
  });

  test('anonymising keeps the record for the counts, without its name, date of birth, addresses or notes', async () => {
    await setSchedule({ childAction: 'anonymise' });
    const child = await closedChild({ dob: '1990-01-10', closedAt: '2010-03-01T12:00:00Z' });
    const episode = await aMissingEpisode(ctx, { partnership_id: northmere, child_id: child, started_at: new Date('2006-01-01T20:00:00Z') });
    await ctx.ownerQuery(`INSERT INTO child_addresses (partnership_id, child_id, line1) VALUES ($1, $2, '1 Synthetic Street')`, [northmere, child]);
    const run = await ctx.services.retention.propose(admin);
    const certificate = await ctx.services.retention.approve(dpo, run);
    assert.deepEqual(certificate.anonymised, { closed_child: 1 });
    const row = (
      await ctx.ownerQuery<Record<string, unknown>>(`SELECT given_name, family_name, date_of_birth, anonymised_at FROM children WHERE id = $1`, [child])
    )[0]!;
    assert.equal(row.given_name, 'Anonymised');
    assert.equal(row.date_of_birth, null);
    assert.ok(row.anonymised_at);
    assert.ok(await exists('missing_episodes', episode));
    assert.equal((await ctx.ownerQuery(`SELECT 1 FROM child_addresses WHERE child_id = $1`, [child])).length, 0);
    // Not proposed again.
    assert.ok(!(await dueIds()).has(child));
  });
});

describe('legal holds', () => {
  test('a held record is never proposed nor disposed; a hold placed after the proposal is honoured at execution; release makes it due again', async () => {
    const heldChild = await closedChild({ dob: '1990-01-10', closedAt: '2010-03-01T12:00:00Z' });
    const other = await closedChild({ dob: '1990-01-10', closedAt: '2010-03-01T12:00:00Z' });
    const placed = await agents.admin.post('/admin/retention/holds', {
      name: 'Independent inquiry: moratorium',
      reason: 'Records relevant to the inquiry',
      scope: 'records',
      recordType: '',
      recordIds: heldChild,
      ...dateFields('startsOn', '2015-07-01'),
    });
    assert.equal(placed.statusCode, 302);
    assert.ok((await heldIds()).has(heldChild));
    assert.ok(!(await dueIds()).has(heldChild));
    const run = await ctx.services.retention.propose(admin);
    const items = (await ctx.services.retention.run(admin, run)).items.map((i) => i.id);
    assert.ok(!items.includes(heldChild) && items.includes(other));
    // A hold on every closed child's record, placed after the proposal: the run disposes of nothing.
    const all = await ctx.services.retention.createHold(dpo, {
      name: 'Everything',
      reason: 'Inquiry',
      scope: 'all',
      recordType: 'closed_child',
      recordIds: [],
      createdBefore: null,
      startsOn: today,
    });
    const certificate = await ctx.services.retention.approve(dpo, run);
    assert.equal(certificate.disposed, 0);
    assert.deepEqual(certificate.held, { closed_child: items.length });
    assert.ok(await exists('children', heldChild));
    assert.ok(await exists('children', other));

    // Released, both are due again; the first hold still holds its record.
    assert.equal((await agents.dpo.post(`/admin/retention/holds/${all}/release`, {})).statusCode, 302);
    assert.equal((await agents.dpo.post(`/admin/retention/holds/${all}/release`, {})).statusCode, 404);
    assert.ok((await dueIds()).has(other));
    assert.ok((await heldIds()).has(heldChild));
    const holdId = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM retention_holds WHERE $1 = ANY (record_ids)`, [heldChild]))[0]!.id;
    await ctx.services.retention.releaseHold(admin, holdId);
    assert.ok((await dueIds()).has(heldChild));
    const audit = await ctx.ownerQuery<{ action: string }>(
      `SELECT action FROM audit_events WHERE record_id IN ($1, $2) AND action LIKE 'retention.%' ORDER BY id`,
      [holdId, all],
    );
    assert.deepEqual(audit.map((a) => a.action).sort(), ['retention.hold', 'retention.hold', 'retention.hold_release', 'retention.hold_release']);
  });

  test('a hold on records created before a date', async () => {
    const early = await closedChild({ dob: '1990-01-10', closedAt: '2010-03-01T12:00:00Z', createdAt: '2009-01-01T12:00:00Z' });
    const later = await closedChild({ dob: '1990-01-10', closedAt: '2010-03-01T12:00:00Z', createdAt: '2011-01-01T12:00:00Z' });
    await ctx.services.retention.createHold(admin, {
      name: 'Before 2010',
      reason: 'Inquiry',
      scope: 'created_before',
      recordType: null,
      recordIds: [],
      createdBefore: '2010-01-01',
      startsOn: today,
    });
    assert.ok((await heldIds()).has(early));
    assert.ok((await dueIds()).has(later));
  });

  test('malformed hold forms are refused (400); ids not UUIDs give 404', async () => {
    const base = { name: 'A hold', reason: 'Because', scope: 'records', recordType: '', recordIds: '', ...dateFields('startsOn', '2026-11-01') };
    for (const form of [
      { ...base },
      { ...base, recordIds: 'not-an-id' },
      { ...base, scope: 'everything' },
      { ...base, scope: 'created_before' },
      { ...base, name: '', recordIds: admin.userId },
      { ...base, recordIds: admin.userId, 'startsOn-month': '13' },
      { ...base, recordType: 'vehicles', recordIds: admin.userId },
    ]) {
      const r = await agents.admin.post('/admin/retention/holds', form);
      assert.equal(r.statusCode, 400, JSON.stringify(form));
    }
    assert.equal((await agents.admin.post('/admin/retention/holds/nope/release', {})).statusCode, 404);
    assert.equal((await agents.admin.get('/admin/retention/disposals/nope')).statusCode, 404);
    assert.equal((await agents.admin.post('/admin/retention/disposals/00000000-0000-4000-8000-000000000000/approve', {})).statusCode, 404);
  });
});

describe('who may', () => {
  test('only retention managers of the partnership: others 403, another partnership sees nothing (404)', async () => {
    const child = await closedChild({ dob: '1990-01-10', closedAt: '2010-03-01T12:00:00Z' });
    const hold = await ctx.services.retention.createHold(admin, {
      name: 'Northmere hold',
      reason: 'Inquiry',
      scope: 'records',
      recordType: null,
      recordIds: [child],
      createdBefore: null,
      startsOn: today,
    });
    await ctx.ownerQuery(`DELETE FROM retention_holds WHERE id <> $1 AND partnership_id = $2`, [hold, northmere]);
    const other = await closedChild({ dob: '1990-01-10', closedAt: '2010-03-01T12:00:00Z' });
    const run = await ctx.services.retention.propose(admin);
    assert.equal((await agents.practitioner.get('/admin/retention')).statusCode, 403);
    assert.equal((await agents.practitioner.post('/admin/retention/disposals', {})).statusCode, 403);
    assert.equal((await agents.westbrook.get(`/admin/retention/disposals/${run}`)).statusCode, 404);
    assert.equal((await agents.westbrook.post(`/admin/retention/disposals/${run}/approve`, {})).statusCode, 404);
    assert.equal((await agents.westbrook.post(`/admin/retention/holds/${hold}/release`, {})).statusCode, 404);
    const westbrookPage = await agents.westbrook.get('/admin/retention/holds');
    assert.doesNotMatch(westbrookPage.body, /Northmere hold/);
    assert.doesNotMatch((await agents.westbrook.get('/admin/retention')).body, new RegExp(other));
    // Row-level security: as lantern_app with westbrook's context, no northmere row of any retention table.
    const westbrookAdmin = await ctx.sessionUser('admin.westbrook@lantern.example');
    assert.equal((await ctx.services.retention.holds(westbrookAdmin)).filter((h) => h.id === hold).length, 0);
    assert.ok(!(await ctx.services.retention.due(westbrookAdmin, today)).some((d) => d.recordId === other));
    await ctx.services.retention.cancel(dpo, run);
    assert.ok(await exists('children', other));
  });
});

// ---- The property ---------------------------------------------------------------------------------

/** date + n years (or months), as PostgreSQL adds an interval to a date: the 29th of February becomes the 28th. */
function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
const later = (a: string, b: string) => (a > b ? a : b);

interface ModelChild {
  kind: 'closed_child';
  dob: string | null;
  closedOn: string;
  createdOn: string;
}
interface ModelPerson {
  kind: 'person_of_concern';
  createdOn: string;
}
type ModelRecord = ModelChild | ModelPerson;

const isoDate = (from: number, to: number) =>
  fc
    .integer({ min: Date.UTC(from, 0, 1) / 86_400_000, max: Date.UTC(to, 11, 31) / 86_400_000 })
    .map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));

describe('property: disposal never touches a held record and disposes exactly the due, unheld ones', () => {
  test('random records, schedules and holds', async () => {
    const record: fc.Arbitrary<ModelRecord> = fc.oneof(
      fc.record({
        kind: fc.constant('closed_child' as const),
        dob: fc.option(isoDate(1980, 2012), { nil: null }),
        closedOn: isoDate(1995, 2026),
        createdOn: isoDate(1990, 2020),
      }),
      fc.record({ kind: fc.constant('person_of_concern' as const), createdOn: isoDate(2015, 2026) }),
    );
    const hold = fc.oneof(
      fc.record({ scope: fc.constant('all' as const), recordType: fc.constantFrom(null, 'closed_child' as const, 'person_of_concern' as const) }),
      fc.record({ scope: fc.constant('records' as const), pick: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }),
      fc.record({
        scope: fc.constant('created_before' as const),
        recordType: fc.constantFrom(null, 'closed_child' as const, 'person_of_concern' as const),
        before: isoDate(2000, 2022),
      }),
      fc.record({ scope: fc.constant('released' as const), pick: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 6 }),
        fc.record({
          keepUntilAge: fc.integer({ min: 18, max: 30 }),
          yearsAfterClosure: fc.integer({ min: 0, max: 10 }),
          monthsAfterUpdate: fc.integer({ min: 1, max: 120 }),
          childAction: fc.constantFrom('delete', 'anonymise'),
          personAction: fc.constantFrom('delete', 'anonymise'),
        }),
        fc.array(hold, { maxLength: 3 }),
        fc.boolean(),
        async (records, schedule, holds, holdAfterProposal) => {
          await setSchedule({});
          await clearDue();
          await setSchedule(schedule);
          const ids: string[] = [];
          for (const r of records)
            ids.push(
              r.kind === 'closed_child'
                ? await closedChild({ dob: r.dob, closedAt: `${r.closedOn}T12:00:00Z`, createdAt: `${r.createdOn}T12:00:00Z` })
                : await person(`${r.createdOn}T12:00:00Z`),
            );
          // The model: due, and held.
          const dueOn = (r: ModelRecord) =>
            r.kind === 'closed_child'
              ? r.dob === null
                ? addMonths(r.closedOn, 12 * schedule.keepUntilAge)
                : later(addMonths(r.dob, 12 * schedule.keepUntilAge), addMonths(r.closedOn, 12 * schedule.yearsAfterClosure))
              : addMonths(r.createdOn, schedule.monthsAfterUpdate);
          const held = new Set<number>();
          const place = async () => {
            for (const h of holds) {
              const picked = 'pick' in h ? [...new Set(h.pick.map((p) => p % ids.length))] : [];
              const id = await ctx.services.retention.createHold(admin, {
                name: 'Property hold',
                reason: 'Property test',
                scope: h.scope === 'released' ? 'records' : h.scope,
                recordType: 'recordType' in h ? h.recordType : null,
                recordIds: picked.map((p) => ids[p]!),
                createdBefore: h.scope === 'created_before' ? h.before : null,
                startsOn: today,
              });
              if (h.scope === 'released') {
                await ctx.services.retention.releaseHold(dpo, id);
                continue;
              }
              records.forEach((r, i) => {
                const typeOk = !('recordType' in h) || h.recordType === null || h.recordType === r.kind;
                if (h.scope === 'all' && typeOk) held.add(i);
                if (h.scope === 'records' && picked.includes(i)) held.add(i);
                if (h.scope === 'created_before' && typeOk && r.createdOn < h.before) held.add(i);
              });
            }
          };
          if (!holdAfterProposal) await place();
          const run = await ctx.services.retention.propose(admin);
          if (holdAfterProposal) await place();
          const before = await ctx.ownerQuery<{ id: string; row: string }>(
            `SELECT id, to_jsonb(t)::text AS row FROM (SELECT id, partnership_id, given_name, family_name, date_of_birth FROM children UNION ALL
               SELECT id, partnership_id, given_name, family_name, date_of_birth FROM persons_of_concern) t WHERE id = ANY ($1::uuid[])`,
            [ids],
          );
          await ctx.services.retention.approve(dpo, run);
          const afterRows = new Map(
            (
              await ctx.ownerQuery<{ id: string; row: string; anonymised: boolean }>(
                `SELECT id, to_jsonb(t)::text AS row, anonymised FROM (
                   SELECT id, partnership_id, given_name, family_name, date_of_birth, anonymised_at IS NOT NULL AS anonymised FROM children UNION ALL
                   SELECT id, partnership_id, given_name, family_name, date_of_birth, anonymised_at IS NOT NULL FROM persons_of_concern) t WHERE id = ANY ($1::uuid[])`,
                [ids],
              )
            ).map((r) => [r.id, r]),
          );
          const beforeRows = new Map(before.map((r) => [r.id, r.row]));
          records.forEach((r, i) => {
            const id = ids[i]!;
            const shouldDispose = dueOn(r) <= today && !held.has(i);
            const now = afterRows.get(id);
            const disposed = !now || now.anonymised;
            if (held.has(i)) {
              assert.ok(now && !now.anonymised, `held record ${i} was touched`);
              const nameOf = (row: string) => (JSON.parse(row) as { given_name: string | null }).given_name;
              assert.equal(nameOf(now.row), nameOf(beforeRows.get(id)!), `held record ${i} was changed`);
            }
            assert.equal(disposed, shouldDispose, `record ${i} (${JSON.stringify(r)}, due ${dueOn(r)}, held ${held.has(i)})`);
          });
        },
      ),
      { numRuns: 25 },
    );
  });
});
