import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NULL_LEVEL,
  addressLevels,
  compareNames,
  dateLevels,
  identifierLevels,
  levelOf,
  nameLevels,
  postcodeLevels,
  prepareName,
  tokenOverlap,
  type ComparisonKind,
} from './comparisons.ts';

const label = (kind: ComparisonKind, levels: readonly string[], a: string | null, b: string | null) => {
  const level = levelOf(kind, a, b);
  return level === NULL_LEVEL ? 'null' : levels[level];
};

test('names: exact, Jaro–Winkler bands, Double Metaphone, else; case and spacing do not count', () => {
  const name = (a: string | null, b: string | null) => label('name', nameLevels, a, b);
  assert.equal(name('Kayleigh ', 'kayleigh'), 'exact');
  assert.equal(name('martha', 'marhta'), 'jaro-winkler ≥ 0.92'); // 0.961
  assert.equal(name('jon', 'john'), 'jaro-winkler ≥ 0.92'); // 0.933
  assert.equal(name('kayley', 'kayleigh'), 'jaro-winkler ≥ 0.88'); // 0.892
  assert.equal(name('smyth', 'smith'), 'jaro-winkler ≥ 0.88'); // 0.893
  assert.equal(name('dwayne', 'duane'), 'double metaphone'); // 0.840, both TN
  assert.equal(name('philip', 'filip'), 'double metaphone'); // 0.822, both FLP
  assert.equal(name('sean', 'shaun'), 'jaro-winkler ≥ 0.7'); // 0.805, SN against XN
  assert.equal(name('smith', 'jones'), 'else');
  assert.equal(name('', 'jones'), 'null');
  assert.equal(name(null, 'jones'), 'null');
});

test('names: crossed given and family names are "swapped" only when they differ', () => {
  const [a, b] = [prepareName('smith')!, prepareName('john')!];
  assert.equal(nameLevels[compareNames(a, b, true)], 'swapped');
  assert.equal(nameLevels[compareNames(a, a, true)], 'exact');
});

test('dates: exact, day and month transposed, one component different, within a year, else', () => {
  const date = (a: string | null, b: string | null) => label('date', dateLevels, a, b);
  assert.equal(date('20100305', '20100305'), 'exact');
  assert.equal(date('2010-03-05', '20100305'), 'exact');
  assert.equal(date('20100305', '20100503'), 'day and month transposed');
  assert.equal(date('20100305', '20110305'), 'one component different');
  assert.equal(date('20100305', '20100315'), 'one component different');
  assert.equal(date('20100305', '20100399'), 'one component different'); // not a date, still one part off
  assert.equal(date('20100305', '20091231'), 'within a year'); // 64 days, every part different
  assert.equal(date('20100305', '20110101'), 'within a year'); // 302 days
  assert.equal(date('20100305', '20120101'), 'else');
  assert.equal(date('20100305', '1999'), 'else');
  assert.equal(date('20100305', ' '), 'null');
});

test('postcodes: exact, the same sector, the same district (UK and four-digit codes)', () => {
  const postcode = (a: string | null, b: string | null) => label('postcode', postcodeLevels, a, b);
  assert.equal(postcode('SW1A 1AA', 'sw1a1aa'), 'exact');
  assert.equal(postcode('SW1A 1AA', 'SW1A 1BB'), 'same sector');
  assert.equal(postcode('SW1A 1AA', 'SW1A 2AA'), 'same district');
  assert.equal(postcode('SW1A 1AA', 'SW1B 1AA'), 'else');
  assert.equal(postcode('4011', '4012'), 'same sector');
  assert.equal(postcode('4011', '4021'), 'same district');
  assert.equal(postcode('4011', '5011'), 'else');
  assert.equal(postcode('4011', null), 'null');
});

test('addresses: bands of word overlap (Jaccard)', () => {
  const address = (a: string | null, b: string | null) => label('address', addressLevels, a, b);
  assert.equal(tokenOverlap(new Set(['a', 'b']), new Set(['b', 'c'])), 1 / 3);
  assert.equal(address('12 Stanley  Street', '12 stanley street'), 'exact');
  assert.equal(address('flat 2, 12 stanley street', '12 stanley street'), 'token overlap ≥ 0.6'); // 3 of 5
  assert.equal(address('light setreet', 'light street'), 'token overlap ≥ 0.3'); // 1 of 3
  assert.equal(address('stanley street', 'light road'), 'else');
  assert.equal(address(',', 'light road'), 'null');
});

test('identifiers: exact, one character off (Levenshtein 1), else; spaces and hyphens do not count', () => {
  const identifier = (a: string | null, b: string | null) => label('identifier', identifierLevels, a, b);
  assert.equal(identifier('485 777 3456', '4857773456'), 'exact');
  assert.equal(identifier('4857773456', '4857773457'), 'one character off');
  assert.equal(identifier('4857773456', '485773456'), 'one character off');
  assert.equal(identifier('4857773456', '4857773465'), 'else'); // a transposition is two edits
  assert.equal(identifier(null, '4857773465'), 'null');
  assert.equal(levelOf('exact', 'NSW', 'nsw'), 0);
  assert.equal(levelOf('exact', 'NSW', 'vic'), 1);
});
