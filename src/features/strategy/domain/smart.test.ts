import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Glossary, SmartFinding, SmartInput, SmartRuleCode } from './smart.ts';
import { adviceParams, checkSmart, groupCommonFindings, planAcronymExpansions, smartInputSchema, smartReport, smartRules, wellWritten } from './smart.ts';
import type { SmartOptions } from './smart.ts';

/** The row that passes every rule; tests change one thing at a time. */
const sound = wellWritten;

function rulesOf(action: SmartInput, glossary: Glossary = {}, options: SmartOptions = {}): SmartRuleCode[] {
  return checkSmart(action, glossary, options).map((item) => item.rule);
}

function only(rule: SmartRuleCode, action: SmartInput, glossary: Glossary = {}): SmartFinding[] {
  return checkSmart(action, glossary).filter((item) => item.rule === rule);
}

function spanned(action: SmartInput, item: SmartFinding): string {
  assert.ok(item.span, 'finding has a span');
  return (action[item.field] ?? '').slice(item.span[0], item.span[1]);
}

describe('rule table', () => {
  it('has one entry per rule code, each with failing and passing examples', () => {
    const codes = smartRules.map((rule) => rule.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const rule of smartRules) {
      assert.ok(rule.examples.fails.length > 0, `${rule.code} has a failing example`);
      assert.ok(rule.examples.passes.length > 0, `${rule.code} has a passing example`);
      assert.ok(rule.explanation.length > 0 && rule.basis.length > 0);
    }
  });

  for (const rule of smartRules) {
    it(`${rule.code}: its examples behave as documented`, () => {
      for (const example of rule.examples.fails) {
        assert.ok(rulesOf(example.action, example.glossary, example.options).includes(rule.code), JSON.stringify(example));
      }
      for (const example of rule.examples.passes) {
        assert.ok(!rulesOf(example.action, example.glossary, example.options).includes(rule.code), JSON.stringify(example));
      }
    });
  }

  it('finds nothing wrong with a well-written row', () => {
    assert.deepEqual(checkSmart(sound), []);
  });

  it('gives every finding the severity its rule declares', () => {
    const findings = checkSmart({ text: '' });
    assert.ok(findings.length > 0);
    for (const item of findings) {
      assert.equal(item.severity, smartRules.find((rule) => rule.code === item.rule)?.severity);
    }
  });
});

