import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasLanguage, textIn, type LocalText } from '../../../i18n/local-text.ts';
import { readFrameworkFile } from '../framework-upload.ts';
import type { Framework } from './frameworks.ts';
import {
  allActionIds,
  builtInFrameworks,
  englishExampleFramework,
  englishName,
  findFramework,
  frameworkNameOf,
  frameworkProblems,
  frameworkSchema,
  frameworkTexts,
  outcomeOfAction,
  outcomesOfStrand,
  welshNationalActionPlan2016,
  withCurrentTexts,
} from './frameworks.ts';
import { checkSmart } from './smart.ts';

const wales = welshNationalActionPlan2016;
const en = (value: LocalText | undefined) => (value === undefined ? '' : textIn(value, 'en'));
const cy = (value: LocalText | undefined) => (value === undefined ? '' : textIn(value, 'cy'));

function outcomeText(framework: Framework, id: string, language: 'en' | 'cy' = 'en'): string {
  const outcome = framework.outcomes.find((candidate) => candidate.id === id);
  assert.ok(outcome, `outcome ${id} exists`);
  return textIn(outcome.text, language);
}

describe('Welsh National Action Plan to Tackle CSE (2016)', () => {
  it('has the four strands Prepare, Prevent, Protect, Pursue numbered 1 to 4', () => {
    assert.deepEqual(
      wales.strands.map((strand) => [strand.number, strand.key, en(strand.title)]),
      [
        [1, 'prepare', 'Prepare'],
        [2, 'prevent', 'Prevent'],
        [3, 'protect', 'Protect'],
        [4, 'pursue', 'Pursue'],
      ],
    );
  });

  it('keeps the overarching outcomes as the appendix words them', () => {
    const [prepare, prevent, protect, pursue] = wales.strands;
    assert.equal(
      en(prepare?.outcome),
      'Safeguarding Children Boards and partner agencies assume CSE to be present and have specified objectives to support:\n' +
        '- The identification of children and young people subject to or at risk of CSE\n' +
        '- A range of appropriate responses and resources designed to improve well-being outcomes for children subject to or at risk of CSE',
    );
    assert.match(en(prevent?.outcome), /^Safeguarding Children Boards and partner agencies have a prevention programme/);
    assert.match(en(protect?.outcome), /actively protect children and young people from CSE by working together/);
    assert.match(en(pursue?.outcome), /through a consistent child centred approach$/);
  });

  it('has every outcome from 1.1 to 4.5 and no other', () => {
    assert.deepEqual(
      wales.outcomes.map((outcome) => outcome.id),
      ['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '2.1', '2.2', '2.3', '2.4', '3.1', '3.2', '3.3', '3.4', '4.1', '4.2', '4.3', '4.4', '4.5'],
    );
  });

  it('puts each outcome under the strand its number says', () => {
    for (const strand of wales.strands) {
      for (const outcome of outcomesOfStrand(wales, strand.key)) {
        assert.ok(outcome.id.startsWith(`${strand.number}.`), `${outcome.id} is under ${en(strand.title)}`);
      }
    }
  });

  it('lists the 47 action ids of the appendix in order', () => {
    assert.deepEqual(allActionIds(wales), [
      '1.1a',
      '1.1b',
      '1.1c',
      '1.2a',
      '1.2b',
      '1.2c',
      '1.3a',
      '1.3b',
      '1.3c',
      '1.4a',
      '1.4b',
      '1.4c',
      '1.4d',
      '1.4e',
      '1.4f',
      '1.5a',
      '1.6a',
      '1.6b',
      '1.6c',
      '1.7a',
      '1.7b',
      '2.1a',
      '2.1b',
      '2.2a',
      '2.3a',
      '2.3b',
      '2.4a',
      '3.1a',
      '3.2a',
      '3.3a',
      '3.4a',
      '3.4b',
      '4.1a',
      '4.1b',
      '4.1c',
      '4.1d',
      '4.1e',
      '4.2a',
      '4.2b',
      '4.3a',
      '4.3b',
      '4.4a',
      '4.4b',
      '4.5a',
      '4.5b',
      '4.5c',
      '4.5d',
    ]);
  });

  it('joins outcome wording that the printed table split over a page break', () => {
    assert.equal(
      outcomeText(wales, '1.5'),
      'SCBs and partner agencies are active in informing all members of the community of the role that they can play to make the community safer from CSE',
    );
    assert.equal(
      outcomeText(wales, '3.4'),
      'SCBs and partners agencies to hold each other to account for their contribution to the safety and protection of children and young people subject to CSE and challenge practice shortfalls',
    );
    assert.equal(
      outcomeText(wales, '4.3'),
      'Increased understanding of the needs of young victims and witnesses of CSE giving them a voice, ensuring they are treated fairly, sensitively and in an age appropriate way',
    );
  });

  it('keeps the template’s own spelling', () => {
    assert.match(outcomeText(wales, '2.3'), /^SCBs and partners agencies to hold each other to account/);
    assert.equal(outcomeText(wales, '3.2'), 'CSE is considered as part of any risk management process /mechanisms');
    assert.match(outcomeText(wales, '3.3'), /services available \/needed, to help/);
    assert.match(outcomeText(wales, '2.1'), /Social Services and Well-being \(Wales\) Act 2014/);
  });

  it('has no line breaks or doubled spaces in outcome wording, in either language', () => {
    for (const outcome of wales.outcomes) {
      assert.doesNotMatch(en(outcome.text), /\s{2}|\n|^\s|\s$/, outcome.id);
      assert.doesNotMatch(cy(outcome.text), /\s{2}|\n|^\s|\s$/, outcome.id);
    }
  });
});

describe('Welsh National Action Plan in Welsh (issue 11)', () => {
  it('has Welsh, different from the English, for every text: name, strand titles, strand outcomes, outcomes', () => {
    const texts = frameworkTexts(wales);
    assert.equal(texts.length, 1 + 2 * wales.strands.length + wales.outcomes.length);
    for (const { path, text } of texts) {
      assert.ok(hasLanguage(text, 'cy'), `${path} has Welsh`);
      assert.notEqual(cy(text), en(text), `${path} is translated`);
      assert.doesNotMatch(cy(text), /\s{2}|^\s|\s$|'/, `${path}: no doubled spaces; the Welsh apostrophe is ’`);
    }
  });

  it('names the strands Paratoi, Atal, Amddiffyn, Mynd ar drywydd', () => {
    assert.deepEqual(
      wales.strands.map((strand) => cy(strand.title)),
      ['Paratoi', 'Atal', 'Amddiffyn', 'Mynd ar drywydd'],
    );
  });

  it('keeps the strand outcome’s list in Welsh as in English', () => {
    const [prepare] = wales.strands;
    assert.equal(cy(prepare?.outcome).split('\n').length, en(prepare?.outcome).split('\n').length);
    assert.match(cy(prepare?.outcome), /camfanteisio’n rhywiol ar blant \(CSE\)/);
    assert.match(cy(prepare?.outcome), /\n- Nodi plant a phobl ifanc/);
  });

  it('uses the Welsh Government’s terms', () => {
    const welsh = frameworkTexts(wales).map(({ text }) => cy(text));
    assert.ok(welsh.some((text) => text.includes('Byrddau Diogelu Plant')));
    assert.ok(welsh.some((text) => text.includes('asiantaethau partner')));
    assert.ok(welsh.some((text) => text.includes('plant a phobl ifanc')));
    assert.equal(outcomeText(wales, '3.2', 'cy'), 'Ystyrir CSE fel rhan o unrhyw broses neu fecanwaith rheoli risg');
  });

  it('shows the English when asked for English, and the Welsh when asked for Welsh', () => {
    assert.equal(englishName(wales), 'National Action Plan to Tackle Child Sexual Exploitation (Wales) 2016');
    assert.match(cy(wales.name), /^Cynllun Gweithredu Cenedlaethol/);
    assert.match(outcomeText(wales, '1.1', 'en'), /^SCBs and partner agencies have established a strategic response/);
    assert.match(outcomeText(wales, '1.1', 'cy'), /^Mae Byrddau Diogelu Plant ac asiantaethau partner wedi sefydlu ymateb strategol/);
  });

  it('round-trips through JSON and the schema, as a stored definition does', () => {
    const stored = JSON.parse(JSON.stringify(wales)) as unknown;
    const parsed = frameworkSchema.safeParse(stored);
    assert.equal(parsed.success, true);
    assert.deepEqual(parsed.data, wales);
  });
});

describe('a built-in framework stored before it had Welsh', () => {
  // What a partnership seeded before issue 11 holds in strategy_frameworks.definition: English strings only.
  const storedEnglish = JSON.parse(
    JSON.stringify({
      ...wales,
      name: en(wales.name),
      strands: wales.strands.map((strand) => ({ ...strand, title: en(strand.title), outcome: en(strand.outcome) })),
      outcomes: wales.outcomes.map((outcome) => ({ ...outcome, text: en(outcome.text) })),
    }),
  ) as Framework;

  it('is shown with the Welsh, looked up by key, strand key and outcome id', () => {
    const shown = withCurrentTexts(storedEnglish, true);
    assert.equal(cy(shown.name), cy(wales.name));
    assert.deepEqual(
      shown.strands.map((strand) => cy(strand.title)),
      ['Paratoi', 'Atal', 'Amddiffyn', 'Mynd ar drywydd'],
    );
    assert.equal(outcomeText(shown, '4.5', 'cy'), outcomeText(wales, '4.5', 'cy'));
    assert.deepEqual(allActionIds(shown), allActionIds(storedEnglish));
  });

  it('keeps the stored structure: an outcome the built-in framework lacks keeps its stored text', () => {
    const extra = { ...storedEnglish, outcomes: [...storedEnglish.outcomes, { id: '4.6', strandKey: 'pursue', text: 'Extra', actionIds: ['4.6a'] }] };
    assert.equal(outcomeText(withCurrentTexts(extra, true), '4.6', 'cy'), 'Extra');
  });

  it('is not changed when the framework was uploaded rather than built in', () => {
    assert.equal(withCurrentTexts(storedEnglish, false), storedEnglish);
    assert.equal(frameworkNameOf({ key: wales.key, name: 'Ours', built_in: false, definition: storedEnglish }), en(wales.name));
    assert.equal(frameworkNameOf({ key: 'ours', name: 'Ours', built_in: false, definition: null }), 'Ours');
    assert.deepEqual(frameworkNameOf({ key: wales.key, name: 'x', built_in: true }), wales.name);
  });
});

describe('every built-in framework', () => {
  for (const framework of builtInFrameworks) {
    describe(englishName(framework), () => {
      it('passes the framework schema and has no numbering problems', () => {
        assert.deepEqual(frameworkProblems(framework), []);
        assert.equal(frameworkSchema.safeParse(framework).success, true);
      });

      it('has unique action ids, each its outcome id plus a letter, lettered a, b, c … in order', () => {
        const ids = allActionIds(framework);
        assert.equal(new Set(ids).size, ids.length);
        for (const outcome of framework.outcomes) {
          assert.ok(outcome.actionIds.length > 0, `${outcome.id} has actions`);
          outcome.actionIds.forEach((actionId, index) => {
            assert.equal(actionId, `${outcome.id}${String.fromCharCode(97 + index)}`);
            assert.equal(outcomeOfAction(framework, actionId)?.id, outcome.id);
          });
        }
      });

      it('has outcome ids numbered 1, 2, 3 … within each strand', () => {
        for (const strand of framework.strands) {
          const ids = outcomesOfStrand(framework, strand.key).map((outcome) => outcome.id);
          assert.deepEqual(
            ids,
            ids.map((_, index) => `${strand.number}.${index + 1}`),
          );
        }
      });

      it('can be found by its key', () => {
        assert.equal(findFramework(framework.key), framework);
      });
    });
  }
});

describe('English example framework', () => {
  it('uses Prevent, Protect, Pursue and is marked as an example to edit', () => {
    assert.equal(englishExampleFramework.isExample, true);
    assert.deepEqual(
      englishExampleFramework.strands.map((strand) => en(strand.title)),
      ['Prevent', 'Protect', 'Pursue'],
    );
    assert.equal(welshNationalActionPlan2016.isExample, false);
  });

  it('practises what scrutiny preached: no acronyms and no vague words', () => {
    const wording = [
      ...englishExampleFramework.strands.map((strand) => en(strand.outcome)),
      ...englishExampleFramework.outcomes.map((outcome) => en(outcome.text)),
    ];
    for (const text of wording) {
      const findings = checkSmart({ text }).filter((item) => item.rule === 'acronym-unexplained' || item.rule === 'vague-word');
      assert.deepEqual(findings, [], text);
    }
  });
});

describe('framework validation', () => {
  const valid: Framework = {
    key: 'test',
    name: 'Test',
    source: '',
    isExample: true,
    strands: [{ key: 'prevent', number: 1, title: 'Prevent', outcome: 'Fewer children are exploited' }],
    outcomes: [{ id: '1.1', strandKey: 'prevent', text: 'Staff are trained', actionIds: ['1.1a', '1.1b'] }],
  };

  it('accepts a well-formed framework', () => {
    assert.deepEqual(frameworkProblems(valid), []);
    assert.equal(frameworkSchema.safeParse(valid).success, true);
  });

  it('names each numbering problem', () => {
    const broken: Framework = {
      ...valid,
      strands: [...valid.strands, { key: 'prevent', number: 1, title: 'Again', outcome: 'x' }],
      outcomes: [
        { id: '2.1', strandKey: 'prevent', text: 'Wrong strand number', actionIds: ['2.1a'] },
        { id: '1.2', strandKey: 'pursue', text: 'Unknown strand', actionIds: ['1.3a', '1.3a'] },
      ],
    };
    assert.deepEqual(frameworkProblems(broken), [
      'Strand key “prevent” is used twice.',
      'Strand number 1 is used twice.',
      'Outcome 2.1 should start with its strand number, 1.',
      'Outcome 1.2 belongs to strand “pursue”, which does not exist.',
      'Action 1.3a should be outcome 1.2 followed by one letter, e.g. 1.2a.',
      'Action 1.3a is listed twice.',
      'Action 1.3a should be outcome 1.2 followed by one letter, e.g. 1.2a.',
    ]);
    assert.equal(frameworkSchema.safeParse(broken).success, false);
  });

  it('rejects malformed ids', () => {
    const result = frameworkSchema.safeParse({
      ...valid,
      outcomes: [{ id: '1', strandKey: 'prevent', text: 'x', actionIds: ['1a'] }],
    });
    assert.equal(result.success, false);
  });
});

describe('a framework’s texts in each language', () => {
  const english = {
    key: 'ours',
    name: 'Our plan',
    source: '',
    isExample: false,
    strands: [{ key: 'prevent', number: 1, title: 'Prevent', outcome: 'Fewer children are exploited' }],
    outcomes: [{ id: '1.1', strandKey: 'prevent', text: 'Staff are trained', actionIds: ['1.1a'] }],
  };
  const bilingual = {
    ...english,
    name: { en: 'Our plan', cy: 'Ein cynllun' },
    strands: [
      {
        key: 'prevent',
        number: 1,
        title: { en: 'Prevent', cy: 'Atal' },
        outcome: { en: 'Fewer children are exploited', cy: 'Llai o blant yn cael eu hecsbloetio' },
      },
    ],
    outcomes: [{ id: '1.1', strandKey: 'prevent', text: { en: 'Staff are trained', cy: 'Mae staff wedi’u hyfforddi' }, actionIds: ['1.1a'] }],
  };

  it('accepts plain strings, as every framework before Welsh', () => {
    assert.equal(frameworkSchema.safeParse(english).success, true);
  });

  it('accepts { en, cy } for each text, and English alone in that form', () => {
    const parsed = frameworkSchema.parse(bilingual);
    assert.equal(cy(parsed.outcomes[0]?.text), 'Mae staff wedi’u hyfforddi');
    assert.equal(en(parsed.outcomes[0]?.text), 'Staff are trained');
    assert.equal(frameworkSchema.safeParse({ ...english, name: { en: 'Our plan' } }).success, true);
  });

  it('shows a text without Welsh in English on a Welsh page', () => {
    const parsed = frameworkSchema.parse(english);
    assert.equal(cy(parsed.strands[0]?.title), 'Prevent');
    assert.equal(hasLanguage(parsed.strands[0]!.title, 'cy'), false);
  });

  it('refuses a text with no English, an empty Welsh text or another language', () => {
    assert.equal(frameworkSchema.safeParse({ ...english, name: { cy: 'Ein cynllun' } }).success, false);
    assert.equal(frameworkSchema.safeParse({ ...english, name: { en: 'Our plan', cy: ' ' } }).success, false);
    assert.equal(frameworkSchema.safeParse({ ...english, name: { en: 'Our plan', fr: 'Notre plan' } }).success, false);
  });

  it('reads an uploaded framework file in English only, and one with Welsh', () => {
    const englishFile = readFrameworkFile(JSON.stringify(english));
    assert.ok(englishFile.ok && 'framework' in englishFile.value, 'English-only upload parses');
    const bilingualFile = readFrameworkFile(JSON.stringify(bilingual));
    assert.ok(bilingualFile.ok && 'framework' in bilingualFile.value, 'bilingual upload parses');
    assert.equal(cy(bilingualFile.value.framework.name), 'Ein cynllun');
  });
});

describe('which returns a plan offers (issue 15)', () => {
  it('follows the framework, and never offers the Welsh Government return in England', async () => {
    const { returnsOffered, withCurrentTexts, frameworkSchema: schema } = await import('./frameworks.ts');
    const { welshNationalActionPlan2016: wales, englishExampleFramework: england } = await import('./frameworks.ts');
    assert.deepEqual(returnsOffered(wales, 'wales'), ['welsh-government']);
    assert.deepEqual(returnsOffered(wales, 'england'), []);
    assert.deepEqual(returnsOffered(england, 'wales'), []);
    assert.deepEqual(returnsOffered(england, 'england'), []);
    // A definition stored before frameworks named their returns gets the built-in's.
    const { returns: _dropped, ...stored } = wales;
    assert.deepEqual(returnsOffered(withCurrentTexts(stored, true), 'wales'), ['welsh-government']);
    assert.deepEqual(returnsOffered(withCurrentTexts(stored, false), 'wales'), []);
    // An uploaded framework may name it; an unknown return is refused.
    assert.ok(schema.safeParse({ ...england, key: 'mine', returns: ['welsh-government'] }).success);
    assert.ok(!schema.safeParse({ ...england, key: 'mine', returns: ['ofsted'] }).success);
  });
});
