import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { demoAgencies, testChildren } from '../../src/features/casework/test-setup.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { dateFields, signIn, type Agent } from '../helpers/http.ts';
import { riskToolDefinition } from '../helpers/risk-tools.ts';

// Issue 11: a risk tool's definition carries English and Welsh. A Welsh page shows the tool's own
// Welsh — its questions, time windows, sections, bands — and the score's explanation in Welsh, a saved
// assessment's too; a tool loaded with one language only shows that text, marked lang="en".

let ctx: TestContext;
let worker: Agent;
let coordinator: Agent;
let child: string;
let agencies: Record<string, string>;
let northmere: string;

before(async () => {
  ctx = await createTestContext();
  ({ northmere, agencies } = await demoAgencies(ctx));
  child = await testChildren(ctx, 'Cymraeg', '2013-03-01')(northmere, agencies['n:childrens_services']!, 'CY-TOOL-1');
  worker = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
  coordinator = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.northmere@lantern.example'));
  for (const agent of [worker, coordinator]) agent.setCookie('lantern_lang', 'cy');
});
after(async () => ctx.close());

const htmlLang = (body: string) => /<html lang="([^"]+)"/.exec(body)?.[1];
/** The page's explanation: the bullet list that gives the total, its attributes and its lines. */
const explanationList = (body: string, total: RegExp) =>
  [...body.matchAll(/<ul class="govuk-list govuk-list--bullet"([^>]*)>([\s\S]*?)<\/ul>/g)].find((m) => total.test(m[2]!));

/** The form's answers: a vulnerability, and a significant indicator in both windows (1 + 6 = 7 points, "Mild risk"). */
function answers(toolId: string) {
  return {
    toolId,
    ...dateFields('assessedOn', '2026-11-01'),
    assessorAgencyId: agencies['n:childrens_services']!,
    knownToSocialCare: 'yes',
    inCare: 'no',
    childProtectionPlan: 'no',
    youthJustice: 'no',
    'answer-v-missing-history': 'ever',
    'answer-s-exchange': ['current', 'past6to12'],
  };
}

describe('a risk tool on a Welsh page', () => {
  let saved = '';

  test('the new-assessment form shows the tool’s questions, windows and sections in Welsh', async () => {
    const form = await worker.get(`/children/${child}/assessments/new`);
    assert.equal(form.statusCode, 200);
    assert.equal(htmlLang(form.body), 'cy');
    // Sections, their descriptions, the questions, their guidance and the time windows.
    assert.match(form.body, /<h2 class="govuk-heading-m">Ffactorau bregusrwydd<\/h2>/);
    assert.match(form.body, /Ticiwch unrhyw beth sydd wedi bod yn wir ar unrhyw adeg ym mywyd y plentyn\. 1 pwynt yr un\./);
    assert.match(form.body, /Wedi mynd ar goll o’r cartref, o ofal neu o’r ysgol o’r blaen/);
    assert.match(form.body, /Er enghraifft, gwaharddiadau, amserlen wedi’i lleihau/);
    assert.match(form.body, /Dangosyddion risg sylweddol/);
    assert.match(form.body, /rhwng 6 a 12 mis yn ôl/);
    // The tool's description and the choice of tools, by their Welsh names.
    assert.match(form.body, /Offeryn sgrinio ar gyfer camfanteisio’n rhywiol ar blant/);
    assert.match(form.body, /<option value="[^"]+"[^>]*>Offeryn sgrinio camfanteisio’n rhywiol ar blant, tair lefel \(v1\)<\/option>/);
    // None of the tool's English, and no text marked as English.
    for (const english of ['Vulnerabilities', 'Has gone missing from home', 'now or in the last 6 months', '6 to 12 months ago', 'CSE screening tool']) {
      assert.ok(!form.body.includes(english), `“${english}” is not on the Welsh page`);
    }
    assert.doesNotMatch(form.body, /<span lang="en">/);
  });

  test('the worked-out score is explained in Welsh, and the saved assessment shows it in Welsh', async () => {
    const form = await worker.get(`/children/${child}/assessments/new`);
    const toolId = /name="toolId" value="([^"]+)"/.exec(form.body)![1]!;
    const preview = await worker.post(`/children/${child}/assessments/new`, { ...answers(toolId), step: 'score' });
    assert.equal(preview.statusCode, 200);
    assert.match(preview.body, /Is-gyfanswm ar gyfer Ffactorau bregusrwydd: 1 pwynt\./);
    assert.match(
      preview.body,
      /Dangosyddion risg sylweddol: mae “Wedi cael cyffuriau, alcohol, arian, lle i aros neu bethau eraill yn gyfnewid am weithgarwch rhywiol” \(nawr neu yn ystod y 6 mis diwethaf a rhwng 6 a 12 mis yn ôl\) yn rhoi 6 phwynt\./,
    );
    assert.match(preview.body, /Cyfanswm: 7 pwynt, sydd yn y band “Risg ysgafn” \(6–10\)\./);
    assert.match(preview.body, /Risg ysgafn/);
    assert.doesNotMatch(preview.body, /subtotal|scores \d+ point|Mild risk/);

    const posted = await worker.post(`/children/${child}/assessments/new`, {
      ...answers(toolId),
      step: 'save',
      judgementLevel: 'low',
      judgementReasons: 'Mae’r sgôr yn cyfateb i’r hyn a welwn.',
    });
    assert.equal(posted.statusCode, 302);
    saved = posted.headers.location as string;
    // The row keeps the English, as before: the API and older pages read it.
    const [row] = await ctx.ownerQuery<{ score_category_label: string; score_explanation: string[] }>(
      `SELECT score_category_label, score_explanation FROM risk_assessments WHERE child_id = $1`,
      [child],
    );
    assert.equal(row!.score_category_label, 'Mild risk');
    assert.ok(row!.score_explanation.includes('Vulnerabilities subtotal: 1 point.'));

    const page = await worker.get(saved);
    assert.equal(page.statusCode, 200);
    assert.equal(htmlLang(page.body), 'cy');
    const list = explanationList(page.body, /Cyfanswm/);
    assert.ok(list, 'the explanation is listed, in Welsh');
    assert.equal(list[1], '', 'not marked as another language');
    assert.match(list[2]!, /Is-gyfanswm ar gyfer Ffactorau bregusrwydd: 1 pwynt\./);
    assert.match(list[2]!, /Cyfanswm: 7 pwynt, sydd yn y band “Risg ysgafn” \(6–10\)\./);
    assert.match(list[2]!, /Mae’r sgôr hon yn cefnogi eich barn broffesiynol/);
    assert.doesNotMatch(list[2]!, /subtotal|Total|Category/);
    assert.match(page.body, /Offeryn sgrinio camfanteisio’n rhywiol ar blant \(diofyn Lantern\) \(v1\)/, 'the tool by its Welsh name');
    assert.match(page.body, /Risg ysgafn/, 'the score’s band in Welsh');
    assert.doesNotMatch(page.body, /Mild risk|CSE screening tool/);

    // The assessments list names the band in Welsh too.
    const assessments = await worker.get(`/children/${child}/assessments`);
    assert.match(assessments.body, /Risg ysgafn/);
    assert.doesNotMatch(assessments.body, /Mild risk/);
  });

  test('in English the same saved assessment reads exactly as it was stored', async () => {
    worker.setCookie('lantern_lang', 'en');
    try {
      const page = await worker.get(saved);
      assert.equal(htmlLang(page.body), 'en');
      const [row] = await ctx.ownerQuery<{ score_explanation: string[] }>(`SELECT score_explanation FROM risk_assessments WHERE child_id = $1`, [child]);
      const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
      for (const line of row!.score_explanation) assert.ok(page.body.includes(`<li>${escape(line)}</li>`), line);
      assert.match(page.body, /Mild risk/);
      assert.match(page.body, /CSE screening tool \(Lantern default\) \(v1\)/);
    } finally {
      worker.setCookie('lantern_lang', 'cy');
    }
  });

  test('an explanation the tool no longer gives is shown as it was recorded, marked English', async () => {
    await ctx.ownerQuery(`UPDATE risk_assessments SET score_explanation = $2::jsonb WHERE child_id = $1`, [
      child,
      JSON.stringify(['Recorded by an earlier version of the tool.']),
    ]);
    const page = await worker.get(saved);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Dangosir yr esboniad hwn yn Saesneg, fel y cafodd ei gofnodi\./);
    assert.match(page.body, /<ul class="govuk-list govuk-list--bullet" lang="en">\s*<li>Recorded by an earlier version of the tool\.<\/li>/);
    assert.match(page.body, /Risg ysgafn/, 'the band is still named in Welsh');
  });
});

