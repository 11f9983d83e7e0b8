import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import JSZip from 'jszip';
import { welshNationalActionPlan2016, englishExampleFramework } from '../../src/features/strategy/domain/frameworks.ts';
import { seed001Return } from '../../src/features/strategy/domain/seed001-return.ts';
import { addQuarters, quarterEnd, quarterOf } from '../../src/dates.ts';
import { initI18n } from '../../src/i18n/i18n.ts';
import { greenOverdueProblem, isOverdue, quarterLabel, recentQuarters } from '../../src/features/strategy/progress.ts';
import { csvToRows, escapeCsvCell, planToCsv, rowsToCsv, unescapeCsvCell } from '../../src/features/strategy/reports/csv.ts';
import { quarterlyToDocx, returnToDocx } from '../../src/features/strategy/reports/docx.ts';
import { previewImport, readDay } from '../../src/features/strategy/reports/import.ts';
import type { ExportAction, ExportPlan, QuarterlyReport } from '../../src/features/strategy/reports/model.ts';
import { xlsxToRows } from '../../src/features/strategy/reports/plan-file.ts';
import { planToXlsx, returnToXlsx } from '../../src/features/strategy/reports/xlsx.ts';
import { planImportLimits, type UploadResult } from '../../src/uploads/limits.ts';

// The documents' words are in src/i18n/locales (documents.json), in English and Welsh; the fixtures
// below already use them (quarterLabel).
await initI18n();

const read = <T>(result: UploadResult<T>): T => {
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
};

const action = (over: Partial<ExportAction> = {}): ExportAction => ({
  ref: '1.1a',
  outcomeRef: '1.1',
  text: 'Train all new staff within 2 months of joining.',
  leadTitle: 'Workforce development manager',
  leadAgency: 'Westbrook Partnership Team',
  startOn: '2026-04-01',
  dueOn: '2027-03-31',
  costPounds: '8500.00',
  costNote: 'Licences',
  successMeasure: '90% of new staff trained',
  targetValue: '90.00',
  currentValue: '72.00',
  measureUnit: '%',
  evidenceSource: 'Training report',
  boardPlanRef: 'Board priority 2',
  status: 'amber',
  narrative: 'Reminders sent at week 4.',
  overdue: false,
  ...over,
});

const welshPlan: ExportPlan = {
  title: 'CSE Strategy and Action Plan',
  partnershipName: 'Northmere Safeguarding Children Partnership',
  framework: welshNationalActionPlan2016,
  periodStart: '2025-04-01',
  periodEnd: '2027-03-31',
  owningBody: 'CSE Task Group',
  accountableTo: 'Safeguarding Children Board',
  reviewCycle: 'quarterly',
  nextReviewOn: '2026-12-10',
  sourceNote: 'Reproduced from a public council report.',
  actions: seed001Return.actions.map((a) =>
    action({
      ref: a.actionId,
      outcomeRef: a.outcomeId,
      text: a.actionText,
      status: a.status,
      narrative: a.narrative ?? '',
      leadAgency: '',
    }),
  ),
};

const englishPlan: ExportPlan = {
  ...welshPlan,
  framework: englishExampleFramework,
  sourceNote: '',
  actions: [
    action(),
    action({
      ref: '1.2a',
      outcomeRef: '1.2',
      text: '=HYPERLINK("http://evil.example","click")',
      leadTitle: '+44 lead',
      costNote: '@SUM(A1)',
      narrative: '-1 day',
    }),
    action({
      ref: '2.1a',
      outcomeRef: '2.1',
      status: 'red',
      overdue: true,
      dueOn: '2026-06-30',
      startOn: null,
      costPounds: null,
      targetValue: null,
      currentValue: null,
    }),
  ],
};

