import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import JSZip from 'jszip';
import type { SessionUser } from '../../src/auth/service.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { redactedText } from '../../src/features/subject-access/redaction.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, aConcern, aMissingEpisode, demoAgency, demoPartnership } from '../helpers/factories.ts';
import { dateFields, signIn, type Agent } from '../helpers/http.ts';
import { pdfText } from '../helpers/pdf.ts';

/**
 * Subject access (issue 16 §3, migration 0640): the register and its statutory due dates, who may use it,
 * the collection of every row naming the subject, third-party information flagged and redacted in both the
 * JSON and the PDF, the audit of what was disclosed; a property: whatever rows are made around a subject
 * and another child, the export holds exactly the rows naming the subject.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
let agency: string;
let police: string;
let dpo: SessionUser;
let admin: SessionUser;
const agents = {} as Record<'dpo' | 'admin' | 'practitioner' | 'westbrookDpo', Agent>;

before(async () => {
  ctx = await createTestContext();
  northmere = await demoPartnership(ctx, 'northmere');
  westbrook = await demoPartnership(ctx, 'westbrook');
  agency = (await demoAgency(ctx, 'northmere', 'childrens_services')).id;
  police = (await demoAgency(ctx, 'northmere', 'police')).id;
  dpo = await ctx.sessionUser('dpo.northmere@lantern.example');
  admin = await ctx.sessionUser('admin.northmere@lantern.example');
  agents.dpo = await signIn(ctx.app, ctx.clock, ctx.account('dpo.northmere@lantern.example'));
  agents.admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
  agents.practitioner = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
  agents.westbrookDpo = await signIn(ctx.app, ctx.clock, ctx.account('dpo.westbrook@lantern.example'));
});
after(async () => ctx.close());

const child = (values: Record<string, unknown> = {}) => aChild(ctx, { partnership_id: northmere, owning_agency_id: agency, ...values });

async function person(given: string, family: string) {
  const rows = await ctx.ownerQuery<{ id: string }>(
    `INSERT INTO persons_of_concern (partnership_id, owning_agency_id, given_name, family_name) VALUES ($1, $2, $3, $4) RETURNING id`,
    [northmere, police, given, family],
  );
  return rows[0]!.id;
}

const form = (subjectKind: string, subjectId: string, receivedOn: string, extra: Record<string, string> = {}) => ({
  subjectKind,
  subjectId,
  requesterKind: 'parent_carer',
  requesterName: 'Synthetic Carer',
  language: 'en',
  ...dateFields('receivedOn', receivedOn),
  ...extra,
});

const log = (subjectKind: 'child' | 'person', subjectId: string, receivedOn = '2026-10-20', language: 'en' | 'cy' = 'en') =>
  ctx.services.subjectAccess.log(dpo, { subjectKind, subjectId, requesterKind: 'subject', requesterName: 'Synthetic Requester', receivedOn, language });

describe('the register', () => {
  test('the due date is one calendar month on: the same date, or the last day of a shorter month', async () => {
    const c = await child();
    const cases: [string, string][] = [
      ['2026-01-31', '2026-02-28'],
      ['2024-01-31', '2024-02-29'],
      ['2025-08-31', '2025-09-30'],
      ['2026-03-15', '2026-04-15'],
      ['2025-12-31', '2026-01-31'],
    ];
    for (const [received, due] of cases) {
      const id = await log('child', c, received);
      const r = await ctx.services.subjectAccess.get(dpo, id);
      assert.equal(r.due_on, due, received);
    }
    // The database refuses any other due date.
    await assert.rejects(
      ctx.ownerQuery(
        `INSERT INTO subject_access_requests (partnership_id, subject_kind, subject_id, requester_kind, requester_name, received_on, due_on, created_by, created_by_name)
         VALUES ($1, 'child', $2, 'subject', 'x', '2026-01-31', '2026-03-03', $3, 'x')`,
        [northmere, c, dpo.userId],
      ),
      /check/i,
    );
  });

  test('the DPO logs a request by the form; the list shows it with days left, overdue ones marked', async () => {
    const c = await child({ given_name: 'Form', family_name: 'Subject' });
    const page = await agents.dpo.get(`/dpo/subject-access/new?kind=child&subject=${c}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`value="${c}"`));
    const bad = await agents.dpo.post('/dpo/subject-access', form('child', 'not-an-id', ''));
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /govuk-error-summary/);
    const unknown = await agents.dpo.post('/dpo/subject-access', form('child', '00000000-0000-4000-8000-000000000000', '2026-10-01'));
    assert.equal(unknown.statusCode, 400);
    const future = await agents.dpo.post('/dpo/subject-access', form('child', c, '2027-01-01'));
    assert.equal(future.statusCode, 400);
    const ok = await agents.dpo.post('/dpo/subject-access', form('child', c, '2026-09-01'));
    assert.equal(ok.statusCode, 302);
    const list = await agents.dpo.get('/dpo/subject-access');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Form Subject/);
    // Received 1 September, due 1 October; the test clock's day is 2 November: overdue by 32 days.
    assert.match(list.body, /Overdue by 32 days/);
    const rows = await ctx.ownerQuery<{ action: string }>(`SELECT action FROM audit_events WHERE record_id = $1 AND action = 'subject_access.log'`, [c]);
    assert.equal(rows.length, 1);
  });

  test('only the DPO: other roles are refused, another partnership sees nothing, row-level security agrees', async () => {
    const c = await child();
    const id = await log('child', c);
    assert.equal((await agents.admin.get('/dpo/subject-access')).statusCode, 403);
    assert.equal((await agents.practitioner.get(`/dpo/subject-access/${id}`)).statusCode, 403);
    assert.equal((await agents.practitioner.post('/dpo/subject-access', form('child', c, '2026-10-01'))).statusCode, 403);
    assert.equal((await agents.westbrookDpo.get(`/dpo/subject-access/${id}`)).statusCode, 404);
    assert.equal((await agents.westbrookDpo.get(`/dpo/subject-access/${id}/redactions`)).statusCode, 404);
    assert.equal((await agents.dpo.get('/dpo/subject-access/not-a-uuid')).statusCode, 404);
    await assert.rejects(async () => ctx.services.subjectAccess.list(admin), { code: 'LANTERN_E_FORBIDDEN' });
    // A westbrook child cannot be the subject of a northmere request.
    const wbAgency = (await demoAgency(ctx, 'westbrook', 'childrens_services')).id;
    const wbChild = await aChild(ctx, { partnership_id: westbrook, owning_agency_id: wbAgency });
    await assert.rejects(async () => log('child', wbChild), { code: 'LANTERN_E_VALIDATION' });
  });
});

describe('collection, redaction and release', () => {
  test('every row naming the subject, third parties flagged, redactions applied in the JSON and the PDF, audited', { timeout: 120_000 }, async () => {
    const subject = await child({ given_name: 'Alys', family_name: 'Subjectson' });
    const other = await child({ given_name: 'Bethan', family_name: 'Otherchild' });
    const stranger = await person('Carwyn', 'Strangerman');
    const concern = await aConcern(ctx, { partnership_id: northmere, child_id: subject, what_happened: 'Seen with an older male near the station' });
    const episode = await aMissingEpisode(ctx, { partnership_id: northmere, child_id: subject, started_at: '2026-09-01T20:00Z' });
    const [note] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO case_notes (partnership_id, child_id, body, author_name) VALUES ($1, $2, 'Alys was with Bethan Otherchild at the park <script>x()</script>', 'Synthetic Worker') RETURNING id`,
      [northmere, subject],
    );
    const [link] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, source, confidence) VALUES ($1, 'child', $2, 'person', $3, 'seen_with', 'test', 'high') RETURNING id`,
      [northmere, subject, stranger],
    );
    // Seen with the other child: a linked record, whose name is then found in the note.
    await ctx.ownerQuery(
      `INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, source, confidence) VALUES ($1, 'child', $2, 'child', $3, 'seen_with', 'test', 'low')`,
      [northmere, subject, other],
    );
    // Not about the subject: another child's note.
    const [otherNote] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO case_notes (partnership_id, child_id, body, author_name) VALUES ($1, $2, 'Not about the subject', 'Synthetic Worker') RETURNING id`,
      [northmere, other],
    );
    // An audited read of the subject's record: the audit event is about the subject.
    assert.equal((await agents.practitioner.get(`/children/${subject}`)).statusCode, 200);
    const id = await log('child', subject, '2026-10-20', 'cy');

    const page = await agents.dpo.get(`/dpo/subject-access/${id}/redactions`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('&lt;script&gt;x()'), 'what a flagged field says is shown escaped');
    assert.ok(!page.body.includes('<script>x()'));
    const review = await ctx.services.subjectAccess.review(dpo, id);
    assert.equal(review.request.status, 'received', 'looking at the redaction page changes nothing');
    const keys = new Map(review.items.map((i) => [i.key, i]));
    assert.equal(keys.get(`case_notes:${note!.id}:body`)?.reason, 'third_party_name');
    assert.equal(keys.get(`case_notes:${note!.id}:author_name`)?.reason, 'person_name');
    assert.equal(keys.get(`intel_links:${link!.id}:to_id`)?.reason, 'third_party_record');
    assert.ok(!review.items.some((i) => i.rowKey === otherNote!.id));

    // Not ready until every item is decided; release refused meanwhile.
    assert.equal((await agents.dpo.post(`/dpo/subject-access/${id}/release`, {})).statusCode, 409);
    const fields: Record<string, string> = {};
    review.items.forEach((item, i) => {
      fields[`key-${i + 1}`] = item.key;
      fields[`decision-${i + 1}`] = item.key.endsWith(':author_name') || item.key.endsWith(':what_happened') ? 'release' : 'redact';
    });
    const bad = await agents.dpo.post(`/dpo/subject-access/${id}/redactions`, { 'decision-1': 'maybe', 'key-1': review.items[0]!.key });
    assert.equal(bad.statusCode, 400);
    const saved = await agents.dpo.post(`/dpo/subject-access/${id}/redactions`, fields);
    assert.equal(saved.statusCode, 302);
    assert.equal((await ctx.services.subjectAccess.get(dpo, id)).status, 'ready_for_release');

    const released = await agents.dpo.post(`/dpo/subject-access/${id}/release`, {});
    assert.equal(released.statusCode, 302);
    const after = await agents.dpo.get(`/dpo/subject-access/${id}`);
    assert.match(after.body, /Released|Wedi’i ryddhau/);
    const download = await agents.dpo.get(`/dpo/subject-access/${id}/download`);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-type'], 'application/zip');
    const zip = await JSZip.loadAsync(download.rawPayload);
    const json = JSON.parse(await zip.file('subject-access.json')!.async('string')) as { tables: Record<string, Record<string, unknown>[]> };
    const ids = (table: string) => (json.tables[table] ?? []).map((r) => r.id);
    assert.deepEqual(ids('children'), [subject]);
    assert.ok(ids('concerns').includes(concern));
    assert.ok(ids('missing_episodes').includes(episode));
    assert.ok(ids('case_notes').includes(note!.id));
    assert.ok(!ids('case_notes').includes(otherNote!.id));
    assert.ok(ids('intel_links').includes(link!.id));
    assert.ok(!ids('subject_access_requests').includes(id), 'the request answered is not part of its answer');
    assert.ok((json.tables.audit_events ?? []).length > 0);
    const noteRow = json.tables.case_notes!.find((r) => r.id === note!.id)!;
    assert.equal(noteRow.body, redactedText);
    assert.equal(noteRow.author_name, 'Synthetic Worker');
    assert.equal(json.tables.intel_links!.find((r) => r.id === link!.id)!.to_id, redactedText);
    const text = JSON.stringify(json);
    assert.ok(!text.includes('Otherchild'), 'a third party’s name is not in the JSON');
    assert.ok(!text.includes(stranger), 'a third party’s id is not in the JSON');
    const pdf = await zip.file('subject-access.pdf')!.async('nodebuffer');
    const pdfWords = pdfText(pdf).replace(/\s+/g, ' ');
    assert.match(pdfWords, /\[redacted: third party\]/);
    assert.match(pdfWords, /Eich gwybodaeth/, 'the PDF is in the request’s language (Welsh)');
    assert.ok(!pdfWords.includes('Otherchild'));
    assert.ok(pdfWords.includes('Subjectson'));

    // Audited: what was disclosed, by table; a security event; the chain holds.
    const [audit] = await ctx.ownerQuery<{ details: { rowCounts: Record<string, number>; redacted: number } }>(
      `SELECT details FROM audit_events WHERE action = 'subject_access.release' AND record_id = $1`,
      [subject],
    );
    assert.equal(audit!.details.rowCounts.case_notes, 1);
    assert.ok(audit!.details.redacted >= 2);
    const events = await ctx.ownerQuery(`SELECT 1 FROM security_events WHERE partnership_id = $1 AND event = 'export'`, [northmere]);
    assert.ok(events.length >= 1);
    assert.equal((await ctx.ownerQuery(`SELECT 1 FROM audit_events WHERE action = 'subject_access.download' AND record_id = $1`, [subject])).length, 1);
    assert.equal((await verifyAuditChain(ctx.handle.owner)).ok, true);

    // Finished: no further change, no second release, no review.
    assert.equal((await agents.dpo.post(`/dpo/subject-access/${id}/release`, {})).statusCode, 404);
    assert.equal((await agents.dpo.get(`/dpo/subject-access/${id}/redactions`)).statusCode, 404);
    assert.equal((await agents.dpo.post(`/dpo/subject-access/${id}/withdraw`, {})).statusCode, 404);
  });

  test('a person of concern can be the subject; a withdrawn request is finished', async () => {
    const subject = await person('Dafydd', 'Personofconcern');
    const id = await log('person', subject);
    const review = await ctx.services.subjectAccess.review(dpo, id);
    assert.ok(review.rowCounts.persons_of_concern === 1);
    assert.equal((await agents.dpo.post(`/dpo/subject-access/${id}/withdraw`, {})).statusCode, 302);
    assert.equal((await ctx.services.subjectAccess.get(dpo, id)).status, 'withdrawn');
    assert.equal((await agents.dpo.get(`/dpo/subject-access/${id}/download`)).statusCode, 404);
  });
});

describe('completeness', () => {
  test('every foreign key to a child or a person of concern is a column the export reads', async () => {
    const fks = await ctx.ownerQuery<{ tbl: string; col: string; target: string }>(
      `SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.confrelid::regclass::text AS target
         FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey, c.confkey) k (col, refcol)
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
         JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = k.refcol
        WHERE c.contype = 'f' AND c.confrelid IN ('children'::regclass, 'persons_of_concern'::regclass) AND r.attname = 'id'`,
    );
    const listed = new Set(
      (
        await ctx.ownerQuery<{ kind: string; table_name: string; column_name: string }>(`SELECT kind, table_name, column_name FROM lantern_merge_columns()`)
      ).map((m) => `${m.kind}:${m.table_name}.${m.column_name}`),
    );
    assert.ok(fks.length > 10);
    const missing = fks.filter((f) => !listed.has(`${f.target === 'children' ? 'child' : 'person'}:${f.tbl}.${f.col}`));
    assert.deepEqual(missing, [], 'a table referring to a child or a person is missing from lantern_merge_columns(), so from the export');
  });

  test('property: the export holds every row naming the subject and no row about another child', { timeout: 300_000 }, async () => {
    const tables = ['concerns', 'case_notes', 'missing_episodes', 'child_flags', 'intel_links'] as const;
    const counts = fc.record(Object.fromEntries(tables.map((t) => [t, fc.nat({ max: 3 })])) as Record<(typeof tables)[number], fc.Arbitrary<number>>);
    await fc.assert(
      fc.asyncProperty(counts, counts, async (mine, theirs) => {
        const subject = await child();
        const other = await child();
        const somebody = await person('Prop', 'Person');
        const expected = new Set<string>([subject]);
        const unexpected = new Set<string>([other]);
        const make = async (c: string, n: Record<string, number>, into: Set<string>) => {
          for (let i = 0; i < n.concerns!; i++) into.add(await aConcern(ctx, { partnership_id: northmere, child_id: c }));
          for (let i = 0; i < n.case_notes!; i++)
            into.add(
              (
                await ctx.ownerQuery<{ id: string }>(
                  `INSERT INTO case_notes (partnership_id, child_id, body, author_name) VALUES ($1, $2, 'p', 'p') RETURNING id`,
                  [northmere, c],
                )
              )[0]!.id,
            );
          for (let i = 0; i < n.missing_episodes!; i++)
            into.add(
              await aMissingEpisode(ctx, {
                partnership_id: northmere,
                child_id: c,
                started_at: `2026-0${1 + i}-01T20:00Z`,
                ended_at: `2026-0${1 + i}-02T20:00Z`,
                ended_by: 'returned',
              }),
            );
          for (let i = 0; i < n.child_flags!; i++)
            into.add(
              (
                await ctx.ownerQuery<{ id: string }>(
                  `INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source) VALUES ($1, $2, $3, '2026-0${1 + i}-01', 'manual') RETURNING id`,
                  [northmere, c, ['looked_after', 'child_protection_plan', 'child_in_need'][i]],
                )
              )[0]!.id,
            );
          for (let i = 0; i < n.intel_links!; i++)
            into.add(
              (
                await ctx.ownerQuery<{ id: string }>(
                  `INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, source, confidence)
                 VALUES ($1, 'child', $2, 'person', $3, 'seen_with', 'p', 'low') RETURNING id`,
                  [northmere, c, somebody],
                )
              )[0]!.id,
            );
        };
        await make(subject, mine, expected);
        await make(other, theirs, unexpected);
        const id = await log('child', subject);
        const review = await ctx.services.subjectAccess.review(dpo, id);
        const decisions = new Map(review.items.map((i) => [i.key, 'release' as const]));
        await ctx.services.subjectAccess.decide(dpo, id, decisions);
        await ctx.services.subjectAccess.release(dpo, id, async () => Buffer.from('%PDF-test'));
        const zip = await JSZip.loadAsync(await ctx.services.subjectAccess.download(dpo, id));
        const json = JSON.parse(await zip.file('subject-access.json')!.async('string')) as { tables: Record<string, { id?: unknown }[]> };
        const got = new Set(
          Object.entries(json.tables)
            .filter(([t]) => t !== 'audit_events')
            .flatMap(([, rows]) => rows.map((r) => String(r.id))),
        );
        for (const e of expected) assert.ok(got.has(e), `row ${e} naming the subject is in the export`);
        for (const u of unexpected) assert.ok(!got.has(u), `row ${u} about another child is not in the export`);
        const texts = JSON.stringify(json.tables);
        assert.ok(!texts.includes(other), 'the other child is not named at all');
      }),
      { numRuns: 8 },
    );
  });
});
