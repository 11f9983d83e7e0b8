import type { TestContext } from '../../../test/helpers/context.ts';
import { aChild } from '../../../test/helpers/factories.ts';
import { dateFields, signIn, type Agent } from '../../../test/helpers/http.ts';

/*
 * What the casework tests set up first: the two demo partnerships and their agencies, children of
 * the test file's own, and the Northmere demo accounts signed in.
 */

/** The demo partnerships' ids, and every agency's id as `n:kind` (Northmere) or `w:kind` (Westbrook). */
export async function demoAgencies(ctx: TestContext): Promise<{ northmere: string; westbrook: string; agencies: Record<string, string> }> {
  const partnerships = await ctx.ownerQuery<{ id: string; code: string }>(`SELECT id, code FROM partnerships`);
  const northmere = partnerships.find((p) => p.code === 'northmere')!.id;
  const westbrook = partnerships.find((p) => p.code === 'westbrook')!.id;
  const agencies: Record<string, string> = {};
  for (const a of await ctx.ownerQuery<{ id: string; partnership_id: string; kind: string }>(`SELECT id, partnership_id, kind FROM agencies`))
    agencies[`${a.partnership_id === northmere ? 'n' : 'w'}:${a.kind}`] = a.id;
  return { northmere, westbrook, agencies };
}

/** A test file's children, alike but for their reference and owner: the given name says which file made them. */
export const testChildren =
  (ctx: TestContext, givenName: string, dateOfBirth: string) =>
  (partnershipId: string, owningAgencyId: string, reference: string): Promise<string> =>
    aChild(ctx, {
      partnership_id: partnershipId,
      owning_agency_id: owningAgencyId,
      reference,
      given_name: givenName,
      family_name: 'Testchild',
      date_of_birth: dateOfBirth,
    });

/** Northmere demo accounts signed in, one after another, by key ('social-worker', 'school', …). */
export async function signedIn(ctx: TestContext, keys: readonly string[]): Promise<Record<string, Agent>> {
  const agents: Record<string, Agent> = {};
  for (const key of keys) agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
  return agents;
}

/**
 * The new missing-episode form as posted (`/children/:id/missing`): an absent episode begun on `startDate`
 * at 21:00, medium risk; `over` changes or adds fields (the date boxes, `episodeType`, `reportedBy` …).
 */
export const newEpisodeForm = (startDate: string, over: Record<string, string> = {}): Record<string, string> => ({
  episodeType: 'absent',
  ...dateFields('startDate', startDate),
  startTime: '21:00',
  reportedBy: 'Carer',
  riskLevel: 'medium',
  ...over,
});

/** A return interview as posted (`/children/:id/missing/:recordId/interview`): offered at 10:00 on `offeredDate`, by an independent interviewer of `interviewerAgencyId`, declined. */
export const returnInterviewForm = (offeredDate: string, interviewerAgencyId: string, over: Record<string, string> = {}): Record<string, string> => ({
  ...dateFields('offeredDate', offeredDate),
  offeredTime: '10:00',
  interviewerName: 'Sam Independent',
  interviewerAgencyId,
  independent: 'yes',
  outcome: 'declined',
  ...over,
});

/** A strategy meeting as posted (`/children/:id/meetings`), held on `heldOn` by `attendingAgencyIds`, medium risk; `over` changes fields. */
export const newMeetingForm = (
  heldOn: string,
  attendingAgencyIds: string[],
  over: Record<string, string | string[]> = {},
): Record<string, string | string[]> => ({
  meetingKind: 'meeting',
  ...dateFields('heldOn', heldOn),
  attendingAgencyIds,
  attendees: 'Social worker; detective constable',
  decisions: 'Disruption notice for the flat on Canal Street',
  riskLevel: 'medium',
  ...over,
});
