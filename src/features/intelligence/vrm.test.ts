import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { normaliseVrm } from './vrm.ts';

test('spaces, punctuation and case do not matter', () => {
  for (const typed of ['ab12 cde', 'AB12CDE', 'AB-12 CDE', ' ab12cde ', 'Ab12.Cde', 'ＡＢ１２ ＣＤＥ']) assert.equal(normaliseVrm(typed), 'AB12CDE', typed);
  assert.equal(normaliseVrm('H 4 LLY'), 'H4LLY');
  assert.notEqual(normaliseVrm('AB12CDE'), normaliseVrm('AB12CDF'));
});

test('nothing left of a registration is no key', () => {
  for (const typed of ['', '   ', '--', '£$%']) assert.equal(normaliseVrm(typed), null, typed);
});

test('any input: a key of capitals and digits only, and normalising a key changes nothing', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (typed) => {
      const key = normaliseVrm(typed);
      if (key === null) return;
      assert.match(key, /^[A-Z0-9]+$/);
      assert.equal(normaliseVrm(key), key);
      assert.equal(normaliseVrm(` ${typed.split('').join('-')} `), key);
    }),
  );
});
