import crypto from 'node:crypto';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB } from '../../src/db/types.generated.ts';
import type { TestContext } from './context.ts';

/**
 * Test data factories: synthetic rows inserted as the database owner (outside row-level security, as
 * set-up is), each with defaults for the columns a test is not about, so a test names only what it
 * checks. Each returns the new row's id; `.many` inserts several rows in one statement and returns
 * their ids in order. A test that is about an INSERT itself (a refusal, a trigger) writes it out.
 */
type Owner = Pick<TestContext, 'handle'>;
type Row<T extends keyof DB> = Insertable<DB[T]>;
/** The columns a factory cannot choose for the test (which partnership, which child, …), then any others. */
type Values<T extends keyof DB, K extends keyof Row<T>> = Pick<Row<T>, K> & Partial<Row<T>>;

/** A reference no other row has: references are unique. */
export const uniqueReference = (prefix: string) => `${prefix}-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;

async function insertRows(owner: Owner, table: keyof DB, rows: object[]): Promise<string[]> {
  // The table is chosen at run time, so the row's type is checked by each factory's signature instead.
  const db = owner.handle.owner as unknown as Kysely<Record<string, { id: string }>>;
  const inserted = await db
    .insertInto(table)
    .values(rows as never)
    .returning('id')
    .execute();
  return inserted.map((r) => String(r.id));
}

function factory<T extends keyof DB, K extends keyof Row<T>>(table: T, defaults: (values: Values<T, K>) => Partial<Row<T>>) {
  const make = async (owner: Owner, values: Values<T, K>): Promise<string> => (await insertRows(owner, table, [{ ...defaults(values), ...values }]))[0]!;
  return Object.assign(make, {
    many: (owner: Owner, rows: Values<T, K>[]) =>
      insertRows(
        owner,
        table,
        rows.map((values) => ({ ...defaults(values), ...values })),
      ),
  });
}

// ---- Demo data the factories hang rows on -------------------------------------------------------------

/** A demo partnership's id, by code ('northmere', 'westbrook'). */
export async function demoPartnership(owner: Owner, code: string): Promise<string> {
  return (await owner.handle.owner.selectFrom('partnerships').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
}

/** A demo partnership's agency of a kind ('childrens_services', 'police', 'education', …): its id and partnership. */
export async function demoAgency(owner: Owner, partnershipCode: string, kind: string): Promise<{ id: string; partnership_id: string }> {
  return owner.handle.owner
    .selectFrom('agencies')
    .innerJoin('partnerships', 'partnerships.id', 'agencies.partnership_id')
    .select(['agencies.id', 'agencies.partnership_id'])
    .where('partnerships.code', '=', partnershipCode)
    .where('agencies.kind', '=', kind)
    .executeTakeFirstOrThrow();
}

// ---- Children and their records ------------------------------------------------------------------------

export const aChild = factory<'children', 'partnership_id' | 'owning_agency_id'>('children', () => ({
  reference: uniqueReference('TC'),
  given_name: 'Test',
  family_name: 'Child',
  date_of_birth: '2011-04-01',
}));

export const aConcern = factory<'concerns', 'partnership_id'>('concerns', (v) => {
  const received = new Date(v.received_at ?? '2026-10-01T09:00:00Z');
  return {
    reference: uniqueReference('TCN'),
    source: 'public',
    received_at: received,
    deadline_at: new Date(received.getTime() + 24 * 3_600_000),
    what_happened: 'A synthetic concern for a test',
  };
});

export const aChildInvolvement = factory<'child_involvements', 'partnership_id' | 'child_id' | 'agency_id'>('child_involvements', () => ({}));

export const aRecordShare = factory<'record_shares', 'partnership_id' | 'record_id' | 'agency_id'>('record_shares', () => ({
  record_type: 'child',
  lawful_basis: 'UK GDPR 6(1)(e) and 9(2)(g)',
}));

/** An assessment with the partnership's first tool unless one is named; the judgement is the score's category unless given. */
export async function aRiskAssessment(
  owner: Owner,
  values: Values<'risk_assessments', 'partnership_id' | 'child_id' | 'assessor_agency_id' | 'judgement_level'>,
): Promise<string> {
  const tool = await owner.handle.owner
    .selectFrom('risk_tools')
    .select(['id', 'tool_key', 'version'])
    .where('partnership_id', '=', values.partnership_id)
    .$if(!!values.risk_tool_id, (q) => q.where('id', '=', values.risk_tool_id!))
    .orderBy('tool_key')
    .orderBy('version')
    .executeTakeFirstOrThrow();
  const level = values.judgement_level;
  return (
    await insertRows(owner, 'risk_assessments', [
      {
        risk_tool_id: tool.id,
        tool_key: tool.tool_key,
        tool_version: tool.version,
        assessed_on: '2026-09-01',
        assessor_name: 'Test Assessor',
        known_to_social_care: false,
        in_care: false,
        child_protection_plan: false,
        youth_justice: false,
        answers: '{}',
        score_total: 0,
        score_category: level,
        score_category_label: level,
        score_level: level,
        score_explanation: '{}',
        judgement_reasons: 'A synthetic judgement for a test',
        review_due_on: '2027-03-01',
        ...values,
      } satisfies Row<'risk_assessments'>,
    ])
  )[0]!;
}

/** An open flag (migration 0130) unless an end is given; ended_at follows ended_on. */
export const aChildFlag = factory<'child_flags', 'partnership_id' | 'child_id' | 'kind' | 'started_on'>('child_flags', (v) => ({
  source: 'Test source',
  ...(v.ended_on ? { ended_at: new Date('2026-10-01T09:00:00Z') } : {}),
}));

/** A locality of a partnership (migration 0130). */
export const aLocality = factory<'localities', 'partnership_id' | 'name'>('localities', () => ({}));

export const aMissingEpisode = factory<'missing_episodes', 'partnership_id' | 'child_id' | 'started_at'>('missing_episodes', () => ({
  episode_type: 'missing',
  reported_by: 'Carer',
  risk_level: 'medium',
}));

export const aReturnInterview = factory<'return_interviews', 'partnership_id' | 'child_id' | 'episode_id' | 'interviewer_agency_id' | 'offered_at'>(
  'return_interviews',
  () => ({ interviewer_name: 'Test Interviewer', independent_of_placement: true, outcome: 'accepted' }),
);

export const aStrategyMeeting = factory<'strategy_meetings', 'partnership_id' | 'child_id' | 'held_on'>('strategy_meetings', () => ({
  meeting_kind: 'meeting',
  attendees: 'Test attendees',
  decisions: 'Test decisions',
  risk_level: 'medium',
}));

export const aPlanAction = factory<'plan_actions', 'partnership_id' | 'child_id' | 'agency_id' | 'due_on'>('plan_actions', () => ({
  description: 'A synthetic action',
  owner_name: 'Test Owner',
}));

export const aChildPartnershipShare = factory<'child_partnership_shares', 'partnership_id' | 'child_id' | 'agreement_id' | 'recipient_partnership_id'>(
  'child_partnership_shares',
  () => ({ lawful_basis: 'UK GDPR 6(1)(e) and 9(2)(g)' }),
);

export const aRestrictionChange = factory<'restriction_changes', 'partnership_id' | 'child_id' | 'child_reference' | 'changed_by'>(
  'restriction_changes',
  () => ({ change: 'lifted', reason: 'A synthetic reason for a test' }),
);

// ---- Accounts, sharing and audit --------------------------------------------------------------------------

export const aPartnership = factory<'partnerships', 'code' | 'name'>('partnerships', () => ({ nation: 'england' }));

/** A signed-in session, made directly (for rows on both sides of a table; ctx.sessionUser makes one that resolves). */
export const aSession = factory<'sessions', 'partnership_id' | 'user_id'>('sessions', (v) => {
  const now = new Date();
  return {
    id: crypto.randomBytes(32).toString('hex'),
    acting_partnership_id: v.partnership_id,
    stage: 'signed_in',
    created_at: now,
    last_seen_at: now,
    absolute_expires_at: new Date(now.getTime() + 3_600_000),
  };
});

export const aSharingAgreement = factory<'sharing_agreements', 'partnership_id' | 'recipient_partnership_id'>('sharing_agreements', () => ({
  purpose: 'A synthetic agreement for a test',
  lawful_basis: 'UK GDPR 6(1)(e) and 9(2)(g)',
  starts_on: '2025-01-01',
}));

export const anAccessGrant = factory<'partnership_access_grants', 'partnership_id' | 'agreement_id' | 'user_id' | 'roles'>(
  'partnership_access_grants',
  () => ({}),
);

/** An API token (only its hash is stored), approved unless approved_by is given as null. */
export const anApiToken = factory<'api_tokens', 'partnership_id' | 'agency_id' | 'created_by' | 'token_hash'>('api_tokens', () => ({
  name: 'Test token',
  roles: ['practitioner'],
  expires_at: new Date(Date.now() + 30 * 86_400_000),
}));

/** An audit row as the stamping trigger finishes it at COMMIT (seq and hashes are its to fill). */
export const anAuditEvent = factory<'audit_events', 'partnership_id' | 'action'>('audit_events', (v) => ({
  chain_id: v.partnership_id!,
  seq: 0,
  actor_label: 'test',
  prev_hash: '',
  hash: '',
}));

/** The access-log index row of an audit row that disclosed a record (audit_disclosures, migration 0009). */
export async function anAuditDisclosure(owner: Owner, values: { partnership_id: string; record_id: string; audit_event_id: string }): Promise<void> {
  await sql`INSERT INTO audit_disclosures (partnership_id, record_id, audit_event_id, occurred_at)
    SELECT ${values.partnership_id}, ${values.record_id}, id, occurred_at FROM audit_events WHERE id = ${values.audit_event_id}`.execute(owner.handle.owner);
}

// ---- Assurance -----------------------------------------------------------------------------------------

export const aDirectoryService = factory<'directory_services', 'partnership_id' | 'name'>('directory_services', () => ({
  provider: 'Test provider',
  description: 'A synthetic service',
  for_whom: 'Young people',
  age_from: 10,
  age_to: 18,
  referral_route: 'Referral form',
  contact: '0300 000 0000',
  area: 'Test area',
}));
