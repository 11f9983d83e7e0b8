import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor, type TrustedActor, type Tx } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import {
  aChild,
  aChildPartnershipShare,
  aMissingEpisode,
  anAccessGrant,
  aReturnInterview,
  anAuditDisclosure,
  anAuditEvent,
  aPartnership,
  aRecordShare,
  aRestrictionChange,
  aSession,
  aSharingAgreement,
  demoPartnership,
} from '../helpers/factories.ts';

let ctx: TestContext;
let northmere: string;
let westbrook: string;
const agencies: Record<string, { id: string; partnership_id: string; kind: string }> = {};

// Global tables hold no personal data and no partnership's records.
// lantern_request_context is each connection's acting context (migration 0009), readable by nobody but the owner.
const globalTables = new Set(['lantern_migrations', 'audit_chain_heads', 'sign_in_throttle', 'partnerships', 'lantern_request_context']);

before(async () => {
  ctx = await createTestContext();
  northmere = await demoPartnership(ctx, 'northmere');
  westbrook = await demoPartnership(ctx, 'westbrook');
  for (const a of await ctx.ownerQuery<{ id: string; partnership_id: string; kind: string }>(`SELECT id, partnership_id, kind FROM agencies`)) {
    agencies[`${a.partnership_id === northmere ? 'n' : 'w'}:${a.kind}`] = a;
  }
  // Rows on both sides of every table: a child owned by each partnership's children's services, sessions,
  // audit events, shares, restriction changes, agreements and grants.
  for (const [key, p] of [
    ['n', northmere],
    ['w', westbrook],
  ] as const) {
    const child = await aChild(ctx, { partnership_id: p, owning_agency_id: agencies[`${key}:childrens_services`]!.id, reference: `RLS-${key}` });
    const [u] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1`, [p]);
    await aSession(ctx, { id: `rls-${key}`, partnership_id: p, user_id: u!.id });
    const event = await anAuditEvent(ctx, { partnership_id: p, action: 'record.view', actor_label: 'rls test' });
    await aRecordShare(ctx, { partnership_id: p, record_id: child, agency_id: agencies[`${key}:health`]!.id });
    await anAuditDisclosure(ctx, { partnership_id: p, record_id: child, audit_event_id: event });
    await aRestrictionChange(ctx, { partnership_id: p, child_id: child, child_reference: `RLS-${key}`, changed_by: u!.id });
  }
  const [nUser] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'analyst.northmere@lantern.example'`);
  const agreement = await aSharingAgreement(ctx, { partnership_id: westbrook, recipient_partnership_id: northmere, purpose: 'reciprocal test' });
  // An agreement between Westbrook and a third partnership, which Northmere must never see.
  const third = await aPartnership(ctx, { code: 'eastholme', name: 'Eastholme test partnership' });
  await aSharingAgreement(ctx, { partnership_id: westbrook, recipient_partnership_id: third, purpose: 'not for northmere' });
  await anAccessGrant(ctx, { partnership_id: westbrook, agreement_id: agreement, user_id: nUser!.id, roles: ['analyst'] });
  // The demo releases a C report in Northmere only (migration 0350): one in Westbrook too.
  const [wbReport] = await ctx.ownerQuery<{ id: string }>(
    `INSERT INTO intel_reports (partnership_id, source_evaluation, intelligence_assessment, handling_code, handling_conditions, released_to_partnership,
       obtained_on, submitting_agency_id, officer_name, sanitised_text)
     VALUES ($1, '2', 'B', 'C', 'rls test conditions', true, '2026-10-01', $2, 'rls test', 'rls test report') RETURNING id`,
    [westbrook, agencies['w:police']!.id],
  );
  await ctx.ownerQuery(`INSERT INTO intel_report_releases (report_id, partnership_id, agency_id, reason) VALUES ($1, $2, $3, 'rls test release')`, [
    wbReport!.id,
    westbrook,
    agencies['w:police']!.id,
  ]);
  // A Westbrook person of concern once shared with Northmere, withdrawn: intel_shares has rows of both
  // partnerships (the demo's share is Northmere's), and Northmere reads nothing through it.
  await ctx.ownerQuery(
    `INSERT INTO intel_shares (partnership_id, shared_with_partnership_id, entity_kind, entity_id, agreement_id, reason, withdrawn_at)
     SELECT $1, $2, 'person', id, $3, 'rls test share', now() FROM persons_of_concern WHERE partnership_id = $1 ORDER BY id LIMIT 1`,
    [westbrook, northmere, agreement],
  );
  // Stored figures (0470, 0471) exist only once someone reads the profile or the hotspots: one of each partnership.
  await ctx.ownerQuery(
    `INSERT INTO profile_snapshots (partnership_id, kind, key, computed_at, rows) VALUES ($1, 'figures', 'rls test', now(), '[]'), ($2, 'figures', 'rls test', now(), '[]')`,
    [northmere, westbrook],
  );
  await ctx.ownerQuery(
    `INSERT INTO hotspot_snapshots (partnership_id, kind, key, computed_at, rows) VALUES ($1, 'links', 'rls test', now(), '[]'), ($2, 'links', 'rls test', now(), '[]')`,
    [northmere, westbrook],
  );
  // Stored quarterly figures of computed measures (0595) exist once someone reads the measures: one of each partnership.
  await ctx.ownerQuery(
    `INSERT INTO strategy_measure_quarter_values (partnership_id, source, quarter_start, fingerprint, computed_at, figures)
     VALUES ($1, 'disruptions', '2020-01-01', 'rls test', now(), '{"value": 0}'), ($2, 'disruptions', '2020-01-01', 'rls test', now(), '{"value": 0}')`,
    [northmere, westbrook],
  );
  // Security events (0540) exist once someone fails to sign in, exports, is refused…: one of each partnership.
  await ctx.ownerQuery(`INSERT INTO security_events (partnership_id, event, outcome) VALUES ($1, 'export', 'success'), ($2, 'permission.denied', 'denied')`, [
    northmere,
    westbrook,
  ]);
  // Retention (0600): schedules are made with each partnership; a legal hold and a disposal run of each.
  for (const p of [northmere, westbrook]) {
    await ctx.ownerQuery(
      `INSERT INTO retention_holds (partnership_id, name, reason, scope, starts_on, created_by, created_by_name)
       SELECT $1, 'rls test hold', 'rls test', 'all', '2026-01-01', id, 'rls test' FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1`,
      [p],
    );
    await ctx.ownerQuery(
      `INSERT INTO retention_runs (partnership_id, as_of, status, proposed_by, proposed_by_name, decided_at)
       SELECT $1, '2026-01-01', 'cancelled', id, 'rls test', now() FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1`,
      [p],
    );
  }
  // Subject access (0640): a request of each partnership with one redaction decision.
  for (const p of [northmere, westbrook]) {
    await ctx.ownerQuery(
      `WITH u AS (SELECT id FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1),
            r AS (INSERT INTO subject_access_requests (partnership_id, subject_kind, subject_id, requester_kind, requester_name, received_on, due_on, created_by, created_by_name)
                  SELECT $1, 'child', (SELECT id FROM children WHERE partnership_id = $1 AND merged_into_id IS NULL ORDER BY id LIMIT 1), 'subject', 'rls test',
                         '2026-01-31', '2026-02-28', u.id, 'rls test' FROM u RETURNING id)
       INSERT INTO subject_access_redactions (partnership_id, request_id, item_key, decision, decided_by, decided_by_name)
       SELECT $1, r.id, 'case_notes:x:body', 'redact', u.id, 'rls test' FROM r, u`,
      [p],
    );
  }
  // Data subjects' rights (0645): a decided rectification request with the subject's statement, and a lifted
  // restriction of processing (one in force would refuse the test's own writes to the child), of each partnership.
  for (const [key, p] of [
    ['n', northmere],
    ['w', westbrook],
  ] as const) {
    await ctx.ownerQuery(
      `WITH c AS (SELECT id FROM children WHERE reference = $2), u AS (SELECT id FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1),
       r AS (INSERT INTO data_rights_requests (partnership_id, kind, child_id, requested_by, received_on, disputed_record, requested_correction,
               decision, decided_at, decided_by, decided_by_name, created_by, created_by_name)
             SELECT $1, 'rectification', c.id, 'rls test', '2026-01-01', 'rls test', 'rls test', 'statement_added', now(), u.id, 'rls test', u.id, 'rls test'
               FROM c, u RETURNING id, child_id),
       s AS (INSERT INTO record_statements (partnership_id, child_id, request_id, disputed_record, statement, added_by, added_by_name)
             SELECT $1, r.child_id, r.id, 'rls test', 'rls test statement', u.id, 'rls test' FROM r, u RETURNING id)
       INSERT INTO processing_restrictions (partnership_id, child_id, reason, from_on, placed_by, placed_by_name, lifted_at, lifted_by, lifted_by_name, lift_reason)
       SELECT $1, c.id, 'rls test', '2026-01-01', u.id, 'rls test', now(), u.id, 'rls test', 'rls test' FROM c, u, s`,
      [p, `RLS-${key}`],
    );
  }
  // A Northmere child of the schools service with a record beside children's services' RLS-n, so each
  // child table has rows of a child that another agency, with rows of its own there, cannot see.
  const [northmereChild] = await ctx.ownerQuery<{ id: string; owning_agency_id: string }>(
    `SELECT id, owning_agency_id FROM children WHERE reference = 'RLS-n'`,
  );
  const schoolsChild = await aChild(ctx, { partnership_id: northmere, owning_agency_id: agencies['n:education']!.id, reference: 'RLS-n-education' });
  const toWestbrook = await aSharingAgreement(ctx, { partnership_id: northmere, recipient_partnership_id: westbrook, purpose: 'rls test shares' });
  for (const child of [northmereChild!.id, schoolsChild]) {
    const ofChild = { partnership_id: northmere, child_id: child };
    // Stopped, so Westbrook reads nothing through it.
    await aChildPartnershipShare(ctx, {
      ...ofChild,
      agreement_id: toWestbrook,
      recipient_partnership_id: westbrook,
      revoked_at: new Date(),
      revoked_reason: 'rls test',
    });
    const episode = await aMissingEpisode(ctx, { ...ofChild, started_at: '2026-09-01T20:00Z', ended_at: '2026-09-02T10:00Z', ended_by: 'returned' });
    await aReturnInterview(ctx, { ...ofChild, episode_id: episode, offered_at: '2026-09-03T10:00Z', interviewer_agency_id: northmereChild!.owning_agency_id });
  }
  // Case audits (0560), record linkage (0500–0520) and sign-in identities (0550) have rows only once
  // someone audits, merges, looks for duplicates, asks a neighbour or links an account: one of each
  // partnership in every table. A Northmere ask on each of its two children, so linkage_asks (a child's
  // row, read by who may manage the child's shares) has rows of a child another agency cannot see.
  const [westbrookChild] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = 'RLS-w'`);
  for (const [p, child, asks, asking, holding] of [
    [northmere, northmereChild!.id, [northmereChild!.id, schoolsChild], toWestbrook, agreement],
    [westbrook, westbrookChild!.id, [westbrookChild!.id], agreement, toWestbrook],
  ] as const) {
    const [u] = await ctx.ownerQuery<{ id: string; agency_id: string }>(`SELECT id, agency_id FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1`, [
      p,
    ]);
    const [audit] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO case_audits (partnership_id, title, period_start, period_end, tool_id, tool_version, tool, method, sample_size, seed, status, created_by)
       VALUES ($1, 'rls test audit', '2026-01-01', '2026-06-30', 'rls-test', 1, '{}', 'random', 1, 1, 'in_progress', $2) RETURNING id`,
      [p, u!.id],
    );
    await ctx.ownerQuery(`INSERT INTO case_audit_auditors (partnership_id, audit_id, user_id, agency_id) VALUES ($1, $2, $3, $4)`, [
      p,
      audit!.id,
      u!.id,
      u!.agency_id,
    ]);
    const [sample] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO case_audit_sample (partnership_id, audit_id, child_id, position) VALUES ($1, $2, $3, 1) RETURNING id`,
      [p, audit!.id, child],
    );
    await ctx.ownerQuery(
      `INSERT INTO case_audit_answers (partnership_id, audit_id, sample_id, agency_id, auditor_id, answers, grade) VALUES ($1, $2, $3, $4, $5, '{}', 'good')`,
      [p, audit!.id, sample!.id, u!.agency_id, u!.id],
    );
    await ctx.ownerQuery(
      `INSERT INTO case_audit_moderations (partnership_id, audit_id, sample_id, agreed_grade, moderated_by) VALUES ($1, $2, $3, 'good', $4)`,
      [p, audit!.id, sample!.id, u!.id],
    );
    await ctx.ownerQuery(`INSERT INTO case_audit_learning (partnership_id, audit_id, text) VALUES ($1, $2, 'rls test learning')`, [p, audit!.id]);
    // Board self-assessments (0580): an assessment with a rating and a piece of evidence (one of the partnership's plans).
    const [assessment] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO self_assessments (partnership_id, title, year, framework_id, framework_version, framework, created_by)
       VALUES ($1, 'rls test self-assessment', 2026, 'rls-test', 1, '{}', $2) RETURNING id`,
      [p, u!.id],
    );
    await ctx.ownerQuery(`INSERT INTO self_assessment_ratings (partnership_id, assessment_id, standard_id, rating) VALUES ($1, $2, '1-1', 'fully-met')`, [
      p,
      assessment!.id,
    ]);
    await ctx.ownerQuery(
      `INSERT INTO self_assessment_evidence (partnership_id, assessment_id, standard_id, kind, plan_id)
       SELECT $1, $2, '1-1', 'plan', id FROM strategy_plans WHERE partnership_id = $1 ORDER BY id LIMIT 1`,
      [p, assessment!.id],
    );
    await ctx.ownerQuery(
      `INSERT INTO record_merges (partnership_id, kind, kept_id, merged_id, merged_by, merged_by_name) VALUES ($1, 'child', $2, gen_random_uuid(), $3, 'rls test')`,
      [p, child, u!.id],
    );
    await ctx.ownerQuery(`INSERT INTO linkage_parameters (partnership_id, record_kind, parameters, trained_by, records) VALUES ($1, 'child', '{}', $2, 0)`, [
      p,
      u!.id,
    ]);
    await ctx.ownerQuery(
      `INSERT INTO duplicate_pairs (partnership_id, record_kind, left_id, right_id, match_probability, match_weight, waterfall)
       VALUES ($1, 'child', '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002', 0.5, 0, '[]')`,
      [p],
    );
    await ctx.ownerQuery(
      `INSERT INTO linkage_runs (partnership_id, record_kind, status, step, progress, started_by) VALUES ($1, 'child', 'finished', 'done', 100, $2)`,
      [p, u!.id],
    );
    // The asking side keeps the agreement's key; the holding side's children are encoded under the other agreement.
    await ctx.ownerQuery(
      `INSERT INTO linkage_agreement_keys (agreement_id, partnership_id, recipient_partnership_id, sealed_key)
       SELECT id, partnership_id, recipient_partnership_id, 'v1.rls-test' FROM sharing_agreements WHERE id = $1`,
      [asking],
    );
    await ctx.ownerQuery(
      `INSERT INTO linkage_encodings (partnership_id, agreement_id, child_id, clk, source_updated_at) VALUES ($1, $2, $3, '\\x00ff', now())`,
      [p, holding, child],
    );
    for (const asked of asks) {
      await ctx.ownerQuery(
        `INSERT INTO linkage_asks (partnership_id, child_id, agreement_id, strength, dice, above_threshold, asked_by) VALUES ($1, $2, $3, 'none', 0, 0, $4)`,
        [p, asked, asking, u!.id],
      );
    }
    await ctx.ownerQuery(
      `INSERT INTO oidc_identities (partnership_id, user_id, issuer, subject, created_at, last_used_at) VALUES ($1, $2, 'https://idp.rls.test', $3, now(), now())`,
      [p, u!.id, `rls-test-${p}`],
    );
    await ctx.ownerQuery(
      `INSERT INTO webauthn_credentials (partnership_id, user_id, credential_id, public_key, name, created_at) VALUES ($1, $2, $3, '\\x01', 'rls test', now())`,
      [p, u!.id, `rls-test-credential-${p}`],
    );
    await ctx.ownerQuery(`INSERT INTO sign_in_events (partnership_id, user_id, occurred_at, outcome, method) VALUES ($1, $2, now(), 'success', 'password')`, [
      p,
      u!.id,
    ]);
  }
});
after(async () => ctx.close());

