// A child's journey in order — concern → triage → assessment → meetings → plan → reviews → outcome —
// with the time between steps, so delay is visible at a glance.

import { daysBetween, londonDate } from '../../dates.ts';

export const timelineKinds = [
  'concern',
  'triage',
  'assessment',
  'missing',
  'meeting',
  'plan',
  'referral',
  'action_done',
  'review',
  'outcome',
  'reopened',
] as const;
export type TimelineKind = (typeof timelineKinds)[number];

export interface TimelineEvent {
  kind: TimelineKind;
  at: Date;
  label: string;
  detail: string | null;
}

export interface TimelineStep extends TimelineEvent {
  /** Whole days since the previous step (null for the first). */
  daysSincePrevious: number | null;
}

// Within a day the journey keeps its logical order (a meeting before the actions it agreed),
// whatever the clock time each record happens to carry.
const rank = new Map<TimelineKind, number>(timelineKinds.map((k, i) => [k, i]));

/** Steps in order, days counted by London's calendar (a step at 00:30 BST is on that day, not the one before). */
export function buildTimeline(events: readonly TimelineEvent[]): TimelineStep[] {
  const dated = events.map((e) => ({ event: e, day: londonDate(e.at) }));
  dated.sort(
    (a, b) =>
      (a.day < b.day ? -1 : a.day > b.day ? 1 : 0) ||
      (rank.get(a.event.kind) ?? 0) - (rank.get(b.event.kind) ?? 0) ||
      a.event.at.getTime() - b.event.at.getTime(),
  );
  return dated.map(({ event, day }, i) => {
    const previous = dated[i - 1];
    return { ...event, daysSincePrevious: previous ? daysBetween(previous.day, day) : null };
  });
}
