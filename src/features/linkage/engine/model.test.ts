import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NULL_LEVEL } from './comparisons.ts';
import { candidatePairs, expectationMaximisation, oneToOne, runLinkage, seededRandom, type LinkageRecord, type ModelSettings } from './model.ts';

const pairsOf = (list: ReturnType<typeof candidatePairs>) => Array.from({ length: list.length }, (_, p) => `${list.left[p]}-${list.right[p]}`);

test('blocking: a pair found by several rules is a candidate once; deduplication gives i < j only', () => {
  const people: LinkageRecord[] = [
    { surname: 'smith', dob: '20100101' },
    { surname: 'smyth', dob: '20100101' }, // same Double Metaphone (SM0) and same date
    { surname: 'jones', dob: '20100101' },
    { surname: 'jones', dob: null },
    { surname: null, dob: '19990101' },
  ];
  const rules = [[{ column: 'surname', key: 'metaphone' as const }], [{ column: 'dob' }]];
  assert.deepEqual(pairsOf(candidatePairs(people, null, rules)), ['0-1', '2-3', '0-2', '1-2']);
  // Linking the file to itself: both orders and each record with itself; 8 pairs share a code, 5 more only a date.
  assert.equal(candidatePairs(people, people, rules).length, 8 + 5);
});

test('blocking: a key shared by more records than maxBlockSize is left out of its rule, and counted', () => {
  const people: LinkageRecord[] = [
    { surname: 'smith', dob: '20100101' },
    { surname: 'smyth', dob: '20100101' },
    { surname: 'smith', dob: '20100102' },
    { surname: 'jones', dob: '20100101' },
    { surname: 'jones', dob: '20100103' },
  ];
  const rules = [[{ column: 'surname', key: 'metaphone' as const }], [{ column: 'dob' }]];
  // SM0 holds 3 records and the date 20100101 3: over a cap of 2, both are left out; JNS (2 records) stays.
  const capped = candidatePairs(people, null, rules, 2);
  assert.deepEqual(pairsOf(capped), ['3-4']);
  assert.deepEqual([capped.skippedKeys, capped.skippedPairs], [2, 3 + 3]);
  // At a cap of 3 nothing is left out: SM0 gives 0-1, 0-2, 1-2 and JNS 3-4; the date adds 0-3 and 1-3.
  const open = candidatePairs(people, null, rules, 3);
  assert.deepEqual(pairsOf(open), ['0-1', '0-2', '1-2', '3-4', '0-3', '1-3']);
  assert.equal(open.skippedKeys, 0);
  // Linking: a key is left out when either side holds more than the cap (here 3 × 3 pairs of SM0, 3 × 3 of the date).
  const linked = candidatePairs(people, people, rules, 2);
  assert.deepEqual([linked.length, linked.skippedKeys, linked.skippedPairs], [4 + 1, 2, 9 + 9]);
});

test('the seeded generator repeats itself', () => {
  const [a, b] = [seededRandom(7), seededRandom(7)];
  const draws = Array.from({ length: 5 }, () => [a(), b()]);
  for (const [x, y] of draws) assert.equal(x, y);
  assert.notEqual(seededRandom(8)(), draws[0]![0]);
});

test('EM recovers m and λ from the exact mixture, in the same steps every time', () => {
  // Three agree/disagree comparisons; counts are exactly those the mixture predicts for 100,000 pairs.
  const lambda = 0.05;
  const m = [0.95, 0.9, 0.8];
  const u = [
    [0.01, 0.99],
    [0.05, 0.95],
    [0.2, 0.8],
  ];
  const patterns: { levels: number[]; count: number }[] = [];
  for (let bits = 0; bits < 8; bits += 1) {
    const levels = [0, 1, 2].map((k): number => ((bits >> k) & 1 ? 0 : 1));
    const pm = levels.reduce((p, level, k) => p * (level === 0 ? m[k]! : 1 - m[k]!), 1);
    const pu = levels.reduce((p, level, k) => p * u[k]![level]!, 1);
    patterns.push({ levels, count: 100_000 * (lambda * pm + (1 - lambda) * pu) });
  }
  const first = expectationMaximisation(patterns, u, 1_000, 1e-9);
  assert.equal(first.converged, true);
  assert.ok(Math.abs(first.lambda - lambda) < 1e-4, `λ ${first.lambda}`);
  first.m.forEach((row, k) => assert.ok(Math.abs(row[0]! - m[k]!) < 1e-3, `m[${k}] ${row[0]}`));
  assert.deepEqual(expectationMaximisation(patterns, u, 1_000, 1e-9), first);
  // A missing value adds nothing to the pattern's likelihood.
  const withNulls = [...patterns, { levels: [NULL_LEVEL, NULL_LEVEL, NULL_LEVEL], count: 0 }];
  assert.ok(Math.abs(expectationMaximisation(withNulls, u, 1_000, 1e-9).lambda - first.lambda) < 1e-12);
});

