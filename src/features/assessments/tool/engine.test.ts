// Worked examples: every total and category below was computed by hand from the
// shipped JSON, so a change to a tool's points or bands shows up here.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { initI18n } from '../../../i18n/i18n.ts';
import { bandIndexFor, nextReviewDue, scoreAssessment } from './engine.ts';
import type { Answers, ScoredAssessment } from './engine.ts';
import { parseToolDefinition, textIn, type LocalText, type ToolDefinition } from './definition.ts';
import { explanationIn } from './explain.ts';
import { answersFor, validDefinitionJson } from './arbitraries.ts';
import { builtInTools, findBuiltInTool } from './tools/index.ts';

before(async () => {
  await initI18n(); // the explanation's words in each language come from the locales
});

const en = (text: LocalText) => textIn(text, 'en');

function tool(id: string): ToolDefinition {
  const t = findBuiltInTool(id);
  assert.ok(t, `built-in tool ${id} exists`);
  return t;
}
const standard = tool('cse-screening');
const threeLevel = tool('cse-screening-three-level');
const lmh = tool('cse-screening-lmh-under13');

function score(def: ToolDefinition, answers: Answers, ageYears: number): ScoredAssessment {
  const r = scoreAssessment(def, answers, { ageYears });
  assert.ok(r.ok, `expected scoring to succeed: ${JSON.stringify(r)}`);
  return r.assessment;
}

// Example A, a 14-year-old:
//   vulnerabilities: missing history, looked after, disrupted education  = 3
//   moderate: recent missing, unexplained items, older associates         = 3
//   significant: person of concern, both windows = 6; addresses, 6–12 only = 1 → 7
//   total 13
const exampleA: Answers = {
  'v-missing-history': { ever: true },
  'v-looked-after': { ever: true },
  'v-disrupted-education': { ever: true },
  'v-prior-abuse': { ever: false }, // an explicit "no" scores nothing
  'm-missing-recent': { last6Months: true },
  'm-unexplained-items': { last6Months: true },
  'm-older-associates': { last6Months: true },
  's-person-of-concern': { current: true, past6to12: true },
  's-taken-to-addresses': { current: false, past6to12: true },
};

test('example A on the default tool: 3 + 3 + 7 = 13, moderate risk (11–15)', () => {
  const a = score(standard, exampleA, 14);
  assert.equal(a.total, 13);
  assert.deepEqual(
    a.sections.map((s) => [s.sectionId, s.subtotal]),
    [
      ['vulnerabilities', 3],
      ['moderate', 3],
      ['significant', 7],
    ],
  );
  assert.deepEqual(
    a.sections[2]?.indicators.map((i) => [i.indicatorId, i.windows, i.points]),
    [
      ['s-person-of-concern', ['current', 'past6to12'], 6],
      ['s-taken-to-addresses', ['past6to12'], 1],
    ],
  );
  assert.equal(a.band.key, 'moderate');
  assert.deepEqual(a.category, { key: 'moderate', label: { en: 'Moderate risk', cy: 'Risg gymedrol' } });
  assert.equal(a.suggestedLevel, 'medium', 'the default tool maps Moderate risk onto Medium');
  assert.deepEqual(a.overrides, []);
  assert.equal(a.raisedByOverride, false);
});

test('example A on the other tools: 13 is High on three levels (11+), Medium on L/M/H (6–15)', () => {
  assert.equal(score(threeLevel, exampleA, 14).category.key, 'high');
  const b = score(lmh, exampleA, 14);
  assert.equal(b.total, 13);
  assert.equal(b.category.key, 'medium');
  assert.deepEqual(b.overrides, []); // 14 is not under 13
});

// Example B: prior abuse + poor mental health (2) and secretive phone use (1) = 3.
const exampleB: Answers = {
  'v-prior-abuse': { ever: true },
  'v-mental-health': { ever: true },
  'm-secretive-phone-online': { last6Months: true },
};

