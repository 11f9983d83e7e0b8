// Missing episodes as the 2014 statutory guidance separates them: 'missing' (whereabouts unknown)
// and 'absent' (away from placement without authorisation, whereabouts known). Every episode
// counts however short, and a change of type ends one episode and opens the next. Pure functions:
// the service persists what they return.

import { addHours } from '../../dates.ts';

export const episodeTypes = ['missing', 'absent'] as const;
export type EpisodeType = (typeof episodeTypes)[number];

/** The risk graded for one missing episode (the police missing-person grading): not the child's risk level. */
export const riskLevels = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof riskLevels)[number];

/** A return home interview must be offered within 72 hours of the child's return. */
export const RETURN_INTERVIEW_HOURS = 72;

export interface EpisodeState {
  type: EpisodeType;
  startedAt: Date;
  endedAt: Date | null;
  endedBy: 'returned' | 'type_changed' | null;
}

export type EpisodeChange = { ok: true; closed: EpisodeState; opened: EpisodeState } | { ok: false; reason: 'already_ended' | 'same_type' | 'before_start' };

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
  return addHours(returnedAt, RETURN_INTERVIEW_HOURS);
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

/** What a correction of an episode's times must respect besides the times themselves. */
export interface EpisodeFacts {
  state: EpisodeState;
  /** The episode was opened by a change of type: its start is the moment of that change. */
  followsTypeChange: boolean;
  /** When the return interview was offered, if one is recorded. */
  interviewOfferedAt: Date | null;
}

export type EpisodeCorrection =
  | { ok: true; startedAt: Date; endedAt: Date | null; endedBy: EpisodeState['endedBy'] }
  | {
      ok: false;
      field: 'startDate' | 'endDate';
      reason: 'start_required' | 'end_required' | 'in_future' | 'end_before_start' | 'start_after_end' | 'after_interview';
    };

/**
 * Which times a correction may move. The moment of a change of type ends one episode and starts
 * the next, so it belongs to both and stays put; the type itself changes only by a change of type.
 */
export function editableTimes(facts: Pick<EpisodeFacts, 'state' | 'followsTypeChange'>): { start: boolean; end: boolean } {
  return { start: !facts.followsTypeChange, end: facts.state.endedBy !== 'type_changed' };
}

/**
 * Corrects the start and the return time of an episode. A time that may not move keeps its stored
 * value whatever was asked. A recorded return cannot be taken away (the interview clock runs from it);
 * an open episode given a return time ends as returned. Nothing may be in the future as of `now`.
 */
export function correctEpisodeTimes(facts: EpisodeFacts, asked: { startedAt: Date | null; endedAt: Date | null }, now: Date): EpisodeCorrection {
  const editable = editableTimes(facts);
  const startedAt = editable.start ? asked.startedAt : facts.state.startedAt;
  const endedAt = editable.end ? asked.endedAt : facts.state.endedAt;
  const fail = (field: 'startDate' | 'endDate', reason: Extract<EpisodeCorrection, { ok: false }>['reason']) => ({ ok: false as const, field, reason });
  if (!startedAt) return fail('startDate', 'start_required');
  if (facts.state.endedBy === 'returned' && !endedAt) return fail('endDate', 'end_required');
  // Only a time being corrected is held to the clock: a fixed one is not the worker's to change here.
  if (editable.start && startedAt.getTime() > now.getTime()) return fail('startDate', 'in_future');
  if (editable.end && endedAt && endedAt.getTime() > now.getTime()) return fail('endDate', 'in_future');
  if (endedAt && endedAt.getTime() < startedAt.getTime()) return editable.end ? fail('endDate', 'end_before_start') : fail('startDate', 'start_after_end');
  if (endedAt && facts.interviewOfferedAt && facts.interviewOfferedAt.getTime() < endedAt.getTime()) return fail('endDate', 'after_interview');
  return {
    ok: true,
    startedAt: new Date(startedAt),
    endedAt: endedAt ? new Date(endedAt) : null,
    endedBy: endedAt ? (facts.state.endedBy ?? 'returned') : null,
  };
}
