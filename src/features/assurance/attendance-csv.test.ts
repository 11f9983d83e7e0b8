import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseAttendanceCsv } from './attendance-csv.ts';

const agencies = [
  { id: 'p1', name: 'Fenland Valley Police' },
  { id: 'h1', name: 'Northmere Health Board' },
];

describe('attendance CSV import', () => {
  test('reads rows, matches agencies by name, and reports each bad row by line', () => {
    const csv = [
      'Name,Email,Agency,Role,Started On',
      'Ada Lovelace,ada@example.org,Fenland Valley Police,Constable,2025-01-02',
      '"Smith, Jo",,northmere health board,,',
      ',x@example.org,Fenland Valley Police,,',
      'Bo,not-an-email,Fenland Valley Police,,',
      'Cy,,Nowhere Agency,,',
      'Di,,Fenland Valley Police,,2025-02-30',
      'Ada Again,ADA@example.org,Fenland Valley Police,,',
    ].join('\n');
    const r = parseAttendanceCsv(csv, agencies);
    assert.deepEqual(
      r.rows.map((x) => [x.line, x.name, x.agencyId, x.email, x.startedOn]),
      [
        [2, 'Ada Lovelace', 'p1', 'ada@example.org', '2025-01-02'],
        [3, 'Smith, Jo', 'h1', null, null],
      ],
    );
    assert.deepEqual(r.errors, [
      { line: 4, messageKey: 'assurance.csv.nameRequired' },
      { line: 5, messageKey: 'assurance.csv.emailFormat' },
      { line: 6, messageKey: 'assurance.csv.unknownAgency' },
      { line: 7, messageKey: 'assurance.csv.dateFormat' },
      { line: 8, messageKey: 'assurance.csv.duplicate' },
    ]);
  });

  test('a file without the required columns, an empty file and broken quoting are file-level errors', () => {
    assert.deepEqual(parseAttendanceCsv('who,where\na,b', agencies).errors, [{ line: 1, messageKey: 'assurance.csv.missingColumns' }]);
    assert.deepEqual(parseAttendanceCsv('', agencies).errors, [{ line: 0, messageKey: 'assurance.csv.empty' }]);
    assert.deepEqual(parseAttendanceCsv('name,agency\n"unclosed,x', agencies).errors, [{ line: 0, messageKey: 'assurance.csv.unreadable' }]);
  });

  test('property: arbitrary input never throws and every data line is a row or an error', () => {
    const cell = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('Fenland Valley Police', 'a@b.co', '2025-01-01', '"', ',', '\n', '\r\n'));
    const line = fc.array(cell, { maxLength: 6 }).map((cells) => cells.join(','));
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(line, { maxLength: 15 }).map((ls) => ['name,email,agency,role,started_on', ...ls].join('\n')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const r = parseAttendanceCsv(input, agencies);
        assert.ok(Array.isArray(r.rows) && Array.isArray(r.errors));
        for (const row of r.rows) assert.ok(row.name.length > 0 && ['p1', 'h1'].includes(row.agencyId));
        for (const e of r.errors) assert.match(e.messageKey, /^assurance\.csv\./);
        const lines = new Set([...r.rows.map((x) => x.line), ...r.errors.map((x) => x.line)]);
        assert.equal(lines.size, r.rows.length + r.errors.length, 'a line is either a row or an error, once');
      }),
      { numRuns: 500 },
    );
  });
});
