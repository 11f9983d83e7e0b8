import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAcronymUses, isAcronymLike, wordsSpell } from './acronyms.ts';
import { hasTimescale, isPlaceholder, sentenceRanges, statesQuantity } from './smart-text.ts';

describe('timescales', () => {
  it('recognises frequencies, deadlines and dates', () => {
    for (const text of [
      'reviewed quarterly',
      'every 3 months',
      'each term',
      'twice a year',
      'within 2 months of joining',
      'within 72 hours of return',
      'over the past 12 months',
      'by March 2017',
      'by the end of March',
      'by the end of the financial year',
      'in 2016',
      '2016/17',
      '2017-03-31',
      '31/03/2017',
      'Q3',
      '17 March 2017',
    ]) {
      assert.equal(hasTimescale(text), true, text);
    }
  });

  it('does not mistake other words for timescales', () => {
    for (const text of ['reviewed regularly', 'ongoing', 'a number of schools', 'May attend', 'level 2 training', 'questionnaire']) {
      assert.equal(hasTimescale(text), false, text);
    }
  });
});

describe('quantities', () => {
  it('finds a number once dates and references are set aside', () => {
    assert.equal(statesQuantity('90% of staff trained on CSE within 2 months of joining the council'), true);
    assert.equal(statesQuantity('Staff trained on CSE within 2 months of joining the council'), false);
    assert.equal(statesQuantity('twelve schools by March 2017'), true);
    assert.equal(statesQuantity('duties under the Children Act 1989'), false);
  });
});

describe('sentences', () => {
  it('splits at full stops, semicolons and line breaks, but not after e.g.', () => {
    const text = 'One. Two, e.g. quarterly; three\nfour';
    assert.deepEqual(
      sentenceRanges(text).map(([start, end]) => text.slice(start, end)),
      ['One.', ' Two, e.g. quarterly;', ' three\n', 'four'],
    );
  });

  it('covers empty text', () => {
    assert.deepEqual(sentenceRanges(''), [[0, 0]]);
  });
});

describe('placeholders', () => {
  it('recognises the usual stand-ins for “nothing yet”', () => {
    for (const value of [undefined, '', '  ', 'TBC', 'tbc.', 'N/A', 'n/a', '-', '?', 'All partners', 'Ongoing']) {
      assert.equal(isPlaceholder(value), true, String(value));
    }
    for (const value of ['Head of Public Protection', 'Wiltshire Police', 'Allan Smith']) {
      assert.equal(isPlaceholder(value), false, value);
    }
  });
});

describe('acronym detection', () => {
  it('tells acronyms from ordinary words', () => {
    for (const word of ['CSE', 'LSCBs', 'A&E', 'DfE', 'ToR', 'MACSE', 'DCI']) assert.equal(isAcronymLike(word), true, word);
    for (const word of ['Board', 'McDonald', 'I', 'A', 'IV', 'XII', 'Under18s', 'M4', 'cse']) assert.equal(isAcronymLike(word), false, word);
  });

  it('gives offsets of each use', () => {
    assert.deepEqual(findAcronymUses('The CSE and MASH teams'), [
      { acronym: 'CSE', start: 4, end: 7 },
      { acronym: 'MASH', start: 12, end: 16 },
    ]);
  });

  it('spells acronyms from initials, allowing small words and one passed-over word', () => {
    assert.equal(wordsSpell(['Child', 'Sexual', 'Exploitation'], 'CSE'), true);
    assert.equal(wordsSpell(['Multi', 'agency', 'CSE'], 'MACSE'), true);
    assert.equal(wordsSpell(['terms', 'of', 'reference'], 'ToR'), true);
    assert.equal(wordsSpell(['Not', 'in', 'Education', 'Employment', 'or', 'Training'], 'NEET'), true);
    assert.equal(wordsSpell(['Local', 'Safeguarding', 'Board'], 'LSCB'), false);
    assert.equal(wordsSpell(['the', 'Child', 'Sexual', 'Exploitation'], 'CSE'), false, 'the first word must give a letter');
    assert.equal(wordsSpell(['National', 'Working', 'Group', 'for', 'Sexually', 'Exploited', 'Children'], 'NWG'), false);
  });
});