test('example B: 3 points is not at risk / Low, but the under-13 rule lifts a 12-year-old to Medium', () => {
  assert.equal(score(standard, exampleB, 12).category.key, 'not-at-risk');
  assert.equal(score(threeLevel, exampleB, 12).category.key, 'low'); // 0–4

  const young = score(lmh, exampleB, 12);
  assert.equal(young.total, 3);
  assert.equal(young.band.key, 'low');
  assert.deepEqual([young.category.key, en(young.category.label)], ['medium', 'Medium']);
  assert.equal(young.suggestedLevel, 'medium', 'the suggestion follows the override, not the raw band');
  assert.equal(young.raisedByOverride, true);
  assert.deepEqual(young.overrides, [
    {
      type: 'minimumCategoryUnderAge',
      category: { key: 'medium', label: { en: 'Medium', cy: 'Risg ganolig' } },
      explanation: 'the child is 12, which is under 13, so the category cannot be lower than "Medium".',
    },
  ]);

  // The rule is "under 13": on the 13th birthday it no longer applies.
  const thirteen = score(lmh, exampleB, 13);
  assert.equal(thirteen.category.key, 'low');
  assert.deepEqual(thirteen.overrides, []);
});

test('example B explanation reads as a worker would need it', () => {
  assert.deepEqual(score(lmh, exampleB, 12).explanation, [
    'Vulnerabilities: "Has been abused or neglected before" (at any time in the child\'s life) scores 1 point.',
    'Vulnerabilities: "Has poor mental health or has self-harmed" (at any time in the child\'s life) scores 1 point.',
    'Moderate risk indicators: "Is secretive about phone or online contacts, or has more than one phone" (now or in the last 6 months) scores 1 point.',
    'Vulnerabilities subtotal: 2 points.',
    'Moderate risk indicators subtotal: 1 point.',
    'Significant risk indicators subtotal: 0 points.',
    'Total 3 points, which is in the band "Low" (0–5).',
    'Override: the child is 12, which is under 13, so the category cannot be lower than "Medium".',
    'Category: "Medium" (raised from "Low" by an override).',
    'This score supports, and never replaces, your professional judgement: record your own view and your reasons.',
  ]);
});

test('example C: a current disclosure alone is 5 points; only the three-level tool forces High', () => {
  const answers: Answers = { 's-disclosure': { current: true } };
  const std = score(standard, answers, 15);
  assert.equal(std.total, 5);
  assert.equal(std.category.key, 'not-at-risk'); // why judgement must sit beside the score

  const three = score(threeLevel, answers, 15);
  assert.equal(three.band.key, 'medium'); // 5–10
  assert.equal(three.category.key, 'high');
  assert.equal(three.overrides[0]?.type, 'minimumCategoryIfAnyIndicator');
  assert.match(three.explanation.join('\n'), /Override: The child has disclosed sexual exploitation/);

  assert.equal(score(lmh, answers, 15).category.key, 'low');
});

test('everything ticked: 10 + 11 + 9 × 6 = 75, significant risk', () => {
  const all: Record<string, Record<string, boolean>> = {};
  for (const s of standard.sections) for (const i of s.indicators) all[i.id] = Object.fromEntries(s.windows.map((w) => [w.id, true]));
  const a = score(standard, all, 15);
  assert.equal(a.total, 75);
  assert.equal(a.category.key, 'significant');
});

test('band boundaries of the default tool: 5 | 6, 10 | 11, 15 | 16', () => {
  const keyAt = (n: number) => standard.bands[bandIndexFor(standard.bands, n)]?.key;
  assert.deepEqual([0, 5, 6, 10, 11, 15, 16, 1000].map(keyAt), [
    'not-at-risk',
    'not-at-risk',
    'mild',
    'mild',
    'moderate',
    'moderate',
    'significant',
    'significant',
  ]);
  // 16 exactly from answers: 3 significant current (15) + 1 vulnerability.
  const sixteen = score(
    standard,
    {
      's-exchange': { current: true },
      's-controlled': { current: true },
      's-sexual-images': { current: true },
      'v-isolated': { ever: true },
    },
    16,
  );
  assert.equal(sixteen.total, 16);
  assert.equal(sixteen.category.key, 'significant');
});