/** A made-up actor: partnership-wide scope comes from a partnership-wide role (triage), agency scope from a practitioner's. */
const actor = (partnershipId: string, agencyId: string, scope: 'partnership' | 'agency' = 'agency'): TrustedActor => ({
  userId: null,
  partnershipId,
  agencyId,
  roles: [scope === 'partnership' ? 'triage_worker' : 'practitioner'],
  label: 'rls test',
});
const withActor = <T>(_db: unknown, as: TrustedActor, fn: Parameters<typeof withTrustedActor<T>>[2]) => withTrustedActor(ctx.handle.owner, as, fn);

async function partnershipTables(): Promise<string[]> {
  const rows = await ctx.ownerQuery<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'partnership_id' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name).filter((t) => !globalTables.has(t));
}

/** Tables the request role may not read at all (sessions since migration 0009): nothing can leak through them. */
async function unreadable(table: string): Promise<boolean> {
  const [r] = await ctx.ownerQuery<{ ok: boolean }>(`SELECT has_table_privilege('lantern_app', $1, 'SELECT') AS ok`, [table]);
  return !r!.ok;
}

/** Rows of `other` partnership that the acting context can see in `table`. */
async function leaked(table: string, as: TrustedActor, other: string): Promise<number> {
  if (await unreadable(table)) return 0;
  return withActor(ctx.handle.db, as, async (tx) => {
    // An agreement is meant to be visible to its recipient partnership too.
    const intended = table === 'sharing_agreements' ? sql`AND recipient_partnership_id <> ${as.partnershipId}` : sql``;
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE partnership_id = ${other} ${intended}`.execute(tx);
    return r.rows[0]!.n;
  });
}

// ---- Writes ---------------------------------------------------------------------------------------------

/** The most an actor of a partnership can hold: every role, partnership-wide, as a real person of it. */
async function everyRole(partnershipId: string): Promise<TrustedActor> {
  const [admin] = await ctx.ownerQuery<{ id: string; agency_id: string }>(
    `SELECT id, agency_id FROM users WHERE partnership_id = $1 AND 'partnership_admin' = ANY (roles) ORDER BY email LIMIT 1`,
    [partnershipId],
  );
  return {
    userId: admin!.id,
    partnershipId,
    agencyId: admin!.agency_id,
    label: 'rls test',
    roles: ['system_admin', 'partnership_admin', 'dpo', 'triage_worker', 'coordinator', 'practitioner', 'analyst', 'strategy_lead'],
  };
}

/** Runs fn as the actor and always rolls back: its value, or the error the database gave. */
class RolledBack extends Error {
  constructor(readonly value: unknown) {
    super('rolled back');
  }
}
async function attempt(as: TrustedActor, fn: (tx: Tx) => Promise<unknown>): Promise<{ value?: unknown; error?: Error }> {
  try {
    await withTrustedActor(ctx.handle.owner, as, async (tx) => {
      throw new RolledBack(await fn(tx));
    });
  } catch (error) {
    return error instanceof RolledBack ? { value: error.value } : { error: error as Error };
  }
  throw new Error('not rolled back');
}
const refusedByRls = (r: { error?: Error }) => /new row violates row-level security policy/.test(r.error?.message ?? '');
const affected = (r: { value?: unknown; error?: Error }) => {
  if (r.error) throw r.error;
  return Number((r.value as { numAffectedRows?: bigint }).numAffectedRows ?? 0n);
};
/** Rows a delete reaches: one still referenced (an audit's sampled child with answers) is refused by the foreign key, so it was reached. */
const deletedRows = (r: { value?: unknown; error?: Error }) => ((r.error as { code?: string } | undefined)?.code === '23503' ? 1 : affected(r));

/** The columns lantern_app may write with `privilege` (generated and identity columns, and the id, left to the database). */
async function writable(table: string, privilege: 'INSERT' | 'UPDATE'): Promise<string[]> {
  const rows = await ctx.ownerQuery<{ attname: string }>(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' AND attidentity = ''
       AND attname <> 'id' AND has_column_privilege('lantern_app', attrelid, attnum, $2) ORDER BY attnum`,
    [table, privilege],
  );
  return rows.map((r) => r.attname);
}
const deletable = async (table: string) =>
  (await ctx.ownerQuery<{ ok: boolean }>(`SELECT has_table_privilege('lantern_app', $1, 'DELETE') AS ok`, [table]))[0]!.ok;

/**
 * A copy of a row of `table` that `where` picks, to insert again as another actor: the same values but
 * a new id. A token's issuer and agency are checked by a trigger before row-level security, so they
 * are the actor's: only the partnership is wrong.
 */
async function copyOf(table: string, where: string, params: unknown[], as: TrustedActor): Promise<Record<string, unknown>> {
  const [row] = await ctx.ownerQuery<{ row: Record<string, unknown> }>(`SELECT to_jsonb(t) AS row FROM ${table} t WHERE ${where} LIMIT 1`, params);
  assert.ok(row, `${table} has a row to copy`);
  if (table === 'api_tokens') return { ...row.row, created_by: as.userId, agency_id: as.agencyId, roles: ['practitioner'] };
  // A child's risk level is refused by its own guard (migration 0170) before row-level security is asked: copy a child without one.
  if (table === 'children') return { ...row.row, current_risk_level: null, current_risk_source: null, current_risk_source_id: null, current_risk_on: null };
  return row.row;
}
function insertCopy(table: string, columns: string[], row: Record<string, unknown>) {
  const list = sql.join(columns.map((c) => sql.ref(c)));
  return (tx: Tx) =>
    sql`INSERT INTO ${sql.table(table)} (${list}) SELECT ${list} FROM jsonb_populate_record(NULL::${sql.table(table)}, ${JSON.stringify(row)}::jsonb)`.execute(
      tx,
    );
}
function updateInPlace(table: string, column: string, where: ReturnType<typeof sql>) {
  return (tx: Tx) => sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${sql.ref(column)} WHERE ${where}`.execute(tx);
}

/** With the table's row-level security switched off for the length of fn (the owner's change, put back after). */
async function withoutRls<T>(table: string, fn: () => Promise<T>): Promise<T> {
  await ctx.ownerQuery(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
  try {
    return await fn();
  } finally {
    await ctx.ownerQuery(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  }
}

/**
 * What an actor of `from`, holding every role, achieves against `to`'s rows of a table: whether an insert
 * of a copy of one is refused by row-level security, how many rows an update and a delete reach, and
 * whether moving its own rows to `to` is refused by row-level security (undefined: lantern_app may not
 * do that at all).
 */
async function crossPartnershipWrites(table: string, from: string, to: string) {
  const as = await everyRole(from);
  const [inserts, updates] = [await writable(table, 'INSERT'), await writable(table, 'UPDATE')];
  const theirs = sql`partnership_id = ${to}`;
  return {
    insertRefused:
      inserts.length === 0 ? undefined : refusedByRls(await attempt(as, insertCopy(table, inserts, await copyOf(table, 'partnership_id = $1', [to], as)))),
    updated: updates.length === 0 ? undefined : affected(await attempt(as, updateInPlace(table, updates[0]!, theirs))),
    // No WHERE: a statement that reads no column is checked by the policies' WITH CHECK alone (SELECT
    // policies also check the new row when a statement reads one).
    moveRefused: !updates.includes('partnership_id')
      ? undefined
      : refusedByRls(await attempt(as, (tx) => sql`UPDATE ${sql.table(table)} SET partnership_id = ${to}`.execute(tx))),
    deleted: (await deletable(table)) ? deletedRows(await attempt(as, (tx) => sql`DELETE FROM ${sql.table(table)} WHERE ${theirs}`.execute(tx))) : undefined,
  };
}

/**
 * Tables of a child's record: a child_id column and the standard policy (a row goes with its child,
 * lantern_child_table). Tables with a child_id and rules of their own are tested where those rules are.
 */
const ownChildRules = new Set([
  'concerns',
  'break_glass_grants',
  'restriction_changes',
  // An audit's sample is the partnership's (ids and positions, no record): its auditors read the records through
  // lantern_case_audit_record, not through the children policy (docs/DECISIONS.md 41).
  'case_audit_sample',
  // No request reads it at all (no privilege, a policy that admits no row, migration 0520): only the ask functions do.
  'linkage_encodings',
  // Data subjects' rights (migration 0645): requests are the DPO's alone; a statement and a restriction are read
  // with the record by whoever sees it and written by the DPO only (test/integration/data-rights.test.ts).
  'data_rights_requests',
  'record_statements',
  'processing_restrictions',
]);
async function childTables(): Promise<string[]> {
  const rows = await ctx.ownerQuery<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'child_id' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name).filter((t) => !ownChildRules.has(t));
}

/**
 * A row of a Northmere child's record and an agency of Northmere that cannot see the child (not the
 * owner, no live share; the child not restricted, so partnership-wide roles see it), chosen among the
 * owners of other children with rows in the table, so the agency has rows of its own there.
 */
async function rowOfAnotherAgencysChild(table: string) {
  const [found] = await ctx.ownerQuery<{ child_id: string; agency_id: string }>(
    `SELECT t.child_id, own.owning_agency_id AS agency_id FROM ${table} t JOIN children c ON c.id = t.child_id
       JOIN ${table} t2 ON t2.partnership_id = t.partnership_id JOIN children own ON own.id = t2.child_id AND NOT own.restricted
      WHERE t.partnership_id = $1 AND NOT c.restricted AND own.owning_agency_id <> c.owning_agency_id
        AND NOT EXISTS (SELECT 1 FROM record_shares s WHERE s.record_type = 'child' AND s.record_id = c.id AND s.agency_id = own.owning_agency_id
                          AND s.revoked_at IS NULL)
      ORDER BY t.child_id, own.owning_agency_id LIMIT 1`,
    [northmere],
  );
  assert.ok(found, `${table} has a row of a child another Northmere agency with rows there cannot see`);
  return found;
}

const countRows = (table: string, as: TrustedActor, where: ReturnType<typeof sql>) =>
  withActor(
    ctx.handle.db,
    as,
    async (tx) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${where}`.execute(tx)).rows[0]!.n,
  );

