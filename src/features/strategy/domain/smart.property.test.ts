import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findAcronymUses } from './acronyms.ts';
import type { Glossary, SmartFinding, SmartInput } from './smart.ts';
import { checkSmart, smartFields, smartReport } from './smart.ts';

// Pieces of plan wording, so that random text often contains acronyms, their
// expansions, vague words, timescales and brackets, not only noise.
const planPieces = [
  'CSE',
  'LSCBs',
  'SERAF',
  'MASH',
  'A&E',
  'DfE',
  'ToR',
  'IV',
  'NHS',
  'DCI',
  'Child Sexual Exploitation (CSE)',
  'SERAF (Sexual Exploitation Risk Assessment Framework)',
  '(MACSE)',
  'Multi-agency',
  'regularly',
  'routinely',
  'ongoing',
  'as appropriate',
  'in due course',
  'a number of',
  'some',
  'various',
  'quarterly',
  'within 2 months',
  'by March 2017',
  '2016/17',
  '90%',
  'all',
  'level 2',
  'e.g.',
  'TBC',
  'N/A',
  '.',
  ';',
  ',',
  '(',
  ')',
  '\n',
  ' ',
  '  ',
  '“',
  '’s',
  'é',
  '😀',
  '\u0000',
];

const planText = fc.array(fc.oneof(fc.constantFrom(...planPieces), fc.string({ maxLength: 8 })), { maxLength: 30 }).map((pieces) => pieces.join(' '));

const anyText = fc.oneof(planText, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

const action: fc.Arbitrary<SmartInput> = fc.record(
  {
    text: anyText,
    successMeasure: anyText,
    target: anyText,
    leadPerson: anyText,
    leadAgency: anyText,
    dueDate: anyText,
    evidenceSource: anyText,
  },
  { requiredKeys: ['text'] },
);

const glossaryKey = fc.oneof(
  fc.constantFrom('CSE', 'LSCB', 'lscbs', 'SERAF', 'MASH', 'A&E', 'ToR', 'DCI', '__proto__', 'constructor', ''),
  fc.string({ maxLength: 6 }),
);
const glossary: fc.Arbitrary<Glossary> = fc.dictionary(glossaryKey, fc.string({ maxLength: 20 }), { maxKeys: 6 });

function identity(item: SmartFinding): string {
  return JSON.stringify([item.rule, item.field, item.span ?? null, item.term ?? null, item.message]);
}

function isSubMultiset(smaller: readonly string[], larger: readonly string[]): boolean {
  const remaining = new Map<string, number>();
  for (const key of larger) remaining.set(key, (remaining.get(key) ?? 0) + 1);
  for (const key of smaller) {
    const left = remaining.get(key) ?? 0;
    if (left === 0) return false;
    remaining.set(key, left - 1);
  }
  return true;
}

describe('SMART checker properties', () => {
  it('never throws, on any text in any field and any glossary', () => {
    fc.assert(
      fc.property(action, glossary, (row, terms) => {
        checkSmart(row, terms);
      }),
      { numRuns: 500 },
    );
  });

  it('gives spans that lie inside the field they name, around the term they report', () => {
    fc.assert(
      fc.property(action, glossary, (row, terms) => {
        for (const item of checkSmart(row, terms)) {
          if (item.span === undefined) continue;
          const text = row[item.field] ?? '';
          const [start, end] = item.span;
          assert.ok(Number.isInteger(start) && Number.isInteger(end));
          assert.ok(start >= 0 && start < end && end <= text.length, `${item.rule} span ${start}-${end} in ${text.length}`);
          assert.ok(text.slice(start, end).startsWith(item.term ?? ''), `${item.rule} span holds ${item.term}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never adds findings when a glossary entry is added', () => {
    fc.assert(
      fc.property(action, glossary, glossaryKey, fc.string({ maxLength: 20 }), (row, terms, key, expansion) => {
        const before = checkSmart(row, terms).map(identity);
        const after = checkSmart(row, { ...terms, [key]: expansion }).map(identity);
        assert.ok(isSubMultiset(after, before));
      }),
      { numRuns: 500 },
    );
  });

  it('has no acronym findings once every acronym used is in the glossary', () => {
    fc.assert(
      fc.property(action, (row) => {
        const complete: Record<string, string> = {};
        for (const field of smartFields) {
          for (const use of findAcronymUses(row[field] ?? '')) complete[use.acronym] = 'explained';
        }
        assert.deepEqual(
          checkSmart(row, complete).filter((item) => item.rule === 'acronym-unexplained'),
          [],
        );
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic, and the report adds up', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 8 }), glossary, (rows, terms) => {
        assert.deepEqual(
          rows.map((row) => checkSmart(row, terms)),
          rows.map((row) => checkSmart(row, terms)),
        );
        const report = smartReport(rows, terms);
        const total = rows.reduce((sum, row) => sum + checkSmart(row, terms).length, 0);
        assert.equal(report.findingsTotal, total);
        assert.equal(report.actionsChecked, rows.length);
        for (const entry of report.byRule) assert.ok(entry.actions <= entry.findings && entry.actions <= rows.length);
      }),
      { numRuns: 100 },
    );
  });
});
