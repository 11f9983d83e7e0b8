import { welshNationalActionPlan2016 } from './framework-wales-2016.ts';
import { outcomeOfAction } from './frameworks.ts';
import type { RagStatus } from './rag.ts';
import { ragStatusFromPrinted } from './rag.ts';

/**
 * Demo action plan: the Welsh Government CSE annual return published as Appendix 1
 * of Rhondda Cynon Taf's Children and Young People Scrutiny report of 22 March 2017
 * (seed 001). It is public text from a council report, reproduced as printed.
 *
 * How the printed table was read:
 * - `printed.rag` and `printed.narrative` are the cells exactly as printed.
 * - A narrative cell split by a page break is joined with one space; a cell made of
 *   several paragraphs keeps them, separated by a blank line.
 * - 1.1a still holds the template's prompts ("Red / Amber / Green", "Insert brief
 *   narrative updating against the action"): it is not rated and has no narrative.
 * - "N/A" in the narrative cell is not a narrative: `narrative` is null.
 * - The return does not print the national plan's action wording. `actionText` is
 *   Lantern's own short wording, written from the outcome and the narrative, so the
 *   demo plan reads naturally. It is not the Welsh Government's text.
 */
export interface ReturnedAction {
  readonly actionId: string;
  readonly outcomeId: string;
  readonly actionText: string;
  readonly status: RagStatus;
  readonly narrative: string | null;
  readonly printed: { readonly rag: string; readonly narrative: string };
}

export interface ActionPlanReturn {
  readonly frameworkKey: string;
  readonly title: string;
  readonly reportingBody: string;
  readonly source: string;
  readonly actions: readonly ReturnedAction[];
}

interface PrintedRow {
  readonly id: string;
  readonly rag: string;
  readonly narrative: string;
  readonly actionText: string;
}

const templateNarrativePrompt = 'Insert brief narrative updating against the action';

