import type { SessionUser } from '../auth/service.ts';
import { can, type Permission } from '../authz/policy.ts';

export interface NavigationEntry {
  href: string;
  textKey: string;
  permission: Permission;
}

/** Features add their entries here; the layout shows those the user's roles allow. */
export const navigationEntries: NavigationEntry[] = [
  { href: '/', textKey: 'nav.home', permission: 'home.view' },
  { href: '/worklists', textKey: 'nav.worklists', permission: 'worklists.view' },
  { href: '/children', textKey: 'nav.children', permission: 'children.read' },
  { href: '/triage', textKey: 'nav.triage', permission: 'triage.manage' },
  { href: '/intelligence', textKey: 'nav.intelligence', permission: 'intelligence.read' },
  { href: '/mace', textKey: 'nav.mace', permission: 'mace.read' },
  { href: '/duplicates', textKey: 'nav.duplicates', permission: 'duplicates.view' },
  { href: '/concerns/new', textKey: 'nav.raiseConcern', permission: 'concerns.raise' },
  { href: '/break-glass', textKey: 'nav.breakGlass', permission: 'break-glass.review' },
  { href: '/dpo/data-rights', textKey: 'dataRights.nav', permission: 'data-rights.manage' },
  { href: '/admin/api-tokens', textKey: 'nav.apiTokens', permission: 'api-tokens.approve' },
  { href: '/admin/users', textKey: 'nav.users', permission: 'users.manage' },
  { href: '/admin/agencies', textKey: 'nav.agencies', permission: 'agencies.manage' },
  { href: '/admin/sharing', textKey: 'nav.sharing', permission: 'sharing.manage' },
  { href: '/admin/languages', textKey: 'nav.languages', permission: 'languages.manage' },
  { href: '/admin/disclosure', textKey: 'disclosure.nav', permission: 'disclosure.manage' },
  { href: '/admin/retention', textKey: 'retention.nav', permission: 'retention.manage' },
  { href: '/dpo/subject-access', textKey: 'subjectAccess.nav', permission: 'subject-access.manage' },
  { href: '/strategy', textKey: 'nav.strategy', permission: 'strategy.read' },
  { href: '/profile', textKey: 'profile.nav', permission: 'profile.read_published' },
  { href: '/audit', textKey: 'nav.audit', permission: 'audit.read' },
  { href: '/training', textKey: 'nav.training', permission: 'training.read' },
  { href: '/campaigns', textKey: 'nav.campaigns', permission: 'campaigns.read' },
  { href: '/directory', textKey: 'nav.directory', permission: 'services.read' },
  { href: '/scrutiny', textKey: 'nav.scrutiny', permission: 'scrutiny.read' },
  { href: '/case-audits', textKey: 'caseAudits.nav', permission: 'case-audits.list' },
  { href: '/self-assessments', textKey: 'selfAssessment.nav', permission: 'self-assessments.read' },
  { href: '/risk-tools', textKey: 'nav.riskTools', permission: 'risk-tools.manage' },
];

export function navigationFor(user: SessionUser | null, url: string) {
  if (!user) return [];
  const path = url.split('?')[0] ?? '/';
  return navigationEntries
    .filter((e) => can(user, e.permission))
    .map((e) => ({ href: e.href, textKey: e.textKey, active: e.href === '/' ? path === '/' : path.startsWith(e.href) }));
}
