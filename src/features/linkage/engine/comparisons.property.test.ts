import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NULL_LEVEL, levelOf, levelsOf, type ComparisonKind } from './comparisons.ts';

const kinds = Object.keys(levelsOf) as ComparisonKind[];
/** Names, dates, postcodes and words drawn from small alphabets, so that near misses are common. */
const value = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'e', 'n', 's', 't', 'h', ' ', 'y'), maxLength: 9 }),
  fc.string({ unit: fc.constantFrom('0', '1', '2', '9'), minLength: 8, maxLength: 8 }),
  fc.constantFrom('SW1A 1AA', 'SW1A 1BB', 'SW1A 2AA', 'NM4 7QT', '4011', '4012', '4021', '', '  '),
);

test('every comparison is symmetric, puts a value against itself at its first level, and a missing value at the null level', () => {
  fc.assert(
    fc.property(fc.constantFrom(...kinds), value, value, (kind, a, b) => {
      const level = levelOf(kind, a, b);
      assert.equal(levelOf(kind, b, a), level);
      assert.ok(level === NULL_LEVEL || level < levelsOf[kind].length);
      const self = levelOf(kind, a, a);
      assert.ok(self === 0 || self === NULL_LEVEL);
      assert.equal(levelOf(kind, a, null), NULL_LEVEL);
    }),
    { numRuns: 2_000 },
  );
});
