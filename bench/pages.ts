/**
 * The pages the benchmark drives, each as the demo account (key before ".northmere@…") whose
 * view a user would feel. Features add their pages here. A path given as a function is worked
 * out once before measuring (for example, a child the account can see); `form` makes the
 * request a POST of those fields with a CSRF token taken from `tokenFrom`, like a browser.
 */
export interface BenchPage {
  name: string;
  account: string;
  path: string | ((base: string, cookie: string) => Promise<string>);
  form?: Record<string, string>;
  tokenFrom?: string;
}

/** The first link to a child's record on a page the account can open. */
const firstChildOn =
  (list: string, suffix = '') =>
  async (base: string, cookie: string) => {
    const html = await (await fetch(`${base}${list}`, { headers: { cookie } })).text();
    const id = /href="\/children\/([0-9a-f-]{36})[/"]/.exec(html)?.[1];
    if (!id) throw new Error(`no child linked from ${list}`);
    return `/children/${id}${suffix}`;
  };

/** The first strategy plan the account can open. */
const firstPlan = async (base: string, cookie: string) => {
  const html = await (await fetch(`${base}/strategy`, { headers: { cookie } })).text();
  const id = /href="\/strategy\/plans\/([0-9a-f-]{36})"/.exec(html)?.[1];
  if (!id) throw new Error('no strategy plan linked from /strategy');
  return `/strategy/plans/${id}`;
};

/** The first record a page links to whose address matches `pattern` (its first group is the id). */
const firstLinked = async (base: string, cookie: string, list: string, pattern: RegExp) => {
  const html = await (await fetch(`${base}${list}`, { headers: { cookie } })).text();
  const id = pattern.exec(html)?.[1];
  if (!id) throw new Error(`nothing matching ${String(pattern)} on ${list}`);
  return id;
};

/** The newest person of concern on the intelligence page. */
const firstPerson = (base: string, cookie: string) => firstLinked(base, cookie, '/intelligence', /href="\/intelligence\/persons\/([0-9a-f-]{36})"/);

