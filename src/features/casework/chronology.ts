// A child's whole chronology (issue 10): every event on the record, by date, with the agencies
// involved, so a reader can filter it by type and agency, print it or take it away as DOCX or PDF.
// Rows the reader may not see (row-level security) appear as "withheld" (date and type only),
// never silently dropped: lantern_chronology_withheld (migration 0172) says they exist.

import { sql } from 'kysely';
import type { TFunction } from 'i18next';
import { daysBetween, formatDate, formatDateTime, londonDate, startOfLondonDay } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import type { Language } from '../../i18n/i18n.ts';

export const chronologyKinds = [
  'concern',
  'triage',
  'assessment',
  'missing',
  'return_interview',
  'meeting',
  'plan_action',
  'action_done',
  'referral',
  'case_note',
  'share_made',
  'share_ended',
  'restriction',
  'break_glass',
  'flags',
  'closed',
  'reopened',
] as const;
export type ChronologyKind = (typeof chronologyKinds)[number];

export interface ChronologyEvent {
  kind: ChronologyKind;
  at: Date;
  /** The record holds a day, not a time (a meeting's date, an assessment's date). */
  dayOnly: boolean;
  /** Every agency the event involves (raised it, acted, attended, received): what the agency filter matches. */
  agencyIds: string[];
  summary: string;
  /** Free text recorded with the event (a case note, a meeting's decisions), or null. */
  detail: string | null;
  /** Who recorded or did it, when the record says. */
  who: string | null;
  /** A row the reader may not see: only its kind and date are known. */
  withheld: boolean;
}

export interface ChronologyFilters {
  types: ChronologyKind[];
  agency: string | undefined;
}

/** One row as pages and documents show it: every value already text. */
export interface ChronologyEntry {
  kind: ChronologyKind;
  when: string;
  type: string;
  agencies: string;
  summary: string;
  detail: string;
  who: string;
  withheld: boolean;
  /** Whole days since the entry before (null for the first): delay is visible at a glance. */
  daysSincePrevious: number | null;
}

interface SourceContext {
  tx: Tx;
  childId: string;
  /** The text's language: `t` and the dates inside phrases (a document is made in the language chosen at download). */
  t: TFunction;
  language: Language;
}

type ChronologySource = (c: SourceContext) => Promise<{ events: ChronologyEvent[]; visibleIds: string[] }>;

const event = (kind: ChronologyKind, at: Date, over: Partial<ChronologyEvent> = {}): ChronologyEvent => ({
  kind,
  at,
  dayOnly: false,
  agencyIds: [],
  summary: '',
  detail: null,
  who: null,
  withheld: false,
  ...over,
});

/**
 * A phrase with its values filled in. t(key) without options is remembered (src/i18n/i18n.ts), while a
 * call with options costs 13–30 µs (docs/PERFORMANCE.md, "Rendering"): with hundreds of events that was
 * most of the page's time, so the chronology fills its own {{placeholders}}.
 */