describe('vague words (seed 000)', () => {
  it('flags “reviewed regularly” and says how to fix it', () => {
    const action = { ...sound, text: 'progress on implementing this Strategy will be reviewed regularly' };
    const [finding, ...rest] = only('vague-word', action);
    assert.deepEqual(rest, []);
    assert.ok(finding);
    assert.equal(finding.field, 'text');
    assert.equal(finding.severity, 'warning');
    assert.equal(finding.message, '“regularly” has no timescale: say how often, e.g. “quarterly”.');
    assert.equal(spanned(action, finding), 'regularly');
    assert.equal(finding.term, 'regularly');
  });

  it('accepts the task group’s fix, “reviewed quarterly”', () => {
    assert.deepEqual(checkSmart({ ...sound, text: 'progress on implementing this Strategy will be reviewed quarterly' }), []);
  });

  it('flags “systematically” and “routinely” used without timescales', () => {
    const action = { ...sound, text: 'We will systematically gather intelligence and routinely share it with partners.' };
    assert.deepEqual(
      only('vague-word', action).map((item) => spanned(action, item)),
      ['systematically', 'routinely'],
    );
  });

  it('is satisfied by a timescale or date in the same sentence', () => {
    for (const text of [
      'Partners will routinely share intelligence, reviewed monthly.',
      'The plan will be reviewed regularly, at least every 3 months.',
      'Training needs will be reviewed periodically and within 2 months of any serious case review.',
      'The audit is ongoing and will be finished by March 2017.',
      'Progress will be reviewed regularly (by 31/03/2017 and then each quarter).',
      'Awareness raising is ongoing during 2016/17.',
    ]) {
      assert.deepEqual(only('vague-word', { ...sound, text }), [], text);
    }
  });

  it('does not let a timescale in another sentence excuse a vague word', () => {
    const text =
      'Regular multi-agency CSE Task Groups are taking place to ensure that the plan is progressing. Quarterly reports on progress are presented to the Board.';
    const findings = only('vague-word', { ...sound, text });
    assert.deepEqual(
      findings.map((item) => item.term),
      ['Regular'],
    );
  });

  it('explains conditional and open-ended phrases differently', () => {
    const [conditional] = only('vague-word', { ...sound, text: 'Share the leaflet as appropriate.' });
    assert.equal(
      conditional?.message,
      '“as appropriate” leaves it open whether and when this happens: say when it will happen, e.g. “within 2 months of a referral”.',
    );
    const [openEnded] = checkSmart({ ...sound, text: 'An analysis of demand and need in Cwm Taf is ongoing at present.' }, {}, { today: '2026-12-01' });
    assert.equal(openEnded?.message, '“ongoing” has no timescale: say by when, e.g. “by 31 March 2027”.');
  });

  it('looks in measures and evidence sources as well as the action', () => {
    const action = { ...sound, successMeasure: '90% of staff trained, checked routinely', evidenceSource: 'Reports to the Board in due course' };
    assert.deepEqual(
      only('vague-word', action).map((item) => [item.field, item.term]),
      [
        ['successMeasure', 'routinely'],
        ['evidenceSource', 'in due course'],
      ],
    );
  });

  it('does not treat “as required by” a law or guidance as vague', () => {
    assert.deepEqual(only('vague-word', { ...sound, text: 'Hold strategy meetings as required by the All Wales Protocol.' }), []);
  });
});

describe('success measures (seed 003)', () => {
  it('flags “a number of” in a success measure', () => {
    const action = { ...sound, successMeasure: 'a number of schools have received feedback questionnaires on the play' };
    const [finding] = only('vague-quantity', action);
    assert.ok(finding);
    assert.equal(finding.field, 'successMeasure');
    assert.equal(spanned(action, finding), 'a number of');
    assert.match(finding.message, /^“a number of” cannot be counted: give the number or percentage/);
  });

  it('flags “some” and “various” but not words that contain them', () => {
    const action = { ...sound, successMeasure: 'Some schools and various agencies trained; sometimes 80% of someone’s team' };
    assert.deepEqual(
      only('vague-quantity', action).map((item) => item.term),
      ['Some', 'various'],
    );
  });

  it('applies the quantity rule to the action text too (issue 15)', () => {
    assert.deepEqual(
      only('vague-quantity', { ...sound, text: 'Visit a number of schools to show the play.' }).map((item) => [item.field, item.term]),
      [['text', 'a number of']],
    );
  });

  it('passes “90% of staff trained on CSE within 2 months of joining the council”', () => {
    const successMeasure = '90% of staff trained on CSE within 2 months of joining the council';
    assert.deepEqual(only('no-number-in-measure', { ...sound, successMeasure }), []);
  });

  it('does not count the numbers in timescales, dates and references as a measure', () => {
    for (const successMeasure of [
      'Staff trained on CSE within 2 months of joining the council',
      'Staff trained by March 2017',
      'Staff attend level 2 and 3 safeguarding training',
      'Action 9.2 is complete',
      'Increased awareness of CSE in 2016/17',
    ]) {
      assert.equal(only('no-number-in-measure', { ...sound, successMeasure }).length, 1, successMeasure);
    }
  });

  it('counts numbers, percentages, number words, “all” and a target', () => {
    for (const measure of [
      { successMeasure: '191 staff trained in CSE awareness' },
      { successMeasure: 'Ninety per cent of staff trained' },
      { successMeasure: 'All secondary schools have shown the film' },
      { successMeasure: 'Proportion of new staff trained within 2 months of joining', target: '90%' },
    ]) {
      assert.deepEqual(only('no-number-in-measure', { ...sound, ...measure }), [], JSON.stringify(measure));
    }
  });

  it('asks for a measure when there is none, and does not also ask for a number', () => {
    const rules = rulesOf({ ...sound, successMeasure: 'TBC' });
    assert.ok(rules.includes('no-success-measure'));
    assert.ok(!rules.includes('no-number-in-measure'));
  });

  it('asks where the evidence comes from', () => {
    const [finding] = only('no-evidence-source', { ...sound, evidenceSource: 'N/A' });
    assert.equal(
      finding?.message,
      'Say where the evidence for this measure will come from, e.g. the name of the report: “Quarterly training report to the Board”.',
    );
  });
});

