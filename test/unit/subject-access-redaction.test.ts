import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyRedactions, flagThirdParty, redactedText, rowKeyOf, type CollectedRow } from '../../src/features/subject-access/redaction.ts';

// Third-party flagging and redaction (issue 16 §3): pure rules over collected rows.
const subject = { kind: 'child' as const, id: '00000000-0000-4000-8000-000000000001' };
const other = '00000000-0000-4000-8000-000000000002';
const rows: CollectedRow[] = [
  { table: 'children', row: { id: subject.id, given_name: 'Alys', family_name: 'Subjectson', aliases: ['Al'], school: null } },
  { table: 'case_notes', row: { id: 'n1', child_id: subject.id, body: 'Seen with BETHAN OTHERCHILD today', author_name: 'Synthetic Worker' } },
  { table: 'case_notes', row: { id: 'n2', child_id: subject.id, body: 'Short', author_name: 'Synthetic Worker' } },
  { table: 'intel_links', row: { id: 'l1', from_id: subject.id, to_id: other, relation: 'seen_with' } },
  { table: 'child_partnership_shares', row: { child_id: subject.id, agreement_id: 'a' } },
];
const parties = [{ kind: 'child' as const, id: other, givenName: 'Bethan', familyName: 'Otherchild', aliases: [] }];

test('flags another record’s id, their name in text (any case), a person’s name and free text; never the subject’s own names', () => {
  const flagged = flagThirdParty(rows, parties, subject);
  const reasons = Object.fromEntries(flagged.map((f) => [f.key, f.reason]));
  assert.equal(reasons['case_notes:n1:body'], 'third_party_name');
  assert.equal(reasons['case_notes:n1:author_name'], 'person_name');
  assert.equal(reasons['case_notes:n2:body'], 'free_text');
  assert.equal(reasons['intel_links:l1:to_id'], 'third_party_record');
  assert.equal(reasons['intel_links:l1:from_id'], undefined, 'the subject’s own id is not third-party');
  assert.ok(!flagged.some((f) => f.table === 'children' && ['given_name', 'family_name', 'aliases'].includes(f.field)));
});

test('a name inside a longer word is not a match', () => {
  const flagged = flagThirdParty([{ table: 'case_notes', row: { id: 'n3', body: 'Otherchildren' } }], parties, subject);
  assert.deepEqual(
    flagged.map((f) => f.reason),
    ['free_text'],
  );
});

test('redaction replaces redacted and undecided fields, keeps released ones, and counts them', () => {
  const flagged = flagThirdParty(rows, parties, subject);
  const decisions = new Map<string, 'redact' | 'release'>([
    ['case_notes:n1:author_name', 'release'],
    ['case_notes:n1:body', 'redact'],
  ]);
  const { tables, redacted } = applyRedactions(rows, flagged, decisions);
  assert.equal(tables.case_notes![0]!.body, redactedText);
  assert.equal(tables.case_notes![0]!.author_name, 'Synthetic Worker');
  assert.equal(tables.intel_links![0]!.to_id, redactedText, 'undecided is redacted');
  assert.equal(redacted, flagged.length - 1);
  assert.equal(tables.children![0]!.given_name, 'Alys');
});

test('a row without an id has a stable key from its content', () => {
  const row = { child_id: subject.id, agreement_id: 'a' };
  assert.equal(rowKeyOf(row), rowKeyOf({ ...row }));
  assert.notEqual(rowKeyOf(row), rowKeyOf({ ...row, agreement_id: 'b' }));
  assert.equal(rowKeyOf({ id: 7 }), '7');
});