/** 400 synthetic people, a quarter of them Smiths, and a copy of every fourth one with a slip. */
function syntheticPeople(): LinkageRecord[] {
  const random = seededRandom(2026);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const given = ['amelia', 'olivia', 'isla', 'ava', 'mia', 'jack', 'harry', 'oliver', 'noah', 'leo', 'freya', 'evie', 'arlo', 'elsie', 'rhys', 'cerys'];
  const family = [
    'jones',
    'williams',
    'taylor',
    'brown',
    'davies',
    'evans',
    'wilson',
    'thomas',
    'roberts',
    'johnson',
    'lewis',
    'walker',
    'robinson',
    'wood',
    'thompson',
    'white',
  ];
  const people: LinkageRecord[] = [];
  for (let n = 0; n < 400; n += 1) {
    const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
    const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
    people.push({
      id: `p${n}`,
      given: pick(given),
      surname: n % 4 === 0 ? 'smith' : `${pick(family)}${n % 7 === 0 ? '' : pick(['', 'son', 'ley', 'er'])}`,
      dob: `${2008 + Math.floor(random() * 10)}${month}${day}`,
      postcode: `NM${1 + Math.floor(random() * 9)} ${Math.floor(random() * 10)}${pick(['AB', 'CD', 'EF', 'GH'])}`,
    });
  }
  for (let n = 0; n < 400; n += 4) {
    const p = people[n + 1]!;
    people.push({
      ...p,
      id: `${p.id}-copy`,
      given: `${p.given!.slice(0, -1)}${p.given!.endsWith('a') ? 'ah' : 'e'}`,
      postcode: n % 8 === 0 ? null : p.postcode!,
    });
  }
  return people;
}

const settings: ModelSettings = {
  idColumn: 'id',
  comparisons: [
    { column: 'given', kind: 'name', termFrequency: true },
    { column: 'surname', kind: 'name', termFrequency: true },
    { column: 'dob', kind: 'date' },
    { column: 'postcode', kind: 'postcode' },
  ],
  blocking: [[{ column: 'dob' }], [{ column: 'surname' }], [{ column: 'postcode' }]],
  randomPairs: 20_000,
};

test('deduplication finds the copies, each pair once, the same way on every run, with a waterfall that adds up', () => {
  const people = syntheticPeople();
  const result = runLinkage(settings, people);
  assert.equal(result.converged, true);
  const found = result.pairs.map((p) => `${p.leftId}|${p.rightId}`);
  const copies = people.filter((p) => p.id!.endsWith('-copy')).map((p) => `${p.id!.replace('-copy', '')}|${p.id}`);
  assert.deepEqual(found.filter((f) => copies.includes(f)).length, copies.length);
  assert.equal(new Set(found).size, found.length);
  assert.ok(result.pairs.every((p) => p.left < p.right && p.matchProbability >= 0.5));

  const again = runLinkage(settings, people);
  assert.deepEqual(again.pairs, result.pairs);
  assert.equal(again.lambda, result.lambda);

  const copy = people.findIndex((p) => p.id!.endsWith('-copy') && p.postcode === null);
  const original = people.findIndex((p) => `${p.id}-copy` === people[copy]!.id);
  const waterfall = result.explain(original, copy);
  const sum = waterfall.levels.reduce((s, l) => s + l.weight, waterfall.prior);
  assert.ok(Math.abs(sum - waterfall.matchWeight) < 1e-9);
  assert.deepEqual(
    waterfall.levels.map((l) => l.level),
    ['jaro-winkler ≥ 0.92', 'exact', 'exact', 'missing'],
  );
  assert.equal(waterfall.levels[3]!.weight, 0); // a missing postcode weighs nothing
});

