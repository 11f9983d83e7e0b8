import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { nameWords, normaliseName } from './matching.ts';
import { ageOn, londonDate, utcDate } from '../../dates.ts';
import { concernReferencePattern, newConcernReference, parseDateOfBirth, parsePostcode, plainText } from './parsing.ts';
import { childSearchSchema, publicConcernSchema } from './schema.ts';

const inward = 'ABDEFGHJLNPQRSTUWXYZ';
/** Well-formed postcodes in the common A9 9AA, A99 9AA, AA9 9AA, AA99 9AA and AA9A 9AA shapes. */
const postcode = fc
  .tuple(fc.constantFrom('A9', 'A99', 'AA9', 'AA99', 'AA9A', 'A9A'), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 7, maxLength: 7 }))
  .map(([shape, n]) => {
    const out = [...shape].map((c, i) => (c === '9' ? String(n[i]! % 10) : 'ABCDEFGHKLMNOPRSTUWY'[n[i]! % 20]!));
    // First letter from the allowed first-position set; an "A9A" third letter from the allowed set.
    out[0] = 'ABCDEFGHKLMNOPRSTUWY'[n[0]! % 20]!;
    if (shape === 'A9A') out[2] = 'ABCDEFGHJKPSTUW'[n[2]! % 15]!;
    if (shape === 'AA9A') out[3] = 'ABEHMNPRVWXY'[n[3]! % 12]!;
    return `${out.join('')} ${n[5]! % 10}${inward[n[6]! % inward.length]}${inward[n[4]! % inward.length]}`;
  });

describe('parsers and validators (property tests)', () => {
  test('parsePostcode never throws, and what it returns is standard and parses to itself', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const parsed = parsePostcode(s);
        if (parsed !== null) {
          assert.match(parsed, /^[A-Z0-9]{2,4} [0-9][A-Z]{2}$/);
          assert.equal(parsePostcode(parsed), parsed);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('well-formed postcodes parse whatever the spacing and case', () => {
    fc.assert(
      fc.property(postcode, fc.constantFrom('', ' ', '  '), fc.boolean(), (pc, gap, lower) => {
        const typed = (lower ? pc.toLowerCase() : pc).replace(' ', gap);
        assert.equal(parsePostcode(typed), pc);
      }),
    );
    assert.equal(parsePostcode('nm14qt'), 'NM1 4QT');
    assert.equal(parsePostcode('SW1A 1AA'), 'SW1A 1AA');
    assert.equal(parsePostcode('QQ1 1AA'), null);
  });

  test('a date of birth is never in the future, and age is never negative', () => {
    const today = new Date('2026-11-02T09:00:00Z');
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }), (d) => {
        const parsed = parseDateOfBirth(utcDate(d), today);
        if (parsed) {
          assert.ok(parsed <= '2026-11-02');
          const age = ageOn(parsed, londonDate(today));
          assert.ok(age >= 0 && age <= 26, `${parsed} → ${age}`);
        }
      }),
    );
  });

  test('normaliseName is idempotent, keeps only a–z and ignores case, accents and punctuation', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const n = normaliseName(s);
        assert.match(n, /^[a-z]*$/);
        assert.equal(normaliseName(n), n);
        assert.equal(normaliseName(s.toUpperCase()), normaliseName(s.toLowerCase()));
      }),
      { numRuns: 2000 },
    );
    assert.equal(normaliseName("Zoë O'Brien-Łukasz"), 'zoeobrienlukasz');
  });

  test('nameWords gives the words of a name as keys, none empty', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (name) => {
        for (const word of nameWords({ name })) assert.match(word, /^[a-z]+$/);
      }),
      { numRuns: 1000 },
    );
    assert.deepEqual(nameWords({ name: "  Zoë  O'Brien " }), ['zoe', 'obrien']);
    assert.deepEqual(nameWords({ givenName: 'Kayleigh', familyName: 'Smith-Jones' }), ['kayleigh', 'smithjones']);
  });

  test('plainText strips control characters, is idempotent and never grows', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (s) => {
        const p = plainText(s);
        assert.doesNotMatch(p, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
        assert.equal(plainText(p), p);
        assert.ok(p.length <= s.length);
      }),
      { numRuns: 2000 },
    );
  });

  test('concern references are unguessable in shape and readable', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        assert.match(
          newConcernReference(() => bytes),
          concernReferencePattern,
        );
      }),
    );
  });

  test('the public concern schema never throws and caps every field', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('partnershipId', 'whatHappened', 'where', 'when', 'occurredOn', 'about', 'contact', 'anonymous', 'other'),
          fc.oneof(fc.string({ maxLength: 6000 }), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined)),
        ),
        (body) => {
          const r = publicConcernSchema.safeParse(body);
          if (r.success) {
            assert.ok(r.data.whatHappened.length <= 4000 && r.data.whatHappened.length >= 10);
            for (const v of [r.data.where, r.data.about, r.data.contact]) assert.ok(v === null || v.length <= 500);
          }
          childSearchSchema.safeParse(body);
        },
      ),
      { numRuns: 500 },
    );
  });
});
