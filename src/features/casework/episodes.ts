// Missing episodes as the 2014 statutory guidance separates them: 'missing' (whereabouts unknown)
// and 'absent' (away from placement without authorisation, whereabouts known). Every episode
// counts however short, and a change of type ends one episode and opens the next. Pure functions:
// the service persists what they return.

export const episodeTypes = ['missing', 'absent'] as const;
export type EpisodeType = (typeof episodeTypes)[number];

export const riskLevels = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof riskLevels)[number];

/** A return home interview must be offered within 72 hours of the child's return. */
export const RETURN_INTERVIEW_HOURS = 72;
const HOUR_MS = 3_600_000;

export interface EpisodeState {
  type: EpisodeType;
  startedAt: Date;
  endedAt: Date | null;
  endedBy: 'returned' | 'type_changed' | null;
}

export type EpisodeChange =
  | { ok: true; closed: EpisodeState; opened: EpisodeState }
  | { ok: false; reason: 'already_ended' | 'same_type' | 'before_start' };

/** Changing type at `at`: the open episode ends there and one of the new type starts there. */
export function changeEpisodeType(current: EpisodeState, newType: EpisodeType, at: Date): EpisodeChange {
  if (current.endedAt !== null) return { ok: false, reason: 'already_ended' };
  if (current.type === newType) return { ok: false, reason: 'same_type' };
  if (at.getTime() < current.startedAt.getTime()) return { ok: false, reason: 'before_start' };
  return {
    ok: true,
    closed: { ...current, endedAt: new Date(at), endedBy: 'type_changed' },
    opened: { type: newType, startedAt: new Date(at), endedAt: null, endedBy: null },
  };
}

export type EpisodeEnd = { ok: true; ended: EpisodeState } | { ok: false; reason: 'already_ended' | 'before_start' };

/** The child is back: the episode ends and a return interview falls due. */
export function endEpisode(current: EpisodeState, at: Date): EpisodeEnd {
  if (current.endedAt !== null) return { ok: false, reason: 'already_ended' };
  if (at.getTime() < current.startedAt.getTime()) return { ok: false, reason: 'before_start' };
  return { ok: true, ended: { ...current, endedAt: new Date(at), endedBy: 'returned' } };
}

/** When the return interview must have been offered by. */
export function returnInterviewDue(returnedAt: Date): Date {
  return new Date(returnedAt.getTime() + RETURN_INTERVIEW_HOURS * HOUR_MS);
}

/** Whether an interview offered at `offeredAt` (or not yet, null) is late as of `now`. */
export function returnInterviewOverdue(returnedAt: Date, offeredAt: Date | null, now: Date): boolean {
  const due = returnInterviewDue(returnedAt).getTime();
  return offeredAt === null ? now.getTime() > due : offeredAt.getTime() > due;
}

/** Length of an episode in minutes (to `now` while it is open). */
export function episodeMinutes(episode: Pick<EpisodeState, 'startedAt' | 'endedAt'>, now: Date): number {
  const end = episode.endedAt ?? now;
  return Math.max(0, Math.round((end.getTime() - episode.startedAt.getTime()) / 60_000));
}
