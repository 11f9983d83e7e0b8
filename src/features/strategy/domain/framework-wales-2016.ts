import type { Framework } from './framework.ts';

/**
 * The Welsh Government's National Action Plan to Tackle Child Sexual Exploitation
 * (2016), as its annual reporting template sets it out.
 *
 * Wording is copied exactly from the completed template published as Appendix 1 of
 * Rhondda Cynon Taf's Children and Young People Scrutiny report of 22 March 2017
 * (seed 001). Where the printed table split a cell over a page break (outcomes 1.5,
 * 3.4 and 4.3) the parts are joined with one space. The template's own spelling is
 * kept ("partners agencies", "process /mechanisms", "available /needed").
 *
 * The strand outcomes are the "N. STRAND - Overarching outcome:" headings. The
 * template's introduction repeats them with one difference: it has a comma after
 * "from CSE" in Protect.
 *
 * The action wording of the national plan is not in the return, only the action
 * ids, so a framework lists ids alone.
 */
export const welshNationalActionPlan2016: Framework = {
  key: 'wales-nap-cse-2016',
  name: 'National Action Plan to Tackle Child Sexual Exploitation (Wales) 2016',
  source:
    'Welsh Government reporting template, as completed by Cwm Taf Safeguarding Children Board ' +
    '(CSE Annual Report 2016), Appendix 1 to Rhondda Cynon Taf Council Children and Young People ' +
    'Scrutiny Committee report, 22 March 2017',
  isExample: false,
  strands: [
    {
      key: 'prepare',
      number: 1,
      title: 'Prepare',
      outcome:
        'Safeguarding Children Boards and partner agencies assume CSE to be present and have specified objectives to support:\n' +
        '- The identification of children and young people subject to or at risk of CSE\n' +
        '- A range of appropriate responses and resources designed to improve well-being outcomes for children subject to or at risk of CSE',
    },
    {
      key: 'prevent',
      number: 2,
      title: 'Prevent',
      outcome:
        'Safeguarding Children Boards and partner agencies have a prevention programme and responsive services in place to help children and young people at risk of CSE and their families',
    },
    {
      key: 'protect',
      number: 3,
      title: 'Protect',
      outcome:
        'Safeguarding Children Boards and partner agencies actively protect children and young people from CSE by working together to achieve the continuity and effectiveness of care plans for those children and young people subject to or at risk of CSE',
    },
    {
      key: 'pursue',
      number: 4,
      title: 'Pursue',
      outcome:
        'Safeguarding Children Boards and partner agencies have a clear and shared understanding about how they can contribute to the disruption and prosecution of perpetrators and to the support of victims through a consistent child centred approach',
    },
  ],
  outcomes: [
    {
      id: '1.1',
      strandKey: 'prepare',
      text: 'SCBs and partner agencies have established a strategic response to tackle CSE that reflects statutory guidance and aims to prevent and protect children from abuse',
      actionIds: ['1.1a', '1.1b', '1.1c'],
    },
    {
      id: '1.2',
      strandKey: 'prepare',
      text: 'SCBs and partner agencies have established operational arrangements and practitioner tools to support the identification of CSE and enable a timely range of appropriate responses',
      actionIds: ['1.2a', '1.2b', '1.2c'],
    },
    {
      id: '1.3',
      strandKey: 'prepare',
      text: 'SCBs and partner agencies assume CSE is present and have identified children and young people subject to or at risk of CSE as a shared priority',
      actionIds: ['1.3a', '1.3b', '1.3c'],
    },
    {
      id: '1.4',
      strandKey: 'prepare',
      text: 'SCBs and partner agencies contribute to a national shared dataset informed through local evidence and intelligence to improve understanding, profiling, and response to CSE',
      actionIds: ['1.4a', '1.4b', '1.4c', '1.4d', '1.4e', '1.4f'],
    },
    {
      id: '1.5',
      strandKey: 'prepare',
      text: 'SCBs and partner agencies are active in informing all members of the community of the role that they can play to make the community safer from CSE',
      actionIds: ['1.5a'],
    },
    {
      id: '1.6',
      strandKey: 'prepare',
      text: 'SCBs and partner agencies ensure that the risk and impact of CSE forms part of safeguarding training for all staff, this includes awareness raising (including about those at greater risk of CSE as a result of their vulnerabilities), warning signs and the responsibility to report and respond to concerns',
      actionIds: ['1.6a', '1.6b', '1.6c'],
    },
    {
      id: '1.7',
      strandKey: 'prepare',
      text: 'SCBs and partner agencies improvement agenda are supported through inspection activity that evaluates the service effectiveness in promoting the safety and well-being of children and young people',
      actionIds: ['1.7a', '1.7b'],
    },
    {
      id: '2.1',
      strandKey: 'prevent',
      text: 'Agencies preparedness for the implementation of the Social Services and Well-being (Wales) Act 2014 includes a focus on the well-being outcomes of children subject to or at risk of CSE',
      actionIds: ['2.1a', '2.1b'],
    },
    {
      id: '2.2',
      strandKey: 'prevent',
      text: 'SCBs and partner agencies have identified the range of preventative services to support those at risk of CSE in their locality',
      actionIds: ['2.2a'],
    },
    {
      id: '2.3',
      strandKey: 'prevent',
      text: 'SCBs and partners agencies to hold each other to account for their contribution to the safety and protection of children and young people including those at risk of CSE and challenge practice shortfalls',
      actionIds: ['2.3a', '2.3b'],
    },
    {
      id: '2.4',
      strandKey: 'prevent',
      text: 'SCBs and partner agencies act to make Wales a hostile place for perpetrators of CSE and empower children and young people to make positive choices',
      actionIds: ['2.4a'],
    },
    {
      id: '3.1',
      strandKey: 'protect',
      text: 'SCBs and partner agencies promote the well-being of children and young people who are subject to or at risk of CSE including those at greater risk of CSE as a result of their vulnerabilities',
      actionIds: ['3.1a'],
    },
    {
      id: '3.2',
      strandKey: 'protect',
      text: 'CSE is considered as part of any risk management process /mechanisms',
      actionIds: ['3.2a'],
    },
    {
      id: '3.3',
      strandKey: 'protect',
      text: 'SCBs and partner agencies have identified the range of services available /needed, to help those children and young people affected by CSE, in their locality',
      actionIds: ['3.3a'],
    },
    {
      id: '3.4',
      strandKey: 'protect',
      text: 'SCBs and partners agencies to hold each other to account for their contribution to the safety and protection of children and young people subject to CSE and challenge practice shortfalls',
      actionIds: ['3.4a', '3.4b'],
    },
    {
      id: '4.1',
      strandKey: 'pursue',
      text: 'Make Wales a hostile place for perpetrators of CSE through development of robust investigative strategies to disrupt perpetrator activity and better protect children and young people',
      actionIds: ['4.1a', '4.1b', '4.1c', '4.1d', '4.1e'],
    },
    {
      id: '4.2',
      strandKey: 'pursue',
      text: 'Crown Prosecution Service, Police and partners to work collaboratively to deliver quality and timely investigations that meets the needs of the victim and brings abusers to justice',
      actionIds: ['4.2a', '4.2b'],
    },
    {
      id: '4.3',
      strandKey: 'pursue',
      text: 'Increased understanding of the needs of young victims and witnesses of CSE giving them a voice, ensuring they are treated fairly, sensitively and in an age appropriate way',
      actionIds: ['4.3a', '4.3b'],
    },
    {
      id: '4.4',
      strandKey: 'pursue',
      text: 'Identifying and dismantling organised crime groups targeting and exploiting children and young people in our communities',
      actionIds: ['4.4a', '4.4b'],
    },
    {
      id: '4.5',
      strandKey: 'pursue',
      text: 'Welsh Police Forces to work with partner agencies to identify and disrupt perpetrators targeting young people in our communities',
      actionIds: ['4.5a', '4.5b', '4.5c', '4.5d'],
    },
  ],
};
