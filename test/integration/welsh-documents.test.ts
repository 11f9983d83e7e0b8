import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { PdfPrinter } from '../../src/documents/pdf.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, aStrategyMeeting } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';
import { pdfText } from '../helpers/pdf.ts';

// Issue 11, "Documents": the Welsh Government return, the quarterly report and a child's chronology are
// each made in Welsh or in English, chosen at download (`?language=cy|en`; without it, the page's
// language). Words, dates, statuses, sheet names and the language the file declares follow the choice,
// and the export's audit row records it.

let ctx: TestContext;
let plan: string;
let child: string;
let lead: Agent;
let coordinator: Agent;

// Dates Lantern writes ('30 September 2026', '12 Mar 2026, 10:00', 'July to September 2026'), in either language.
// Only these are checked: the plan's own narratives are English text that names months ('in November 2015').
const englishMonth = '(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Oct|Nov|Dec)';
const welshMonth = '(Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr|Ion|Chwef|Maw|Ebr|Meh|Gorff|Hyd|Tach|Rhag)';
const englishDates = new RegExp(`\\b\\d{1,2} ${englishMonth} \\d{4}\\b|\\b${englishMonth} to ${englishMonth} \\d{4}\\b`);
const welshDates = new RegExp(`\\b\\d{1,2} ${welshMonth} \\d{4}\\b|\\b${welshMonth} – ${welshMonth} \\d{4}\\b`);

/** A DOCX's body as text, and the language its styles declare (w:lang in the document defaults). */
async function docx(body: Buffer): Promise<{ text: string; lang: string | undefined }> {
  const zip = await JSZip.loadAsync(body);
  const xml = await zip.file('word/document.xml')!.async('string');
  const styles = await zip.file('word/styles.xml')!.async('string');
  return {
    text: xml
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .replace(/&amp;/g, '&'),
    lang: /<w:rPrDefault><w:rPr><w:lang w:val="([^"]+)"/.exec(styles)?.[1],
  };
}

/** An XLSX's sheets as rows of text, and the language its properties declare (dc:language). */
async function xlsx(body: Buffer): Promise<{ sheets: Record<string, string[]>; lang: string | undefined }> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body as unknown as ArrayBuffer);
  const sheets: Record<string, string[]> = {};
  book.eachSheet((sheet) => {
    const rows: string[] = [];
    // Every cell this test reads is text (the documents write no numbers or dates as values).
    sheet.eachRow((row) =>
      rows.push(
        (row.values as (string | null | undefined)[])
          .slice(1)
          .map((v) => v ?? '')
          .join('|'),
      ),
    );
    sheets[sheet.name] = rows;
  });
  const core = await (await JSZip.loadAsync(body)).file('docProps/core.xml')!.async('string');
  return { sheets, lang: /<dc:language>([^<]+)<\/dc:language>/.exec(core)?.[1] };
}