const quarterly: QuarterlyReport = {
  disclosure: { controlled: true, notForPublication: false, threshold: 5, symbol: 'c' },
  plan: welshPlan,
  quarterStart: '2026-10-01',
  quarterLabel: quarterLabel('2026-10-01'),
  statusCounts: [
    { status: 'red', label: 'Red', count: 1 },
    { status: 'blue', label: 'Blue', count: 2 },
  ],
  changedThisQuarter: [{ ref: '1.3a', quarterStart: '2026-10-01', status: 'green', narrative: 'Quarterly reports on progress are presented to the Board.' }],
  lastTwelveMonths: [{ quarterStart: '2026-10-01', label: quarterLabel('2026-10-01'), updates: 1, completed: 0 }],
  exceptions: [action({ ref: '4.1a', status: 'red', overdue: true, narrative: 'Perpetrator disruption work is behind.' })],
  measures: [{ ref: '1.6b', measure: 'Staff trained in CSE awareness', target: '400 staff', current: '191 staff', percentOfTarget: 48 }],
  performanceMeasures: [
    { name: 'Return interviews within 72 hours', unit: '%', computed: true, target: '90 %', direction: 'up', value: '75 %', basis: '3 of 4', onTrack: false },
    { name: 'Schools reached', unit: 'schools', computed: false, target: '40 schools', direction: 'up', value: '', basis: '', onTrack: null },
  ],
  training: {
    asOf: '2026-12-31',
    compliance: [
      {
        title: 'CSE awareness within 2 months',
        windowMonths: 2,
        targetPercent: 90,
        overall: { due: 20, onTime: 17, percentage: 85 },
        byAgency: [
          { agency: 'Northmere Council', due: 12, onTime: 11, percentage: 91.7 },
          { agency: 'Northmere Police', due: 8, onTime: 6, percentage: 75 },
        ],
      },
    ],
    sessions: [{ course: 'CSE awareness', sessions: 3, attendees: 41 }],
  },
};

async function documentXml(docx: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(docx);
  const xml = await zip.file('word/document.xml')!.async('string');
  return xml.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe('CSV formula escaping', () => {
  test('cells starting with = + - @ tab or CR are neutralised', () => {
    for (const v of ['=1+1', '+44', '-2', '@SUM(A1)', '\tx', '\rx']) assert.equal(escapeCsvCell(v), `'${v}`);
    assert.equal(escapeCsvCell('plain'), 'plain');
    assert.equal(escapeCsvCell("'=x"), "''=x");
  });

  test('property: no escaped cell starts a formula, and unescaping gives the original back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeCsvCell(value);
        assert.doesNotMatch(escaped, /^[=+\-@\t\r]/);
        assert.equal(unescapeCsvCell(escaped), value);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: any table survives CSV writing and reading', () => {
    const cell = fc.oneof(fc.string(), fc.constantFrom('=cmd|"/c calc"!A1', '-1', '@x', '"quoted, comma"', 'line\nbreak', "'=already"));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 }), (rows) => {
        const width = rows[0]!.length;
        const table = rows.map((r) => [...r, ...Array<string>(width).fill('')].slice(0, width));
        // A row of empty cells is skipped on reading, as a spreadsheet would.
        const expected = table.filter((r) => r.some((c) => c !== ''));
        assert.deepEqual(csvToRows(rowsToCsv(table), planImportLimits), { ok: true, value: expected });
      }),
      { numRuns: 1000 },
    );
  });

  test('the plan CSV carries no live formula and imports back to the same actions', () => {
    const csv = planToCsv(englishPlan);
    for (const line of read(csvToRows(csv, planImportLimits)).slice(1)) assert.equal(line[2]?.startsWith('='), line[0] === '1.2a');
    assert.doesNotMatch(csv, /(^|,)"?[=+\-@]/m);
    const preview = previewImport(read(csvToRows(csv, planImportLimits)), englishExampleFramework, ['Westbrook Partnership Team']);
    assert.deepEqual(
      preview.rows.flatMap((r) => r.errors),
      [],
    );
    const imported = preview.rows.map((r) => r.action!);
    assert.equal(imported[1]!.text, '=HYPERLINK("http://evil.example","click")');
    assert.equal(imported[1]!.costNote, '@SUM(A1)');
    assert.equal(imported[0]!.costPounds, '8500.00');
    assert.equal(imported[2]!.status, 'red');
    assert.equal(imported[2]!.startOn, null);
  });
});

