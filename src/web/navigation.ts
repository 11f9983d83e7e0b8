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
  { href: '/admin/users', textKey: 'nav.users', permission: 'users.manage' },
  { href: '/admin/agencies', textKey: 'nav.agencies', permission: 'agencies.manage' },
  { href: '/admin/sharing', textKey: 'nav.sharing', permission: 'sharing.manage' },
  { href: '/audit', textKey: 'nav.audit', permission: 'audit.read' },
];

export function navigationFor(user: SessionUser | null, url: string) {
  if (!user) return [];
  const path = url.split('?')[0] ?? '/';
  return navigationEntries
    .filter((e) => can(user, e.permission))
    .map((e) => ({ href: e.href, textKey: e.textKey, active: e.href === '/' ? path === '/' : path.startsWith(e.href) }));
}