const lastExport = async (recordId: string) =>
  (
    await ctx.ownerQuery<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE action = 'export' AND record_id = $1 ORDER BY seq DESC LIMIT 1`,
      [recordId],
    )
  )[0]!.details;

const fileName = (r: { headers: Record<string, unknown> }) => /filename="([^"]+)"/.exec(String(r.headers['content-disposition']))?.[1];

before(async () => {
  ctx = await createTestContext();
  const [northmere] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`);
  [{ id: plan }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_plans WHERE partnership_id = $1`, [northmere!.id])) as [{ id: string }];
  const [childrens] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'`, [
    northmere!.id,
  ]);
  const [worker] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'social-worker.northmere@lantern.example'`);
  child = await aChild(ctx, {
    partnership_id: northmere!.id,
    owning_agency_id: childrens!.id,
    reference: 'CYDOC-1',
    given_name: 'Rhian',
    family_name: 'Dogfennau',
  });
  await aStrategyMeeting(ctx, { partnership_id: northmere!.id, child_id: child, held_on: '2026-03-10', attending_agency_ids: [childrens!.id] });
  await ctx.ownerQuery(
    `INSERT INTO case_notes (partnership_id, child_id, body, author_user_id, author_name, created_at) VALUES ($1, $2, 'Spoke with the child at school', $3, 'Test Social Worker', '2026-03-12T10:00:00Z')`,
    [northmere!.id, child, worker!.id],
  );
  lead = await signIn(ctx.app, ctx.clock, ctx.account('strategy.northmere@lantern.example'));
  coordinator = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.northmere@lantern.example'));
});
after(async () => ctx?.close());

/**
 * The same routes with a printer that hands back the HTML it was given: what a PDF is printed from,
 * checked without Chromium (the route takes the printer when it is registered, so a fresh app).
 */
async function withHtmlPrinter(check: (lead: Agent, coordinator: Agent) => Promise<void>) {
  const real = ctx.services.pdf;
  const htmlPrinter = { available: () => true, print: async (html: string) => Buffer.from(html, 'utf8'), close: async () => {} };
  Object.assign(ctx.services, { pdf: htmlPrinter as unknown as PdfPrinter });
  const { buildApp } = await import('../../src/web/app.ts');
  const app = await buildApp(ctx.services);
  try {
    await app.ready();
    await check(
      await signIn(app, ctx.clock, ctx.account('strategy.northmere@lantern.example')),
      await signIn(app, ctx.clock, ctx.account('coordinator.northmere@lantern.example')),
    );
  } finally {
    await app.close();
    Object.assign(ctx.services, { pdf: real });
  }
}

describe('the download links offer both languages', () => {
  test('an English page links to the Welsh document, named in Welsh; a Welsh page to the English one', async () => {
    const links = (body: string, language: string) =>
      [...body.matchAll(new RegExp(`<a class="govuk-link" href="([^"]+)" lang="${language}" hreflang="${language}" download>([^<]+)</a>`, 'g'))].map((m) => [
        m[1]!.replace(/&amp;/g, '&'),
        m[2]!,
      ]);
    const planPage = await lead.get(`/strategy/plans/${plan}`);
    assert.deepEqual(links(planPage.body, 'cy'), [
      [`/strategy/plans/${plan}/export/return.docx?language=cy`, 'Lawrlwytho yn Gymraeg (DOCX)'],
      [`/strategy/plans/${plan}/export/return.xlsx?language=cy`, 'Lawrlwytho yn Gymraeg (XLSX)'],
    ]);
    const quarterly = await lead.get(`/strategy/plans/${plan}/quarterly?quarter=2026-07-01`);
    assert.deepEqual(links(quarterly.body, 'cy'), [
      [`/strategy/plans/${plan}/export/quarterly.docx?quarter=2026-07-01&language=cy`, 'Lawrlwytho yn Gymraeg (DOCX)'],
      [`/strategy/plans/${plan}/export/quarterly.pdf?quarter=2026-07-01&language=cy`, 'Lawrlwytho yn Gymraeg (PDF)'],
    ]);
    const chronology = await coordinator.get(`/children/${child}/chronology?type=case_note`);
    assert.deepEqual(links(chronology.body, 'cy'), [
      [`/children/${child}/chronology/docx?type=case_note&language=cy`, 'Lawrlwytho yn Gymraeg (DOCX)'],
      [`/children/${child}/chronology/pdf?type=case_note&language=cy`, 'Lawrlwytho yn Gymraeg (PDF)'],
    ]);
    // The page's own link names no language: the document is in the page's.
    assert.match(chronology.body, new RegExp(`href="/children/${child}/chronology/docx\\?type=case_note" download>`));

    const welsh = await signIn(ctx.app, ctx.clock, ctx.account('strategy.northmere@lantern.example'));
    welsh.setCookie('lantern_lang', 'cy');
    const welshPlan = await welsh.get(`/strategy/plans/${plan}`);
    assert.match(welshPlan.body, /<html lang="cy"/);
    assert.deepEqual(links(welshPlan.body, 'en'), [
      [`/strategy/plans/${plan}/export/return.docx?language=en`, 'Download in English (DOCX)'],
      [`/strategy/plans/${plan}/export/return.xlsx?language=en`, 'Download in English (XLSX)'],
    ]);
  });
});