/**
 * What an agency-scoped worker achieves on one child's rows of a child table: rows read and updated,
 * whether adding a row and moving the agency's own rows to the child are refused by row-level security.
 */
async function agencyWrites(table: string, childId: string, as: TrustedActor) {
  const [inserts, updates] = [await writable(table, 'INSERT'), await writable(table, 'UPDATE')];
  const ofChild = sql`child_id = ${childId}`;
  return {
    read: await countRows(table, as, ofChild),
    insertRefused:
      inserts.length === 0 ? undefined : refusedByRls(await attempt(as, insertCopy(table, inserts, await copyOf(table, 'child_id = $1', [childId], as)))),
    updated: updates.length === 0 ? undefined : affected(await attempt(as, updateInPlace(table, updates[0]!, ofChild))),
    moveRefused: !updates.includes('child_id')
      ? undefined
      : refusedByRls(await attempt(as, (tx) => sql`UPDATE ${sql.table(table)} SET child_id = ${childId}`.execute(tx))),
  };
}

describe('row-level security', () => {
  test('every table but the global ones carries partnership_id', async () => {
    const all = await ctx.ownerQuery<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const withColumn = new Set(await partnershipTables());
    const missing = all.map((r) => r.table_name).filter((t) => !globalTables.has(t) && !withColumn.has(t));
    assert.deepEqual(missing, []);
  });

  test('every partnership table has RLS enabled and forced', async () => {
    for (const table of await partnershipTables()) {
      const [r] = await ctx.ownerQuery<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = $1 AND relnamespace = 'public'::regnamespace`,
        [table],
      );
      assert.ok(r?.relrowsecurity && r.relforcerowsecurity, `${table} has forced RLS`);
    }
  });

  test('no row of one partnership is visible to the other, in either direction, on any table', async () => {
    for (const table of await partnershipTables()) {
      const [both] = await ctx.ownerQuery<{ n: number }>(`SELECT count(DISTINCT partnership_id)::int AS n FROM ${table} WHERE partnership_id IN ($1, $2)`, [
        northmere,
        westbrook,
      ]);
      assert.equal(both!.n, 2, `${table} has rows of both partnerships, so the check means something`);
      assert.equal(await leaked(table, actor(northmere, agencies['n:partnership']!.id, 'partnership'), westbrook), 0, `${table}: northmere sees westbrook`);
      assert.equal(await leaked(table, actor(westbrook, agencies['w:partnership']!.id, 'partnership'), northmere), 0, `${table}: westbrook sees northmere`);
    }
  });

  test('the leak check fails when a table’s policy is switched off', async () => {
    for (const table of await partnershipTables()) {
      if (await unreadable(table)) continue;
      const as = actor(northmere, agencies['n:partnership']!.id, 'partnership');
      const visible = () =>
        withActor(
          ctx.handle.db,
          as,
          async (tx) =>
            (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE partnership_id = ${westbrook}`.execute(tx)).rows[0]!.n,
        );
      const withPolicy = await visible();
      await ctx.ownerQuery(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      try {
        assert.ok((await visible()) > withPolicy, `${table}: without its policy more of the other partnership's rows show`);
      } finally {
        await ctx.ownerQuery(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      }
    }
  });

  test('no row of the other partnership can be inserted, updated, moved there or deleted, in either direction, on any table', async () => {
    const checked = { insert: 0, update: 0, move: 0, delete: 0 };
    for (const table of await partnershipTables()) {
      for (const [from, to, label] of [
        [northmere, westbrook, 'northmere into westbrook'],
        [westbrook, northmere, 'westbrook into northmere'],
      ] as const) {
        const writes = await crossPartnershipWrites(table, from, to);
        if (writes.insertRefused !== undefined) {
          assert.equal(writes.insertRefused, true, `${table}: ${label}: an insert is refused by row-level security`);
          checked.insert++;
        }
        if (writes.updated !== undefined) {
          assert.equal(writes.updated, 0, `${table}: ${label}: an update reaches no row`);
          checked.update++;
        }
        if (writes.moveRefused !== undefined) {
          assert.equal(writes.moveRefused, true, `${table}: ${label}: moving a row there is refused by row-level security`);
          checked.move++;
        }
        if (writes.deleted !== undefined) {
          assert.equal(writes.deleted, 0, `${table}: ${label}: a delete reaches no row`);
          checked.delete++;
        }
      }
    }
    assert.ok(checked.insert >= 80 && checked.update >= 70 && checked.move >= 60 && checked.delete >= 6, JSON.stringify(checked));
  });

  test('the write checks fail when a table’s policy is switched off', async () => {
    for (const table of await partnershipTables()) {
      const writes = await withoutRls(table, () => crossPartnershipWrites(table, northmere, westbrook));
      assert.notEqual(writes.insertRefused, true, `${table}: without its policy the insert is not refused by row-level security`);
      if (writes.updated !== undefined) assert.ok(writes.updated > 0, `${table}: without its policy the update reaches the other partnership's rows`);
      assert.notEqual(writes.moveRefused, true, `${table}: without its policy moving a row is not refused by row-level security`);
      if (writes.deleted !== undefined) assert.ok(writes.deleted > 0, `${table}: without its policy the delete reaches the other partnership's rows`);
    }
  });

  test('agency scope on a child’s records: another agency’s worker neither reads, adds to, changes nor moves rows to them', async () => {
    const tables = await childTables();
    assert.ok(tables.length >= 13, tables.join(', '));
    for (const table of tables) {
      const { child_id: childId, agency_id: agencyId } = await rowOfAnotherAgencysChild(table);
      const worker = actor(northmere, agencyId);
      assert.ok(
        (await countRows(table, actor(northmere, agencyId, 'partnership'), sql`child_id = ${childId}`)) > 0,
        `${table}: a partnership-wide role of the same agency reads the child's rows`,
      );

      const writes = await agencyWrites(table, childId, worker);
      assert.equal(writes.read, 0, `${table}: another agency reads none of the child's rows`);
      if (writes.insertRefused !== undefined) assert.equal(writes.insertRefused, true, `${table}: another agency cannot add to the child's record`);
      if (writes.updated !== undefined) assert.equal(writes.updated, 0, `${table}: another agency changes none of the child's rows`);
      if (writes.moveRefused !== undefined) assert.equal(writes.moveRefused, true, `${table}: another agency cannot move its rows to the child`);

      const unguarded = await withoutRls(table, () => agencyWrites(table, childId, worker));
      assert.ok(unguarded.read > 0, `${table}: without its policy the rows show`);
      assert.notEqual(unguarded.insertRefused, true, `${table}: without its policy the insert is not refused by row-level security`);
      if (unguarded.updated !== undefined) assert.ok(unguarded.updated > 0, `${table}: without its policy the update reaches the rows`);
      assert.notEqual(unguarded.moveRefused, true, `${table}: without its policy moving rows to the child is not refused by row-level security`);
    }
  });

  test('agency separation: a child is seen by its agency, a shared agency and partnership-wide roles only', async () => {
    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = 'RLS-n'`);
    const count = (a: TrustedActor) =>
      withActor(ctx.handle.db, a, async (tx) => (await tx.selectFrom('children').select('id').where('id', '=', child!.id).execute()).length);
    assert.equal(await count(actor(northmere, agencies['n:childrens_services']!.id)), 1, 'owning agency');
    assert.equal(await count(actor(northmere, agencies['n:education']!.id)), 0, 'another agency');
    assert.equal(await count(actor(northmere, agencies['n:education']!.id, 'partnership')), 1, 'partnership-wide role');
    assert.equal(await count(actor(westbrook, agencies['w:childrens_services']!.id, 'partnership')), 0, 'other partnership');
    await aRecordShare(ctx, { partnership_id: northmere, record_id: child!.id, agency_id: agencies['n:education']!.id });
    assert.equal(await count(actor(northmere, agencies['n:education']!.id)), 1, 'after sharing');
    await ctx.ownerQuery(`UPDATE record_shares SET revoked_at = now() WHERE record_id = $1`, [child!.id]);
    assert.equal(await count(actor(northmere, agencies['n:education']!.id)), 0, 'after revoking');
  });

  test('the application role cannot write into another partnership or bypass RLS', async () => {
    await assert.rejects(
      withActor(ctx.handle.db, actor(northmere, agencies['n:partnership']!.id), (tx) =>
        tx.insertInto('agencies').values({ partnership_id: westbrook, kind: 'voluntary', name: 'Smuggled agency' }).execute(),
      ),
      /row-level security/,
    );
    const [role] = await ctx.ownerQuery<{ rolbypassrls: boolean; rolsuper: boolean }>(
      `SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = 'lantern_app'`,
    );
    assert.deepEqual(role, { rolbypassrls: false, rolsuper: false });
    const owned = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tableowner = 'lantern_app'`);
    assert.equal(owned[0]!.n, 0, 'lantern_app owns no tables');
    await assert.rejects(
      withActor(ctx.handle.db, actor(northmere, agencies['n:partnership']!.id), (tx) =>
        sql`SET LOCAL row_security = off`.execute(tx).then(() => sql`ALTER TABLE children DISABLE ROW LEVEL SECURITY`.execute(tx)),
      ),
    );
  });
});

