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
];