describe('the Welsh Government return', () => {
  test('as DOCX: Welsh headings, statuses and legend, and it says it is Welsh; English the reverse', async () => {
    const cy = await lead.get(`/strategy/plans/${plan}/export/return.docx?language=cy`);
    assert.equal(cy.statusCode, 200);
    assert.equal(fileName(cy), 'welsh-government-return-cy.docx');
    const welsh = await docx(cy.rawPayload);
    assert.equal(welsh.lang, 'cy-GB');
    for (const words of ['Templed Adrodd', 'Statws RAG', 'Canlyniad trosfwaol:', 'Diweddariad naratif', 'Gwyrdd', 'Glas', 'Wedi’i gwblhau'])
      assert.ok(welsh.text.includes(words), `Welsh return has “${words}”`);
    for (const words of ['Reporting Template', 'Overarching outcome', 'Narrative update', 'On track, in progress'])
      assert.ok(!welsh.text.includes(words), `Welsh return has no “${words}”`);
    assert.doesNotMatch(welsh.text, /\bRAG status\b|\b(Green|Amber|Blue|Not rated)\b/);
    assert.ok(welsh.text.includes('Awaiting guidance from Welsh Government.'), 'the narratives are as written');
    assert.deepEqual(await lastExport(plan), { document: 'return.docx', language: 'cy' });

    const en = await lead.get(`/strategy/plans/${plan}/export/return.docx?language=en`);
    assert.equal(fileName(en), 'welsh-government-return.docx');
    const english = await docx(en.rawPayload);
    assert.equal(english.lang, 'en-GB');
    for (const words of ['Reporting Template', 'RAG status', 'Overarching outcome', 'Narrative update', 'Green'])
      assert.ok(english.text.includes(words), `English return has “${words}”`);
    for (const words of ['Templed Adrodd', 'Canlyniad trosfwaol', 'Diweddariad naratif', 'Gwyrdd']) assert.ok(!english.text.includes(words), `no “${words}”`);
    assert.deepEqual(await lastExport(plan), { document: 'return.docx', language: 'en' });
  });

  test('as XLSX: Welsh sheet names, headings, statuses and dates; English the reverse', async () => {
    const welsh = await xlsx((await lead.get(`/strategy/plans/${plan}/export/return.xlsx?language=cy`)).rawPayload);
    assert.deepEqual(Object.keys(welsh.sheets), ['Templed adrodd', 'Ynglŷn â’r cynllun hwn']);
    assert.equal(welsh.lang, 'cy-GB');
    const template = welsh.sheets['Templed adrodd']!;
    assert.ok(template.includes('Canlyniad|Cam gweithredu|Statws RAG|Diweddariad naratif'));
    assert.ok(
      template.some((r) => /\|(Coch|Ambr|Gwyrdd|Glas|Heb ei raddio)\|/.test(r)),
      'statuses in Welsh',
    );
    // The source note is the partnership's own English text (it cites a report of 22 March 2017).
    const about = welsh.sheets['Ynglŷn â’r cynllun hwn']!.filter((r) => !r.startsWith('Ffynhonnell y naratifau|')).join('\n');
    assert.match(about, /^Cyfnod\|\d{1,2} \S+ \d{4} i \d{1,2} \S+ \d{4}$/m);
    assert.match(about, welshDates);
    assert.doesNotMatch(about, englishDates);
    assert.match(about, /^Statws RAG\|Ystyr$/m);
    assert.doesNotMatch(template.join('\n') + about, /Outcome\|Action|\bRAG status\b|Narrative update|Not rated|Held to account/);
    assert.deepEqual(await lastExport(plan), { document: 'return.xlsx', language: 'cy' });

    const english = await xlsx((await lead.get(`/strategy/plans/${plan}/export/return.xlsx?language=en`)).rawPayload);
    assert.deepEqual(Object.keys(english.sheets), ['Reporting template', 'About this plan']);
    assert.equal(english.lang, 'en-GB');
    assert.ok(english.sheets['Reporting template']!.includes('Outcome|Action|RAG status|Narrative update'));
    assert.match(english.sheets['About this plan']!.join('\n'), englishDates);
    assert.doesNotMatch(Object.values(english.sheets).flat().join('\n'), welshDates);
    assert.doesNotMatch(Object.values(english.sheets).flat().join('\n'), /Templed|Canlyniad|Statws RAG|Ynglŷn/);
  });
});