test('no answers scores 0 and still explains itself', () => {
  const a = score(standard, {}, 10);
  assert.equal(a.total, 0);
  assert.equal(a.category.key, 'not-at-risk');
  assert.ok(a.explanation.includes('Total 0 points, which is in the band "Not at risk" (0–5).'));
});

test('bad answers are reported, all at once, never thrown', () => {
  const r = scoreAssessment(
    standard,
    {
      'no-such-indicator': { ever: true },
      'v-looked-after': { current: true },
      'm-substance-use': { last6Months: 'yes' as unknown as boolean },
    },
    { ageYears: -1 },
  );
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.errors.map((e) => e.path), ['context.ageYears', 'no-such-indicator', 'v-looked-after.current', 'm-substance-use.last6Months']);
  assert.match(!r.ok ? (r.errors[1]?.message ?? '') : '', /unknown indicator "no-such-indicator" for cse-screening v1/);
  assert.match(!r.ok ? (r.errors[2]?.message ?? '') : '', /unknown time window "current"; expected: ever/);
});

test('nextReviewDue adds the review interval (91 days by default) in calendar days', () => {
  assert.equal(nextReviewDue('2024-01-15', standard), '2024-04-15');
  // Across the UK clock change (31 March 2024) and 29 February.
  assert.equal(nextReviewDue('2024-03-01', { reviewIntervalDays: 28 }), '2024-03-29');
  assert.equal(nextReviewDue('2024-02-01', { reviewIntervalDays: 28 }), '2024-02-29');
});

// Issue 11: the explanation is lines of a key and values (explanationLines), worded in a page's language
// from the locales (explain.ts); in English exactly the sentences stored with an assessment.

test('example B explained in Welsh: every line in Welsh words, with the tool’s own Welsh', () => {
  const young = score(lmh, exampleB, 12);
  assert.deepEqual(explanationIn(young.explanationLines, 'en'), young.explanation, 'the locales’ English is the stored English');
  assert.deepEqual(explanationIn(young.explanationLines, 'cy'), [
    'Ffactorau bregusrwydd: mae “Wedi profi cam-drin neu esgeulustod o’r blaen” (ar unrhyw adeg ym mywyd y plentyn) yn rhoi 1 pwynt.',
    'Ffactorau bregusrwydd: mae “Mae iechyd meddwl y plentyn yn wael, neu mae wedi hunan-niweidio” (ar unrhyw adeg ym mywyd y plentyn) yn rhoi 1 pwynt.',
    'Dangosyddion risg gymedrol: mae “Yn cadw cysylltiadau ffôn neu ar-lein yn gyfrinachol, neu’n defnyddio mwy nag un ffôn” (nawr neu yn ystod y 6 mis diwethaf) yn rhoi 1 pwynt.',
    'Is-gyfanswm ar gyfer Ffactorau bregusrwydd: 2 bwynt.',
    'Is-gyfanswm ar gyfer Dangosyddion risg gymedrol: 1 pwynt.',
    'Is-gyfanswm ar gyfer Dangosyddion risg sylweddol: 0 pwynt.',
    'Cyfanswm: 3 phwynt, sydd yn y band “Risg isel” (0–5).',
    'Rheol diystyru: mae’r plentyn yn 12 oed, sydd o dan 13 oed, felly ni all y categori fod yn is na “Risg ganolig”.',
    'Categori: “Risg ganolig” (wedi’i godi o “Risg isel” gan reol diystyru).',
    'Mae’r sgôr hon yn cefnogi eich barn broffesiynol, ond nid yw byth yn ei disodli: cofnodwch eich barn eich hun a’ch rhesymau.',
  ]);
});

