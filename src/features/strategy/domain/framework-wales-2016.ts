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
 *
 * The Welsh (`cy`) of the name, strand titles, strand outcomes and outcomes is Lantern's own
 * translation (issue 11), in the Welsh Government's register, and has NOT yet been checked
 * against the Welsh Government's own Welsh version of the plan (Cynllun Gweithredu
 * Cenedlaethol): check it, and replace it with the published wording where that differs. The
 * strand titles follow the Welsh Government's usual Paratoi, Atal, Amddiffyn, Mynd ar drywydd.
 * The English must stay exactly as printed in the template.
 */
export const welshNationalActionPlan2016: Framework = {
  key: 'wales-nap-cse-2016',
  name: {
    en: 'National Action Plan to Tackle Child Sexual Exploitation (Wales) 2016',
    cy: 'Cynllun Gweithredu Cenedlaethol i Fynd i’r Afael â Chamfanteisio’n Rhywiol ar Blant (Cymru) 2016',
  },
  source:
    'Welsh Government reporting template, as completed by Cwm Taf Safeguarding Children Board ' +
    '(CSE Annual Report 2016), Appendix 1 to Rhondda Cynon Taf Council Children and Young People ' +
    'Scrutiny Committee report, 22 March 2017',
  isExample: false,
  returns: ['welsh-government'],
  strands: [
    {
      key: 'prepare',
      number: 1,
      title: { en: 'Prepare', cy: 'Paratoi' },
      outcome: {
        en:
          'Safeguarding Children Boards and partner agencies assume CSE to be present and have specified objectives to support:\n' +
          '- The identification of children and young people subject to or at risk of CSE\n' +
          '- A range of appropriate responses and resources designed to improve well-being outcomes for children subject to or at risk of CSE',
        cy:
          'Mae Byrddau Diogelu Plant ac asiantaethau partner yn cymryd yn ganiataol bod camfanteisio’n rhywiol ar blant (CSE) yn bresennol, ac mae ganddynt amcanion penodol i gefnogi’r canlynol:\n' +
          '- Nodi plant a phobl ifanc sy’n destun CSE neu mewn perygl o CSE\n' +
          '- Amrywiaeth o ymatebion ac adnoddau priodol sydd wedi’u cynllunio i wella canlyniadau llesiant plant sy’n destun CSE neu mewn perygl o CSE',
      },
    },
    {
      key: 'prevent',
      number: 2,
      title: { en: 'Prevent', cy: 'Atal' },
      outcome: {
        en: 'Safeguarding Children Boards and partner agencies have a prevention programme and responsive services in place to help children and young people at risk of CSE and their families',
        cy: 'Mae gan Fyrddau Diogelu Plant ac asiantaethau partner raglen atal a gwasanaethau ymatebol ar waith i helpu plant a phobl ifanc sydd mewn perygl o CSE a’u teuluoedd',
      },
    },
    {
      key: 'protect',
      number: 3,
      title: { en: 'Protect', cy: 'Amddiffyn' },
      outcome: {
        en: 'Safeguarding Children Boards and partner agencies actively protect children and young people from CSE by working together to achieve the continuity and effectiveness of care plans for those children and young people subject to or at risk of CSE',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner yn mynd ati i amddiffyn plant a phobl ifanc rhag CSE drwy gydweithio i sicrhau parhad ac effeithiolrwydd cynlluniau gofal ar gyfer y plant a’r bobl ifanc hynny sy’n destun CSE neu mewn perygl o CSE',
      },
    },
    {
      key: 'pursue',
      number: 4,
      title: { en: 'Pursue', cy: 'Mynd ar drywydd' },
      outcome: {
        en: 'Safeguarding Children Boards and partner agencies have a clear and shared understanding about how they can contribute to the disruption and prosecution of perpetrators and to the support of victims through a consistent child centred approach',
        cy: 'Mae gan Fyrddau Diogelu Plant ac asiantaethau partner ddealltwriaeth glir a chyffredin o sut y gallant gyfrannu at darfu ar gyflawnwyr a’u herlyn, ac at gefnogi dioddefwyr, drwy ddull cyson sy’n canolbwyntio ar y plentyn',
      },
    },
  ],
  outcomes: [
    {
      id: '1.1',
      strandKey: 'prepare',
      text: {
        en: 'SCBs and partner agencies have established a strategic response to tackle CSE that reflects statutory guidance and aims to prevent and protect children from abuse',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner wedi sefydlu ymateb strategol i fynd i’r afael â CSE sy’n adlewyrchu canllawiau statudol ac sy’n anelu at atal cam-drin plant a’u hamddiffyn rhagddo',
      },
      actionIds: ['1.1a', '1.1b', '1.1c'],
    },
    {
      id: '1.2',
      strandKey: 'prepare',
      text: {
        en: 'SCBs and partner agencies have established operational arrangements and practitioner tools to support the identification of CSE and enable a timely range of appropriate responses',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner wedi sefydlu trefniadau gweithredol ac offer i ymarferwyr i gefnogi’r gwaith o nodi CSE ac i alluogi amrywiaeth amserol o ymatebion priodol',
      },
      actionIds: ['1.2a', '1.2b', '1.2c'],
    },
    {
      id: '1.3',
      strandKey: 'prepare',
      text: {
        en: 'SCBs and partner agencies assume CSE is present and have identified children and young people subject to or at risk of CSE as a shared priority',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner yn cymryd yn ganiataol bod CSE yn bresennol, ac maent wedi nodi plant a phobl ifanc sy’n destun CSE neu mewn perygl o CSE yn flaenoriaeth gyffredin',
      },
      actionIds: ['1.3a', '1.3b', '1.3c'],
    },
    {
      id: '1.4',
      strandKey: 'prepare',
      text: {
        en: 'SCBs and partner agencies contribute to a national shared dataset informed through local evidence and intelligence to improve understanding, profiling, and response to CSE',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner yn cyfrannu at set ddata genedlaethol gyffredin, sy’n seiliedig ar dystiolaeth a chudd-wybodaeth leol, er mwyn gwella’r ddealltwriaeth o CSE, y gwaith o’i broffilio a’r ymateb iddo',
      },
      actionIds: ['1.4a', '1.4b', '1.4c', '1.4d', '1.4e', '1.4f'],
    },
    {
      id: '1.5',
      strandKey: 'prepare',
      text: {
        en: 'SCBs and partner agencies are active in informing all members of the community of the role that they can play to make the community safer from CSE',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner yn mynd ati i roi gwybod i bob aelod o’r gymuned am y rôl y gall ei chwarae i wneud y gymuned yn fwy diogel rhag CSE',
      },
      actionIds: ['1.5a'],
    },
    {
      id: '1.6',
      strandKey: 'prepare',
      text: {
        en: 'SCBs and partner agencies ensure that the risk and impact of CSE forms part of safeguarding training for all staff, this includes awareness raising (including about those at greater risk of CSE as a result of their vulnerabilities), warning signs and the responsibility to report and respond to concerns',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner yn sicrhau bod risg ac effaith CSE yn rhan o’r hyfforddiant diogelu i’r holl staff; mae hyn yn cynnwys codi ymwybyddiaeth (gan gynnwys am y rheini sydd mewn mwy o berygl o CSE am eu bod yn fwy agored i niwed), arwyddion rhybudd a’r cyfrifoldeb i roi gwybod am bryderon ac i ymateb iddynt',
      },
      actionIds: ['1.6a', '1.6b', '1.6c'],
    },
    {
      id: '1.7',
      strandKey: 'prepare',
      text: {
        en: 'SCBs and partner agencies improvement agenda are supported through inspection activity that evaluates the service effectiveness in promoting the safety and well-being of children and young people',
        cy: 'Cefnogir agenda gwella Byrddau Diogelu Plant ac asiantaethau partner drwy waith arolygu sy’n gwerthuso effeithiolrwydd y gwasanaeth o ran hybu diogelwch a llesiant plant a phobl ifanc',
      },
      actionIds: ['1.7a', '1.7b'],
    },
    {
      id: '2.1',
      strandKey: 'prevent',
      text: {
        en: 'Agencies preparedness for the implementation of the Social Services and Well-being (Wales) Act 2014 includes a focus on the well-being outcomes of children subject to or at risk of CSE',
        cy: 'Mae parodrwydd asiantaethau ar gyfer gweithredu Deddf Gwasanaethau Cymdeithasol a Llesiant (Cymru) 2014 yn cynnwys canolbwyntio ar ganlyniadau llesiant plant sy’n destun CSE neu mewn perygl o CSE',
      },
      actionIds: ['2.1a', '2.1b'],
    },
    {
      id: '2.2',
      strandKey: 'prevent',
      text: {
        en: 'SCBs and partner agencies have identified the range of preventative services to support those at risk of CSE in their locality',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner wedi nodi’r amrywiaeth o wasanaethau ataliol yn eu hardal i gefnogi’r rheini sydd mewn perygl o CSE',
      },
      actionIds: ['2.2a'],
    },
    {
      id: '2.3',
      strandKey: 'prevent',
      text: {
        en: 'SCBs and partners agencies to hold each other to account for their contribution to the safety and protection of children and young people including those at risk of CSE and challenge practice shortfalls',
        cy: 'Byrddau Diogelu Plant ac asiantaethau partner i ddwyn ei gilydd i gyfrif am eu cyfraniad at ddiogelwch plant a phobl ifanc a’u hamddiffyn, gan gynnwys y rheini sydd mewn perygl o CSE, ac i herio diffygion mewn ymarfer',
      },
      actionIds: ['2.3a', '2.3b'],
    },
    {
      id: '2.4',
      strandKey: 'prevent',
      text: {
        en: 'SCBs and partner agencies act to make Wales a hostile place for perpetrators of CSE and empower children and young people to make positive choices',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner yn gweithredu i wneud Cymru yn lle gelyniaethus i gyflawnwyr CSE ac yn grymuso plant a phobl ifanc i wneud dewisiadau cadarnhaol',
      },
      actionIds: ['2.4a'],
    },
    {
      id: '3.1',
      strandKey: 'protect',
      text: {
        en: 'SCBs and partner agencies promote the well-being of children and young people who are subject to or at risk of CSE including those at greater risk of CSE as a result of their vulnerabilities',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner yn hybu llesiant plant a phobl ifanc sy’n destun CSE neu mewn perygl o CSE, gan gynnwys y rheini sydd mewn mwy o berygl o CSE am eu bod yn fwy agored i niwed',
      },
      actionIds: ['3.1a'],
    },
    {
      id: '3.2',
      strandKey: 'protect',
      text: {
        en: 'CSE is considered as part of any risk management process /mechanisms',
        cy: 'Ystyrir CSE fel rhan o unrhyw broses neu fecanwaith rheoli risg',
      },
      actionIds: ['3.2a'],
    },
    {
      id: '3.3',
      strandKey: 'protect',
      text: {
        en: 'SCBs and partner agencies have identified the range of services available /needed, to help those children and young people affected by CSE, in their locality',
        cy: 'Mae Byrddau Diogelu Plant ac asiantaethau partner wedi nodi’r amrywiaeth o wasanaethau sydd ar gael neu sydd eu hangen yn eu hardal i helpu’r plant a’r bobl ifanc hynny y mae CSE wedi effeithio arnynt',
      },
      actionIds: ['3.3a'],
    },
    {
      id: '3.4',
      strandKey: 'protect',
      text: {
        en: 'SCBs and partners agencies to hold each other to account for their contribution to the safety and protection of children and young people subject to CSE and challenge practice shortfalls',
        cy: 'Byrddau Diogelu Plant ac asiantaethau partner i ddwyn ei gilydd i gyfrif am eu cyfraniad at ddiogelwch plant a phobl ifanc sy’n destun CSE a’u hamddiffyn, ac i herio diffygion mewn ymarfer',
      },
      actionIds: ['3.4a', '3.4b'],
    },
    {
      id: '4.1',
      strandKey: 'pursue',
      text: {
        en: 'Make Wales a hostile place for perpetrators of CSE through development of robust investigative strategies to disrupt perpetrator activity and better protect children and young people',
        cy: 'Gwneud Cymru yn lle gelyniaethus i gyflawnwyr CSE drwy ddatblygu strategaethau ymchwilio cadarn i darfu ar weithgarwch cyflawnwyr ac i amddiffyn plant a phobl ifanc yn well',
      },
      actionIds: ['4.1a', '4.1b', '4.1c', '4.1d', '4.1e'],
    },
    {
      id: '4.2',
      strandKey: 'pursue',
      text: {
        en: 'Crown Prosecution Service, Police and partners to work collaboratively to deliver quality and timely investigations that meets the needs of the victim and brings abusers to justice',
        cy: 'Gwasanaeth Erlyn y Goron, yr Heddlu a phartneriaid i gydweithio i gynnal ymchwiliadau amserol o ansawdd sy’n diwallu anghenion y dioddefwr ac yn dwyn camdrinwyr o flaen eu gwell',
      },
      actionIds: ['4.2a', '4.2b'],
    },
    {
      id: '4.3',
      strandKey: 'pursue',
      text: {
        en: 'Increased understanding of the needs of young victims and witnesses of CSE giving them a voice, ensuring they are treated fairly, sensitively and in an age appropriate way',
        cy: 'Gwell dealltwriaeth o anghenion dioddefwyr a thystion ifanc CSE, gan roi llais iddynt a sicrhau eu bod yn cael eu trin yn deg, yn sensitif ac mewn ffordd sy’n briodol i’w hoedran',
      },
      actionIds: ['4.3a', '4.3b'],
    },
    {
      id: '4.4',
      strandKey: 'pursue',
      text: {
        en: 'Identifying and dismantling organised crime groups targeting and exploiting children and young people in our communities',
        cy: 'Nodi a chwalu grwpiau troseddu cyfundrefnol sy’n targedu plant a phobl ifanc yn ein cymunedau ac yn camfanteisio arnynt',
      },
      actionIds: ['4.4a', '4.4b'],
    },
    {
      id: '4.5',
      strandKey: 'pursue',
      text: {
        en: 'Welsh Police Forces to work with partner agencies to identify and disrupt perpetrators targeting young people in our communities',
        cy: 'Heddluoedd Cymru i weithio gydag asiantaethau partner i nodi cyflawnwyr sy’n targedu pobl ifanc yn ein cymunedau ac i darfu arnynt',
      },
      actionIds: ['4.5a', '4.5b', '4.5c', '4.5d'],
    },
  ],
};