describe('acronyms', () => {
  const serafAction = { ...sound, text: 'There is a need to increase use of the SERAF.' };

  it('flags an acronym that is neither in the glossary nor explained', () => {
    const [finding, ...rest] = only('acronym-unexplained', serafAction);
    assert.deepEqual(rest, []);
    assert.ok(finding);
    assert.equal(spanned(serafAction, finding), 'SERAF');
    assert.equal(
      finding.message,
      '“SERAF” is not explained: write it out in full the first time, e.g. “Full Name (SERAF)”, or add it to the partnership glossary.',
    );
  });

  it('accepts an acronym the glossary explains, whatever the case of the key', () => {
    assert.deepEqual(only('acronym-unexplained', serafAction, { SERAF: 'Sexual Exploitation Risk Assessment Framework' }), []);
    assert.deepEqual(only('acronym-unexplained', serafAction, { ' seraf ': 'Sexual Exploitation Risk Assessment Framework' }), []);
  });

  it('accepts an acronym written out in the same text, either way round', () => {
    for (const text of [
      'Increase use of the Sexual Exploitation Risk Assessment Framework (SERAF). The SERAF is the approved tool.',
      'Increase use of the SERAF (Sexual Exploitation Risk Assessment Framework, Barnardo’s Cymru, 2007).',
      'Develop and evaluate the Multi-agency CSE (MACSE) process.',
      'Report to the Cwm Taf Safeguarding Children Board (CTSCB).',
      'Agree the terms of reference (ToR) and review the ToRs.',
      'Ask the Police and Crime Commissioner (PCC) and the Department for Education (DfE).',
      'Feedback through the Wiltshire Association of Secondary and Special School Headteachers (WASSH).',
    ]) {
      const findings = only('acronym-unexplained', { ...sound, text }).filter((item) => item.term !== 'CSE');
      assert.deepEqual(findings, [], text);
    }
  });

  it('does not accept brackets whose words do not spell the acronym', () => {
    // Seed 001 writes "Local Safeguarding Board (LSCB)": the C is missing.
    const text = 'The Local Safeguarding Board (LSCB) did not go far enough.';
    assert.deepEqual(
      only('acronym-unexplained', { ...sound, text }).map((item) => item.term),
      ['LSCB'],
    );
  });

  it('counts an explanation anywhere in the row', () => {
    const action = {
      ...sound,
      text: 'Increase use of the SERAF.',
      evidenceSource: 'Sexual Exploitation Risk Assessment Framework (SERAF) audit',
    };
    assert.deepEqual(only('acronym-unexplained', action), []);
  });

  it('reads plurals and possessives: LSCBs, NEETs, the WSCB’s plan', () => {
    const action = { ...sound, text: 'Link to other LSCBs, count NEETs and cross-reference the WSCB’s plan.' };
    const findings = only('acronym-unexplained', action);
    assert.deepEqual(
      findings.map((item) => item.term),
      ['LSCB', 'NEET', 'WSCB'],
    );
    assert.deepEqual(
      findings.map((item) => spanned(action, item)),
      ['LSCBs', 'NEETs', 'WSCB'],
    );
    assert.deepEqual(only('acronym-unexplained', action, { LSCBs: 'Local Safeguarding Children Boards', NEET: 'x', WSCB: 'y' }), []);
  });

  it('reports each acronym once per field, at its first use', () => {
    const action = { ...sound, text: 'CSE training; CSE leaflets; CSE week.', successMeasure: '90% of staff trained on CSE' };
    const findings = only('acronym-unexplained', action);
    assert.deepEqual(
      findings.map((item) => [item.field, item.span]),
      [
        ['text', [0, 3]],
        ['successMeasure', [24, 27]],
      ],
    );
  });

  it('finds acronyms with ampersands and mixed case: A&E, DfE, ToR', () => {
    const text = 'Health admissions of under-18s to A&E, reported to the DfE under our ToR.';
    assert.deepEqual(
      only('acronym-unexplained', { ...sound, text }).map((item) => item.term),
      ['A&E', 'DfE', 'ToR'],
    );
  });

  it('ignores well-known acronyms, small Roman numerals and ordinary capitalised words', () => {
    const text = 'Work with the NHS across the UK under Part IV and Schedule XII; Mr McDonald will attend.';
    assert.deepEqual(only('acronym-unexplained', { ...sound, text }), []);
  });

  it('still flags police ranks that look like Roman numerals', () => {
    const text = 'DCI Holden and DC Smith will attend.';
    assert.deepEqual(
      only('acronym-unexplained', { ...sound, text }).map((item) => item.term),
      ['DCI', 'DC'],
    );
  });

  it('lets the glossary list exceptions that need no expansion', () => {
    const text = 'PREPARE: the partnership will train staff.';
    assert.deepEqual(
      only('acronym-unexplained', { ...sound, text }).map((item) => item.term),
      ['PREPARE'],
    );
    assert.deepEqual(only('acronym-unexplained', { ...sound, text }, { PREPARE: '' }), []);
  });

  it('lets a partnership choose its own well-known list', () => {
    const action = { ...sound, text: 'Work with the NHS.' };
    assert.deepEqual(
      checkSmart(action, {}, { wellKnownAcronyms: [] }).map((item) => item.term),
      ['NHS'],
    );
    assert.deepEqual(checkSmart({ ...sound, text: 'Work with MASH.' }, {}, { wellKnownAcronyms: ['MASH'] }), []);
  });

  it('checks leads and evidence sources too, but not due dates', () => {
    const action = { ...sound, leadAgency: 'WSCB', evidenceSource: 'CMOG report', dueDate: 'Q4 2016/17' };
    assert.deepEqual(
      only('acronym-unexplained', action).map((item) => [item.field, item.term]),
      [
        ['leadAgency', 'WSCB'],
        ['evidenceSource', 'CMOG'],
      ],
    );
  });
});

