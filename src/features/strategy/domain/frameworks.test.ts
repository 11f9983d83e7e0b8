import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Framework } from './frameworks.ts';
import {
  allActionIds,
  builtInFrameworks,
  englishExampleFramework,
  findFramework,
  frameworkProblems,
  frameworkSchema,
  outcomeOfAction,
  outcomesOfStrand,
  welshNationalActionPlan2016,
} from './frameworks.ts';
import { checkSmart } from './smart.ts';

const wales = welshNationalActionPlan2016;

function outcomeText(framework: Framework, id: string): string {
  const outcome = framework.outcomes.find((candidate) => candidate.id === id);
  assert.ok(outcome, `outcome ${id} exists`);
  return outcome.text;
}

describe('Welsh National Action Plan to Tackle CSE (2016)', () => {
  it('has the four strands Prepare, Prevent, Protect, Pursue numbered 1 to 4', () => {
    assert.deepEqual(
      wales.strands.map((strand) => [strand.number, strand.key, strand.title]),
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
      prepare?.outcome,
      'Safeguarding Children Boards and partner agencies assume CSE to be present and have specified objectives to support:\n' +
        '- The identification of children and young people subject to or at risk of CSE\n' +
        '- A range of appropriate responses and resources designed to improve well-being outcomes for children subject to or at risk of CSE',
    );
    assert.match(prevent?.outcome ?? '', /^Safeguarding Children Boards and partner agencies have a prevention programme/);
    assert.match(protect?.outcome ?? '', /actively protect children and young people from CSE by working together/);
    assert.match(pursue?.outcome ?? '', /through a consistent child centred approach$/);
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
        assert.ok(outcome.id.startsWith(`${strand.number}.`), `${outcome.id} is under ${strand.title}`);
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

  it('has no line breaks or doubled spaces in outcome wording', () => {
    for (const outcome of wales.outcomes) {
      assert.doesNotMatch(outcome.text, /\s{2}|\n|^\s|\s$/, outcome.id);
    }
  });
});

describe('every built-in framework', () => {
  for (const framework of builtInFrameworks) {
    describe(framework.name, () => {
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
      englishExampleFramework.strands.map((strand) => strand.title),
      ['Prevent', 'Protect', 'Pursue'],
    );
    assert.equal(welshNationalActionPlan2016.isExample, false);
  });

  it('practises what scrutiny preached: no acronyms and no vague words', () => {
    const wording = [...englishExampleFramework.strands.map((strand) => strand.outcome), ...englishExampleFramework.outcomes.map((outcome) => outcome.text)];
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