describe('import checks', () => {
  test('row-level errors name the row and the problem', () => {
    const rows = [
      ['Action id', 'Action', 'Due date', 'RAG status', 'Lead agency', 'Colour'],
      ['1.1a', 'Train staff', '31/03/2027', 'Green', '', 'x'],
      ['9.9z', 'Not in framework', 'tomorrow', 'Purple', 'Nowhere Council', ''],
      ['1.1a', '', '', '', '', ''],
    ];
    const preview = previewImport(rows, englishExampleFramework, ['Westbrook Partnership Team']);
    assert.deepEqual(preview.ignoredHeadings, ['Colour']);
    assert.equal(preview.rows[0]!.action!.dueOn, '2027-03-31');
    assert.equal(preview.rows[1]!.row, 3);
    assert.equal(preview.rows[1]!.errors.length, 4);
    assert.match(preview.rows[2]!.errors.join(' '), /more than once/);
    assert.match(preview.rows[2]!.errors.join(' '), /not described/);
  });

  test('a file without the needed headings is refused as a whole', () => {
    assert.equal(previewImport([['Name', 'Colour']], englishExampleFramework, []).fileErrors.length, 1);
    assert.equal(previewImport([], englishExampleFramework, []).fileErrors.length, 1);
  });

  test('property: the import never throws, whatever the cells', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { maxLength: 8 }), { maxLength: 6 }), (body) => {
        const preview = previewImport([['Action id', 'Action', 'Due date', 'Cost (£)', 'RAG status'], ...body], englishExampleFramework, []);
        for (const r of preview.rows) assert.ok(r.action === null ? r.errors.length > 0 : r.errors.length === 0);
      }),
      { numRuns: 500 },
    );
  });

  test('dates are read as UK spreadsheets write them', () => {
    assert.equal(readDay('2027-03-31'), '2027-03-31');
    assert.equal(readDay('31/03/2027'), '2027-03-31');
    assert.equal(readDay('31 March 2027'), '2027-03-31');
    assert.equal(readDay(''), null);
    assert.equal(readDay('31/02/2027'), undefined);
  });
});

describe('quarters and overdue actions', () => {
  test('calendar quarters', () => {
    assert.equal(quarterOf('2026-11-02'), '2026-10-01');
    assert.equal(addQuarters('2026-01-01', -1), '2025-10-01');
    assert.deepEqual(recentQuarters('2026-11-02'), ['2026-10-01', '2026-07-01', '2026-04-01', '2026-01-01']);
    assert.equal(quarterEnd('2026-10-01'), '2026-12-31');
    assert.equal(quarterLabel('2026-10-01'), 'October to December 2026');
  });

  test('an action past its due date is overdue unless completed, and cannot stay Green without a note', () => {
    assert.equal(isOverdue('green', '2026-01-01', '2026-11-02'), true);
    assert.equal(isOverdue('blue', '2026-01-01', '2026-11-02'), false);
    assert.equal(isOverdue('amber', null, '2026-11-02'), false);
    assert.ok(greenOverdueProblem('green', '2026-01-01', '', '2026-11-02'));
    assert.equal(greenOverdueProblem('green', '2026-01-01', 'Extended by the Board', '2026-11-02'), null);
    assert.equal(greenOverdueProblem('amber', '2026-01-01', '', '2026-11-02'), null);
  });
});