export const benchPages: BenchPage[] = [
  { name: 'health check', account: 'admin', path: '/health' },
  { name: 'home', account: 'triage', path: '/' },
  { name: 'people (admin)', account: 'admin', path: '/admin/users' },
  { name: 'audit trail (DPO)', account: 'dpo', path: '/audit' },
  { name: 'children list', account: 'triage', path: '/children' },
  // The filtered list (issue 10 §3): a column of the child, a flag, the 30-day missing window, an agency, combined, sorted, a later page.
  { name: 'children list: high risk', account: 'coordinator', path: '/children?risk=high' },
  { name: 'children list: looked after or NRM, by risk', account: 'coordinator', path: '/children?flag=looked_after&flag=trafficking_nrm&sort=risk' },
  { name: 'children list: a rare flag (elective home education)', account: 'coordinator', path: '/children?flag=elective_home_education' },
  { name: 'children list: missing in 30 days', account: 'coordinator', path: '/children?missing=30' },
  { name: 'children list: 13 to 15, by age, page 3', account: 'coordinator', path: '/children?age=13to15&sort=age&page=3' },
  { name: 'children list: last activity', account: 'triage', path: '/children?sort=activity' },
  {
    name: 'children list: a worker’s caseload',
    account: 'social-worker',
    path: async (base, cookie) => {
      const html = await (await fetch(`${base}/children`, { headers: { cookie } })).text();
      const me = /<option value="([0-9a-f-]{36})"[^>]*>[^<]*<\/option>/.exec(html.slice(html.indexOf('id="worker"')))?.[1];
      return me ? `/children?worker=${me}&risk=high&risk=medium` : '/children?risk=high';
    },
  },
  {
    name: 'children list: agency and flag',
    account: 'coordinator',
    path: async (base, cookie) => {
      const html = await (await fetch(`${base}/children`, { headers: { cookie } })).text();
      const agency = /<option value="([0-9a-f-]{36})"/.exec(html.slice(html.indexOf('id="agency"')))?.[1];
      return `/children?agency=${agency ?? ''}&flag=child_in_need&flag=send`;
    },
  },
  { name: 'children search (name)', account: 'triage', path: '/children/search', form: { name: 'Jones' }, tokenFrom: '/children' },
  {
    name: 'children search (name + date of birth)',
    account: 'triage',
    path: '/children/search',
    form: { name: 'Olivia Smith', 'dateOfBirth-day': '14', 'dateOfBirth-month': '3', 'dateOfBirth-year': '2012' },
    tokenFrom: '/children',
  },
  { name: 'triage queue', account: 'triage', path: '/triage' },
  { name: 'child record', account: 'triage', path: firstChildOn('/children') },
  { name: 'child record (own caseload)', account: 'social-worker', path: firstChildOn('/worklists?show=children') },
  { name: 'child chronology', account: 'social-worker', path: firstChildOn('/worklists?show=children', '/chronology') },
  { name: 'worklist: my children', account: 'social-worker', path: '/worklists?show=children' },
  { name: 'worklist: all lists', account: 'social-worker', path: '/worklists' },
  { name: 'worklist: triage', account: 'coordinator', path: '/worklists?show=triage' },
  { name: 'worklist: reviews due', account: 'coordinator', path: '/worklists?show=reviews' },
  { name: 'worklist: return interviews', account: 'coordinator', path: '/worklists?show=interviews' },
  { name: 'worklist: plan actions', account: 'coordinator', path: '/worklists?show=actions' },
  { name: 'worklist: meetings', account: 'coordinator', path: '/worklists?show=meetings' },
  { name: 'strategy plan', account: 'strategy', path: firstPlan },
  { name: 'quarterly report (DOCX download)', account: 'strategy', path: async (base, cookie) => `${await firstPlan(base, cookie)}/export/quarterly.docx` },
  { name: 'training compliance', account: 'strategy', path: '/training/compliance' },
  // Intelligence (issue 12 §5): a person's and a child's network to 2 hops, hotspots, a child's sanitised links.
  {
    name: 'network: a person, 2 hops',
    account: 'analyst',
    path: async (base, cookie) => `/intelligence/network?kind=person&id=${await firstPerson(base, cookie)}&hops=2`,
  },
  {
    name: 'network: a child, 2 hops',
    account: 'analyst',
    path: async (base, cookie) => {
      const child = await firstLinked(base, cookie, `/intelligence/persons/${await firstPerson(base, cookie)}`, /href="\/children\/([0-9a-f-]{36})"/);
      return `/intelligence/network?kind=child&id=${child}&hops=2`;
    },
  },
  { name: 'hotspots (90 days)', account: 'analyst', path: '/intelligence/hotspots' },
  // MACE (issue 12 §4): the VOLT agenda built (again: the same set-based statements, adding only what is new), and the meeting's page.
  {
    name: 'MACE agenda build (POST)',
    account: 'coordinator',
    path: async (base, cookie) => `/mace/${await firstLinked(base, cookie, '/mace', /href="\/mace\/([0-9a-f-]{36})"/)}/agenda`,
    form: {},
    tokenFrom: '/mace',
  },
  {
    name: 'MACE meeting',
    account: 'coordinator',
    path: async (base, cookie) => `/mace/${await firstLinked(base, cookie, '/mace', /href="\/mace\/([0-9a-f-]{36})"/)}`,
  },
  { name: 'a child’s sanitised network', account: 'social-worker', path: firstChildOn('/worklists?show=children', '/network') },
  // The problem profile (issue 13 §1): every figure of the last complete quarter, its 8-quarter trend, themes and areas compared.
  { name: 'problem profile (the partnership, a quarter)', account: 'strategy', path: '/profile' },
  {
    name: 'problem profile (a locality, a quarter)',
    account: 'analyst',
    path: async (base, cookie) => `/profile?area=${await firstLinked(base, cookie, '/profile', /<option value="([0-9a-f-]{36})"/)}`,
  },
];
