import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initI18n, translator } from '../../i18n/i18n.ts';
import { annualDocument, annualFileName, periodTitle } from './annual.ts';
import { parsePeriod } from './period.ts';
import type { PublishedProfile } from './published.ts';

// The annual document's model (annual.ts) from a published profile made by hand: the period's title,
// the direction of change on the quarter and on the same quarter a year before, and the file's name.

before(async () => {
  await initI18n();
});

const quarters = ['2025-04-01', '2025-07-01', '2025-10-01', '2026-01-01', '2026-04-01', '2026-07-01', '2026-10-01', '2027-01-01'];
const series = (measure: 'concerns' | 'missing_episodes' | 'strategy_meetings', values: (number | string)[], change: number | null) => ({
  measure,
  points: quarters.map((quarter, i) => ({ quarter, period: quarter, value: values[i]! })),
  direction: change === null ? ('none' as const) : change > 0 ? ('up' as const) : change < 0 ? ('down' as const) : ('same' as const),
  change,
});

const published: PublishedProfile = {
  settings: { threshold: 5, symbol: 'c' },
  cells: [{ measure: 'concerns', breakdown: 'source', category: 'Total', period: 'FY2026-27', area: 'partnership', value: 1234, suppressed: null }],
  trend: [
    // Up 7 on the quarter before; the same quarter a year before (2026-01) had 20: down 1.
    series('concerns', [10, 12, 11, 20, 9, 30, 12, 19], 7),
    // The quarter before withheld: no change on it is shown; a year before 0, now 8: up 8.
    series('missing_episodes', [0, 0, 0, 0, 0, 0, 'c', 8], null),
    // The same quarter a year before withheld: not shown.
    series('strategy_meetings', [6, 6, 6, 'c', 6, 6, 9, 9], 0),
  ],
  trendCells: [],
  themes: [{ first: 'cse', second: 'missing_education', children: 'c' }],
  comparison: [],
  comparisonCells: [],
  themeCells: [],
};

test('the title page names the period as a council would, in either language', () => {
  const en = translator('en');
  const cy = translator('cy');
  assert.equal(periodTitle(parsePeriod('FY2026-27')!, en, 'en'), 'Financial year 2026–27');
  assert.equal(periodTitle(parsePeriod('FY2099-00')!, en, 'en'), 'Financial year 2099–00');
  assert.equal(periodTitle(parsePeriod('2026')!, en, 'en'), 'Calendar year 2026');
  assert.equal(periodTitle(parsePeriod('R12-2026-Q3')!, en, 'en'), '12 months from October 2025 to September 2026');
  assert.equal(periodTitle(parsePeriod('FY2026-27')!, cy, 'cy'), 'Blwyddyn ariannol 2026–27');
  assert.equal(periodTitle(parsePeriod('R12-2026-Q3')!, cy, 'cy'), '12 mis o Hydref 2025 i Medi 2026');
});

test('the key figures: the period’s Total, and the change on the quarter and on the year only where both figures are published', () => {
  const doc = annualDocument(
    { published, period: parsePeriod('FY2026-27')!, partnershipName: 'Testmere Partnership', areaName: null, madeAt: new Date('2027-05-04T09:00:00Z') },
    translator('en'),
    'en',
  );
  assert.equal(doc.produced, 'Produced 4 May 2027');
  assert.equal(doc.areaName, 'The whole partnership');
  const summary = doc.chapters[0]!;
  assert.equal(summary.heading, 'Executive summary');
  assert.match(
    (summary.blocks[0] as { text: string }).text,
    /^This profile sets out what Testmere Partnership knows .* across the whole partnership for April 2026/,
  );
  const keyFigures = summary.blocks.find((b) => b.kind === 'table')!;
  assert.ok(keyFigures.kind === 'table');
  assert.deepEqual(
    keyFigures.table.rows.map((r) => r.cells),
    [
      ['Concerns received in the period', '1,234', 'Up 7', 'Down 1'],
      ['Missing and absent episodes begun in the period', '', 'Not shown (c)', 'Up 8'],
      ['Strategy meetings and discussions held', '', 'No change', 'Not shown (c)'],
    ],
  );
  assert.ok(summary.blocks.some((b) => b.kind === 'paragraph' && b.text.includes('Sexual exploitation and Missing from education (c children)')));
  assert.deepEqual(
    doc.chapters.map((c) => c.id),
    ['summary', 'section-concerns', 'trends', 'themes', 'comparison', 'about'],
    'a section with no figures has no chapter',
  );
});

test('the file’s name: ASCII, the area’s id shortened, the Welsh marked', () => {
  const period = parsePeriod('FY2026-27')!;
  assert.equal(annualFileName({ period, area: 'partnership' }, 'docx', 'en'), 'problem-profile-annual-FY2026-27-partnership.docx');
  assert.equal(annualFileName({ period, area: '0a1b2c3d-0000-4000-8000-000000000000' }, 'pdf', 'cy'), 'problem-profile-annual-FY2026-27-area-0a1b2c3d-cy.pdf');
});
