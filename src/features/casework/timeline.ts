// A child's journey in order — concern → triage → assessment → meetings → plan → reviews → outcome —
// with the time between steps, so delay is visible at a glance.

export const timelineKinds = ['concern', 'triage', 'assessment', 'missing', 'meeting', 'plan', 'referral', 'action_done', 'review', 'outcome', 'reopened'] as const;
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

const DAY_MS = 86_400_000;
// Within a day the journey keeps its logical order (a meeting before the actions it agreed),
// whatever the clock time each record happens to carry.
const rank = new Map<TimelineKind, number>(timelineKinds.map((k, i) => [k, i]));
const dayOf = (at: Date) => Math.floor(at.getTime() / DAY_MS);

export function buildTimeline(events: readonly TimelineEvent[]): TimelineStep[] {
  const sorted = [...events].sort((a, b) =>
    dayOf(a.at) - dayOf(b.at) || (rank.get(a.kind) ?? 0) - (rank.get(b.kind) ?? 0) || a.at.getTime() - b.at.getTime());
  return sorted.map((e, i) => {
    const previous = sorted[i - 1];
    return { ...e, daysSincePrevious: previous ? dayOf(e.at) - dayOf(previous.at) : null };
  });
}