describe('leads and due dates', () => {
  it('needs a lead', () => {
    const [finding] = only('no-lead', { ...sound, leadPerson: undefined, leadAgency: '  ' });
    assert.equal(finding?.severity, 'error');
    assert.equal(finding?.field, 'leadPerson');
  });

  it('treats placeholders as no lead', () => {
    assert.equal(only('no-lead', { ...sound, leadPerson: 'TBC', leadAgency: 'All partners' }).length, 1);
  });

  it('asks for a person or post when only an agency is named', () => {
    const [finding] = only('lead-not-named', { ...sound, leadPerson: '', leadAgency: 'Wiltshire Police' });
    assert.equal(finding?.message, 'Name the person or post who leads this in Wiltshire Police, e.g. “Head of Public Protection”.');
    assert.deepEqual(only('lead-not-named', { ...sound, leadAgency: undefined }), [], 'a named person alone is enough');
  });

  it('needs a due date that is a date', () => {
    assert.equal(
      checkSmart({ ...sound, dueDate: undefined }, {}, { today: '2026-12-01' })[0]?.message,
      'There is no due date: give the date this will be done by, e.g. “31 March 2027”.',
    );
    assert.equal(
      checkSmart({ ...sound, dueDate: 'Ongoing' }, {}, { today: '2026-12-01' })[0]?.message,
      '“Ongoing” is not a date: give the date this will be done by, e.g. “31 March 2027”.',
    );
    for (const dueDate of ['TBC', 'soon', 'As appropriate']) {
      assert.equal(only('no-due-date', { ...sound, dueDate }).length, 1, dueDate);
    }
    for (const dueDate of ['31 March 2017', '2017-03-31', '31/03/2017', 'March 2017', 'End of March', 'Q4 2016/17', 'Quarterly']) {
      assert.deepEqual(only('no-due-date', { ...sound, dueDate }), [], dueDate);
    }
  });
});

