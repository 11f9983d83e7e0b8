import { forbidden } from '../errors.ts';
import { roles, type Role } from './roles.ts';

/**
 * Authorisation by function lives here and only here: every route and service asks `can` or
 * `assertCan`. Record-level rules (partnership, agency, sharing) are applied by the services
 * through the actor context and enforced again by row-level security in the database.
 */
export const permissions = {
  'home.view': ['system_admin', 'partnership_admin', 'triage_worker', 'practitioner', 'coordinator', 'analyst', 'strategy_lead', 'board_member', 'dpo'],
  'users.manage': ['system_admin', 'partnership_admin'],
  'agencies.manage': ['system_admin', 'partnership_admin'],
  'sharing.manage': ['system_admin', 'partnership_admin'],
  'languages.manage': ['system_admin', 'partnership_admin'],
  // The threshold and symbol of disclosure control (issue 13 §2).
  'disclosure.manage': ['system_admin', 'partnership_admin'],
  'audit.read': ['dpo', 'system_admin'],
  'training.read': ['partnership_admin', 'strategy_lead', 'board_member'],
  'training.manage': ['partnership_admin', 'strategy_lead'],
  'campaigns.read': ['partnership_admin', 'strategy_lead', 'board_member', 'coordinator'],
  'campaigns.manage': ['partnership_admin', 'strategy_lead'],
  'services.read': ['system_admin', 'partnership_admin', 'triage_worker', 'practitioner', 'coordinator', 'analyst', 'strategy_lead', 'board_member', 'dpo'],
  'services.manage': ['partnership_admin', 'strategy_lead'],
  'scrutiny.read': ['partnership_admin', 'strategy_lead', 'board_member'],
  'scrutiny.manage': ['partnership_admin', 'strategy_lead'],
  'strategy.read': ['partnership_admin', 'triage_worker', 'practitioner', 'coordinator', 'analyst', 'strategy_lead', 'board_member', 'dpo'],
  'strategy.manage': ['strategy_lead'],
  'actions.update': ['strategy_lead', 'practitioner', 'triage_worker', 'coordinator', 'analyst', 'partnership_admin'],
  'strategy.export': ['strategy_lead', 'board_member', 'partnership_admin', 'coordinator'],
  'concerns.raise': ['triage_worker', 'practitioner', 'coordinator', 'analyst', 'board_member'],
  'triage.manage': ['triage_worker', 'coordinator'],
  'children.read': ['triage_worker', 'practitioner', 'coordinator', 'analyst'],
  'children.write': ['triage_worker', 'practitioner', 'coordinator'],
  // The filtered children list as a file: the roles that work across the partnership's cohort, never aggregates-only roles.
  // Merging duplicate children and undoing a merge (issue 14 §2): the partnership's co-ordinators.
  'children.merge': ['coordinator'],
  'children.export': ['triage_worker', 'coordinator', 'analyst'],
  'casework.read': ['triage_worker', 'practitioner', 'coordinator', 'analyst'],
  'casework.write': ['triage_worker', 'practitioner', 'coordinator'],
  'worklists.view': ['triage_worker', 'practitioner', 'coordinator'],
  'risk-tools.manage': ['coordinator', 'partnership_admin'],
  'break-glass.review': ['dpo'],
  // Intelligence (issue 12): persons of concern, places, vehicles and their links to children — the police
  // analyst and the exploitation co-ordinator only; row-level security says the same (migration 0300).
  'intelligence.read': ['coordinator', 'analyst'],
  'intelligence.write': ['coordinator', 'analyst'],
  // The duplicate review queue and batch runs (issue 14 §2): children for the roles that triage and co-ordinate
  // across the partnership's children (not the analyst, who reads but does not change children); persons of
  // concern for the intelligence roles. duplicates.view is the page itself (either kind).
  'duplicates.view': ['triage_worker', 'coordinator', 'analyst'],
  'duplicates.children': ['triage_worker', 'coordinator'],
  'duplicates.persons': ['coordinator', 'analyst'],
  // MACE meetings (issue 12 §4): the co-ordinator chairs (creates meetings, builds the agenda, records
  // minutes, actions and decisions); the police analyst reads. Row-level security says the same (0320).
  'mace.read': ['coordinator', 'analyst'],
  'mace.manage': ['coordinator'],
  // An action a MACE meeting set an agency: its status is changed by the chair or, from their worklist, by
  // anyone of the owning agency (row-level security decides which actions a person reaches, 0320).
  'mace.actions.update': ['triage_worker', 'practitioner', 'coordinator', 'analyst'],
  // Anyone with a casework role may issue a token for their own agency with their own roles; an
  // administrator who did not issue it approves it before it works (security review H1).
  'api-tokens.manage': ['partnership_admin', 'system_admin', 'triage_worker', 'practitioner', 'coordinator', 'analyst'],
  'api-tokens.approve': ['partnership_admin', 'system_admin'],
  // The problem profile's figures before disclosure control (issue 13 §1): the analyst, the strategy lead
  // and the co-ordinator, on a page marked "Not for publication"; migration 0410's functions say the same.
  'profile.read_unsuppressed': ['analyst', 'strategy_lead', 'coordinator'],
  // The same profile after disclosure control (issue 13 §2, §3): board members and councillors see only
  // this; the unsuppressed roles may preview it ("as published"). Migration 0430 lets the counts through.
  'profile.read_published': ['board_member', 'analyst', 'strategy_lead', 'coordinator'],
  // The mid-year population estimates behind the profile's rates per 10,000 children.
  'profile.populations.manage': ['partnership_admin', 'strategy_lead'],
  // Offering to compare the profile's headline figures with a neighbouring partnership, and withdrawing
  // the offer (migration 0450's policies say the same).
  'profile.comparison.manage': ['partnership_admin'],
  // Multi-agency case audits (issue 15 §1): the quality-assurance lead scopes, samples, moderates and
  // reports; readers see audits and reports, never a child's name; auditors (each answering for their own
  // agency) read only their audit's sampled records while it is open — lantern_case_audit_record (0560).
  'case-audits.read': ['strategy_lead', 'coordinator', 'partnership_admin', 'board_member'],
  'case-audits.manage': ['strategy_lead', 'coordinator'],
  'case-audits.audit': ['triage_worker', 'practitioner', 'coordinator', 'analyst', 'strategy_lead'],
  'case-audits.list': ['strategy_lead', 'coordinator', 'partnership_admin', 'board_member', 'triage_worker', 'practitioner', 'analyst'],
  // Board self-assessments (issue 15 §2): the strategy lead and the partnership administrator rate the
  // standards and complete the assessment; board members and the co-ordinator read them. Adding an
  // improvement action to an action plan is the plan owner's (strategy.manage).
  'self-assessments.read': ['strategy_lead', 'partnership_admin', 'board_member', 'coordinator'],
  'self-assessments.manage': ['strategy_lead', 'partnership_admin'],
  // Asking a neighbouring partnership whether it holds a child (issue 14 §3): who may share the child with
  // it — the case-work roles; the service and migration 0520 add the record's rule (lantern_may_manage_shares:
  // the owning agency's case workers, or the partnership-wide co-ordinator and triage worker).
  'linkage.ask': ['triage_worker', 'practitioner', 'coordinator'],
  // Retention schedules, legal holds and disposal runs (issue 16 §3): the partnership's administrators and
  // data protection officers; a run is approved by a second of them (migration 0600 says the same).
  'retention.manage': ['partnership_admin', 'dpo'],
  // Subject access requests (issue 16 §3): the register, the collection of what is held about the subject,
  // the redaction decisions and the release — the data protection officer only (migration 0640 says the same).
  'subject-access.manage': ['dpo'],
  // Data subjects' rights (issue 16 §3): rectification requests and their decisions, supplementary statements,
  // and restriction of processing placed and lifted — the data protection officer (migration 0645 says the same).
  'data-rights.manage': ['dpo'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export interface Principal {
  userId: string;
  roles: readonly Role[];
  /** An API token's scopes; a signed-in person has none (scopes narrow tokens only). */
  scopes?: readonly ApiScope[];
}

/**
 * What an API token may do, per resource family of /api/v1, read or write: a further limit on top of
 * its roles' permissions, chosen when the token is issued. A route of the API declares the scope it
 * needs (`config.scope`) as well as its permission.
 */
export const apiScopes = [
  'children:read',
  'children:write',
  'concerns:read',
  'concerns:write',
  'assessments:read',
  'assessments:write',
  'episodes:read',
  'episodes:write',
  'meetings:read',
  'meetings:write',
  'plans:read',
  'plans:write',
  'chronology:read',
  'flags:read',
  'flags:write',
  'notes:read',
  'notes:write',
  'referrals:read',
  'referrals:write',
  // Persons of concern, locations, objects and their links (issue 12): only for tokens with an intelligence role.
  'intelligence:read',
  'intelligence:write',
  // Disruptions and their outcomes (issue 12 §3): as intelligence, only for tokens with an intelligence role.
  'disruptions:read',
  'disruptions:write',
  // MACE meetings, their agendas, actions and decisions (issue 12 §4): only for tokens with an intelligence role.
  'mace:read',
  'mace:write',
  // The problem profile's figures (issue 13 §3): controlled for a board member's token, unsuppressed for an analyst's.
  'profile:read',
] as const;
export type ApiScope = (typeof apiScopes)[number];
export const isApiScope = (value: string): value is ApiScope => (apiScopes as readonly string[]).includes(value);

/** Whether the principal's scopes allow this (always, for a person: only tokens carry scopes). */
export function scopeAllows(principal: Principal | null, scope: ApiScope): boolean {
  if (!principal) return false;
  return principal.scopes === undefined || principal.scopes.includes(scope);
}

export function assertScope(principal: Principal | null, scope: ApiScope): void {
  if (!scopeAllows(principal, scope)) throw forbidden(`missing scope ${scope}`);
}

export function can(principal: Principal | null, permission: Permission): boolean {
  if (!principal) return false;
  const allowed: readonly Role[] = permissions[permission];
  return principal.roles.some((r) => allowed.includes(r));
}

/**
 * Who may write a graded intelligence report's original, unsanitised text (issue 12 §2): the analyst,
 * for their own agency (the police own it). No route is about it alone, so it is not a permission of the
 * table above; row-level security says the same and decides whose original each analyst reads (0301).
 */
export function canHoldOriginalText(principal: Principal | null): boolean {
  return !!principal && principal.roles.includes('analyst');
}

/**
 * Who may release a C report to the partnership's intelligence roles (issue 12 §2): the analyst of the
 * agency that submitted it, while it is unreleased. Row-level security says the same (migration 0350).
 */
export function canReleaseReport(
  principal: (Principal & { agencyId: string }) | null,
  report: { handling_code: string; released_to_partnership: boolean; submitting_agency_id: string },
): boolean {
  return (
    canHoldOriginalText(principal) && report.handling_code === 'C' && !report.released_to_partnership && principal!.agencyId === report.submitting_agency_id
  );
}

/**
 * Who may edit or remove a person of concern, a location or an object (issue 12): the intelligence roles
 * of the agency that owns it, while it is not removed. Row-level security says the same (migration 0460).
 */
export function canChangeIntelEntity(
  principal: (Principal & { agencyId: string }) | null,
  entity: { owning_agency_id: string | null; removed_at: Date | null },
): boolean {
  return can(principal, 'intelligence.write') && entity.removed_at === null && entity.owning_agency_id === principal!.agencyId;
}

/**
 * Who may merge two children or undo the merge (issue 14 §2): the partnership's co-ordinators. Both
 * records must be read by the actor first (a restricted record unseen is not found, never named).
 */
export function canMergeChildren(principal: Principal | null): boolean {
  return can(principal, 'children.merge');
}

/**
 * Who may merge two persons of concern or undo the merge (issue 14 §2): an intelligence co-ordinator or
 * analyst who may change both, i.e. of the agency that owns both, neither removed.
 */
export function canMergePersons(
  principal: (Principal & { agencyId: string }) | null,
  kept: { owning_agency_id: string | null; removed_at: Date | null },
  merged: { owning_agency_id: string | null; removed_at: Date | null },
): boolean {
  return canChangeIntelEntity(principal, kept) && canChangeIntelEntity(principal, merged);
}

export function assertCan(principal: Principal | null, permission: Permission): void {
  if (!can(principal, permission)) throw forbidden(`missing permission ${permission}`);
}

/** Roles whose work crosses agencies see every agency's records in their partnership. */
const partnershipWideRoles: readonly Role[] = ['triage_worker', 'coordinator', 'analyst'];

export function recordScope(roleList: readonly Role[]): 'partnership' | 'agency' {
  return roleList.some((r) => partnershipWideRoles.includes(r)) ? 'partnership' : 'agency';
}

/** Board members and councillors see aggregates only: no page that names a person. */
export function aggregatesOnly(roleList: readonly Role[]): boolean {
  return roleList.every((r) => r === 'board_member');
}

/**
 * Separation of duties: the highest roles are given or taken away only by a system administrator,
 * and nobody changes their own roles (src/features/admin/service.ts; the database refuses the same
 * in migration 0011).
 */
export const highRoles: readonly Role[] = ['dpo', 'system_admin'];
const highRoleGranters: readonly Role[] = ['system_admin'];

export const isHighRole = (role: Role): boolean => highRoles.includes(role);

/** The roles this person may give or take away, on an account or in a grant under a sharing agreement. */
export function grantableRoles(principal: Principal): Role[] {
  const mayGrantHigh = principal.roles.some((r) => highRoleGranters.includes(r));
  return roles.filter((r) => mayGrantHigh || !isHighRole(r));
}