describe('the quarterly report', () => {
  test('as DOCX: Welsh title, quarter, headings and statuses; English the reverse', async () => {
    const cy = await lead.get(`/strategy/plans/${plan}/export/quarterly.docx?quarter=2026-07-01&language=cy`);
    assert.equal(cy.statusCode, 200);
    assert.equal(fileName(cy), 'quarterly-report-2026-07-01-cy.docx');
    const welsh = await docx(cy.rawPayload);
    assert.equal(welsh.lang, 'cy-GB');
    for (const words of [
      'Adroddiad cynnydd chwarterol: Gorffennaf – Medi 2026',
      'Statws pob cam gweithredu',
      'Eithriadau: camau gweithredu coch neu hwyr',
      'Mesurau yn erbyn targedau',
      'Hyfforddiant',
      'Y 12 mis diwethaf',
      'Hydref – Rhagfyr 2025',
    ])
      assert.ok(welsh.text.includes(words), `Welsh quarterly report has “${words}”`);
    assert.match(welsh.text, /Coch|Ambr|Gwyrdd|Glas/);
    assert.doesNotMatch(welsh.text, englishDates);
    for (const words of ['Quarterly progress report', 'Status of all actions', 'Exceptions', 'Measures against targets', 'The last 12 months'])
      assert.ok(!welsh.text.includes(words), `Welsh quarterly report has no “${words}”`);
    assert.deepEqual(await lastExport(plan), { document: 'quarterly.docx', language: 'cy', quarter: '2026-07-01' });

    const english = await docx((await lead.get(`/strategy/plans/${plan}/export/quarterly.docx?quarter=2026-07-01&language=en`)).rawPayload);
    assert.equal(english.lang, 'en-GB');
    for (const words of ['Quarterly progress report: July to September 2026', 'Status of all actions', 'The last 12 months', 'October to December 2025'])
      assert.ok(english.text.includes(words), `English quarterly report has “${words}”`);
    assert.doesNotMatch(english.text, welshDates);
    assert.ok(!english.text.includes('Adroddiad cynnydd chwarterol'));
  });

  test('without a choice the document is in the page’s language', async () => {
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('strategy.northmere@lantern.example'));
    agent.setCookie('lantern_lang', 'cy');
    const welsh = await docx((await agent.get(`/strategy/plans/${plan}/export/quarterly.docx?quarter=2026-07-01`)).rawPayload);
    assert.ok(welsh.text.includes('Adroddiad cynnydd chwarterol: Gorffennaf – Medi 2026'));
    // The choice outranks the page's language.
    const english = await docx((await agent.get(`/strategy/plans/${plan}/export/quarterly.docx?quarter=2026-07-01&language=en`)).rawPayload);
    assert.ok(english.text.includes('Quarterly progress report: July to September 2026'));
  });

  test('the PDF is printed from a Welsh page (<html lang="cy">) or an English one', async () => {
    await withHtmlPrinter(async (agent) => {
      const cy = await agent.get(`/strategy/plans/${plan}/export/quarterly.pdf?quarter=2026-07-01&language=cy`);
      assert.equal(cy.statusCode, 200);
      assert.equal(fileName(cy), 'quarterly-report-2026-07-01-cy.pdf');
      const welsh = cy.body;
      assert.match(welsh, /<html lang="cy"/);
      assert.match(welsh, /<h1 class="govuk-heading-l">Adroddiad cynnydd chwarterol: Gorffennaf – Medi 2026<\/h1>/);
      assert.match(welsh, /<title>Adroddiad cynnydd chwarterol: Gorffennaf – Medi 2026 – Lantern<\/title>/);
      assert.match(welsh, /Perchennog: /);
      assert.doesNotMatch(welsh, /Quarterly progress report|held to account by/);
      assert.doesNotMatch(welsh, englishDates);
      assert.deepEqual(await lastExport(plan), { document: 'quarterly.pdf', language: 'cy', quarter: '2026-07-01' });

      const english = (await agent.get(`/strategy/plans/${plan}/export/quarterly.pdf?quarter=2026-07-01&language=en`)).body;
      assert.match(english, /<html lang="en"/);
      assert.match(english, /<h1 class="govuk-heading-l">Quarterly progress report: July to September 2026<\/h1>/);
      assert.doesNotMatch(english, welshDates);
    });
  });

  test('the printed PDF says its Welsh title', { skip: browserAvailable ? false : 'Chromium is not installed' }, async () => {
    const r = await lead.get(`/strategy/plans/${plan}/export/quarterly.pdf?quarter=2026-07-01&language=cy`);
    assert.equal(r.statusCode, 200);
    const text = pdfText(r.rawPayload);
    assert.ok(text.includes('Adroddiad cynnydd chwarterol'), 'the Welsh title');
    assert.ok(!text.includes('Quarterly progress report'));
  });
});

