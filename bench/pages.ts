/**
 * The pages the benchmark drives, each as the demo account (key before ".northmere@…") whose
 * view a user would feel. Features add their pages here.
 */
export interface BenchPage {
  name: string;
  account: string;
  path: string | ((base: string, cookie: string) => Promise<string>);
}

export const benchPages: BenchPage[] = [
  { name: 'health check', account: 'admin', path: '/health' },
  { name: 'home', account: 'triage', path: '/' },
  { name: 'people (admin)', account: 'admin', path: '/admin/users' },
  { name: 'audit trail (DPO)', account: 'dpo', path: '/audit' },
  { name: 'children list (triage)', account: 'triage', path: '/children' },
  { name: 'triage queue', account: 'triage', path: '/triage' },
  {
    name: 'child record (triage)', account: 'triage',
    path: async (base, cookie) => {
      const html = await (await fetch(`${base}/children`, { headers: { cookie } })).text();
      return `/children/${/href="\/children\/([0-9a-f-]{36})"/.exec(html)?.[1] ?? ''}`;
    },
  },
];
