import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import JSZip from 'jszip';
import { textIn } from '../../src/i18n/local-text.ts';
import { englishExampleFramework, welshNationalActionPlan2016 } from '../../src/features/strategy/domain/frameworks.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn } from '../helpers/http.ts';

// Issue 11: a strategy framework's texts (name, strand titles and outcomes, outcome texts) are in the
// page's language where the framework has them: the Welsh National Action Plan in Welsh on a Welsh page.

let ctx: TestContext;
let lead: Agent;
let plan: string;

const wales = welshNationalActionPlan2016;
const outcome = (id: string) => wales.outcomes.find((o) => o.id === id)!.text;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const htmlLang = (body: string) => /<html lang="([^"]+)"/.exec(body)?.[1];

before(async () => {
  ctx = await createTestContext();
  lead = await signIn(ctx.app, ctx.clock, ctx.account('strategy.northmere@lantern.example'));
  const [row] = await ctx.ownerQuery<{ id: string }>(
    `SELECT p.id FROM strategy_plans p JOIN partnerships ps ON ps.id = p.partnership_id JOIN strategy_frameworks f ON f.id = p.framework_id
      WHERE ps.code = 'northmere' AND f.key = $1 ORDER BY p.created_at LIMIT 1`,
    [wales.key],
  );
  plan = row!.id;
});
after(async () => ctx.close());

describe('a framework’s texts in the page’s language', () => {
  test('the frameworks page in Welsh: the national plan’s name, strands and outcomes in Welsh; the English example in English, marked so', async () => {
    lead.setCookie('lantern_lang', 'cy');
    const page = await lead.get('/strategy/frameworks');
    assert.equal(page.statusCode, 200);
    assert.equal(htmlLang(page.body), 'cy');
    assert.ok(page.body.includes(textIn(wales.name, 'cy')), 'the Welsh name');
    for (const title of ['1. Paratoi', '2. Atal', '3. Amddiffyn', '4. Mynd ar drywydd']) assert.ok(page.body.includes(title), title);
    assert.ok(page.body.includes(`1.1 ${textIn(outcome('1.1'), 'cy')}`), 'outcome 1.1 in Welsh');
    assert.ok(page.body.includes(`4.5 ${textIn(outcome('4.5'), 'cy')}`), 'outcome 4.5 in Welsh');
    assert.ok(!page.body.includes(textIn(outcome('1.1'), 'en')), 'not outcome 1.1 in English');
    // A framework with no Welsh shows its English, marked as English for screen readers.
    assert.match(page.body, new RegExp(`<span lang="en">${escape(textIn(englishExampleFramework.outcomes[0]!.text, 'en'))}</span>`));
  });

  test('the frameworks page in English has the English', async () => {
    lead.setCookie('lantern_lang', 'en');
    const page = await lead.get('/strategy/frameworks');
    assert.equal(htmlLang(page.body), 'en');
    assert.ok(page.body.includes(textIn(wales.name, 'en')));
    assert.ok(page.body.includes('1. Prepare'));
    assert.ok(page.body.includes(`1.1 ${textIn(outcome('1.1'), 'en')}`));
    assert.ok(!page.body.includes(textIn(outcome('1.1'), 'cy')));
    assert.doesNotMatch(page.body, /<span lang="en">/);
  });

  test('a plan page in Welsh shows the framework, strands and outcomes in Welsh', async () => {
    lead.setCookie('lantern_lang', 'cy');
    const page = await lead.get(`/strategy/plans/${plan}`);
    assert.equal(page.statusCode, 200);
    assert.equal(htmlLang(page.body), 'cy');
    assert.ok(page.body.includes(textIn(wales.name, 'cy')), 'the framework’s Welsh name');
    assert.ok(page.body.includes('1. Paratoi'));
    assert.ok(page.body.includes(textIn(wales.strands[1]!.outcome, 'cy')), 'the Prevent strand outcome in Welsh');
    assert.ok(page.body.includes(`<caption class="govuk-table__caption govuk-table__caption--s">3.2 ${textIn(outcome('3.2'), 'cy')}</caption>`));
    assert.ok(page.body.includes(`aria-label="3.2 ${textIn(outcome('3.2'), 'cy')}"`));
    assert.ok(!page.body.includes(textIn(outcome('3.2'), 'en')), 'not the English outcome');
    // The lead's own action texts and narratives are as written (English in the demo).
    const index = await lead.get('/strategy');
    assert.ok(index.body.includes(textIn(wales.name, 'cy')), 'the plan list names the framework in Welsh');
  });

  test('a plan page in English shows them in English', async () => {
    lead.setCookie('lantern_lang', 'en');
    const page = await lead.get(`/strategy/plans/${plan}`);
    assert.equal(htmlLang(page.body), 'en');
    assert.ok(page.body.includes(textIn(wales.name, 'en')));
    assert.ok(page.body.includes('1. Prepare'));
    assert.ok(page.body.includes(`3.2 ${textIn(outcome('3.2'), 'en')}</caption>`));
    assert.ok(!page.body.includes(textIn(outcome('3.2'), 'cy')));
    assert.ok(!page.body.includes('Paratoi'));
  });

  test('the Welsh Government return in Welsh carries the Welsh outcomes; in English the English', async () => {
    const documentText = async (language: 'en' | 'cy') => {
      const response = await lead.get(`/strategy/plans/${plan}/export/return.docx?language=${language}`);
      assert.equal(response.statusCode, 200);
      const zip = await JSZip.loadAsync(response.rawPayload);
      return (await zip.file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
    };
    const welsh = await documentText('cy');
    assert.ok(welsh.includes(textIn(wales.name, 'cy')));
    assert.ok(welsh.includes('MYND AR DRYWYDD'));
    assert.ok(welsh.includes(`4.3 ${textIn(outcome('4.3'), 'cy')}`));
    assert.ok(!welsh.includes(textIn(outcome('4.3'), 'en')));
    const english = await documentText('en');
    assert.ok(english.includes(`4.3 ${textIn(outcome('4.3'), 'en')}`));
    assert.ok(english.includes('PURSUE'));
    assert.ok(!english.includes(textIn(outcome('4.3'), 'cy')));
  });

  test('a partnership’s copy stored before the Welsh existed still shows the Welsh, looked up by key and id', async () => {
    // As seeded before issue 11: the definition's texts are English strings only.
    const englishOnly = {
      ...wales,
      name: textIn(wales.name, 'en'),
      strands: wales.strands.map((s) => ({ ...s, title: textIn(s.title, 'en'), outcome: textIn(s.outcome, 'en') })),
      outcomes: wales.outcomes.map((o) => ({ ...o, text: textIn(o.text, 'en') })),
    };
    await ctx.ownerQuery(
      `UPDATE strategy_frameworks SET definition = $1::jsonb WHERE key = $2 AND built_in AND partnership_id = (SELECT id FROM partnerships WHERE code = 'northmere')`,
      [JSON.stringify(englishOnly), wales.key],
    );
    lead.setCookie('lantern_lang', 'cy');
    const page = await lead.get(`/strategy/plans/${plan}`);
    assert.ok(page.body.includes(`2.4 ${textIn(outcome('2.4'), 'cy')}</caption>`));
    assert.ok(page.body.includes('4. Mynd ar drywydd'));
    const frameworks = await lead.get('/strategy/frameworks');
    assert.ok(frameworks.body.includes(`2.4 ${textIn(outcome('2.4'), 'cy')}`));
    assert.ok(frameworks.body.includes(textIn(wales.name, 'cy')));
  });
});