describe('checkSmart', () => {
  it('lists findings in the order of the row’s fields', () => {
    const findings = checkSmart({ text: 'Review the MASH regularly.', successMeasure: 'a number of audits' });
    assert.deepEqual(
      findings.map((item) => [item.field, item.rule]),
      [
        ['text', 'acronym-unexplained'],
        ['text', 'vague-word'],
        ['successMeasure', 'no-number-in-measure'],
        ['successMeasure', 'vague-quantity'],
        ['leadPerson', 'no-lead'],
        ['dueDate', 'no-due-date'],
        ['evidenceSource', 'no-evidence-source'],
      ],
    );
  });

  it('needs action text', () => {
    assert.ok(rulesOf({ ...sound, text: '' }).includes('no-action-text'));
  });

  it('has a schema for rows coming from forms', () => {
    assert.equal(smartInputSchema.safeParse(sound).success, true);
    assert.equal(smartInputSchema.safeParse({ successMeasure: '90%' }).success, false);
  });
});

describe('smartReport', () => {
  const plan = [
    { ...sound, id: '1.1a' },
    { ...sound, id: '1.1b', text: 'Review the plan regularly and routinely.' },
    { ...sound, id: '1.2a', successMeasure: 'a number of schools visited', dueDate: 'Ongoing' },
    { ...sound, text: 'Share the SERAF with the MASH.', leadPerson: undefined, leadAgency: undefined },
  ];
  const report = smartReport(plan);

  function row(rule: SmartRuleCode) {
    const found = report.byRule.find((candidate) => candidate.rule === rule);
    assert.ok(found);
    return found;
  }

  it('counts actions and findings', () => {
    assert.equal(report.actionsChecked, 4);
    assert.equal(report.actionsPassing, 1);
    assert.equal(report.actionsWithErrors, 2);
    assert.equal(
      report.findingsTotal,
      report.byRule.reduce((sum, entry) => sum + entry.findings, 0),
    );
    assert.equal(report.findingsTotal, report.findingsBySeverity.error + report.findingsBySeverity.warning);
  });

  it('summarises per rule, naming the actions, with a row for every rule', () => {
    assert.deepEqual(
      report.byRule.map((entry) => entry.rule),
      smartRules.map((rule) => rule.code),
    );
    assert.deepEqual(row('vague-word'), {
      rule: 'vague-word',
      severity: 'warning',
      title: 'Vague word without a timescale',
      findings: 2,
      actions: 1,
      actionRefs: ['1.1b'],
    });
    assert.deepEqual(row('acronym-unexplained').actionRefs, ['#4']);
    assert.equal(row('acronym-unexplained').findings, 2);
    assert.deepEqual(row('no-due-date').actionRefs, ['1.2a']);
    assert.deepEqual(row('no-lead').actionRefs, ['#4']);
    assert.equal(row('no-action-text').findings, 0);
    assert.deepEqual(row('no-action-text').actionRefs, []);
  });

  it('reports an empty plan as empty', () => {
    const empty = smartReport([]);
    assert.equal(empty.actionsChecked, 0);
    assert.equal(empty.findingsTotal, 0);
    assert.equal(empty.byRule.length, smartRules.length);
  });
});

