import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import JSZip from 'jszip';
import { browserAvailable } from '../helpers/browser.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';
import { isTaggedPdf, pdfStructureTypes, pdfText } from '../helpers/pdf.ts';

/**
 * The annual problem profile document (issue 13 §1 "Views"): DOCX and tagged PDF, in English or Welsh
 * (`?language=`), for whoever may read the published profile, always with the published (controlled)
 * figures. The figures are concerns placed by hand in the financial year 2022-23, which the demo does
 * not reach: 12 from professionals in July to September 2022 and 2 from taxi drivers in October 2022,
 * none with a child (so the locality is not recorded). At the demo's threshold (5) the taxi drivers'
 * 2 is withheld as `c`, and the Total, 14, is published.
 */
let ctx: TestContext;
let northmere: string;
let westbrookLocality: string;
const agents: Record<string, Agent> = {};
const period = 'FY2022-23';
const docxType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const q = <R = Record<string, unknown>>(text: string, values: unknown[] = []) => ctx.ownerQuery<R>(text, values);

/** A DOCX's body as text (each paragraph and cell on its own, separated by " | "), and the language its styles declare. */
async function docx(body: Buffer): Promise<{ text: string; lang: string | undefined; cells: string[] }> {
  const zip = await JSZip.loadAsync(body);
  const xml = await zip.file('word/document.xml')!.async('string');
  const styles = await zip.file('word/styles.xml')!.async('string');
  const paragraphs = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => m[0].replace(/<[^>]+>/g, '').replace(/&amp;/g, '&'));
  return {
    text: paragraphs.join(' | '),
    cells: paragraphs,
    lang: /<w:rPrDefault><w:rPr><w:lang w:val="([^"]+)"/.exec(styles)?.[1],
  };
}