describe('a tool loaded in one language', () => {
  let toolId = '';
  before(async () => {
    const definition = riskToolDefinition('english-only-tool', 1, 'An English-only tool', 'Written in English only');
    [{ id: toolId }] = (await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO risk_tools (partnership_id, tool_key, version, name, definition, source) VALUES ($1, $2, 1, $3, $4::jsonb, 'loaded') RETURNING id`,
      [northmere, definition.id, definition.name, JSON.stringify(definition)],
    )) as [{ id: string }];
  });

  test('still parses, and shows its English on a Welsh page marked lang="en", with a note', async () => {
    const form = await worker.get(`/children/${child}/assessments/new?tool=${toolId}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="toolId" value="([^"]+)"/);
    assert.match(form.body, /<span lang="en">Written in English only<\/span>/);
    assert.match(form.body, /<h2 class="govuk-heading-m"><span lang="en">Signs<\/span><\/h2>/);
    assert.match(form.body, /<span lang="en">A sign<\/span>/);
    assert.match(form.body, /Nid oes fersiwn Gymraeg o rai o destunau’r offeryn hwn/);
    // The shipped tools, in Welsh, carry no such note.
    assert.doesNotMatch((await worker.get(`/children/${child}/assessments/new`)).body, /Nid oes fersiwn Gymraeg o rai/);
  });

  test('the risk-tools page names each tool in the page’s language and says which texts have no Welsh', async () => {
    const page = await coordinator.get('/risk-tools');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Offeryn sgrinio camfanteisio’n rhywiol ar blant, tair lefel/);
    assert.match(page.body, /Risg isel \(0–4\), Risg ganolig \(5–10\), Risg uchel \(11\+\)/);
    assert.match(page.body, /Mae pob testun yn Saesneg ac yn Gymraeg\./);
    // name, description, a section title, a window, an indicator and two bands: 7 texts with no Welsh.
    assert.match(page.body, /<span lang="en">An English-only tool<\/span>/);
    assert.match(page.body, /Nid oes fersiwn Gymraeg o 7 testun: maent yn cael eu dangos yn Saesneg ar dudalennau Cymraeg\./);
  });
});