function phrase(t: TFunction, key: string, values: Record<string, string | number> = {}): string {
  return t(key).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** A code's label (a risk level, an outcome), or the code itself when there is no label for it. */
function label(t: TFunction, prefix: string, code: string | null): string {
  if (!code) return '';
  const key = `${prefix}.${code}`;
  const text = t(key);
  return text === key ? code : text;
}

const ids = (...values: (string | null | undefined)[]) => values.filter((v): v is string => !!v);
/** A risk level in the one vocabulary (issue 10 §1): 'High risk'. */
const risk = (t: TFunction, level: string | null) => label(t, 'children.risk', level);
const joined = (...parts: string[]) => parts.filter(Boolean).join('. ');

/** Concerns and their triage decisions: row-level security shows an agency only its own, the rest are withheld. */
const concerns: ChronologySource = async ({ tx, childId, t }) => {
  const rows = await tx
    .selectFrom('concerns')
    .select(['id', 'reference', 'source', 'received_at', 'raised_by_agency_id', 'acting_agency_id', 'decided_at', 'decision', 'risk_level', 'decision_notes'])
    .where('child_id', '=', childId)
    .execute();
  const events = rows.flatMap((r) => [
    event('concern', r.received_at, {
      agencyIds: ids(r.raised_by_agency_id),
      summary: phrase(t, 'casework.chronology.summaries.concern', { reference: r.reference, source: label(t, 'children.sources', r.source) }),
    }),
    ...(r.decided_at
      ? [
          event('triage', r.decided_at, {
            agencyIds: ids(r.acting_agency_id),
            summary: joined(label(t, 'casework.chronology.decisions', r.decision), risk(t, r.risk_level)),
            detail: r.decision_notes,
          }),
        ]
      : []),
  ]);
  return { events, visibleIds: rows.map((r) => r.id) };
};

const assessments: ChronologySource = async ({ tx, childId, t }) => {
  const rows = await tx
    .selectFrom('risk_assessments')
    .select(['assessed_on', 'tool_key', 'score_total', 'judgement_level', 'assessor_name', 'assessor_agency_id'])
    .where('child_id', '=', childId)
    .execute();
  return {
    events: rows.map((a) =>
      event('assessment', startOfLondonDay(a.assessed_on), {
        dayOnly: true,
        agencyIds: [a.assessor_agency_id],
        who: a.assessor_name,
        summary: phrase(t, 'casework.chronology.summaries.assessment', { judgement: risk(t, a.judgement_level), points: a.score_total, tool: a.tool_key }),
      }),
    ),
    visibleIds: [],
  };
};

/** Missing and absent episodes (with the agency of whoever recorded them) and their return interviews. */
const episodes: ChronologySource = async ({ tx, childId, t, language }) => {
  const rows = await tx
    .selectFrom('missing_episodes as e')
    .leftJoin('users as u', 'u.id', 'e.recorded_by')
    .select(['e.episode_type', 'e.started_at', 'e.ended_at', 'e.ended_by', 'e.where_found', 'e.risk_level', 'e.reported_by', 'u.agency_id'])
    .where('e.child_id', '=', childId)
    .execute();
  const interviews = await tx
    .selectFrom('return_interviews')
    .select(['offered_at', 'outcome', 'interviewer_name', 'interviewer_agency_id', 'independent_of_placement', 'learned'])
    .where('child_id', '=', childId)
    .execute();
  const events = rows.map((e) =>
    event('missing', e.started_at, {
      agencyIds: ids(e.agency_id),
      who: e.reported_by,
      summary: joined(
        label(t, 'casework.episodeTypes', e.episode_type),
        e.ended_at && e.ended_by === 'returned'
          ? phrase(t, 'casework.chronology.returned', { at: formatDateTime(e.ended_at, language) })
          : e.ended_at
            ? phrase(t, 'casework.chronology.typeChanged', { at: formatDateTime(e.ended_at, language) })
            : t('casework.chronology.stillMissing'),
        // The police grading of the episode, not the child's level (docs/DECISIONS.md 23).
        phrase(t, 'casework.chronology.episodeRisk', { level: label(t, 'casework.riskLevels', e.risk_level) }),
      ),
      detail: e.where_found ? phrase(t, 'casework.chronology.whereFound', { place: e.where_found }) : null,
    }),
  );
  for (const i of interviews) {
    events.push(
      event('return_interview', i.offered_at, {
        agencyIds: [i.interviewer_agency_id],
        who: i.interviewer_name,
        summary: joined(
          phrase(t, 'casework.chronology.summaries.returnInterview', { outcome: label(t, 'casework.interviewOutcomes', i.outcome) }),
          i.independent_of_placement ? t('casework.chronology.independent') : '',
        ),
        detail: i.learned,
      }),
    );
  }
  return { events, visibleIds: [] };
};

const meetingsAndPlan: ChronologySource = async ({ tx, childId, t, language }) => {
  const meetings = await tx
    .selectFrom('strategy_meetings')
    .select(['held_on', 'meeting_kind', 'attending_agency_ids', 'risk_level', 'decisions'])
    .where('child_id', '=', childId)
    .execute();
  const actions = await tx
    .selectFrom('plan_actions')
    .select(['created_at', 'description', 'owner_name', 'agency_id', 'due_on', 'done_at'])
    .where('child_id', '=', childId)
    .execute();
  const events = meetings.map((m) =>
    event('meeting', startOfLondonDay(m.held_on), {
      dayOnly: true,
      agencyIds: m.attending_agency_ids,
      summary: joined(label(t, 'casework.meetingKinds', m.meeting_kind), risk(t, m.risk_level)),
      detail: m.decisions,
    }),
  );
  for (const a of actions) {
    events.push(
      event('plan_action', a.created_at, {
        agencyIds: [a.agency_id],
        who: a.owner_name,
        summary: a.description,
        detail: phrase(t, 'casework.chronology.due', { on: formatDate(a.due_on, language) }),
      }),
    );
    if (a.done_at) events.push(event('action_done', a.done_at, { agencyIds: [a.agency_id], who: a.owner_name, summary: a.description }));
  }
  return { events, visibleIds: [] };
};

const referrals: ChronologySource = async ({ tx, childId, t }) => {
  const rows = await tx
    .selectFrom('service_referrals as r')
    .innerJoin('directory_services as s', 's.id', 'r.service_id')
    .select(['r.referred_on', 's.name', 'r.status', 'r.referred_by_name', 'r.referred_by_agency_id', 'r.outcome_note'])
    .where('r.child_id', '=', childId)
    .execute();
  return {
    events: rows.map((r) =>
      event('referral', startOfLondonDay(r.referred_on), {
        dayOnly: true,
        agencyIds: [r.referred_by_agency_id],
        who: r.referred_by_name,
        summary: joined(r.name, label(t, 'casework.referrals.statuses', r.status)),
        detail: r.outcome_note || null,
      }),
    ),
    visibleIds: [],
  };
};

const caseNotes: ChronologySource = async ({ tx, childId }) => {
  const rows = await tx
    .selectFrom('case_notes as n')
    .leftJoin('users as u', 'u.id', 'n.author_user_id')
    .select(['n.created_at', 'n.body', 'n.author_name', 'u.agency_id'])
    .where('n.child_id', '=', childId)
    .execute();
  return {
    events: rows.map((n) => event('case_note', n.created_at, { agencyIds: ids(n.agency_id), who: n.author_name, summary: n.body })),
    visibleIds: [],
  };
};

/** What a share of either kind (`s`) says: its basis, when it was made and stopped, and by whom (`by`, `stop`). */
const shareColumns = [
  's.lawful_basis',
  's.created_at',
  's.revoked_at',
  's.revoked_reason',
  'by.display_name as shared_by_name',
  'by.agency_id as shared_by_agency',
  'stop.display_name as revoked_by_name',
  'stop.agency_id as revoked_by_agency',
] as const;

/** Sharing decisions: the record shared with an agency or a neighbouring partnership, and each share stopped. */
const shares: ChronologySource = async ({ tx, childId, t }) => {
  const agencyShares = await tx
    .selectFrom('record_shares as s')
    .innerJoin('agencies as a', 'a.id', 's.agency_id')
    .leftJoin('users as by', 'by.id', 's.shared_by')
    .leftJoin('users as stop', 'stop.id', 's.revoked_by')
    .select(['s.agency_id', 'a.name', ...shareColumns])
    .where('s.record_type', '=', 'child')
    .where('s.record_id', '=', childId)
    .execute();
  const partnershipShares = await tx
    .selectFrom('child_partnership_shares as s')
    .innerJoin('partnerships as p', 'p.id', 's.recipient_partnership_id')
    .leftJoin('users as by', 'by.id', 's.shared_by')
    .leftJoin('users as stop', 'stop.id', 's.revoked_by')
    .select(['p.name', ...shareColumns])
    .where('s.child_id', '=', childId)
    .execute();
  const events: ChronologyEvent[] = [];
  const allShares: ((typeof partnershipShares)[number] & { agency_id: string | null })[] = [
    ...agencyShares,
    ...partnershipShares.map((s) => ({ ...s, agency_id: null })),
  ];
  for (const s of allShares) {
    events.push(
      event('share_made', s.created_at, {
        agencyIds: ids(s.agency_id, s.shared_by_agency),
        who: s.shared_by_name,
        summary: phrase(t, 'casework.chronology.summaries.shareMade', { recipient: s.name }),
        detail: phrase(t, 'casework.chronology.lawfulBasis', { basis: s.lawful_basis }),
      }),
    );
    if (s.revoked_at)
      events.push(
        event('share_ended', s.revoked_at, {
          agencyIds: ids(s.agency_id, s.revoked_by_agency),
          who: s.revoked_by_name,
          summary: phrase(t, 'casework.chronology.summaries.shareEnded', { recipient: s.name }),
          detail: s.revoked_reason,
        }),
      );
  }
  return { events, visibleIds: [] };
};

/** Fields of the child's record whose change the chronology shows (the audit row names the fields changed). */
const flagFields = [
  'looked_after',
  'child_protection_plan',
  'child_in_need',
  'youth_justice',
  'send',
  'education_status',
  'flag_cse',
  'flag_cce',
  'flag_trafficking',
] as const;

/**
 * Restrictions placed and lifted, flag changes and break-glass. A restriction is placed, and flags
 * change, by editing the record: the audit row of that edit names the fields changed (not their
 * values). Lifting has its own table, which only the data protection officer reads.
 */
const recordChanges: ChronologySource = async ({ tx, childId, t, language }) => {
  const edits = await tx
    .selectFrom('audit_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_user_id')
    .select(['e.occurred_at', 'e.details', 'e.actor_label', 'u.display_name', 'u.agency_id'])
    .where('e.record_type', '=', 'child')
    .where('e.record_id', '=', childId)
    .where('e.action', '=', 'record.update')
    .where(sql<boolean>`e.details -> 'changed' ?| ${sql.val([...flagFields, 'restricted'])}::text[]`)
    .execute();
  const events: ChronologyEvent[] = [];
  for (const e of edits) {
    const changed = ((e.details as { changed?: unknown }).changed ?? []) as string[];
    const who = e.display_name ?? e.actor_label;
    if (changed.includes('restricted'))
      events.push(event('restriction', e.occurred_at, { agencyIds: ids(e.agency_id), who, summary: t('casework.chronology.summaries.restrictionPlaced') }));
    const flags = flagFields.filter((f) => changed.includes(f));
    if (flags.length > 0)
      events.push(
        event('flags', e.occurred_at, {
          agencyIds: ids(e.agency_id),
          who,
          summary: phrase(t, 'casework.chronology.summaries.flags', { fields: flags.map((f) => t(`casework.chronology.fields.${f}`)).join(', ') }),
        }),
      );
  }
  const lifted = await tx
    .selectFrom('restriction_changes as r')
    .leftJoin('users as u', 'u.id', 'r.changed_by')
    .select(['r.id', 'r.changed_at', 'r.reason', 'u.display_name', 'u.agency_id'])
    .where('r.child_id', '=', childId)
    .execute();
  for (const r of lifted)
    events.push(
      event('restriction', r.changed_at, {
        agencyIds: ids(r.agency_id),
        who: r.display_name,
        summary: t('casework.chronology.summaries.restrictionLifted'),
        detail: r.reason,
      }),
    );
  const grants = await tx
    .selectFrom('break_glass_grants as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['g.granted_at', 'g.expires_at', 'g.reason', 'u.display_name', 'u.agency_id'])
    .where('g.child_id', '=', childId)
    .execute();
  for (const g of grants)
    events.push(
      event('break_glass', g.granted_at, {
        agencyIds: ids(g.agency_id),
        who: g.display_name,
        summary: phrase(t, 'casework.chronology.summaries.breakGlass', { until: formatDateTime(g.expires_at, language) }),
        detail: g.reason,
      }),
    );
  return { events, visibleIds: lifted.map((r) => r.id) };
};

const statusChanges: ChronologySource = async ({ tx, childId, t }) => {
  const rows = await tx
    .selectFrom('child_status_events as s')
    .leftJoin('users as u', 'u.id', 's.recorded_by')
    .select(['s.event', 's.outcome', 's.reason', 's.recorded_at', 'u.display_name', 'u.agency_id'])
    .where('s.child_id', '=', childId)
    .execute();
  return {
    events: rows.map((r) =>
      event(r.event === 'closed' ? 'closed' : 'reopened', r.recorded_at, {
        agencyIds: ids(r.agency_id),
        who: r.display_name,
        summary: r.outcome ? label(t, 'casework.chronology.outcomes', r.outcome) : '',
        detail: r.reason,
      }),
    ),
    visibleIds: [],
  };
};

/** Each source adds the events it knows about; a feature with new records on a child adds one here. */
export const chronologySources: ChronologySource[] = [
  concerns,
  assessments,
  episodes,
  meetingsAndPlan,
  referrals,
  caseNotes,
  shares,
  recordChanges,
  statusChanges,
];

/**
 * Every event on the child the reader may see, and a withheld entry for each row on it they may not.
 * Its text is in `t`'s language, and so are the dates in it (`language`, the same one).
 */
export async function readChronology(tx: Tx, childId: string, t: TFunction, language: Language = 'en'): Promise<ChronologyEvent[]> {
  const events: ChronologyEvent[] = [];
  const visibleIds: string[] = [];
  for (const source of chronologySources) {
    const read = await source({ tx, childId, t, language });
    events.push(...read.events);
    visibleIds.push(...read.visibleIds);
  }
  const withheld = await sql<{ kind: ChronologyKind; occurred_at: Date }>`
    SELECT kind, occurred_at FROM lantern_chronology_withheld(${childId}::uuid, ${sql.val(visibleIds)}::uuid[])`.execute(tx);
  for (const w of withheld.rows) events.push(event(w.kind, new Date(w.occurred_at), { withheld: true, summary: t('casework.chronology.withheld') }));
  return events;
}

/**
 * The events chosen by the filters. A withheld entry's agencies are unknown (saying them would
 * disclose them), so it is left out only when an agency is chosen, which the page says.
 */
export function filterChronology(events: readonly ChronologyEvent[], filters: ChronologyFilters): ChronologyEvent[] {
  const types = new Set(filters.types);
  return events.filter(
    (e) => (types.size === 0 || types.has(e.kind)) && (filters.agency === undefined || (!e.withheld && e.agencyIds.includes(filters.agency))),
  );
}

// Within a day the chronology keeps its logical order (a meeting before the actions it agreed),
// whatever the clock time each record happens to carry.
const rank = new Map<ChronologyKind, number>(chronologyKinds.map((k, i) => [k, i]));

/** Events in time order, days counted by London's calendar (an event at 00:30 BST is on that day, not the one before). */
export function orderChronology<E extends Pick<ChronologyEvent, 'kind' | 'at'>>(
  events: readonly E[],
): { event: E; day: string; daysSincePrevious: number | null }[] {
  const dated = events.map((e) => ({ event: e, day: londonDate(e.at) }));
  dated.sort(
    (a, b) =>
      (a.day < b.day ? -1 : a.day > b.day ? 1 : 0) ||
      (rank.get(a.event.kind) ?? 0) - (rank.get(b.event.kind) ?? 0) ||
      a.event.at.getTime() - b.event.at.getTime(),
  );
  return dated.map(({ event: e, day }, i) => {
    const previous = dated[i - 1];
    return { event: e, day, daysSincePrevious: previous ? daysBetween(previous.day, day) : null };
  });
}

/** The entries as text, in order, for the page and both documents: in `t`'s language, dates too (`language`). */
export function presentChronology(
  events: readonly ChronologyEvent[],
  agencyNames: ReadonlyMap<string, string>,
  t: TFunction,
  language: Language = 'en',
): ChronologyEntry[] {
  return orderChronology(events).map(({ event: e, daysSincePrevious }) => ({
    kind: e.kind,
    when: e.dayOnly ? formatDate(e.at, language) : formatDateTime(e.at, language),
    type: t(`casework.chronology.kinds.${e.kind}`),
    agencies: e.agencyIds
      .map((id) => agencyNames.get(id) ?? '')
      .filter(Boolean)
      .join(', '),
    summary: e.summary,
    detail: e.detail ?? '',
    who: e.who ?? '',
    withheld: e.withheld,
    daysSincePrevious,
  }));
}
