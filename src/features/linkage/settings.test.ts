import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkageSettingsSchema } from './settings.ts';

const valid = {
  idColumn: 'id',
  comparisons: [
    { column: 'given', kind: 'name', swappedWith: 'family' },
    { column: 'family', kind: 'name', termFrequency: true },
  ],
  blocking: [[{ column: 'family', key: 'metaphone' }]],
};

test('settings: defaults filled in, and what makes no sense refused', () => {
  const parsed = linkageSettingsSchema.parse(valid);
  assert.equal(parsed.threshold, 0.5);
  assert.equal(parsed.seed, 42);
  assert.equal(parsed.randomPairs, 200_000);
  assert.equal(parsed.oneToOne, false);
  for (const kind of ['nhsNumber', 'upn', 'sex']) assert.ok(linkageSettingsSchema.safeParse({ ...valid, comparisons: [{ column: 'x', kind }] }).success, kind);
  const refused = (settings: unknown) => linkageSettingsSchema.safeParse(settings).success === false;
  assert.ok(refused({ ...valid, comparisons: [{ column: 'given', kind: 'soundex' }] }));
  assert.ok(refused({ ...valid, comparisons: [...valid.comparisons, { column: 'given', kind: 'exact' }] }));
  assert.ok(refused({ ...valid, comparisons: [{ column: 'dob', kind: 'date', swappedWith: 'given' }] }));
  assert.ok(refused({ ...valid, comparisons: [valid.comparisons[0], { ...valid.comparisons[1], swappedWith: 'given' }] }));
  assert.ok(refused({ ...valid, blocking: [] }));
  assert.ok(refused({ ...valid, blocking: [[{ column: 'family', key: 'soundex' }]] }));
  assert.ok(refused({ ...valid, threshold: 1.5 }));
  assert.ok(refused({ ...valid, extra: true }));
  assert.ok(refused({ ...valid, prior: 'all pairs' })); // λ is always over all pairs now (docs/LINKAGE.md)
  assert.ok(refused({ ...valid, oneToOne: 'yes' }));
});