describe('the child’s chronology', () => {
  test('as DOCX: Welsh title, headings and dates; English the reverse; the audit row says which', async () => {
    const cy = await coordinator.get(`/children/${child}/chronology/docx?language=cy`);
    assert.equal(cy.statusCode, 200);
    assert.equal(fileName(cy), 'chronology-CYDOC-1-cy.docx');
    const welsh = await docx(cy.rawPayload);
    assert.equal(welsh.lang, 'cy-GB');
    for (const words of [
      'Cronoleg: Rhian Dogfennau (CYDOC-1)',
      'Dyddiad',
      'Beth ddigwyddodd',
      'Dyddiau ers y cofnod blaenorol',
      'Cofnod cyntaf',
      'Pob math o gofnod, pob asiantaeth.',
      'Argraffwyd:',
      '10 Mawrth 2026',
      'Spoke with the child at school',
    ])
      assert.ok(welsh.text.includes(words), `Welsh chronology has “${words}”`);
    assert.match(welsh.text, /12 Maw 2026, \d\d:\d\d/);
    assert.doesNotMatch(welsh.text, englishDates);
    for (const words of ['Chronology', 'What happened', 'Days since previous entry', 'First entry', 'Printed', 'Every type of entry'])
      assert.ok(!welsh.text.includes(words), `Welsh chronology has no “${words}”`);
    const audit = await lastExport(child);
    assert.equal(audit.document, 'chronology.docx');
    assert.equal(audit.language, 'cy');

    const en = await coordinator.get(`/children/${child}/chronology/docx?language=en`);
    assert.equal(fileName(en), 'chronology-CYDOC-1.docx');
    const english = await docx(en.rawPayload);
    assert.equal(english.lang, 'en-GB');
    for (const words of ['Chronology: Rhian Dogfennau (CYDOC-1)', 'What happened', 'Days since previous entry', 'Printed', '10 March 2026'])
      assert.ok(english.text.includes(words), `English chronology has “${words}”`);
    assert.doesNotMatch(english.text, welshDates);
    assert.ok(!english.text.includes('Cronoleg'));
    assert.equal((await lastExport(child)).language, 'en');
  });

  test('the PDF is printed from a Welsh page, with the filters said in Welsh', async () => {
    await withHtmlPrinter(async (_lead, agent) => {
      const cy = await agent.get(`/children/${child}/chronology/pdf?type=case_note&language=cy`);
      assert.equal(cy.statusCode, 200);
      assert.equal(fileName(cy), 'chronology-CYDOC-1-cy.pdf');
      const html = cy.body.replace(/<style>[\s\S]*?<\/style>/, '');
      assert.match(html, /<html lang="cy"/);
      assert.match(html, /<h1 class="govuk-heading-l">Cronoleg<\/h1>/);
      assert.match(html, /Yn dangos: [^.]+\. Asiantaeth: Pob asiantaeth\./);
      assert.match(html, />Beth ddigwyddodd</);
      assert.match(html, />1 cofnod</);
      assert.match(html, /12 Maw 2026/);
      assert.doesNotMatch(html, /What happened|Printed|Showing:/);
      assert.doesNotMatch(html, englishDates);
      const audit = await lastExport(child);
      assert.equal(audit.document, 'chronology.pdf');
      assert.equal(audit.language, 'cy');
    });
  });
});

describe('a language that is not Welsh or English', () => {
  test('is refused with 400, as other malformed queries are', async () => {
    for (const value of ['fr', 'CY', '', 'cy-GB']) {
      for (const url of [
        `/strategy/plans/${plan}/export/return.docx?language=${value}`,
        `/strategy/plans/${plan}/export/return.xlsx?language=${value}`,
        `/strategy/plans/${plan}/export/quarterly.docx?quarter=2026-07-01&language=${value}`,
        `/strategy/plans/${plan}/export/quarterly.pdf?language=${value}`,
        `/children/${child}/chronology/docx?language=${value}`,
        `/children/${child}/chronology/pdf?type=case_note&language=${value}`,
      ]) {
        const agent = url.startsWith('/children') ? coordinator : lead;
        assert.equal((await agent.get(url)).statusCode, 400, url);
      }
    }
    const refused = await coordinator.get(`/children/${child}/chronology/docx?language=fr`);
    assert.match(refused.body, /LANTERN_E_VALIDATION/);
  });
});
