// Who gets controlled figures (issue 13 §2): board members, councillors and every published document
// get only controlled figures; the roles that may read the problem profile unsuppressed (analyst,
// strategy lead, co-ordinator) keep the raw figures on screen, marked "Not for publication".
// Features call `disclosureFor` once in their service and pass every count through `count`/`rate`.
import type { SessionUser } from '../../auth/service.ts';
import { can } from '../../authz/policy.ts';
import type { Tx } from '../../db/context.ts';
import { controlCount, controlRate } from './figures.ts';
import { dfeConvention, type DisclosureSettings } from './table.ts';

export interface Disclosure {
  /** True when figures are controlled (the symbol stands for withheld counts). */
  controlled: boolean;
  /** True when raw figures are shown on screen to a role that may see them: "Not for publication". */
  notForPublication: boolean;
  threshold: number;
  symbol: string;
}

/** The disclosure for a reader: `publication` (a downloaded document) is always controlled. */
export function disclosureFor(user: SessionUser | null, settings: DisclosureSettings = dfeConvention, publication = false): Disclosure {
  const raw = !publication && user !== null && can(user, 'profile.read_unsuppressed');
  return { controlled: !raw, notForPublication: raw, threshold: settings.threshold, symbol: settings.symbol };
}

/** The same, with the acting partnership's settings read in the caller's transaction (as DisclosureSettingsService.settings). */
export async function disclosureIn(tx: Tx, user: SessionUser, publication = false): Promise<Disclosure> {
  const settings = await tx
    .selectFrom('partnerships')
    .select(['disclosure_threshold as threshold', 'disclosure_symbol as symbol'])
    .where('id', '=', user.partnershipId)
    .executeTakeFirst();
  return disclosureFor(user, settings ?? dfeConvention, publication);
}

/** Raw figures, for code paths that publish nothing (and for tests). */
export const uncontrolled: Disclosure = { controlled: false, notForPublication: false, ...dfeConvention };

/** A count as this reader may see it. */
export function count(d: Disclosure, value: number): number | string {
  return d.controlled ? controlCount(value, d) : value;
}

/** Whether a figure as shown is withheld. */
export function withheld(d: Disclosure, value: unknown): boolean {
  return d.controlled && value === d.symbol;
}

/**
 * A figure worked out from a numerator and denominator (a percentage, a median over n people):
 * the figure itself, or the symbol when either count is withheld for this reader.
 */
export function rateShown<T>(d: Disclosure, numerator: number, denominator: number, figure: T): T | string {
  if (!d.controlled) return figure;
  const r = controlRate(numerator, denominator, d);
  return r.suppressed ? d.symbol : figure;
}