/** The rows of the DOCX tables, each as its cells' texts. */
async function docxRows(body: Buffer): Promise<string[][]> {
  const xml = await (await JSZip.loadAsync(body)).file('word/document.xml')!.async('string');
  return [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((row) => [...row[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => c[0].replace(/<[^>]+>/g, '')));
}

const lastExport = async () =>
  (
    await q<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE action = 'export' AND record_type = 'problem_profile' ORDER BY seq DESC LIMIT 1`,
    )
  )[0]!.details;

before(async () => {
  ctx = await createTestContext();
  northmere = (await q<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  westbrookLocality = (
    await q<{ id: string }>(`SELECT l.id FROM localities l JOIN partnerships p ON p.id = l.partnership_id WHERE p.code = 'westbrook' LIMIT 1`)
  )[0]!.id;
  await q(
    `INSERT INTO concerns (partnership_id, reference, source, received_at, deadline_at, what_happened)
     SELECT $1, 'ANNUAL-P' || n, 'professional', '2022-07-01T10:00:00Z'::timestamptz + n * interval '3 days', '2022-07-02T10:00:00Z'::timestamptz + n * interval '3 days', 'ANNUAL-TEST concern'
       FROM generate_series(1, 12) n`,
    [northmere],
  );
  for (const n of [1, 2])
    await q(
      `INSERT INTO concerns (partnership_id, reference, source, reporter_kind, received_at, deadline_at, what_happened)
       VALUES ($1, $2, 'public', 'taxi_driver', $3::timestamptz, $3::timestamptz + interval '24 hours', 'ANNUAL-TEST concern')`,
      [northmere, `ANNUAL-Q${n}`, `2022-10-0${n}T10:00:00Z`],
    );
  for (const key of ['analyst', 'councillor', 'social-worker', 'admin'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx?.close());

describe('the annual problem profile document', () => {
  test('the demo reaches no concern in the trend’s eight quarters: the 14 above are all there are', async () => {
    const [row] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM concerns WHERE partnership_id = $1 AND received_at >= '2021-04-01' AND received_at < '2023-04-01'`,
      [northmere],
    );
    assert.equal(row!.n, 14);
  });

  let english: Awaited<ReturnType<typeof docx>>;
  test('a councillor’s DOCX: the title page, contents and chapters, the controlled figures, the notes on the symbol; audited', async () => {
    const r = await agents.councillor!.get(`/profile/annual.docx?period=${period}`);
    assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    assert.equal(r.headers['content-type'], docxType);
    assert.match(String(r.headers['content-disposition']), /filename="problem-profile-annual-FY2022-23-partnership\.docx"/);
    assert.equal(r.headers['cache-control'], 'no-store');
    english = await docx(r.rawPayload);
    assert.equal(english.lang, 'en-GB');
    const { text, cells } = english;
    // The title page.
    for (const line of [
      'Child sexual exploitation problem profile',
      'Northmere Safeguarding Children Partnership',
      'The whole partnership',
      'Financial year 2022–23',
      'April 2022 to March 2023 (financial year FY2022-23)',
      'Published figures: disclosure control is applied, so no child or person can be identified.',
    ])
      assert.ok(cells.includes(line), line);
    assert.match(text, /Produced \d{1,2} [A-Z][a-z]+ 20\d\d/);
    // The contents, then the chapters, in the order of a council's profile.
    const contents = ['1. Executive summary', '2. Children at risk', '3. Concerns', '4. Missing and absent episodes', '5. Meetings and plans'];
    for (const line of contents) assert.equal(cells.filter((c) => c === line).length, 2, `${line}: in the contents and as a heading`);
    for (const heading of ['Trends', 'Themes', 'Areas compared', 'About these figures'])
      assert.ok(
        cells.some((c) => new RegExp(`^\\d+\\. ${heading}$`).test(c)),
        heading,
      );
    const rows = await docxRows(r.rawPayload);
    // The executive summary: concerns in the year, as counted by hand; the change on the quarter before not shown, as
    // October to December 2022 is withheld; January to March 2023 against 2022 (0 and 0): no change.
    const summary = rows.find((row) => row[0] === 'Concerns received in the period');
    assert.deepEqual(summary, ['Concerns received in the period', '14', 'Not shown (c)', 'No change']);
    // The concerns by source: the taxi drivers’ 2 withheld, the Total published.
    const bySource = cells.indexOf('Concerns received in the period by source');
    assert.ok(bySource > 0);
    const sourceRows = rows.filter((row) => row.length === 2 && ['Public form: taxi driver', 'Total'].includes(row[0]!));
    assert.ok(
      sourceRows.some((row) => row[0] === 'Public form: taxi driver' && row[1] === 'c'),
      JSON.stringify(sourceRows),
    );
    const concernsTotals = rows.filter((row) => row.length === 2 && row[0] === 'Total' && row[1] === '14');
    assert.equal(concernsTotals.length, 3, 'the Total of each of the 3 breakdowns of concerns');
    // The trend by quarter: July to September 2022 12, October to December c (2).
    const trend = rows.find((row) => row[0] === 'Concerns received in the period' && row.length === 9)!;
    assert.deepEqual(trend, ['Concerns received in the period', '0', '0', '0', '0', '0', '12', 'c', '0']);
    assert.deepEqual(
      rows.find((row) => row[0] === 'Measure' && row.length === 9),
      ['Measure', '2021-Q2', '2021-Q3', '2021-Q4', '2022-Q1', '2022-Q2', '2022-Q3', '2022-Q4', '2023-Q1'],
    );
    // The areas compared: the concerns have no child, so no locality; the partnership's average.
    // Columns: area, population, children at risk, newly identified, concerns, episodes, meetings.
    assert.equal(rows.find((row) => row[0] === 'Locality not recorded' && row.length === 7)?.[4], '14');
    assert.equal(rows.find((row) => row[0] === 'The whole partnership (average)' && row.length === 7)?.[4], '14');
    // No figure from 1 to the threshold anywhere in a table (rates and populations aside).
    for (const row of rows)
      for (const value of row.slice(1)) if (/^\d+$/.test(value)) assert.ok(Number(value) === 0 || Number(value) > 5, `${row[0]}: ${value}`);
    // About these figures: the symbol, the threshold and the method.
    assert.match(text, /c means the figure is withheld: it is from 1 to 5/);
    assert.match(text, /Some larger figures are withheld too/);
    assert.match(text, /z means not applicable/);
    assert.ok(cells.includes('Sources') && cells.includes('Disclosure control') && cells.includes('Populations') && cells.includes('Periods and method'));
    assert.doesNotMatch(text, /Not for publication|NOT FOR PUBLICATION/);
    const audit = await lastExport();
    assert.equal(audit.format, 'docx');
    assert.equal(audit.language, 'en');
    assert.equal(audit.period, period);
    assert.equal(audit.area, 'partnership');
    assert.equal(audit.unsuppressed, false);
  });

  test('an analyst, who may read the unsuppressed figures, gets the published ones in the document too', async () => {
    const r = await agents.analyst!.get(`/profile/annual.docx?period=${period}&view=unsuppressed`);
    assert.equal(r.statusCode, 200);
    const rows = await docxRows(r.rawPayload);
    assert.ok(rows.some((row) => row[0] === 'Public form: taxi driver' && row[1] === 'c'));
    assert.ok(!rows.some((row) => row[0] === 'Public form: taxi driver' && row[1] === '2'));
    assert.equal((await lastExport()).unsuppressed, false);
  });

  test('in Welsh: Welsh headings, figures and dates, the file marked -cy, Word told cy-GB; audited with the language', async () => {
    const r = await agents.councillor!.get(`/profile/annual.docx?period=${period}&language=cy`);
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-disposition']), /filename="problem-profile-annual-FY2022-23-partnership-cy\.docx"/);
    const welsh = await docx(r.rawPayload);
    assert.equal(welsh.lang, 'cy-GB');
    for (const line of [
      'Proffil problem camfanteisio’n rhywiol ar blant',
      'Y bartneriaeth gyfan',
      'Blwyddyn ariannol 2022–23',
      '1. Crynodeb gweithredol',
      '3. Pryderon',
      'Ffynonellau',
      'Rheolaeth datgelu',
    ])
      assert.ok(welsh.cells.includes(line), line);
    assert.ok(welsh.cells.some((c) => /^\d+\. Am y ffigurau hyn$/.test(c)));
    assert.match(welsh.text, /Lluniwyd \d{1,2} \S+ 20\d\d/);
    for (const english of ['Executive summary', 'Child sexual exploitation problem profile', 'About these figures', 'Financial year'])
      assert.ok(!welsh.text.includes(english), english);
    const rows = await docxRows(r.rawPayload);
    assert.deepEqual(
      rows.find((row) => row[0] === 'Pryderon a ddaeth i law yn y cyfnod' && row.length === 4),
      ['Pryderon a ddaeth i law yn y cyfnod', '14', 'Heb ei ddangos (c)', 'Dim newid'],
    );
    const audit = await lastExport();
    assert.equal(audit.language, 'cy');
    assert.equal(audit.format, 'docx');
  });

  test('a locality’s document: its own figures, named on the title page', async () => {
    const [locality] = await q<{ id: string; name: string }>(`SELECT id, name FROM localities WHERE partnership_id = $1 ORDER BY name LIMIT 1`, [northmere]);
    const r = await agents.councillor!.get(`/profile/annual.docx?period=${period}&area=${locality!.id}`);
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-disposition']), new RegExp(`problem-profile-annual-FY2022-23-area-${locality!.id.slice(0, 8)}\\.docx`));
    const { cells } = await docx(r.rawPayload);
    assert.ok(cells.includes(locality!.name));
    // The concerns have no locality: none in this one.
    const rows = await docxRows(r.rawPayload);
    assert.deepEqual(rows.find((row) => row[0] === 'Concerns received in the period' && row.length === 4)?.slice(0, 2), [
      'Concerns received in the period',
      '0',
    ]);
    assert.equal((await lastExport()).area, locality!.id);
  });

  test('the problem profile page links to the documents, in both languages, for the 12 months to its quarter', async () => {
    const page = await agents.councillor!.get('/profile?period=2023-Q1');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /href="\/profile\/annual\.docx\?period=R12-2023-Q1&amp;area=partnership"/);
    assert.match(page.body, /href="\/profile\/annual\.pdf\?period=R12-2023-Q1&amp;area=partnership&amp;language=cy"/);
    const year = await agents.analyst!.get(`/profile?period=${period}`);
    assert.match(year.body, /href="\/profile\/annual\.docx\?period=FY2022-23&amp;area=partnership"/);
  });

  test('a malformed period, area or language, a quarter, or another partnership’s locality is a 400 error page; other roles are refused', async () => {
    for (const url of [
      '/profile/annual.docx?period=2026-Q5',
      '/profile/annual.docx?period=FY2023-25',
      '/profile/annual.docx?period=2026-Q3',
      '/profile/annual.pdf?period=%27%3B--',
      '/profile/annual.docx?area=nowhere',
      '/profile/annual.pdf?area=00000000-0000-0000-0000-000000000000',
      `/profile/annual.docx?area=${westbrookLocality}`,
      '/profile/annual.docx?language=fr',
    ]) {
      const r = await agents.councillor!.get(url);
      assert.equal(r.statusCode, 400, url);
      assert.match(String(r.headers['content-type']), /^text\/html/, url);
      assert.match(r.body, /<title>Error: /, url);
    }
    for (const key of ['social-worker', 'admin'])
      for (const format of ['docx', 'pdf']) assert.equal((await agents[key]!.get(`/profile/annual.${format}`)).statusCode, 403, `${key} ${format}`);
    // The default: the 12 months to the last complete quarter.
    const r = await agents.councillor!.get('/profile/annual.docx');
    assert.equal(r.statusCode, 200);
    assert.match(String((await lastExport()).period), /^R12-\d{4}-Q[1-4]$/);
  });

  test(
    'the PDF: tagged, with its headings and tables, in the language chosen; audited',
    { skip: browserAvailable ? false : 'Chromium is not installed' },
    async () => {
      for (const language of ['en', 'cy'] as const) {
        const r = await agents.councillor!.get(`/profile/annual.pdf?period=${period}&language=${language}`);
        assert.equal(r.statusCode, 200, r.body.slice(0, 300));
        assert.equal(r.headers['content-type'], 'application/pdf');
        const body = r.rawPayload;
        assert.equal(body.subarray(0, 5).toString(), '%PDF-');
        assert.ok(isTaggedPdf(body), 'a structure tree, and marked content');
        const structure = pdfStructureTypes(body);
        // The trends are drawn as charts too (a Figure each), beside the table of their figures.
        for (const tag of ['Table', 'TH', 'TD', 'H1', 'H2', 'H3', 'Figure']) assert.ok(structure.has(tag), `the PDF tags a ${tag}`);
        const text = pdfText(body);
        if (language === 'en') {
          assert.ok(text.includes('Child sexual exploitation problem profile'));
          assert.ok(text.includes('Executive summary'));
          assert.ok(text.includes('c means the figure is withheld'));
        } else {
          assert.ok(text.includes('Crynodeb gweithredol'));
          assert.ok(!text.includes('Executive summary'));
        }
        const audit = await lastExport();
        assert.equal(audit.format, 'pdf');
        assert.equal(audit.language, language);
        assert.equal(audit.unsuppressed, false);
      }
    },
  );

  const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => fs.existsSync(p));
  test('LibreOffice opens the DOCX', { skip: soffice ? false : 'LibreOffice (soffice) is not installed', timeout: 240_000 }, async () => {
    const body = (await agents.councillor!.get(`/profile/annual.docx?period=${period}`)).rawPayload;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-annual-'));
    fs.writeFileSync(path.join(dir, 'annual.docx'), body);
    execFileSync(
      soffice!,
      [
        `-env:UserInstallation=file://${path.join(dir, 'profile')}`,
        '--headless',
        '--convert-to',
        'txt:Text',
        '--outdir',
        path.join(dir, 'out'),
        path.join(dir, 'annual.docx'),
      ],
      { stdio: 'pipe', timeout: 120_000 },
    );
    const converted = fs.readFileSync(path.join(dir, 'out', 'annual.txt'), 'utf8');
    assert.match(converted, /Child sexual exploitation problem profile/);
    assert.match(converted, /Financial year 2022–23/);
    assert.match(converted, /About these figures/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
