import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runLinkage, seededRandom, type LinkageRecord, type ModelSettings } from './model.ts';
import { levelNameOf, modelParametersSchema, parametersOf, scorePair, type ModelParameters } from './scorer.ts';

/** 300 synthetic people and a copy of every third with a slip (a nickname, a typo, a missing postcode). */
function people(): LinkageRecord[] {
  const random = seededRandom(14);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const given = ['robert', 'william', 'elizabeth', 'margaret', 'amelia', 'cerys', 'rhys', 'oliver', 'isla', 'noah', 'freya', 'arlo'];
  const family = ['jones', 'williams', 'taylor', 'brown', 'davies', 'evans', 'wilson', 'thomas', 'roberts', 'lewis', 'walker', 'wood'];
  const list: LinkageRecord[] = [];
  for (let n = 0; n < 300; n += 1) {
    list.push({
      id: `p${n}`,
      given: pick(given),
      surname: `${pick(family)}${pick(['', 'son', 'ley', 'er'])}`,
      dob: `${2008 + Math.floor(random() * 10)}${String(1 + Math.floor(random() * 12)).padStart(2, '0')}${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
      sex: pick(['f', 'm', 'not known']),
      postcode: `NM${1 + Math.floor(random() * 9)} ${Math.floor(random() * 10)}${pick(['AB', 'CD', 'EF'])}`,
    });
  }
  for (let n = 0; n < 300; n += 3) {
    const p = list[n]!;
    const short = { robert: 'bob', william: 'bill', elizabeth: 'liz', margaret: 'peggy' }[p.given!];
    list.push({ ...p, id: `${p.id}-copy`, given: short ?? p.given!, surname: n % 2 ? `${p.surname}e` : p.surname!, postcode: n % 5 ? p.postcode! : null });
  }
  return list;
}

const settings: ModelSettings = {
  idColumn: 'id',
  comparisons: [
    { column: 'given', kind: 'name', swappedWith: 'surname' },
    { column: 'surname', kind: 'name' },
    { column: 'dob', kind: 'date' },
    { column: 'sex', kind: 'sex' },
    { column: 'postcode', kind: 'postcode' },
  ],
  blocking: [[{ column: 'dob' }], [{ column: 'surname', key: 'metaphone' }], [{ column: 'postcode' }]],
  randomPairs: 20_000,
};

test('scorer: stored parameters give the same weights as the trained run (no term frequencies), level by level', () => {
  const records = people();
  const result = runLinkage(settings, records);
  const params = parametersOf(result, settings);
  assert.equal(params.version, 1);
  assert.equal(params.priorLogOdds, result.priorWeight);
  assert.deepEqual(
    params.comparisons[0]!.levels.map((l) => l.name),
    ['exact', 'swapped', 'nickname', 'jaro-winkler ≥ 0.92', 'jaro-winkler ≥ 0.88', 'double metaphone', 'jaro-winkler ≥ 0.7', 'else'],
  );
  // The surname has no crossed column, so no 'swapped' level.
  assert.equal(
    params.comparisons[1]!.levels.some((l) => l.name === 'swapped'),
    false,
  );
  // Through JSON and the schema, as from the database.
  const stored: ModelParameters = modelParametersSchema.parse(JSON.parse(JSON.stringify(params)));
  assert.ok(result.pairs.length > 50);
  for (const p of result.pairs.slice(0, 200)) {
    const score = scorePair(stored, records[p.left]!, records[p.right]!);
    const explained = result.explain(p.left, p.right);
    assert.ok(Math.abs(score.matchWeight - p.matchWeight) < 1e-9, `${p.leftId} ${p.rightId}`);
    assert.ok(Math.abs(score.matchProbability - p.matchProbability) < 1e-12);
    assert.deepEqual(
      score.waterfall.map((w) => [w.column, w.level]),
      explained.levels.map((l) => [l.column, l.level]),
    );
    const sum = score.waterfall.reduce((s, w) => s + w.weight, stored.priorLogOdds);
    assert.ok(Math.abs(sum - score.matchWeight) < 1e-9);
  }
  // A nickname and an unknown sex, scored as such.
  const bob = scorePair(stored, { given: 'Robert', surname: 'jones', sex: 'M' }, { given: 'bob', surname: 'jones', sex: 'unknown' });
  assert.deepEqual(
    bob.waterfall.map((w) => w.level),
    ['nickname', 'exact', 'missing', 'missing', 'missing'],
  );
  assert.equal(bob.waterfall[3]!.weight, 0);
  // Crossed names are 'swapped' when the parameters have the crossed column.
  assert.equal(levelNameOf(stored.comparisons[0]!, { given: 'jones', surname: 'cerys' }, { given: 'cerys', surname: 'jones' }), 'swapped');
});

test('scorer: levels are looked up by name; a level the parameters lack weighs 0; a missing value weighs 0', () => {
  const params: ModelParameters = {
    version: 1,
    priorLogOdds: -10,
    comparisons: [
      // Stored before the nickname level existed: no 'nickname' among its levels, and in another order.
      {
        column: 'given',
        kind: 'name',
        levels: [
          { name: 'else', m: 0.05, u: 0.9 },
          { name: 'exact', m: 0.8, u: 0.01 },
          { name: 'jaro-winkler ≥ 0.92', m: 0.1, u: 0.01 },
        ],
      },
      {
        column: 'nhs',
        kind: 'nhsNumber',
        levels: [
          { name: 'exact', m: 0.99, u: 0.0001 },
          { name: 'else', m: 0.01, u: 0.9999 },
        ],
      },
    ],
  };
  const exact = scorePair(params, { given: 'Robert', nhs: '943 476 5919' }, { given: 'robert', nhs: '9434765919' });
  assert.ok(Math.abs(exact.matchWeight - (-10 + Math.log2(0.8 / 0.01) + Math.log2(0.99 / 0.0001))) < 1e-12);
  const nickname = scorePair(params, { given: 'robert', nhs: '9434765918' }, { given: 'bob', nhs: '9434765919' });
  assert.deepEqual(nickname.waterfall, [
    { column: 'given', level: 'nickname', weight: 0 },
    { column: 'nhs', level: 'missing', weight: 0 }, // 9434765918 fails its check digit
  ]);
  assert.equal(nickname.matchWeight, -10);
  assert.ok(Math.abs(nickname.matchProbability - 1 / (1 + 2 ** 10)) < 1e-15);
  assert.equal(scorePair(params, { given: 'ann' }, { given: 'zoe' }).waterfall[0]!.weight, Math.log2(0.05 / 0.9));
});

test('scorer: the schema refuses what is not a model', () => {
  const good = {
    version: 1,
    priorLogOdds: -12.5,
    comparisons: [{ column: 'given', kind: 'name', swappedWith: 'surname', levels: [{ name: 'exact', m: 0.9, u: 0.01 }] }],
  };
  assert.equal(modelParametersSchema.safeParse(good).success, true);
  const refused = (value: unknown) => modelParametersSchema.safeParse(value).success === false;
  assert.ok(refused({ ...good, version: 2 }));
  assert.ok(refused({ ...good, priorLogOdds: Number.NaN }));
  assert.ok(refused({ ...good, extra: 1 }));
  assert.ok(refused({ ...good, comparisons: [] }));
  assert.ok(refused({ ...good, comparisons: [{ ...good.comparisons[0], kind: 'soundex' }] }));
  assert.ok(refused({ ...good, comparisons: [{ ...good.comparisons[0], levels: [{ name: 'exact', m: 0, u: 0.01 }] }] }));
  assert.ok(refused({ ...good, comparisons: [{ ...good.comparisons[0], levels: [{ name: 'exact', m: 0.9, u: 1.5 }] }] }));
  assert.ok(
    refused({
      ...good,
      comparisons: [
        {
          ...good.comparisons[0],
          levels: [
            { name: 'exact', m: 0.9, u: 0.01 },
            { name: 'exact', m: 0.1, u: 0.99 },
          ],
        },
      ],
    }),
  );
  assert.ok(refused({ ...good, comparisons: [{ column: 'dob', kind: 'date', swappedWith: 'x', levels: [{ name: 'exact', m: 0.9, u: 0.01 }] }] }));
  assert.ok(refused({ ...good, comparisons: [good.comparisons[0], good.comparisons[0]] }));
});