describe('documents', () => {
  test('the Welsh Government return as XLSX has the template layout and the seed 001 narratives', async () => {
    const buffer = await returnToXlsx(welshPlan);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(buffer as unknown as ArrayBuffer);
    assert.deepEqual(
      book.worksheets.map((s) => s.name),
      ['Reporting template', 'About this plan'],
    );
    const rows = read(await xlsxToRows(buffer, planImportLimits));
    assert.ok(rows.some((r) => r[0] === '1. PREPARE - Overarching outcome:'));
    assert.ok(rows.some((r) => r.join('|') === 'Outcome|Action|RAG status|Narrative update'));
    const row = rows.find((r) => r[1] === '1.1b')!;
    assert.equal(row[2], 'Green');
    assert.equal(row[3], 'Awaiting guidance from Welsh Government.');
    const all = welshNationalActionPlan2016.outcomes.flatMap((o) => o.actionIds);
    for (const id of all)
      assert.ok(
        rows.some((r) => r[1] === id),
        `${id} is in the return`,
      );
  });

  test('the return as DOCX holds every action with its RAG status and narrative', async () => {
    const text = await documentXml(await returnToDocx(welshPlan));
    assert.match(text, /Reporting Template/);
    assert.match(text, /PREPARE - Overarching outcome/);
    assert.match(text, /The SERAF is the approved risk assessment tool/);
    assert.match(text, /Completed/);
    for (const id of ['1.1a', '2.1a', '3.1a', '4.5d'].filter((i) => welshPlan.actions.some((a) => a.ref === i)))
      assert.match(text, new RegExp(id.replace('.', '\\.')));
  });

  test('the action plan XLSX imports back to the same actions', async () => {
    const rows = read(await xlsxToRows(await planToXlsx(englishPlan), planImportLimits));
    assert.equal(rows[0]![0], 'Action id');
    const preview = previewImport(rows, englishExampleFramework, ['Westbrook Partnership Team']);
    assert.deepEqual(
      preview.rows.flatMap((r) => r.errors),
      [],
    );
    assert.deepEqual(
      preview.rows.map((r) => [r.action!.ref, r.action!.text, r.action!.dueOn, r.action!.status]),
      englishPlan.actions.map((a) => [a.ref, a.text, a.dueOn, a.status]),
    );
    assert.equal(preview.rows[0]!.action!.targetValue, '90');
  });

  test('the quarterly report as DOCX (its PDF is the page printed: test/integration/strategy.test.ts)', async () => {
    const text = await documentXml(await quarterlyToDocx(quarterly));
    for (const part of ['October to December 2026', 'Exceptions', '4.1a', 'Perpetrator disruption work is behind.', '191 staff', '48%'])
      assert.ok(text.includes(part), part);
  });

  test('the quarterly report has performance measures and a training section with figures, not names', async () => {
    const docx = await documentXml(await quarterlyToDocx(quarterly));
    for (const text of [docx]) {
      for (const part of [
        'Performance measures',
        'Return interviews within 72 hours (computed from Lantern records)',
        '75 %',
        '3 of 4',
        'Training',
        'CSE awareness within 2 months',
        'Target 90%',
        'Northmere Council',
        '91.7%',
        'Northmere Police',
        '75%',
        'All agencies',
        '85%',
        'below target',
        'Training sessions held in October to December 2026',
        'CSE awareness',
      ]) {
        assert.ok(text.includes(part), `${part} in DOCX`);
      }
    }
    assert.ok(docx.includes('41'));
    const empty = { ...quarterly, performanceMeasures: [], training: { asOf: '2026-12-31', compliance: [], sessions: [] } };
    assert.ok((await documentXml(await quarterlyToDocx(empty))).includes('No training sessions were held in this quarter.'));
  });

  const soffice = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => fs.existsSync(p));
  test(
    'LibreOffice opens every document without repair',
    { skip: soffice ? false : 'LibreOffice (soffice) is not installed on this machine', timeout: 240_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-docs-'));
      const files: Record<string, Buffer> = {
        'return.docx': await returnToDocx(welshPlan),
        'quarterly.docx': await quarterlyToDocx(quarterly),
        'return.xlsx': await returnToXlsx(welshPlan),
        'plan.xlsx': await planToXlsx(englishPlan),
      };
      for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
      const profile = `file://${path.join(dir, 'profile')}`;
      for (const [name, target] of [
        ['return.docx', 'pdf'],
        ['quarterly.docx', 'pdf'],
        ['return.xlsx', 'csv'],
        ['plan.xlsx', 'csv'],
      ] as const) {
        execFileSync(
          soffice!,
          [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', target, '--outdir', path.join(dir, 'out'), path.join(dir, name)],
          { stdio: 'pipe', timeout: 120_000 },
        );
        const converted = path.join(dir, 'out', name.replace(/\.\w+$/, `.${target}`));
        assert.ok(fs.existsSync(converted) && fs.statSync(converted).size > 0, `${name} converted to ${target}`);
      }
      assert.match(fs.readFileSync(path.join(dir, 'out', 'return.csv'), 'utf8'), /Awaiting guidance from Welsh Government/);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  );
});
