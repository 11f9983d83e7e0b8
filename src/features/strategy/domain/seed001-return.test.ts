import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textIn } from '../../../i18n/local-text.ts';
import { allActionIds, welshNationalActionPlan2016 } from './frameworks.ts';
import type { RagStatus } from './rag.ts';
import { ragStatusDefinitions, ragStatuses, ragStatusFromPrinted } from './rag.ts';
import type { ReturnedAction } from './seed001-return.ts';
import { seed001Glossary, seed001Return } from './seed001-return.ts';
import { checkSmart } from './smart.ts';

function returned(actionId: string): ReturnedAction {
  const action = seed001Return.actions.find((candidate) => candidate.actionId === actionId);
  assert.ok(action, `${actionId} is in the return`);
  return action;
}

function idsWithStatus(status: RagStatus): string[] {
  return seed001Return.actions.filter((action) => action.status === status).map((action) => action.actionId);
}

describe('seed 001 return (Cwm Taf CSE annual report 2016)', () => {
  it('reports on every action of the national plan, and only those, in the same order', () => {
    assert.equal(seed001Return.frameworkKey, welshNationalActionPlan2016.key);
    assert.deepEqual(
      seed001Return.actions.map((action) => action.actionId),
      allActionIds(welshNationalActionPlan2016),
    );
  });

  it('files each action under the outcome its id names', () => {
    for (const action of seed001Return.actions) {
      assert.equal(action.outcomeId, action.actionId.slice(0, -1));
    }
  });

  it('has the RAG statuses exactly as printed', () => {
    assert.deepEqual(idsWithStatus('not-rated'), ['1.1a']);
    assert.deepEqual(idsWithStatus('not-applicable'), ['1.2a', '1.3c', '1.4c', '1.7a']);
    assert.deepEqual(idsWithStatus('amber'), ['1.6a', '1.6b', '4.1e', '4.5a', '4.5b']);
    assert.deepEqual(idsWithStatus('red'), []);
    assert.deepEqual(idsWithStatus('blue'), []);
    assert.equal(idsWithStatus('green').length, 37);
    for (const action of seed001Return.actions) {
      assert.equal(ragStatusFromPrinted(action.printed.rag), action.status);
    }
  });

  it('keeps 1.1a as the template left it: not rated, no narrative', () => {
    const action = returned('1.1a');
    assert.deepEqual(action.printed, {
      rag: 'Red / Amber / Green',
      narrative: 'Insert brief narrative updating against the action',
    });
    assert.equal(action.status, 'not-rated');
    assert.equal(action.narrative, null);
  });

  it('treats an N/A narrative as no narrative', () => {
    for (const id of ['1.2a', '1.3c', '1.4c', '1.7a']) {
      assert.equal(returned(id).narrative, null);
      assert.equal(returned(id).printed.narrative, 'N/A');
    }
  });

  it('reproduces narratives verbatim, including their punctuation', () => {
    assert.equal(returned('1.1b').narrative, 'Awaiting guidance from Welsh Government.');
    assert.equal(returned('1.1c').narrative, 'Awaiting guidance from Welsh Government');
    assert.equal(returned('4.1b').narrative, 'This has been achieved – see above.');
    assert.equal(returned('4.1a').narrative, 'A Police Problem Profile was completed in 2016 and was shared with CTSCB');
    assert.match(returned('1.5a').narrative ?? '', /added to the Cwm Taf Safeguarding Boards website/);
    assert.match(returned('2.3b').narrative ?? '', /set up to progress this action\.$/);
    assert.match(returned('3.4a').narrative ?? '', /highlight reports that identify issues and shortfalls\.$/);
  });

  it('keeps the paragraphs of multi-paragraph narratives', () => {
    const paragraphs = (returned('1.6a').narrative ?? '').split('\n\n');
    assert.equal(paragraphs.length, 2);
    assert.match(paragraphs[1] ?? '', /^The information gathered to date is that 191 people were trained in CSE awareness in 2015\/16\./);
    assert.equal((returned('3.1a').narrative ?? '').split('\n\n').length, 2);
  });

  it('gives every action a short action text of our own, distinct from its narrative', () => {
    const texts = new Set<string>();
    for (const action of seed001Return.actions) {
      assert.ok(action.actionText.length > 20 && action.actionText.length <= 140, action.actionId);
      assert.match(action.actionText, /^[A-Z].*\.$/, action.actionId);
      assert.notEqual(action.actionText, action.narrative);
      texts.add(action.actionText);
    }
    assert.equal(texts.size, seed001Return.actions.length, 'action texts are all different');
  });

  it('has a glossary covering every acronym in the return', () => {
    const wording = [
      ...seed001Return.actions.flatMap((action) => [action.actionText, action.narrative ?? '']),
      ...(['en', 'cy'] as const).flatMap((language) => [
        ...welshNationalActionPlan2016.outcomes.map((outcome) => textIn(outcome.text, language)),
        ...welshNationalActionPlan2016.strands.map((strand) => textIn(strand.outcome, language)),
      ]),
    ];
    for (const text of wording) {
      const unexplained = checkSmart({ text }, seed001Glossary).filter((item) => item.rule === 'acronym-unexplained');
      assert.deepEqual(unexplained, [], text);
    }
  });
});

describe('RAG statuses', () => {
  it('reads printed cells', () => {
    assert.equal(ragStatusFromPrinted('Green'), 'green');
    assert.equal(ragStatusFromPrinted(' amber '), 'amber');
    assert.equal(ragStatusFromPrinted('RED'), 'red');
    assert.equal(ragStatusFromPrinted('Blue'), 'blue');
    assert.equal(ragStatusFromPrinted('N/A'), 'not-applicable');
    assert.equal(ragStatusFromPrinted('Red / Amber / Green'), 'not-rated');
    assert.equal(ragStatusFromPrinted(''), 'not-rated');
    assert.equal(ragStatusFromPrinted('Greenish'), null);
  });

  it('defines every status once, with Blue for completed actions', () => {
    assert.deepEqual(
      ragStatusDefinitions.map((definition) => definition.status),
      [...ragStatuses],
    );
    assert.equal(ragStatusDefinitions.find((definition) => definition.status === 'blue')?.meaning, 'Completed');
  });
});