test('both windows, an override in the tool’s words and an open-ended band, in Welsh', () => {
  const answers: Answers = { 's-disclosure': { current: true, past6to12: true }, 'v-isolated': { ever: true } };
  const three = score(threeLevel, answers, 15);
  const welsh = explanationIn(three.explanationLines, 'cy');
  assert.ok(
    welsh.includes(
      'Dangosyddion risg sylweddol: mae “Wedi datgelu camfanteisio rhywiol i rywun, neu mae rhywun wedi gweld camfanteisio ar y plentyn” (nawr neu yn ystod y 6 mis diwethaf a rhwng 6 a 12 mis yn ôl) yn rhoi 6 phwynt.',
    ),
    welsh.join('\n'),
  );
  assert.ok(welsh.includes('Cyfanswm: 7 pwynt, sydd yn y band “Risg ganolig” (5–10).'), welsh.join('\n'));
  assert.ok(
    welsh.includes(
      'Rheol diystyru: Mae’r plentyn wedi datgelu camfanteisio rhywiol, neu mae rhywun wedi gweld camfanteisio ar y plentyn, felly Risg uchel yw’r lefel beth bynnag yw’r sgôr.',
    ),
  );
  const all: Answers = Object.fromEntries(
    standard.sections.flatMap((s) => s.indicators.map((i) => [i.id, Object.fromEntries(s.windows.map((w) => [w.id, true]))])),
  );
  assert.ok(explanationIn(score(standard, all, 15).explanationLines, 'cy').includes('Cyfanswm: 75 pwynt, sydd yn y band “Risg sylweddol” (16 neu fwy).'));
});

test('an override in Lantern’s words names the ticked indicators, in each language', () => {
  const tool = parseToolDefinition({
    ...structuredClone(threeLevel),
    overrides: [{ type: 'minimumCategoryIfAnyIndicator', indicators: ['s-disclosure', 's-controlled'], category: 'high' }],
  });
  assert.ok(tool.ok);
  const one = score(tool.definition, { 's-disclosure': { past6to12: true } }, 15);
  const two = score(tool.definition, { 's-disclosure': { past6to12: true }, 's-controlled': { past6to12: true } }, 15);
  assert.ok(
    one.explanation.includes(
      'Override: "Has told someone they have been sexually exploited, or has been seen being exploited" is ticked, so the category cannot be lower than "High".',
    ),
  );
  assert.match(two.explanation.join('\n'), /exploited", "Someone else controls where the child goes, who they see or their phone" are ticked/);
  for (const a of [one, two]) assert.deepEqual(explanationIn(a.explanationLines, 'en'), a.explanation);
  assert.ok(
    explanationIn(two.explanationLines, 'cy').includes(
      'Rheol diystyru: ticiwyd “Wedi datgelu camfanteisio rhywiol i rywun, neu mae rhywun wedi gweld camfanteisio ar y plentyn”, “Mae rhywun arall yn rheoli ble mae’r plentyn yn mynd, pwy mae’n ei weld, neu ei ffôn”, felly ni all y categori fod yn is na “Risg uchel”.',
    ),
  );
});

test('the built-in tools explain every answer in Welsh words, never the English', () => {
  for (const tool of builtInTools) {
    fc.assert(
      fc.property(answersFor(tool), fc.integer({ min: 0, max: 18 }), (answers, ageYears) => {
        const a = score(tool, answers, ageYears);
        const welsh = explanationIn(a.explanationLines, 'cy');
        assert.equal(welsh.length, a.explanation.length);
        welsh.forEach((line, i) => assert.notEqual(line, a.explanation[i]));
        assert.doesNotMatch(welsh.join('\n'), /\b(scores?|points?|subtotal|Total|Override|Category|ticked|judgement)\b|"/);
      }),
      { numRuns: 60 },
    );
  }
});

test('property: in English the locales say exactly what the engine stores, whatever the tool', () => {
  const generated = validDefinitionJson.map((json) => {
    const r = parseToolDefinition(json);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.definition;
  });
  const anyTool = fc.oneof(fc.constantFrom(...builtInTools), generated);
  fc.assert(
    fc.property(
      anyTool.chain((def) => fc.tuple(fc.constant(def), answersFor(def), fc.integer({ min: 0, max: 25 }))),
      ([def, answers, ageYears]) => {
        const a = score(def, answers, ageYears);
        assert.deepEqual(explanationIn(a.explanationLines, 'en'), a.explanation);
        // A Welsh page words every line; a tool's text with no Welsh shows in English inside it.
        assert.equal(explanationIn(a.explanationLines, 'cy').length, a.explanation.length);
      },
    ),
    { numRuns: 300 },
  );
});