test('λ is a share of all pairs of records, the pairs blocking did not make counted as non-matches', () => {
  const people = syntheticPeople();
  const result = runLinkage(settings, people);
  // 500 records: 124,750 pairs in all; 100 copies, so about 100 matches (fewer than 1 in 1,000 pairs).
  const expectedMatches = result.lambda * 124_750;
  assert.ok(expectedMatches > 80 && expectedMatches < 130, `expected matches ${expectedMatches}`);
  assert.ok(Math.abs(result.priorWeight - Math.log2(result.lambda / (1 - result.lambda))) < 1e-12);
  assert.equal(result.explain(0, 1).prior, result.priorWeight);
  // The same mixture EM'd over the candidates alone would put far more of them down as matches.
  assert.ok(result.lambda < 100 / result.candidates);
});

test('every blocking rule on a strong field: λ does not run to its ceiling, and the copies are found without the rest', () => {
  // Each rule includes the date of birth, so every candidate agrees on it (u about 1 in 3,600).
  const people = syntheticPeople();
  const strong: ModelSettings = { ...settings, blocking: [[{ column: 'dob' }], [{ column: 'surname' }, { column: 'dob', key: 'year' }]] };
  const result = runLinkage(strong, people);
  assert.ok(result.lambda < 0.01, `λ ${result.lambda}`);
  const isCopy = (p: { leftId: string; rightId: string }) => p.rightId === `${p.leftId}-copy`;
  const copies = result.pairs.filter(isCopy).length;
  assert.ok(copies >= 95, `${copies} copies found`);
  assert.ok(result.pairs.length - copies <= 2, `${result.pairs.length - copies} false pairs`);
});

test('one to one: each record in at most one pair, strongest first, ties by record; refused in deduplication', () => {
  const pair = (left: number, right: number, matchWeight: number) => ({ left, right, matchWeight });
  // Sorted as runLinkage sorts: weight descending, then left, then right.
  const sorted = [pair(0, 0, 20), pair(1, 0, 12), pair(1, 1, 12), pair(2, 1, 12), pair(2, 2, 3), pair(3, 3, 1)];
  assert.deepEqual(oneToOne(sorted, 4, 4), [pair(0, 0, 20), pair(1, 1, 12), pair(2, 2, 3), pair(3, 3, 1)]);
  // Linking the people to themselves: every record in one pair at most.
  const people = syntheticPeople();
  const all = runLinkage({ ...settings, threshold: 0.01 }, people, people);
  const one = runLinkage({ ...settings, threshold: 0.01, oneToOne: true }, people, people);
  assert.ok(one.pairs.length < all.pairs.length);
  assert.equal(new Set(one.pairs.map((p) => p.left)).size, one.pairs.length);
  assert.equal(new Set(one.pairs.map((p) => p.right)).size, one.pairs.length);
  assert.ok(one.pairs.every((p) => all.pairs.some((q) => q.left === p.left && q.right === p.right)));
  assert.throws(() => runLinkage({ ...settings, oneToOne: true }, people), /oneToOne is for linking two files/);
});

test('term frequencies: agreeing on a common family name weighs less than on a rare one', () => {
  const people = syntheticPeople();
  const result = runLinkage(settings, people);
  const smith = people.findIndex((p) => p.surname === 'smith');
  const otherSmith = people.findIndex((p, i) => i > smith && p.surname === 'smith');
  const counts = new Map<string, number>();
  for (const p of people) counts.set(p.surname!, (counts.get(p.surname!) ?? 0) + 1);
  const rare = people.findIndex((p) => counts.get(p.surname!) === 2);
  const rareTwin = people.findIndex((p, i) => i > rare && p.surname === people[rare]!.surname);
  const surnameOf = (i: number, j: number) => result.explain(i, j).levels[1]!;
  assert.equal(surnameOf(smith, otherSmith).level, 'exact');
  assert.equal(surnameOf(rare, rareTwin).level, 'exact');
  assert.ok(surnameOf(smith, otherSmith).termFrequency! < 0);
  assert.ok(surnameOf(rare, rareTwin).termFrequency! > 0);
  assert.ok(surnameOf(smith, otherSmith).weight < surnameOf(rare, rareTwin).weight);
});
