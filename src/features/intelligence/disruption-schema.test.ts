import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disruptionFilterSchema, disruptionFormSchema } from './disruption-schema.ts';
import { quartersUpTo } from './disruption-figures.ts';

const valid = {
  tactic: 'arrest',
  tacticOther: 'ignored for a listed tactic',
  disruptedOn: { day: '3', month: '2', year: '2025' },
  agencyId: '6f1c2b9e-4c57-4f3e-9b8a-2d3e4f5a6b7c',
  personId: '7a1c2b9e-4c57-4f3e-9b8a-2d3e4f5a6b7c',
  locationId: '',
  childReferences: ' nm-1004 ,NM-1005\r\nnm-1004\n\n',
  summary: 'Arrested at home.',
  outcome: 'pending',
  outcomeNotes: '',
};

test('a disruption form: references upper-cased, split on lines and commas, once each; a listed tactic drops its description; blank as null', () => {
  const parsed = disruptionFormSchema.parse(valid);
  assert.deepEqual(parsed.childReferences, ['NM-1004', 'NM-1005']);
  assert.equal(parsed.tacticOther, null);
  assert.equal(parsed.locationId, null);
  assert.equal(parsed.disruptedOn, '2025-02-03');
});

test('"other" needs its description; a disruption needs a person or a location; more than 20 children is refused', () => {
  const issues = (input: object) => disruptionFormSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  assert.deepEqual(issues({ ...valid, tactic: 'other', tacticOther: ' ' }), ['tacticOther: disruption.errors.tacticOther']);
  assert.deepEqual(issues({ ...valid, personId: '' }), ['personId: disruption.errors.target']);
  const many = Array.from({ length: 21 }, (_, i) => `NM-${2000 + i}`).join('\n');
  assert.deepEqual(issues({ ...valid, childReferences: many }), ['childReferences: disruption.errors.tooManyChildren']);
  assert.deepEqual(issues({ ...valid, tactic: 'kneecapping' }), ['tactic: disruption.errors.tactic']);
});

test('the list’s filters: a quarter is named by its first day; blank is no filter', () => {
  assert.deepEqual(disruptionFilterSchema.parse({ quarter: '2026-10-01', tactic: 'charge' }), { quarter: '2026-10-01', tactic: 'charge' });
  assert.deepEqual(disruptionFilterSchema.parse({ quarter: '', tactic: '' }), { quarter: undefined, tactic: undefined });
  for (const quarter of ['2026-10-02', '2026-11-01', '2026-02-30', 'Q4']) assert.equal(disruptionFilterSchema.safeParse({ quarter }).success, false, quarter);
});

test('quarters up to one, oldest first', () => {
  assert.deepEqual(quartersUpTo('2026-01-01', 3), ['2025-07-01', '2025-10-01', '2026-01-01']);
});