const printedRows: readonly PrintedRow[] = [
  {
    id: '1.1a',
    rag: 'Red / Amber / Green',
    narrative: 'Insert brief narrative updating against the action',
    actionText: 'Agree a regional strategy to tackle CSE that follows statutory guidance and the All Wales CSE Protocol.',
  },
  {
    id: '1.1b',
    rag: 'Green',
    narrative: 'Awaiting guidance from Welsh Government.',
    actionText: 'Update local procedures when the Welsh Government issues new guidance on CSE.',
  },
  {
    id: '1.1c',
    rag: 'Green',
    narrative: 'Awaiting guidance from Welsh Government',
    actionText: 'Review the regional strategy against national guidance once it is published.',
  },
  {
    id: '1.2a',
    rag: 'N/A',
    narrative: 'N/A',
    actionText: 'Agree operational arrangements for responding to CSE concerns across partner agencies.',
  },
  {
    id: '1.2b',
    rag: 'Green',
    narrative:
      'A CSE needs assessment was carried out in Cwm Taf in 2015. This enabled the Safeguarding Children Board to identify gaps in existing provision. This assessment is currently being updated and an analysis of demand and need in Cwm Taf is ongoing at present.',
    actionText: 'Carry out a CSE needs assessment to find gaps in local services.',
  },
  {
    id: '1.2c',
    rag: 'Green',
    narrative: 'The SERAF is the approved risk assessment tool. Awareness raising is ongoing via multi agency training.',
    actionText: 'Use the approved CSE risk assessment tool in every agency and train staff to use it.',
  },
  {
    id: '1.3a',
    rag: 'Green',
    narrative:
      'The CTSCB has a CSE Action Plan in place. Regular multi-agency CSE Task Groups are taking place to ensure that the plan is progressing. Quarterly reports on progress are presented to the Board.',
    actionText: 'Keep a CSE action plan and report progress on it to the Board every quarter.',
  },
  {
    id: '1.3b',
    rag: 'Green',
    narrative:
      'The CTSCB has identified CSE as a priority in the Annual Plan for 2016/17. To support this work, a CSE Champion has been identified to lead on the regional CSE Action Plan, which has been developed in line with the All Wales National Action Plan.',
    actionText: 'Name CSE as a priority in the Board’s annual plan and appoint a lead for it.',
  },
  {
    id: '1.3c',
    rag: 'N/A',
    narrative: 'N/A',
    actionText: 'Make sure each partner agency’s own plans name CSE as a shared priority.',
  },
  {
    id: '1.4a',
    rag: 'Green',
    narrative: 'Completed pilot within timescales. Awaiting further direction from Welsh Government following an assessment of the pilot.',
    actionText: 'Take part in the pilot of the national CSE dataset.',
  },
  {
    id: '1.4b',
    rag: 'Green',
    narrative: 'Completed pilot within timescales. Awaiting further direction from Welsh Government following an assessment of the pilot.',
    actionText: 'Send local data to the national CSE dataset in the agreed format.',
  },
  {
    id: '1.4c',
    rag: 'N/A',
    narrative: 'N/A',
    actionText: 'Use the national dataset to compare the local picture of CSE with other areas.',
  },
  {
    id: '1.4d',
    rag: 'Green',
    narrative: 'This is carried out as part of the MASH processes and is included in information sharing guidance.',
    actionText: 'Share information about children at risk of CSE through the multi-agency front door.',
  },
  {
    id: '1.4e',
    rag: 'Green',
    narrative: 'Cwm Taf Information Sharing Protocol for MASH has addressed this.',
    actionText: 'Agree an information sharing protocol that covers CSE.',
  },
  {
    id: '1.4f',
    rag: 'Green',
    narrative: 'CSE quality assurance and audits are now part of the annual work plan for the CTSCB Quality Assurance and Standards Sub Group.',
    actionText: 'Include CSE in the Board’s yearly programme of quality assurance and case audits.',
  },
  {
    id: '1.5a',
    rag: 'Green',
    narrative:
      "Some awareness raising has been carried out with young people. Information has been developed and is available in a variety of formats. For example, CSE information has been added to the Cwm Taf Safeguarding Boards website which includes a link to a video made by young people about CSE. A Schools Conference took place in November 2016 which included workshops on CSE, both for Primary and Secondary aged children. CSE awareness is included in Foster Carers training. The Miskin Project in RCT is CSE focussed. A Barnardo's CSE leaflet is included in the Leaving Care pack. CSE Leaflets have been made for taxi drivers, hotels and licensed premises' and have been distributed in November 2016. CSE is part of the work plan for the CTSB's new Engagement Participation and Communications Sub Group in order to develop this action further.",
    actionText: 'Tell young people, parents, carers and businesses such as taxi firms, hotels and licensed premises how to spot CSE and report it.',
  },
  {
    id: '1.6a',
    rag: 'Amber',
    narrative:
      'A Training needs assessment is ongoing at present. It was completed previously in November 2015. This assessment is currently being updated.\n\n' +
      'The information gathered to date is that 191 people were trained in CSE awareness in 2015/16. "Understanding and Recognising CSE" training is part of the CTSCB multiagency training calendar, which includes information on the use of the SERAF assessment tool and the All Wales CSE Protocol. Direct Work skills training around CSE is also part of the CTSCB training calendar. CSE also forms part of level 2 and 3 safeguarding training. A CSE Practitioner Forum took place in October 2016 and it was fed back by those who attended that more training is needed on CSE and the All Wales Protocol for CSE. This has also been fed back in one to one interviews with practitioners from Education, Police and Children\'s Services. There are some agencies still to be interviewed, for example Health professionals.',
    actionText: 'Assess what CSE training staff in each partner agency need.',
  },
  {
    id: '1.6b',
    rag: 'Amber',
    narrative:
      'The CTSCB has a multi-agency training programme that focuses on CSE, however this is being reviewed at present to ensure all actions in the regional CSE Action Plan are included and that a wide enough audience is being reached.',
    actionText: 'Run a multi-agency CSE training programme that reaches all staff who need it.',
  },
  {
    id: '1.6c',
    rag: 'Green',
    narrative:
      "CSE training is reported to and monitored by the CTSB Training and Learning Sub Group and the Children's Delivery Group. This information is included in the Board's Annual Report",
    actionText: 'Monitor take-up of CSE training and report it in the Board’s annual report.',
  },
  {
    id: '1.7a',
    rag: 'N/A',
    narrative: 'N/A',
    actionText: 'Take part in joint inspections that look at how agencies respond to CSE.',
  },
  {
    id: '1.7b',
    rag: 'Green',
    narrative:
      'The CTSCB Operational Committee receives all agencies inspection reports for review and scrutiny. Relevant actions arising are reported back on completion.',
    actionText: 'Review every agency’s inspection reports and follow up the actions that arise.',
  },
  {
    id: '2.1a',
    rag: 'Green',
    narrative:
      'A proposal was taken to the last multi agency CSE Task Group to implement Multi-agency CSE meetings (MACSE) to be chaired by the Police. The purpose of these would be to identify, map, and assess risk and patterns of CSE in the area. A new multi-agency task group has been set up to progress this action.',
    actionText: 'Set up multi-agency CSE meetings to identify, map and assess risks and patterns of CSE.',
  },
  {
    id: '2.1b',
    rag: 'Green',
    narrative: 'Both LAs have a Panel as set out in Part 6 which addresses duties in relation to out of authority placements.',
    actionText: 'Make sure placement panels consider CSE risk when a child is placed out of the area.',
  },
  {
    id: '2.2a',
    rag: 'Green',
    narrative: 'Assessment of preventative services available, demand and need in Cwm Taf is ongoing at present.',
    actionText: 'Map the services that help prevent CSE and compare them with local need.',
  },
  {
    id: '2.3a',
    rag: 'Green',
    narrative: 'CSE is part of the CTSCB Quality Assurance and Standards Sub Group work plan',
    actionText: 'Include CSE in the Board’s quality assurance work plan so partners can challenge each other’s practice.',
  },
  {
    id: '2.3b',
    rag: 'Green',
    narrative:
      'A proposal was taken to the multi-agency CSE Task Group in November 2016 to implement Multi-agency CSE meetings (MACSE) to be chaired by the Police. The purpose of these would be to share information about where interventions need to be amended to reflect the local picture and ensure activity is kept updated and relevant to the service demand and emergent issues. A new multi-agency task group has been set up to progress this action.',
    actionText: 'Share information at multi-agency meetings so that services keep up with the local picture.',
  },
  {
    id: '2.4a',
    rag: 'Green',
    narrative:
      "CSE information has been added to the CTSB website which includes a link to a video made by young people about CSE. A Schools Conference took place in November 2016 which included workshops on CSE, both for Primary and Secondary aged children. CSE awareness is included in Foster Carers training. The Miskin Project in RCT is CSE focussed. A Barnardo's CSE leaflet is included in the Leaving Care pack. CSE Leaflets have been made for taxi drivers, hotels and licensed premises' and have been distributed in November 2016. A CSE awareness session was completed with education professionals in November 2016 which included specific risks such as learning disabilities, modern technology and social networking. CSE is part of the work plan for the CTSB's new Engagement and Participation Committee Sub Group in order to develop this action further.",
    actionText: 'Help children and young people recognise grooming and make safer choices, online and offline.',
  },
  {
    id: '3.1a',
    rag: 'Green',
    narrative:
      'This will largely be addressed via training. A training needs assessment is ongoing at present. It was completed previously in November 2015. This assessment is currently being updated.\n\n' +
      'Operational arrangements are being addressed via the CSE Task Group and now also the MACSE task group.',
    actionText: 'Support the well-being of children at greater risk of CSE because of their vulnerabilities.',
  },
  {
    id: '3.2a',
    rag: 'Green',
    narrative:
      'Risk assessment and management of risk including risk assessment in relation to CSE is integrated into existing business process via MASH and multi-agency child protection processes. We are aware via CSE focused QA work that has taken place that there is a need to increase use of the SERAF and improve the compliance of CSE strategy meetings.',
    actionText: 'Build CSE risk assessment into existing risk management and child protection processes.',
  },
  {
    id: '3.3a',
    rag: 'Green',
    narrative:
      'Analysis of demand and need in Cwm Taf is ongoing at present. It was completed previously in November 2015. This assessment is currently being updated. A database is being completed of the services available in the locality which address CSE.',
    actionText: 'Keep a directory of local services that help children and young people affected by CSE.',
  },
  {
    id: '3.4a',
    rag: 'Green',
    narrative:
      'This is addressed via the CTSCB Quality Assurance and Standards sub group as part of the annual work plan and will be by MACSE meetings once they are implemented. We plan to develop advice to Board agency members about CSE training for staff and volunteers. The standards agreed within this will also be used to hold to account. There is a CSE champion and a Task and Finish group working on the actions within the CSE strategy and action plan. The Operational Committee and Board receive highlight reports that identify issues and shortfalls.',
    actionText: 'Hold partner agencies to account for their part in protecting children from CSE.',
  },
  {
    id: '3.4b',
    rag: 'Green',
    narrative:
      'This is addressed via the CTSCB Quality Assurance and Standards sub group as part of the annual work plan and will be by MACSE meetings once they are implemented.',
    actionText: 'Challenge shortfalls in practice found by audits and multi-agency meetings.',
  },
  {
    id: '4.1a',
    rag: 'Green',
    narrative: 'A Police Problem Profile was completed in 2016 and was shared with CTSCB',
    actionText: 'Complete a police problem profile of CSE and share it with the Board.',
  },
  {
    id: '4.1b',
    rag: 'Green',
    narrative: 'This has been achieved – see above.',
    actionText: 'Use the problem profile to plan how perpetrators will be disrupted.',
  },
  {
    id: '4.1c',
    rag: 'Green',
    narrative: 'Police are providing a report to the CSE Task Group to evidence how they meet this action.',
    actionText: 'Police to show how their investigations disrupt people who exploit children.',
  },
  {
    id: '4.1d',
    rag: 'Green',
    narrative: 'The CSE Task group has been provided information to confirm that this has been developed.',
    actionText: 'Agree how partners will use disruption powers such as child abduction warning notices.',
  },
  {
    id: '4.1e',
    rag: 'Amber',
    narrative:
      'This is covered to a degree in CTSCB multi-agency training on CSE, however the ongoing needs assessment will address whether more work needs to be done to address this.',
    actionText: 'Train staff to recognise and pass on information about people who may be exploiting children.',
  },
  {
    id: '4.2a',
    rag: 'Green',
    narrative: 'CSE Task group has a CPS representative who has offered information including advice for practice.',
    actionText: 'Prosecutors to advise partners on gathering evidence that supports a prosecution.',
  },
  {
    id: '4.2b',
    rag: 'Green',
    narrative: 'The CSE Task group has been provided information to confirm that this has been developed.',
    actionText: 'Agree how police, prosecutors and partners work together on CSE investigations.',
  },
  {
    id: '4.3a',
    rag: 'Green',
    narrative: 'Police are providing a report to the CSE Task Group to evidence how they meet this action',
    actionText: 'Police to help young victims and witnesses give their account in a way that suits their age.',
  },
  {
    id: '4.3b',
    rag: 'Green',
    narrative: 'Police are providing a report to the CSE Task Group to evidence how they meet this action',
    actionText: 'Offer young victims and witnesses independent support through any trial.',
  },
  {
    id: '4.4a',
    rag: 'Green',
    narrative: 'The proposed MACSE meetings will support Welsh Police Forces in conducting operations relating to CSE involving groups and gangs',
    actionText: 'Support police operations against groups and gangs that exploit children.',
  },
  {
    id: '4.4b',
    rag: 'Green',
    narrative: 'The CSE Task Group has been provided information to confirm that this has been achieved.',
    actionText: 'Share information about organised crime groups that target children with the police.',
  },
  {
    id: '4.5a',
    rag: 'Amber',
    narrative:
      'This is covered to a degree in CTSCB multi-agency training on CSE, however the ongoing needs assessment will address whether more work needs to be done to address this.',
    actionText: 'Train staff to spot and report people who may be targeting young people.',
  },
  {
    id: '4.5b',
    rag: 'Amber',
    narrative:
      'The development of MACSE meetings which is subject to a task and finish group at present proposes to effectively manage CSE risk and protect vulnerable young children within their locality',
    actionText: 'Use multi-agency meetings to manage CSE risk and disrupt perpetrators in each area.',
  },
  {
    id: '4.5c',
    rag: 'Green',
    narrative: 'There has been work carried out in response to this and a report provided to the Board.',
    actionText: 'Work with licensing teams to check taxi drivers and premises for CSE risk.',
  },
  {
    id: '4.5d',
    rag: 'Green',
    narrative: 'This has been confirmed by Police as being part of their core business.',
    actionText: 'Police to make disrupting people who target young people part of everyday policing.',
  },
];

