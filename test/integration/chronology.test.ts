import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import JSZip from 'jszip';
import { sql } from 'kysely';
import { actorOf } from '../../src/auth/service.ts';
import { withActor } from '../../src/db/context.ts';
import { chronologyKinds } from '../../src/features/casework/chronology.ts';
import { translator } from '../../src/i18n/i18n.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import {
  aChild,
  aConcern,
  anAuditEvent,
  aMissingEpisode,
  aPlanAction,
  aRecordShare,
  aRestrictionChange,
  aReturnInterview,
  aRiskAssessment,
  aStrategyMeeting,
} from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';
import { isTaggedPdf, pdfText } from '../helpers/pdf.ts';

const t = translator('en');
let ctx: TestContext;
let northmere: string;
let child: string;
const agencies: Record<string, string> = {};
const users: Record<string, string> = {};
const agents: Record<string, Agent> = {};

const rows = async (childId: string, action: string) =>
  (
    await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE record_type = 'child' AND record_id = $1 AND action = $2`, [
      childId,
      action,
    ])
  )[0]!.n;

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agencies[a.kind] = a.id;
  for (const u of await ctx.ownerQuery<{ id: string; email: string }>(`SELECT id, email FROM users WHERE partnership_id = $1`, [northmere]))
    users[u.email.split('.northmere@')[0]!] = u.id;
  const p = northmere;
  child = await aChild(ctx, {
    partnership_id: p,
    owning_agency_id: agencies.childrens_services!,
    reference: 'CHRON-1',
    given_name: 'Robin',
    family_name: 'Chronotest',
  });
  // One event of every kind. The police's concern is theirs alone: children's services see it withheld.
  await aConcern(ctx, {
    partnership_id: p,
    child_id: child,
    reference: 'CHRON-POLICE-CONCERN',
    source: 'professional',
    raised_by_agency_id: agencies.police!,
    acting_agency_id: agencies.police!,
    received_at: '2026-03-02T09:00:00Z',
    decision: 'cse_concern',
    risk_level: 'high',
    decided_at: '2026-03-02T15:00:00Z',
    decision_notes: 'Police only: intelligence about an adult',
  });
  await aConcern(ctx, {
    partnership_id: p,
    child_id: child,
    reference: 'CHRON-CS-CONCERN',
    source: 'public',
    acting_agency_id: agencies.childrens_services!,
    received_at: '2026-03-01T09:00:00Z',
    decision: 'cse_concern',
    risk_level: 'medium',
    decided_at: '2026-03-01T12:00:00Z',
  });
  await aRiskAssessment(ctx, {
    partnership_id: p,
    child_id: child,
    assessor_agency_id: agencies.childrens_services!,
    judgement_level: 'medium',
    assessed_on: '2026-03-05',
  });
  const episode = await aMissingEpisode(ctx, {
    partnership_id: p,
    child_id: child,
    started_at: new Date('2026-03-06T20:00:00Z'),
    ended_at: new Date('2026-03-07T08:00:00Z'),
    ended_by: 'returned',
    recorded_by: users['social-worker']!,
  });
  await aReturnInterview(ctx, {
    partnership_id: p,
    child_id: child,
    episode_id: episode,
    interviewer_agency_id: agencies.voluntary!,
    offered_at: new Date('2026-03-08T10:00:00Z'),
    interviewer_name: 'Independent Worker',
    independent_of_placement: true,
    outcome: 'accepted',
    learned: 'Went to the parade with older youths',
  });
  const meeting = await aStrategyMeeting(ctx, {
    partnership_id: p,
    child_id: child,
    held_on: '2026-03-10',
    attending_agency_ids: [agencies.childrens_services!, agencies.police!],
    decisions: 'Safety plan agreed',
  });
  await aPlanAction(ctx, {
    partnership_id: p,
    child_id: child,
    meeting_id: meeting,
    agency_id: agencies.police!,
    due_on: '2026-03-20',
    description: 'Visit the flat above the parade',
    created_at: new Date('2026-03-10T12:00:00Z'),
    done_at: new Date('2026-03-15T12:00:00Z'),
  });
  const [service] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM directory_services WHERE partnership_id = $1 ORDER BY name LIMIT 1`, [p]);
  await ctx.ownerQuery(
    `INSERT INTO service_referrals (partnership_id, child_id, service_id, referred_on, referred_by_name, referred_by_agency_id) VALUES ($1, $2, $3, '2026-03-11', 'Test Worker', $4)`,
    [p, child, service!.id, agencies.childrens_services],
  );
  await ctx.ownerQuery(
    `INSERT INTO case_notes (partnership_id, child_id, body, author_user_id, author_name, created_at) VALUES ($1, $2, 'Spoke with the child at school', $3, 'Test Social Worker', '2026-03-12T10:00:00Z')`,
    [p, child, users['social-worker']],
  );
  await aRecordShare(ctx, {
    partnership_id: p,
    record_id: child,
    agency_id: agencies.education!,
    shared_by: users['social-worker']!,
    created_at: new Date('2026-03-13T09:00:00Z'),
  });
  await aRecordShare(ctx, {
    partnership_id: p,
    record_id: child,
    agency_id: agencies.health!,
    shared_by: users['social-worker']!,
    created_at: new Date('2026-03-13T09:30:00Z'),
    revoked_at: new Date('2026-03-14T09:00:00Z'),
    revoked_by: users['social-worker']!,
    revoked_reason: 'No longer involved',
  });
  await anAuditEvent(ctx, {
    partnership_id: p,
    action: 'record.update',
    record_type: 'child',
    record_id: child,
    actor_user_id: users['social-worker']!,
    occurred_at: new Date('2026-03-16T09:00:00Z'),
    details: JSON.stringify({ changed: ['restricted', 'flag_cse', 'looked_after'] }),
  });
  await ctx.ownerQuery(
    `INSERT INTO break_glass_grants (partnership_id, child_id, user_id, reason, granted_at, expires_at) VALUES ($1, $2, $3, 'Missing tonight, need the history', '2026-03-17T22:00:00Z', '2026-03-18T02:00:00Z')`,
    [p, child, users.coordinator],
  );
  await aRestrictionChange(ctx, {
    partnership_id: p,
    child_id: child,
    child_reference: 'CHRON-1',
    changed_by: users['social-worker']!,
    reason: 'Staff member has left: CHRON-LIFT-REASON',
    changed_at: new Date('2026-03-18T09:00:00Z'),
  });
  await ctx.ownerQuery(
    `INSERT INTO child_status_events (partnership_id, child_id, event, outcome, reason, recorded_by, recorded_at) VALUES
       ($1, $2, 'closed', 'risk_reduced', 'Plan complete', $3, '2026-03-19T09:00:00Z'),
       ($1, $2, 'reopened', NULL, 'New concern', $3, '2026-03-20T09:00:00Z')`,
    [p, child, users['social-worker']],
  );
  for (const key of ['social-worker', 'school', 'coordinator', 'dpo', 'police'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx?.close());

/** The rows of the chronology table, as text. */
const tableRows = (html: string) =>
  [...html.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((m) =>
    m[1]!
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );

describe('the chronology', () => {
  test('shows every type of event on the child, oldest first, and each view leaves one audit row', async () => {
    const before = await rows(child, 'record.view');
    const page = await agents.coordinator!.get(`/children/${child}/chronology`);
    assert.equal(page.statusCode, 200);
    assert.equal(await rows(child, 'record.view'), before + 1);
    const shown = tableRows(page.body).slice(1);
    for (const kind of chronologyKinds) {
      const label = t(`casework.chronology.kinds.${kind}`);
      assert.ok(
        shown.some((r) => r.includes(label)),
        `${kind} (${label}) appears`,
      );
    }
    assert.match(page.body, /Concern CHRON-CS-CONCERN received[\s\S]*Concern CHRON-POLICE-CONCERN received/, 'in date order');
    for (const text of [
      'Spoke with the child at school',
      'Went to the parade with older youths',
      'Record shared with',
      'No longer involved',
      'CSE flag',
      'Missing tonight',
    ])
      assert.ok(page.body.includes(text), text);
    assert.match(page.body, /<title>Chronology – Robin Chronotest \(CHRON-1\) – Lantern<\/title>/);
  });

  test('a row the reader may not see is withheld (date and type only), and shown in full to one who may', async () => {
    const worker = await agents['social-worker']!.get(`/children/${child}/chronology`);
    assert.equal(worker.statusCode, 200);
    assert.doesNotMatch(worker.body, /CHRON-POLICE-CONCERN|Police only: intelligence/, 'nothing of the police concern but its date and type');
    assert.doesNotMatch(worker.body, /CHRON-LIFT-REASON/, 'only the DPO reads why a restriction was lifted');
    const withheld = tableRows(worker.body).filter((r) => r.includes('Withheld'));
    // The police concern (received and decided) and the restriction lifted.
    assert.equal(withheld.length, 3, withheld.join('\n'));
    assert.ok(withheld.some((r) => r.startsWith('2 Mar 2026, 09:00 Concern')));
    assert.ok(withheld.some((r) => r.startsWith('2 Mar 2026, 15:00 Triage decision')));
    assert.match(worker.body, /3 entries are withheld/);
    assert.match(worker.body, /Concern CHRON-CS-CONCERN received/, 'the concern children’s services act on is in full');

    const coordinator = await agents.coordinator!.get(`/children/${child}/chronology`);
    assert.match(coordinator.body, /Concern CHRON-POLICE-CONCERN received/);
    assert.match(coordinator.body, /Police only: intelligence about an adult/);
    assert.equal(tableRows(coordinator.body).filter((r) => r.includes('Withheld')).length, 1, 'the lifted restriction only');
    // Only the data protection officer reads why a restriction was lifted (on /break-glass), and reads no casework.
    assert.equal((await agents.dpo!.get(`/children/${child}/chronology`)).statusCode, 403);
  });

  test('a child the reader may not see: 404, and the withheld function says nothing about it', async () => {
    const school = agents.school!;
    // Shared with education above, so the school sees the record; a child owned by health is not shared.
    assert.equal((await school.get(`/children/${child}/chronology`)).statusCode, 200);
    const hidden = await aChild(ctx, { partnership_id: northmere, owning_agency_id: agencies.health!, reference: 'CHRON-HIDDEN' });
    await aConcern(ctx, { partnership_id: northmere, child_id: hidden, raised_by_agency_id: agencies.health! });
    assert.equal((await school.get(`/children/${hidden}/chronology`)).statusCode, 404);
    const user = await ctx.sessionUser('school.northmere@lantern.example');
    const stubs = await withActor(ctx.services.db, actorOf(user), (tx) =>
      sql<{ kind: string }>`SELECT kind FROM lantern_chronology_withheld(${hidden}::uuid, '{}'::uuid[])`.execute(tx),
    );
    assert.deepEqual(stubs.rows, []);
  });

  test('the withheld function answers exactly for the children row-level security lets each account read', async () => {
    const children = await ctx.ownerQuery<{ id: string }>(
      `SELECT DISTINCT c.id FROM children c JOIN concerns q ON q.child_id = c.id WHERE c.partnership_id = $1 ORDER BY c.id LIMIT 40`,
      [northmere],
    );
    const restricted = await ctx.ownerQuery<{ id: string }>(
      `SELECT DISTINCT c.id FROM children c JOIN concerns q ON q.child_id = c.id WHERE c.partnership_id = $1 AND c.restricted LIMIT 5`,
      [northmere],
    );
    const ids = [...new Set([...children, ...restricted].map((c) => c.id))];
    for (const key of ['social-worker', 'school', 'police', 'coordinator', 'triage', 'dpo', 'analyst']) {
      const user = await ctx.sessionUser(`${key}.northmere@lantern.example`);
      await withActor(ctx.services.db, actorOf(user), async (tx) => {
        for (const id of ids) {
          const visible = (await sql`SELECT 1 FROM children WHERE id = ${id}::uuid`.execute(tx)).rows.length === 1;
          const stubs = (await sql`SELECT kind FROM lantern_chronology_withheld(${id}::uuid, '{}'::uuid[])`.execute(tx)).rows.length;
          assert.equal(stubs > 0, visible, `${key} on ${id}: stubs only for a child the policies show`);
        }
      });
    }
  });

  test('filters by type and by agency; withheld entries only for all agencies', async () => {
    const notes = await agents['social-worker']!.get(`/children/${child}/chronology?type=case_note`);
    assert.equal(notes.statusCode, 200);
    const noteRows = tableRows(notes.body).slice(1);
    assert.equal(noteRows.length, 1);
    assert.match(noteRows[0]!, /Case note/);
    const two = await agents['social-worker']!.get(`/children/${child}/chronology?type=concern&type=meeting`);
    const twoRows = tableRows(two.body).slice(1);
    assert.deepEqual(
      twoRows.map((r) => /Concern|Strategy meeting/.exec(r)?.[0]),
      ['Concern', 'Concern', 'Strategy meeting'],
      'the concern in full, the withheld one, the meeting',
    );
    assert.match(twoRows[1]!, /Withheld/);
    const police = await agents.coordinator!.get(`/children/${child}/chronology?agency=${agencies.police}`);
    const policeRows = tableRows(police.body).slice(1);
    assert.ok(policeRows.length >= 5);
    assert.ok(
      policeRows.every((r) => r.includes('Fenland Valley Police')),
      policeRows.join('\n'),
    );
    assert.ok(!policeRows.some((r) => r.includes('Withheld')));
    assert.match(police.body, /Visit the flat above the parade/);
    assert.doesNotMatch(police.body, /Spoke with the child at school/);
    // Empty agency is "all agencies"; the download links carry the filters.
    const all = await agents.coordinator!.get(`/children/${child}/chronology?agency=&type=case_note`);
    assert.equal(all.statusCode, 200);
    assert.match(all.body, new RegExp(`/children/${child}/chronology/pdf\\?type=case_note"`));
  });

  test('malformed filters are 400 with the error page; an unknown format is 404', async () => {
    for (const query of ['type=bogus', 'agency=not-a-uuid', 'type=case_note&type=nonsense', 'other=1', 'agency=1&agency=2']) {
      const r = await agents.coordinator!.get(`/children/${child}/chronology?${query}`);
      assert.equal(r.statusCode, 400, query);
      assert.match(r.body, /LANTERN_E_VALIDATION/, query);
      assert.match(r.body, /There is a problem with the request/);
    }
    assert.equal((await agents.coordinator!.get(`/children/${child}/chronology/xls`)).statusCode, 404);
    assert.equal((await agents.coordinator!.get(`/children/${child}/chronology/pdf?type=bogus`)).statusCode, 400);
    assert.equal((await agents.coordinator!.get(`/children/not-a-uuid/chronology`)).statusCode, 404);
  });

  test('downloads as DOCX that opens, with the withheld entries, and one export audit row', async () => {
    const before = await rows(child, 'export');
    const r = await agents['social-worker']!.get(`/children/${child}/chronology/docx`);
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-disposition']), /attachment; filename="chronology-CHRON-1.docx"/);
    assert.equal(await rows(child, 'export'), before + 1);
    const xml = await (await JSZip.loadAsync(r.rawPayload)).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, ' ');
    assert.match(text, /CHRON-1/);
    assert.match(text, /Spoke with the child at school/);
    assert.match(text, /Withheld/);
    assert.doesNotMatch(text, /CHRON-POLICE-CONCERN/);
    const [audit] = await ctx.ownerQuery<{ details: { document: string } }>(
      `SELECT details FROM audit_events WHERE record_id = $1 AND action = 'export' ORDER BY id DESC LIMIT 1`,
      [child],
    );
    assert.equal(audit!.details.document, 'chronology.docx');
  });

  const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => fs.existsSync(p));
  test('LibreOffice opens the DOCX', { skip: soffice ? false : 'LibreOffice (soffice) is not installed', timeout: 240_000 }, async () => {
    const body = (await agents.coordinator!.get(`/children/${child}/chronology/docx`)).rawPayload;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-chronology-'));
    fs.writeFileSync(path.join(dir, 'chronology.docx'), body);
    execFileSync(
      soffice!,
      [
        `-env:UserInstallation=file://${path.join(dir, 'profile')}`,
        '--headless',
        '--convert-to',
        'txt:Text',
        '--outdir',
        path.join(dir, 'out'),
        path.join(dir, 'chronology.docx'),
      ],
      { stdio: 'pipe', timeout: 120_000 },
    );
    const converted = fs.readFileSync(path.join(dir, 'out', 'chronology.txt'), 'utf8');
    assert.match(converted, /CHRON-1/);
    assert.match(converted, /Visit the flat above the parade/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test(
    'downloads as a tagged PDF with the child’s reference and the page’s table',
    { skip: browserAvailable ? false : 'Chromium is not installed' },
    async () => {
      const before = await rows(child, 'export');
      const r = await agents.coordinator!.get(`/children/${child}/chronology/pdf?type=case_note&type=meeting`);
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['content-type'], 'application/pdf');
      const body = r.rawPayload;
      assert.equal(body.subarray(0, 5).toString(), '%PDF-');
      assert.ok(isTaggedPdf(body), 'a structure tree, and marked content');
      assert.match(body.toString('latin1'), /\/S \/Table/);
      const text = pdfText(body);
      assert.ok(text.includes('CHRON-1'), 'the child’s reference');
      assert.ok(text.includes('Spoke with the child at school'));
      assert.ok(!text.includes('Visit the flat above the parade'), 'the filters apply');
      assert.equal(await rows(child, 'export'), before + 1);
    },
  );

  test('without Chromium a PDF download is the 503 page, not a 500, and nothing is audited', async () => {
    const { PdfPrinter } = await import('../../src/documents/pdf.ts');
    const missing = new PdfPrinter('/nonexistent/chromium');
    const real = ctx.services.pdf;
    Object.assign(ctx.services, { pdf: missing });
    try {
      const before = await rows(child, 'export');
      // The route took the printer when it was registered; a fresh app sees the missing one.
      const { buildApp } = await import('../../src/web/app.ts');
      const app = await buildApp(ctx.services);
      await app.ready();
      const agent = await signIn(app, ctx.clock, ctx.account('coordinator.northmere@lantern.example'));
      const r = await agent.get(`/children/${child}/chronology/pdf`);
      assert.equal(r.statusCode, 503);
      assert.match(r.body, /LANTERN_E_DOCUMENT_UNAVAILABLE/);
      assert.match(r.body, /The PDF cannot be made at the moment/);
      assert.equal(await rows(child, 'export'), before);
      await app.close();
    } finally {
      Object.assign(ctx.services, { pdf: real });
    }
  });
});
