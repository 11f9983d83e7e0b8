export const roles = [
  'system_admin',
  'partnership_admin',
  'triage_worker',
  'practitioner',
  'coordinator',
  'analyst',
  'strategy_lead',
  'board_member',
  'dpo',
] as const;

export type Role = (typeof roles)[number];

export const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value);

export const agencyKinds = ['childrens_services', 'police', 'health', 'education', 'youth_justice', 'voluntary', 'partnership'] as const;
export type AgencyKind = (typeof agencyKinds)[number];
