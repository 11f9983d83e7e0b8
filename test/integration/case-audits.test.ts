import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import JSZip from 'jszip';
import { drawSample } from '../../src/features/case-audits/sampling.ts';
import { builtInAuditTools, questionsOf } from '../../src/features/case-audits/tool.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { dateFields, signIn, type Agent } from '../helpers/http.ts';
import { isTaggedPdf, pdfText } from '../helpers/pdf.ts';

/**
 * Multi-agency case audits (issue 15 §1): scope, a sample reproducible from its seed, auditors of named
 * agencies reading only the sampled records while the audit is open (audited), answers, moderation,
 * findings, a learning action added to the action plan, and a report with no names.
 */
let ctx: TestContext;
let northmere: string;
const agents: Record<string, Agent> = {};
const q = <R = Record<string, unknown>>(text: string, values: unknown[] = []) => ctx.ownerQuery<R>(text, values);
const tool = builtInAuditTools[0]!;

before(async () => {
  ctx = await createTestContext();
  [{ id: northmere }] = (await q<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
  for (const key of ['strategy', 'police', 'school', 'councillor', 'social-worker'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx.close());

const auditForm = (extra: Record<string, string | string[]> = {}) => ({
  title: 'Themed audit of CSE cases',
  scope: 'CSE cases, with reference to the Rotherham recommendations',
  ...dateFields('periodStart', '2026-01-01'),
  ...dateFields('periodEnd', '2026-10-31'),
  tool: `${tool.id}@${tool.version}`,
  method: 'random',
  sampleSize: '6',
  seed: '20261201',
  ...extra,
});
const idOf = (location: string | undefined) => /^\/case-audits\/([0-9a-f-]{36})$/.exec(location ?? '')![1]!;
const sampleOf = async (audit: string) =>
  (await q<{ child_id: string; stratum: string }>(`SELECT child_id, stratum FROM case_audit_sample WHERE audit_id = $1 ORDER BY position`, [audit])).map(
    (r) => r.child_id,
  );

describe('case audits', () => {
  let audit: string;
  let sampled: string[];
  let outside: string; // a sampled child the police may not read outside the audit
  let notSampled: string;

  test('a strategy lead scopes an audit and draws a sample that the seed reproduces', async () => {
    await agents.strategy!.get('/case-audits/new');
    const r = await agents.strategy!.post('/case-audits/new', auditForm());
    assert.equal(r.statusCode, 302, r.body.slice(0, 2000));
    audit = idOf(r.headers.location);
    sampled = await sampleOf(audit);
    assert.equal(sampled.length, 6);
    const [row] = await q<{ seed: string; population: number }>(`SELECT seed::text, population FROM case_audits WHERE id = $1`, [audit]);
    assert.equal(row!.seed, '20261201');
    // The same seed again: the same sample.
    const again = await agents.strategy!.post('/case-audits/new', auditForm({ title: 'The same draw again' }));
    assert.deepEqual(await sampleOf(idOf(again.headers.location)), sampled);
    // The draw is the pure function's over the candidates, whatever order they come in.
    const candidates = await q<{ id: string; owning_agency_id: string; current_risk_level: string | null; open_flags: string[] }>(
      `SELECT id, owning_agency_id, current_risk_level, open_flags FROM children WHERE partnership_id = $1 AND NOT restricted AND merged_into_id IS NULL
        AND (closed_at IS NULL OR closed_at::date >= '2026-01-01') ORDER BY random()`,
      [northmere],
    );
    assert.equal(candidates.length, row!.population);
    const expected = drawSample(
      candidates.map((c) => ({ childId: c.id, owningAgencyId: c.owning_agency_id, riskLevel: c.current_risk_level, openFlags: c.open_flags })),
      { size: 6, seed: 20261201, stratifyBy: null },
    );
    assert.deepEqual(
      expected.map((d) => d.childId),
      sampled,
    );
  });

  test('a stratified sample by risk level takes each level in proportion', async () => {
    const r = await agents.strategy!.post(
      '/case-audits/new',
      auditForm({ title: 'Stratified', method: 'stratified', stratifyBy: 'risk', sampleSize: '12', seed: '7' }),
    );
    assert.equal(r.statusCode, 302);
    const id = idOf(r.headers.location);
    const rows = await q<{ stratum: string; risk: string | null }>(
      `SELECT s.stratum, c.current_risk_level AS risk FROM case_audit_sample s JOIN children c ON c.id = s.child_id WHERE s.audit_id = $1`,
      [id],
    );
    assert.equal(rows.length, 12);
    for (const row of rows) assert.equal(row.stratum, row.risk ?? 'none');
  });

  test('malformed and incomplete input: 400 with the error summary, 404 for a bad id', async () => {
    const r = await agents.strategy!.post(
      '/case-audits/new',
      auditForm({ seed: 'abc', method: 'stratified', sampleSize: '0', ...dateFields('periodEnd', '2025-01-01') }),
    );
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /govuk-error-summary/);
    assert.match(r.body, /Enter the seed as a whole number/);
    assert.match(r.body, /Choose what to group the sample by/);
    assert.match(r.body, /The end of the audit period must be on or after its start/);
    assert.equal((await agents.strategy!.get('/case-audits/not-a-uuid')).statusCode, 404);
    assert.equal((await agents.strategy!.get('/case-audits/00000000-0000-4000-8000-000000000000')).statusCode, 404);
    assert.equal((await agents.police!.get('/case-audits/new')).statusCode, 403);
  });

  test('auditors are named and the audit opened', async () => {
    const [police] = await q<{ id: string; agency_id: string }>(`SELECT id, agency_id FROM users WHERE email = 'police.northmere@lantern.example'`);
    const [school] = await q<{ id: string }>(`SELECT id FROM users WHERE email = 'school.northmere@lantern.example'`);
    await agents.strategy!.get(`/case-audits/${audit}`);
    assert.equal((await agents.strategy!.post(`/case-audits/${audit}/status`, { to: 'in_progress' })).statusCode, 400, 'no auditor yet');
    for (const p of [police!, school!]) assert.equal((await agents.strategy!.post(`/case-audits/${audit}/auditors`, { userId: p.id })).statusCode, 302);
    assert.equal((await agents.strategy!.post(`/case-audits/${audit}/status`, { to: 'in_progress' })).statusCode, 302);
    // A sampled child the police cannot read outside the audit (not theirs, not shared with them).
    const hidden = await q<{ id: string }>(
      `SELECT c.id FROM children c WHERE c.id = ANY($1::uuid[]) AND c.owning_agency_id <> $2
        AND NOT EXISTS (SELECT 1 FROM record_shares s WHERE s.record_id = c.id AND s.agency_id = $2 AND s.revoked_at IS NULL)`,
      [sampled, police!.agency_id],
    );
    assert.ok(hidden.length > 0, 'the sample has a child the police do not hold');
    outside = hidden[0]!.id;
    [{ id: notSampled }] = (await q<{ id: string }>(
      `SELECT c.id FROM children c WHERE c.partnership_id = $1 AND NOT (c.id = ANY($2::uuid[])) AND c.owning_agency_id <> $3 LIMIT 1`,
      [northmere, sampled, police!.agency_id],
    )) as [{ id: string }];
  });

  test('an auditor reads a sampled child during the audit (audited), and gets 404 for a child not sampled', async () => {
    assert.equal((await agents.police!.get(`/children/${outside}`)).statusCode, 404, 'not readable outside the audit');
    const list = await agents.police!.get(`/case-audits/${audit}/records`);
    assert.equal(list.statusCode, 200);
    const r = await agents.police!.get(`/case-audits/${audit}/records/${outside}`);
    assert.equal(r.statusCode, 200);
    const [child] = await q<{ reference: string }>(`SELECT reference FROM children WHERE id = $1`, [outside]);
    assert.ok(r.body.includes(child!.reference));
    const [logged] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'record.view' AND record_type = 'child' AND record_id = $1 AND reason LIKE 'case audit:%'`,
      [outside],
    );
    assert.equal(logged!.n, 1);
    assert.equal((await agents.police!.get(`/case-audits/${audit}/records/${notSampled}`)).statusCode, 404);
    assert.equal((await agents.police!.get(`/case-audits/${audit}/records/not-a-uuid`)).statusCode, 404);
    // Someone not named as an auditor: 404 too.
    assert.equal((await agents['social-worker']!.get(`/case-audits/${audit}/records/${outside}`)).statusCode, 404);
  });

  test('each auditor answers for their own agency; disagreement is moderated', async () => {
    const answers = (grade: string) => ({ ...Object.fromEntries(questionsOf(tool).map((x) => [`q-${x.id}`, 'not-applicable'])), grade, comment: 'Seen.' });
    const yesNo = (grade: string) => {
      const a = answers(grade) as Record<string, string>;
      for (const x of questionsOf(tool)) if (x.scale === 'quality') a[`q-${x.id}`] = 'adequate';
      return a;
    };
    const missing = await agents.police!.post(`/case-audits/${audit}/records/${outside}`, { grade: 'good' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Answer every question of the audit tool/);
    await agents.police!.get(`/case-audits/${audit}/records/${outside}`);
    assert.equal((await agents.police!.post(`/case-audits/${audit}/records/${outside}`, yesNo('good'))).statusCode, 302);
    await agents.school!.get(`/case-audits/${audit}/records/${outside}`);
    assert.equal((await agents.school!.post(`/case-audits/${audit}/records/${outside}`, yesNo('inadequate'))).statusCode, 302);
    const page = await agents.strategy!.get(`/case-audits/${audit}`);
    assert.match(page.body, /Agencies disagree/);
    const [sample] = await q<{ id: string }>(`SELECT id FROM case_audit_sample WHERE audit_id = $1 AND child_id = $2`, [audit, outside]);
    const r = await agents.strategy!.post(`/case-audits/${audit}/moderation`, {
      sampleId: sample!.id,
      agreedGrade: 'requires-improvement',
      note: 'Agreed at the panel.',
    });
    assert.equal(r.statusCode, 302);
    const after = await agents.strategy!.get(`/case-audits/${audit}`);
    assert.match(after.body, /Requires improvement \(moderated\)/);
  });

  test('findings and a learning action added to the action plan with a cross-reference back', async () => {
    assert.equal((await agents.strategy!.post(`/case-audits/${audit}/findings`, { findings: 'Return interviews were not always timely.' })).statusCode, 302);
    assert.equal((await agents.strategy!.post(`/case-audits/${audit}/learning`, { text: 'Offer every return interview within 72 hours.' })).statusCode, 302);
    const [learning] = await q<{ id: string }>(`SELECT id FROM case_audit_learning WHERE audit_id = $1`, [audit]);
    const [plan] = await q<{ plan_id: string; outcome_ref: string }>(
      `SELECT a.plan_id, a.outcome_ref FROM strategy_actions a JOIN strategy_plans p ON p.id = a.plan_id WHERE p.partnership_id = $1 LIMIT 1`,
      [northmere],
    );
    const bad = await agents.strategy!.post(`/case-audits/${audit}/learning/${learning!.id}/plan`, { planId: plan!.plan_id, actionRef: 'x' });
    assert.equal(bad.statusCode, 400);
    const ref = `${plan!.outcome_ref}z`;
    const r = await agents.strategy!.post(`/case-audits/${audit}/learning/${learning!.id}/plan`, { planId: plan!.plan_id, actionRef: ref });
    assert.equal(r.statusCode, 302, r.body.slice(0, 3000));
    const [action] = await q<{ id: string; board_plan_ref: string; text: string }>(
      `SELECT id, board_plan_ref, text FROM strategy_actions WHERE plan_id = $1 AND action_ref = $2`,
      [plan!.plan_id, ref],
    );
    assert.equal(action!.text, 'Offer every return interview within 72 hours.');
    assert.match(action!.board_plan_ref, /Case audit: Themed audit of CSE cases/);
    const [linked] = await q<{ strategy_action_id: string }>(`SELECT strategy_action_id FROM case_audit_learning WHERE id = $1`, [learning!.id]);
    assert.equal(linked!.strategy_action_id, action!.id);
    assert.match((await agents.strategy!.get(`/case-audits/${audit}`)).body, new RegExp(`/strategy/actions/${action!.id}`));
  });

  test('closing the audit ends the auditors’ access: 404 for the sampled child', async () => {
    assert.equal((await agents.strategy!.post(`/case-audits/${audit}/status`, { to: 'closed' })).statusCode, 302);
    assert.equal((await agents.police!.get(`/case-audits/${audit}/records/${outside}`)).statusCode, 404);
    assert.equal((await agents.police!.get(`/case-audits/${audit}/records`)).statusCode, 404);
    assert.equal((await agents.school!.post(`/case-audits/${audit}/records/${outside}`, { grade: 'good' })).statusCode, 404);
  });

  test('the report (HTML, DOCX, PDF) names no child and controls its figures', async () => {
    const children = await q<{ given_name: string; family_name: string; reference: string }>(
      `SELECT given_name, family_name, reference FROM children WHERE id = ANY($1::uuid[])`,
      [sampled],
    );
    const names = children.flatMap((c) => [c.given_name, c.family_name, c.reference]).filter((n) => n.length > 2);
    const assertNoNames = (text: string, where: string) => {
      for (const n of names) assert.ok(!new RegExp(`\\b${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text), `${where} names ${n}`);
    };
    const page = await agents.councillor!.get(`/case-audits/${audit}/report`);
    assert.equal(page.statusCode, 200);
    assertNoNames(page.body, 'the page');
    // Six records: one moderated, five not answered; 1 is withheld (threshold 5), and so is its complement.
    assert.match(page.body, /id="grade-table"/);
    assert.match(page.body, /Requires improvement<\/th><td class="govuk-table__cell govuk-table__cell--numeric">c</);
    const docx = await agents.councillor!.get(`/case-audits/${audit}/report.docx`);
    assert.equal(docx.statusCode, 200);
    const xml = await (await JSZip.loadAsync(docx.rawPayload)).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, ' ');
    assert.match(text, /Return interviews were not always timely/);
    assertNoNames(text, 'the DOCX');
    if (browserAvailable) {
      const pdf = await agents.councillor!.get(`/case-audits/${audit}/report.pdf`);
      assert.equal(pdf.statusCode, 200);
      assert.ok(isTaggedPdf(pdf.rawPayload));
      const t = pdfText(pdf.rawPayload);
      assert.match(t, /Themed audit of CSE cases/);
      assertNoNames(t, 'the PDF');
    }
    // Auditors who do not read audits do not read the report.
    assert.equal((await agents.police!.get(`/case-audits/${audit}/report`)).statusCode, 403);
  });
});
