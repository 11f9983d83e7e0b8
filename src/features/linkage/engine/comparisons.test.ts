import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NULL_LEVEL,
  addressLevels,
  compareNames,
  dateLevels,
  identifierLevels,
  isValidNhsNumber,
  isValidUpn,
  levelOf,
  nameLevels,
  nhsNumberLevels,
  oneDigitOffOrTransposed,
  sexLevels,
  upnLevels,
  postcodeLevels,
  prepareName,
  tokenOverlap,
  type ComparisonKind,
} from './comparisons.ts';
import { NICKNAMES, areNicknames } from './nicknames.ts';

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

test('names: a nickname on the list is its own level, after exact and swapped; spellings of one name are not nicknames', () => {
  const name = (a: string | null, b: string | null) => label('name', nameLevels, a, b);
  assert.equal(name('Bob', 'Robert'), 'nickname');
  assert.equal(name('robert', 'bob'), 'nickname');
  assert.equal(name('liz', 'beth'), 'nickname'); // both short for elizabeth
  assert.equal(name('Peggy', 'margaret'), 'nickname');
  assert.equal(name('Kayleigh', 'Kayley'), 'jaro-winkler ≥ 0.88'); // spellings, not a short form
  assert.equal(areNicknames('kayleigh', 'kayley'), false);
  assert.equal(areNicknames('bob', 'bob'), false); // the same name is exact, not a nickname
  assert.equal(name('bob', 'bob'), 'exact');
  assert.equal(name('bob', 'smith'), 'else');
  // Every pair on the list is a nickname both ways.
  for (const [full, shorts] of Object.entries(NICKNAMES))
    for (const short of shorts) assert.ok(areNicknames(full, short) && areNicknames(short, full), `${full}/${short}`);
});

test('NHS numbers: the modulus 11 check digit; an invalid number is missing', () => {
  assert.equal(isValidNhsNumber('9434765919'), true); // a test number
  assert.equal(isValidNhsNumber('9434765918'), false); // wrong check digit
  assert.equal(isValidNhsNumber('9434765929'), false);
  assert.equal(isValidNhsNumber('4010232110'), true); // the sum (88) divides by 11: 11 is written 0
  assert.equal(isValidNhsNumber('943476591'), false); // nine digits
  assert.equal(isValidNhsNumber('123456789X'), false);
  const nhs = (a: string | null, b: string | null) => label('nhsNumber', nhsNumberLevels, a, b);
  assert.equal(nhs('943 476 5919', '943-476-5919'), 'exact');
  assert.equal(nhs('9434765919', '4010232110'), 'else');
  assert.equal(nhs('9434765918', '9434765919'), 'null'); // the first is not a valid number
  assert.equal(nhs('not known', '9434765919'), 'null');
  // The middle level's test: one digit different, or neighbours swapped (the check digit rules it out between valid numbers).
  assert.equal(oneDigitOffOrTransposed('9434765919', '9434765910'), true);
  assert.equal(oneDigitOffOrTransposed('9434765919', '9434769519'), true);
  assert.equal(oneDigitOffOrTransposed('9434765919', '9434756919'), true);
  assert.equal(oneDigitOffOrTransposed('9434765919', '9434765991'), true);
  assert.equal(oneDigitOffOrTransposed('9434765919', '9434765999'), true);
  assert.equal(oneDigitOffOrTransposed('9434765919', '9434765800'), false);
  assert.equal(oneDigitOffOrTransposed('9434765919', '9443765919'.slice(0, 9)), false);
  assert.equal(oneDigitOffOrTransposed('1234', '2143'), false); // two swaps
});

test('UPNs: the DfE check letter (modulus 23, no I, O or S); temporary UPNs; an invalid one is missing', () => {
  assert.equal(isValidUpn('B801200005001'), true); // 8×2 + 1×4 + 2×5 + 5×10 + 1×13 = 93 = 4 × 23 + 1: B
  assert.equal(isValidUpn('A801200005001'), false);
  assert.equal(isValidUpn('B801200005010'), false); // last two digits swapped
  assert.equal(isValidUpn('B80120000500'), false); // 12 characters
  assert.equal(isValidUpn('I801200005001'), false); // I is never a check letter
  // A temporary UPN ends in a letter, valued by its place among the check letters (A 0, B 1, …): 80 + 13 × 1 = 93 again.
  assert.equal(isValidUpn('B80120000500B'), true);
  assert.equal(isValidUpn('B80120000500S'), false); // S is not among them
  const upn = (a: string | null, b: string | null) => label('upn', upnLevels, a, b);
  assert.equal(upn('b801 2000 05001', 'B801200005001'), 'exact');
  assert.equal(upn('B801200005001', 'B80120000500B'), 'else');
  assert.equal(upn('A801200005001', 'B801200005001'), 'null');
});

test('sex: m, male and 1 against f, female and 2; unknown, not stated and other are missing', () => {
  const sex = (a: string | null, b: string | null) => label('sex', sexLevels, a, b);
  assert.equal(sex('M', 'male'), 'exact');
  assert.equal(sex('1', ' Male '), 'exact');
  assert.equal(sex('Female', '2'), 'exact');
  assert.equal(sex('f', 'm'), 'else');
  for (const missing of ['unknown', 'Not known', 'not stated', 'other', '0', '9', 'x', '']) assert.equal(sex(missing, 'f'), 'null', missing);
});