describe('row-level security: MACE meetings (issue 12 §4, migration 0320)', () => {
  /** A Northmere actor of one agency with these roles. */
  const as = (agency: string, roleList: TrustedActor['roles']): TrustedActor => ({
    userId: null,
    partnershipId: northmere,
    agencyId: agencies[`n:${agency}`]!.id,
    roles: roleList,
    label: 'rls test',
  });
  const count = (table: string, a: TrustedActor, where: ReturnType<typeof sql>) => countRows(table, a, where);

  test('an item restricted to an agency is read by the chair and that agency’s analyst only, with its actions and decisions; the owning agency reads its actions', async () => {
    const [item] = await ctx.ownerQuery<{ id: string; meeting_id: string }>(
      `SELECT id, meeting_id FROM mace_agenda_items WHERE partnership_id = $1 AND restricted_to_agency_ids = '{}' AND entity_id IS NOT NULL ORDER BY id LIMIT 1`,
      [northmere],
    );
    const education = agencies['n:education']!.id;
    await ctx.ownerQuery(`UPDATE mace_agenda_items SET restricted_to_agency_ids = $2 WHERE id = $1`, [item!.id, [education]]);
    const [action] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO mace_actions (partnership_id, meeting_id, item_id, description, owner_agency_id, due_on) VALUES ($1, $2, $3, 'rls test action', $4, '2027-01-01') RETURNING id`,
      [northmere, item!.meeting_id, item!.id, agencies['n:health']!.id],
    );
    // Counted by its own id: the demo's decisions may sit on the same item.
    const [decision] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO mace_decisions (partnership_id, meeting_id, item_id, kind) VALUES ($1, $2, $3, 'refer_to_licensing') RETURNING id`,
      [northmere, item!.meeting_id, item!.id],
    );
    const ofItem = sql`id = ${item!.id}`;
    const byItem = sql`id = ${decision!.id}`;
    const expectations: [string, TrustedActor, number, number, number][] = [
      ['the chair', as('partnership', ['coordinator']), 1, 1, 1],
      ['the named agency’s analyst', as('education', ['analyst']), 1, 1, 1],
      ['another agency’s analyst', as('police', ['analyst']), 0, 0, 0],
      ['the owning agency’s practitioner', as('health', ['practitioner']), 0, 1, 0],
      ['the named agency’s practitioner', as('education', ['practitioner']), 0, 0, 0],
    ];
    const seen = async (a: TrustedActor) => [
      await count('mace_agenda_items', a, ofItem),
      await count('mace_actions', a, sql`id = ${action!.id}`),
      await count('mace_decisions', a, byItem),
    ];
    for (const [who, a, items, actions, decisions] of expectations) assert.deepEqual(await seen(a), [items, actions, decisions], who);
    // Each policy is what hides them: with row-level security off, the other agency's analyst reads all three.
    const other = as('police', ['analyst']);
    for (const table of ['mace_agenda_items', 'mace_actions', 'mace_decisions'])
      assert.ok(
        await withoutRls(table, () =>
          count(table, other, table === 'mace_agenda_items' ? ofItem : table === 'mace_actions' ? sql`id = ${action!.id}` : byItem),
        ),
        `${table}: without its policy the restricted rows show`,
      );
  });

  test('only the chair writes meetings and agendas; the owning agency changes its action’s status, another agency cannot', async () => {
    const [meeting] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM mace_meetings WHERE partnership_id = $1 ORDER BY id LIMIT 1`, [northmere]);
    const insertMeeting = (tx: Tx) => sql`INSERT INTO mace_meetings (partnership_id, title, held_on) VALUES (${northmere}, 'rls', '2027-01-01')`.execute(tx);
    assert.equal(refusedByRls(await attempt(as('police', ['analyst']), insertMeeting)), true, 'the analyst cannot plan a meeting');
    assert.equal(refusedByRls(await attempt(as('partnership', ['coordinator']), insertMeeting)), false, 'the chair can');
    const addTheme = (tx: Tx) =>
      sql`INSERT INTO mace_agenda_items (partnership_id, meeting_id, section, theme, reasons, chair_reason)
          VALUES (${northmere}, ${meeting!.id}, 'themes', 'rls', '{chair_added}', 'rls')`.execute(tx);
    assert.equal(refusedByRls(await attempt(as('police', ['analyst']), addTheme)), true, 'the analyst cannot add to an agenda');
    const [action] = await ctx.ownerQuery<{ id: string; owner_agency_id: string }>(
      `SELECT a.id, a.owner_agency_id FROM mace_actions a JOIN agencies g ON g.id = a.owner_agency_id WHERE a.partnership_id = $1 AND g.kind = 'education' LIMIT 1`,
      [northmere],
    );
    const done = (tx: Tx) => sql`UPDATE mace_actions SET status = 'done' WHERE id = ${action!.id}`.execute(tx);
    assert.equal(affected(await attempt(as('education', ['practitioner']), done)), 1, 'the owning agency');
    assert.equal(affected(await attempt(as('health', ['practitioner']), done)), 0, 'another agency');
  });
});
