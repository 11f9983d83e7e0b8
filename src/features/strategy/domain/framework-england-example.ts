import type { Framework } from './framework.ts';

/**
 * An example framework for an English partnership, using the Prevent, Protect,
 * Pursue strands that English CSE plans use (seeds 003 and 004). There is no
 * national English template: the outcomes below are Lantern's own wording,
 * drawn from what scrutiny asked for in the seeds, and a partnership is expected
 * to edit them. Acronyms are avoided on purpose (seed 003: "Avoid the use of
 * acronyms").
 */
export const englishExampleFramework: Framework = {
  key: 'england-prevent-protect-pursue-example',
  name: 'Prevent, Protect, Pursue (example for an English partnership)',
  source: 'Lantern example wording, to be edited by the partnership',
  isExample: true,
  strands: [
    {
      key: 'prevent',
      number: 1,
      title: 'Prevent',
      outcome:
        'Children, families, professionals and the public understand child sexual exploitation, recognise the signs and know how to report a concern, so that exploitation is stopped before it starts',
    },
    {
      key: 'protect',
      number: 2,
      title: 'Protect',
      outcome:
        'Children at risk of or experiencing sexual exploitation are identified early, assessed consistently and given support that keeps them safe and helps them recover',
    },
    {
      key: 'pursue',
      number: 3,
      title: 'Pursue',
      outcome: 'People who exploit children are identified, disrupted and brought to justice, and children are supported through any investigation and trial',
    },
  ],
  outcomes: [
    {
      id: '1.1',
      strandKey: 'prevent',
      text: 'Staff in every partner agency are trained to recognise child sexual exploitation and know how to respond, at the level their role needs',
      actionIds: ['1.1a', '1.1b', '1.1c'],
    },
    {
      id: '1.2',
      strandKey: 'prevent',
      text: 'Children and young people learn about healthy relationships, consent and staying safe online, and know where to get help',
      actionIds: ['1.2a', '1.2b'],
    },
    {
      id: '1.3',
      strandKey: 'prevent',
      text: 'Parents, carers and foster carers know the warning signs and how to raise a concern',
      actionIds: ['1.3a', '1.3b'],
    },
    {
      id: '1.4',
      strandKey: 'prevent',
      text: 'Businesses where exploitation may be seen, such as taxi firms, hotels, licensed premises, takeaways and letting agents, know the signs and how to report them',
      actionIds: ['1.4a', '1.4b'],
    },
    {
      id: '1.5',
      strandKey: 'prevent',
      text: 'The partnership knows the scale and nature of child sexual exploitation locally, from a problem profile that pools every partner’s data and is refreshed each year',
      actionIds: ['1.5a', '1.5b'],
    },
    {
      id: '2.1',
      strandKey: 'protect',
      text: 'Every concern about child sexual exploitation is screened and a decision made within one working day',
      actionIds: ['2.1a', '2.1b'],
    },
    {
      id: '2.2',
      strandKey: 'protect',
      text: 'Every child at risk has a current risk assessment, reviewed at least every 3 months, with the professional’s own judgement recorded beside any score',
      actionIds: ['2.2a', '2.2b'],
    },
    {
      id: '2.3',
      strandKey: 'protect',
      text: 'Every child who has been missing is offered a return home interview within 72 hours of coming back, and what is learned is shared with the people who need it',
      actionIds: ['2.3a', '2.3b'],
    },
    {
      id: '2.4',
      strandKey: 'protect',
      text: 'Children at risk and victims get specialist, therapeutic and health support that matches their needs, for as long as they need it',
      actionIds: ['2.4a', '2.4b'],
    },
    {
      id: '2.5',
      strandKey: 'protect',
      text: 'Places and peer groups where children are at risk are identified, assessed and made safer',
      actionIds: ['2.5a', '2.5b'],
    },
    {
      id: '3.1',
      strandKey: 'pursue',
      text: 'Partners share information about people of concern, places and vehicles promptly and lawfully',
      actionIds: ['3.1a', '3.1b'],
    },
    {
      id: '3.2',
      strandKey: 'pursue',
      text: 'Disruption powers are used wherever they can help, including child abduction warning notices, sexual risk orders, licensing reviews and closure orders',
      actionIds: ['3.2a', '3.2b'],
    },
    {
      id: '3.3',
      strandKey: 'pursue',
      text: 'Children who are victims or witnesses are supported before, during and after an investigation or trial',
      actionIds: ['3.3a', '3.3b'],
    },
    {
      id: '3.4',
      strandKey: 'pursue',
      text: 'Licensing of taxi and private hire drivers, operators and premises takes account of the risk of child sexual exploitation',
      actionIds: ['3.4a', '3.4b'],
    },
  ],
};