function toReturnedAction(row: PrintedRow): ReturnedAction {
  const status = ragStatusFromPrinted(row.rag);
  if (status === null) throw new Error(`Action ${row.id}: unreadable RAG cell “${row.rag}”.`);
  const outcome = outcomeOfAction(welshNationalActionPlan2016, row.id);
  if (outcome === undefined) throw new Error(`Action ${row.id} is not in the national action plan.`);
  const narrative = row.narrative === 'N/A' || row.narrative === templateNarrativePrompt ? null : row.narrative;
  return {
    actionId: row.id,
    outcomeId: outcome.id,
    actionText: row.actionText,
    status,
    narrative,
    printed: { rag: row.rag, narrative: row.narrative },
  };
}

export const seed001Return: ActionPlanReturn = {
  frameworkKey: welshNationalActionPlan2016.key,
  title: 'CSE Annual Report 2016',
  reportingBody: 'Cwm Taf Safeguarding Children Board',
  source:
    'Appendix 1 to "Cwm Taf Safeguarding Boards Child Sexual Exploitation Strategy and Action Plan", ' +
    'Rhondda Cynon Taf County Borough Council, Children and Young People Scrutiny Committee, 22 March 2017',
  actions: printedRows.map(toReturnedAction),
};

/**
 * The acronyms the seed 001 return uses, with their expansions, for use as the
 * demo partnership's glossary. "MACSE" is the return's own name for its
 * multi-agency CSE meetings.
 */
export const seed001Glossary: Readonly<Record<string, string>> = {
  CSE: 'child sexual exploitation',
  SCB: 'Safeguarding Children Board',
  CTSCB: 'Cwm Taf Safeguarding Children Board',
  CTSB: 'Cwm Taf Safeguarding Board',
  MASH: 'Multi-Agency Safeguarding Hub',
  MACSE: 'multi-agency child sexual exploitation meeting',
  SERAF: 'Sexual Exploitation Risk Assessment Framework',
  CPS: 'Crown Prosecution Service',
  LA: 'local authority',
  QA: 'quality assurance',
  RCT: 'Rhondda Cynon Taf',
};