describe('the advice in every language', () => {
  it('says in English exactly what the finding’s message says, for every failing example of every rule', async () => {
    const { initI18n, translator } = await import('../../../i18n/i18n.ts');
    await initI18n();
    const en = translator('en');
    const cy = translator('cy');
    let checked = 0;
    for (const rule of smartRules) {
      for (const example of rule.examples.fails) {
        for (const item of checkSmart(example.action, example.glossary ?? {}, example.options)) {
          const key = `smartAdvice.${item.advice.key}`;
          assert.equal(en(key, adviceParams(item.advice, 'en')), item.message, key);
          const welsh = cy(key, adviceParams(item.advice, 'cy'));
          assert.notEqual(welsh, item.message, `${key} has its own Welsh`);
          assert.notEqual(welsh, key, `${key} exists in Welsh`);
          checked++;
        }
      }
    }
    assert.ok(checked >= smartRules.length, `checked ${checked} findings`);
    for (const rule of smartRules) {
      assert.equal(en(`smartAdvice.explanations.${rule.code}`), rule.explanation, `${rule.code}’s explanation`);
      assert.notEqual(cy(`smartAdvice.explanations.${rule.code}`), rule.explanation, `${rule.code}’s explanation in Welsh`);
    }
  });
});

describe('the sharper check (issue 15 §3), with sentences from the seeds', () => {
  const today = '2026-12-01';

  it('flags a vague quantity in the action text, not only in the measure', () => {
    // Westbrook’s action 1.1b; seed 003 (e): “rather than state ‘a number of…’”.
    const action = { ...sound, text: 'Regularly raise awareness of CSE with a number of frontline staff.' };
    const found = only('vague-quantity', action, { CSE: 'child sexual exploitation' });
    assert.equal(found.length, 1);
    assert.equal(found[0]!.field, 'text');
    assert.equal(spanned(action, found[0]!), 'a number of');
    // Seed 003, paragraph 27: “circulated a questionnaire to a number of schools”.
    assert.equal(only('vague-quantity', { ...sound, text: 'Circulate a questionnaire to a number of schools seeking their feedback.' }).length, 1);
    assert.deepEqual(only('vague-quantity', { ...sound, text: 'Circulate a questionnaire to all 31 secondary schools.' }), []);
  });

  it('flags Green past its due date when the update is thin (“Tender out.”), and not otherwise', () => {
    const late = { ...sound, dueDate: '2026-08-31', status: 'green', narrative: 'Tender out.' };
    const found = checkSmart(late, {}, { today }).filter((item) => item.rule === 'status-not-supported');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.field, 'status');
    assert.match(found[0]!.message, /was due on 31 August 2026, and “Tender out\.” does not show it is on track/);
    // A status note alone does not make a thin update evidence of progress.
    assert.equal(
      rulesOf({ ...late, statusNote: 'Tender extended by the health board; new date being agreed.' }, {}, { today }).includes('status-not-supported'),
      true,
    );
    // Seed 001, 1.3a: a substantive update is not flagged.
    const substantive = 'The CTSCB has a CSE Action Plan in place. Quarterly reports on progress are presented to the Board.';
    assert.ok(!rulesOf({ ...late, narrative: substantive }, {}, { today }).includes('status-not-supported'));
    // Not yet due, or not Green: nothing to say.
    assert.ok(!rulesOf({ ...late, dueDate: '2027-03-31' }, {}, { today }).includes('status-not-supported'));
    assert.ok(!rulesOf({ ...late, status: 'amber' }, {}, { today }).includes('status-not-supported'));
  });

  it('flags Blue without evidence of completion: a thin update, or a measure short of its target', () => {
    assert.ok(rulesOf({ ...sound, status: 'blue', narrative: 'Done.' }).includes('completion-not-evidenced'));
    assert.ok(rulesOf({ ...sound, status: 'blue', narrative: '' }).includes('completion-not-evidenced'));
    const short = checkSmart({ ...sound, status: 'blue', narrative: 'Completed in October 2026 for all teams.', target: '400 staff', currentValue: '191' });
    const finding = short.find((item) => item.rule === 'completion-not-evidenced');
    assert.equal(finding?.advice.key, 'completion-not-evidenced.belowTarget');
    assert.deepEqual(finding?.advice.params, { current: '191', target: '400' });
    // Westbrook 2.3a, completed with the figure.
    const done = 'Completed: every child was offered an interview within 72 hours in July to September.';
    assert.ok(!rulesOf({ ...sound, status: 'blue', narrative: done, target: '100 %', currentValue: '100' }).includes('completion-not-evidenced'));
  });

  it('checks narratives for the acronyms Northmere leaves unexplained (seed 001)', () => {
    const narratives = [
      ['The CTSCB has identified CSE as a priority in the Annual Plan for 2016/17.', ['CTSCB', 'CSE']],
      ['This is carried out as part of the MASH processes and is included in information sharing guidance.', ['MASH']],
      ['The SERAF is the approved risk assessment tool.', ['SERAF']],
      ['Both LAs have a Panel as set out in Part 6 which addresses duties in relation to out of authority placements.', ['LA']],
      ['The Miskin Project in RCT is CSE focussed.', ['RCT', 'CSE']],
      ['Develop and evaluate the MACSE process.', ['MACSE']],
    ] as const;
    for (const [narrative, acronyms] of narratives) {
      const found = only('acronym-unexplained', { ...sound, narrative });
      assert.deepEqual(
        found.map((item) => item.term?.replace(/s$/, '')),
        [...acronyms],
        narrative,
      );
      assert.ok(found.every((item) => item.field === 'narrative'));
    }
  });

  it('takes an acronym as explained when it is written out anywhere in the plan, or in the glossary', () => {
    // Seed 001, 3.5 and the plan’s own “Multi-agency CSE (MACSE)”.
    const plan = [
      { ...sound, text: 'The Cwm Taf Safeguarding Children Board (CTSCB) will establish a task and finish group.' },
      { ...sound, text: 'Develop and evaluate the Multi-agency Child Sexual Exploitation (MACSE) process.' },
      { ...sound, narrative: 'The CTSCB Quality Assurance sub group reviewed the MACSE process.' },
    ];
    const expansions = planAcronymExpansions(plan);
    assert.ok(expansions.has('CTSCB') && expansions.has('MACSE'));
    assert.deepEqual(only('acronym-unexplained', plan[2]!), [...only('acronym-unexplained', plan[2]!)]);
    assert.equal(only('acronym-unexplained', plan[2]!).length, 2, 'alone, the row does not explain them');
    assert.deepEqual(
      checkSmart(plan[2]!, {}, { planExpansions: expansions }).filter((item) => item.rule === 'acronym-unexplained'),
      [],
    );
    assert.deepEqual(only('acronym-unexplained', { ...sound, narrative: 'The MASH screened 40 referrals.' }, { MASH: 'Multi-Agency Safeguarding Hub' }), []);
  });

  it('flags vague words in progress updates unless the sentence gives a figure or a date', () => {
    // Seed 001, 1.2c and 1.3a.
    const ongoing = { ...sound, narrative: 'The SERAF is the approved risk assessment tool. Awareness raising is ongoing via multi agency training.' };
    const found = only('vague-progress', ongoing);
    assert.deepEqual(
      found.map((item) => spanned(ongoing, item)),
      ['ongoing'],
    );
    const progressing = { ...sound, narrative: 'Regular multi-agency CSE Task Groups are taking place to ensure that the plan is progressing.' };
    assert.deepEqual(
      only('vague-progress', progressing).map((item) => item.term),
      ['Regular', 'taking place', 'progressing'],
    );
    // Westbrook 1.1b: “Awareness sessions continue.”
    assert.equal(only('vague-progress', { ...sound, narrative: 'Awareness sessions continue.' }).length, 1);
    // Seed 001, 1.6a: “191 people were trained” is a fact.
    assert.deepEqual(
      only('vague-progress', { ...sound, narrative: 'The information gathered to date is that 191 people were trained in CSE awareness in 2015/16.' }),
      [],
    );
  });

  it('asks for a Board plan cross-reference only where the plan’s settings ask for one (seed 003 b)', () => {
    assert.ok(rulesOf({ ...sound, boardPlanRef: '' }, {}, { requireBoardPlanRef: true }).includes('no-board-plan-ref'));
    assert.ok(rulesOf({ ...sound, boardPlanRef: 'TBC' }, {}, { requireBoardPlanRef: true }).includes('no-board-plan-ref'));
    assert.ok(!rulesOf({ ...sound, boardPlanRef: '' }, {}, { requireBoardPlanRef: false }).includes('no-board-plan-ref'));
    assert.ok(!rulesOf({ ...sound, boardPlanRef: 'WSCB action plan 4.2' }, {}, { requireBoardPlanRef: true }).includes('no-board-plan-ref'));
  });

  it('gives example dates relative to today, never 31 March 2017', () => {
    const [none] = checkSmart({ ...sound, dueDate: '' }, {}, { today: '2026-12-01' }).filter((item) => item.rule === 'no-due-date');
    assert.match(none!.message, /e\.g\. “31 March 2027”/);
    assert.deepEqual(none!.advice.dates, { date: '2027-03-31' });
    const [later] = checkSmart({ ...sound, dueDate: 'Ongoing' }, {}, { today: '2031-05-20' }).filter((item) => item.rule === 'no-due-date');
    assert.match(later!.message, /“31 March 2032”/);
    const [vague] = checkSmart({ ...sound, text: 'Training will be rolled out in due course.' }, {}, { today: '2026-12-01' }).filter(
      (item) => item.rule === 'vague-word',
    );
    assert.match(vague!.message, /“by 31 March 2027”/);
    for (const rule of smartRules) {
      for (const example of rule.examples.fails) {
        for (const item of checkSmart(example.action, example.glossary ?? {}, { ...example.options, today: '2026-12-01' })) {
          assert.doesNotMatch(item.message, /2017/, `${item.rule}: ${item.message}`);
        }
      }
    }
  });

  it('groups a finding most actions share into one plan-level finding with the list', () => {
    // Northmere: 46 of 47 actions cannot be monitored. Here 5 of 6 have no success measure.
    const rows = [1, 2, 3, 4, 5, 6].map((n) => ({
      ref: `1.${n}a`,
      findings: checkSmart(n === 6 ? sound : { ...sound, successMeasure: '', text: n === 1 ? 'Increase use of the SERAF.' : sound.text }),
    }));
    const { common, perAction } = groupCommonFindings(rows, rows.length);
    assert.deepEqual(
      common.map((item) => [item.rule, item.actionRefs, item.of]),
      [['no-success-measure', ['1.1a', '1.2a', '1.3a', '1.4a', '1.5a'], 6]],
    );
    // What is left is only what is particular to an action.
    assert.deepEqual(
      perAction.map((a) => [a.ref, a.findings.map((item) => item.rule)]),
      [['1.1a', ['acronym-unexplained']]],
    );
    // Half or fewer, or fewer than 4 actions: one line per action as before.
    assert.deepEqual(groupCommonFindings(rows.slice(0, 3), 3).common, []);
    assert.deepEqual(groupCommonFindings(rows, 10).common, []);
  });
});
