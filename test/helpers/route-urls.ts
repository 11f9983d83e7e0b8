import crypto from 'node:crypto';
import { builtInAuditTools } from '../../src/features/case-audits/tool.ts';
import { builtInFrameworks, standardsOf } from '../../src/features/self-assessment/framework.ts';
import type { TestContext } from './context.ts';

const auditTool = builtInAuditTools[0]!;
const selfAssessmentFramework = builtInFrameworks[0]!;
const firstStandard = standardsOf(selfAssessmentFramework)[0]!.id;

/**
 * A real value for each path parameter, by the path segment before it and its name: a record of
 * the partnership ($1), of the record before it in the path ($2) where it belongs to one.
 * A session is named by a hash that matches none: ending the sweep's own would sign it out.
 * Used by the route × role sweep and the Welsh sweep.
 */
const realValueSql: Record<string, string> = {
  'children/:id': `SELECT c.id FROM children c WHERE c.partnership_id = $1 AND NOT c.restricted AND c.status = 'open'
    ORDER BY (SELECT count(*) FROM risk_assessments x WHERE x.child_id = c.id) + (SELECT count(*) FROM missing_episodes x WHERE x.child_id = c.id)
      + (SELECT count(*) FROM strategy_meetings x WHERE x.child_id = c.id) + (SELECT count(*) FROM plan_actions x WHERE x.child_id = c.id)
      + (SELECT count(*) FROM service_referrals x WHERE x.child_id = c.id) DESC, c.id LIMIT 1`,
  'assessments/:recordId': 'SELECT id FROM risk_assessments WHERE partnership_id = $1 AND child_id = $2 ORDER BY id LIMIT 1',
  'missing/:recordId': 'SELECT id FROM missing_episodes WHERE partnership_id = $1 AND child_id = $2 ORDER BY started_at DESC LIMIT 1',
  'meetings/:recordId': 'SELECT id FROM strategy_meetings WHERE partnership_id = $1 AND child_id = $2 ORDER BY id LIMIT 1',
  'actions/:recordId': 'SELECT id FROM plan_actions WHERE partnership_id = $1 AND child_id = $2 ORDER BY id LIMIT 1',
  'referrals/:recordId': 'SELECT id FROM service_referrals WHERE partnership_id = $1 AND child_id = $2 ORDER BY id LIMIT 1',
  'flags/:recordId': 'SELECT id FROM child_flags WHERE partnership_id = $1 AND child_id = $2 ORDER BY ended_on NULLS FIRST, id LIMIT 1',
  'shares/:shareId': `SELECT id FROM record_shares WHERE partnership_id = $1 AND record_id = $2::uuid AND revoked_at IS NULL ORDER BY id LIMIT 1`,
  'partnership-shares/:shareId':
    'SELECT id FROM child_partnership_shares WHERE partnership_id = $1 AND child_id = $2 AND revoked_at IS NULL ORDER BY id LIMIT 1',
  'triage/:id': 'SELECT id FROM concerns WHERE partnership_id = $1 AND decided_at IS NULL ORDER BY id LIMIT 1',
  // Not one the sweep signs in as: disabling it would end that session.
  // The demo data has no duplicate pair or batch run until someone runs one: the first resolve makes one of each.
  'pairs/:id': `WITH c AS (SELECT array_agg(id ORDER BY id) AS ids FROM (SELECT id FROM children WHERE partnership_id = $1 AND NOT restricted
                 AND merged_into_id IS NULL ORDER BY id LIMIT 2) x),
    made AS (INSERT INTO duplicate_pairs (partnership_id, record_kind, left_id, right_id, match_probability, match_weight, waterfall)
             SELECT $1, 'child', ids[1], ids[2], 0.6, 1, '[]' FROM c ON CONFLICT DO NOTHING RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM duplicate_pairs WHERE partnership_id = $1 ORDER BY id LIMIT 1) LIMIT 1`,
  'runs/:id': `WITH made AS (INSERT INTO linkage_runs (partnership_id, record_kind, status, step, progress, finished_at)
             SELECT $1, 'child', 'finished', 'done', 100, now() WHERE NOT EXISTS (SELECT 1 FROM linkage_runs WHERE partnership_id = $1) RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM linkage_runs WHERE partnership_id = $1 ORDER BY id LIMIT 1) LIMIT 1`,
  'users/:id': 'SELECT id FROM users WHERE partnership_id = $1 AND NOT (email = ANY ($2::text[])) ORDER BY id LIMIT 1',
  'api-tokens/:id': 'SELECT id FROM api_tokens WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'agencies/:id': 'SELECT id FROM agencies WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'sharing/:id': 'SELECT id FROM sharing_agreements WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'grants/:id': 'SELECT id FROM partnership_access_grants WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'break-glass/:id': 'SELECT id FROM break_glass_grants WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'lifted/:id': 'SELECT id FROM restriction_changes WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'restricted/:id': 'SELECT id FROM children WHERE partnership_id = $1 AND restricted ORDER BY id LIMIT 1',
  'plans/:planId': 'SELECT id FROM strategy_plans WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'actions/:actionId': 'SELECT id FROM strategy_actions WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'frameworks/:frameworkId': 'SELECT id FROM strategy_frameworks WHERE partnership_id = $1 ORDER BY built_in, id LIMIT 1',
  'measures/:measureId': 'SELECT id FROM strategy_measures WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'glossary/:termId': 'SELECT id FROM strategy_glossary WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'courses/:id': 'SELECT id FROM training_courses WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'sessions/:id': 'SELECT id FROM training_sessions WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'attendance/:attendanceId': 'SELECT id FROM training_attendance WHERE partnership_id = $1 AND session_id = $2 ORDER BY id LIMIT 1',
  'campaigns/:id': 'SELECT id FROM campaigns WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'directory/:id': 'SELECT id FROM directory_services WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'scrutiny/:id': 'SELECT id FROM scrutiny_bodies WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'recommendations/:id': 'SELECT id FROM scrutiny_recommendations WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'persons/:id': 'SELECT id FROM persons_of_concern WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  // The record a merge keeps (issue 14 §2); the one merged into it is fixed below, so the sweep merges nothing.
  'children/:keepId': `SELECT id FROM children WHERE partnership_id = $1 AND NOT restricted AND status = 'open' ORDER BY reference LIMIT 1`,
  'persons/:keepId': 'SELECT id FROM persons_of_concern WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'locations/:id': 'SELECT id FROM intel_locations WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'objects/:id': 'SELECT id FROM intel_objects WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  // A standing share of a person of concern with a neighbouring partnership (migration 0340).
  'shares/:intelShareId': 'SELECT id FROM intel_shares WHERE partnership_id = $1 AND withdrawn_at IS NULL ORDER BY id LIMIT 1',
  // A P report: both intelligence roles read it (a C report may be withheld from the co-ordinator).
  'reports/:id': `SELECT id FROM intel_reports WHERE partnership_id = $1 AND handling_code = 'P' ORDER BY id LIMIT 1`,
  'disruptions/:id': 'SELECT id FROM intel_disruptions WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  'events/:id': 'SELECT id FROM intel_events WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  // The meeting with an agenda, and an item on it that every intelligence role reads (not restricted).
  'mace/:id': 'SELECT id FROM mace_meetings WHERE partnership_id = $1 ORDER BY agenda_built_at NULLS LAST, id LIMIT 1',
  'items/:itemId': `SELECT id FROM mace_agenda_items WHERE partnership_id = $1 AND meeting_id = $2 AND restricted_to_agency_ids = '{}' AND removed_at IS NULL
    ORDER BY id LIMIT 1`,
  'actions/:maceActionId': 'SELECT id FROM mace_actions WHERE partnership_id = $1 ORDER BY id LIMIT 1',
  // A neighbour's answer (issue 14 §3): the demo seed asks none, so the first resolve records one (no match) under
  // one of the partnership's agreements, about the child the path names.
  'neighbour-answers/:askId': `WITH made AS (INSERT INTO linkage_asks (partnership_id, child_id, agreement_id, strength, dice, above_threshold)
             SELECT $1, $2::uuid, g.id, 'none', 0, 0 FROM (SELECT id FROM sharing_agreements WHERE partnership_id = $1 ORDER BY id LIMIT 1) g
              WHERE NOT EXISTS (SELECT 1 FROM linkage_asks WHERE partnership_id = $1 AND child_id = $2::uuid) RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM linkage_asks WHERE partnership_id = $1 AND child_id = $2::uuid ORDER BY id LIMIT 1) LIMIT 1`,
  // A passkey of an account the sweep does not sign in as (removing its own would be refused as its last, or
  // change its sign-in): every role finds none of its own by that id. The demo seed registers none.
  'passkeys/:passkey': `WITH u AS (SELECT id FROM users WHERE partnership_id = $1 AND NOT (email = ANY ($2::text[])) ORDER BY id LIMIT 1),
    made AS (INSERT INTO webauthn_credentials (partnership_id, user_id, credential_id, public_key, name, created_at)
             SELECT $1, u.id, 'route-sweep-credential', decode('00', 'hex'), 'Sweep key', now() FROM u
              WHERE NOT EXISTS (SELECT 1 FROM webauthn_credentials WHERE partnership_id = $1) RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM webauthn_credentials WHERE partnership_id = $1 ORDER BY id LIMIT 1) LIMIT 1`,
  // A case audit in progress (migration 0560), with one sampled record and one learning point: the demo seed
  // has none. No sweep account is its auditor, so the auditor's pages find nothing (404) for every role.
  'case-audits/:id': `WITH made AS (INSERT INTO case_audits (partnership_id, title, period_start, period_end, tool_id, tool_version, tool, method,
               sample_size, seed, population, status, opened_at)
             SELECT $1, 'Route sweep audit', current_date - 365, current_date, '${auditTool.id}', ${auditTool.version},
               '${JSON.stringify(auditTool).replaceAll("'", "''")}'::jsonb, 'random', 1, 1, 1, 'in_progress', now()
              WHERE NOT EXISTS (SELECT 1 FROM case_audits WHERE partnership_id = $1) RETURNING id),
    sampled AS (INSERT INTO case_audit_sample (partnership_id, audit_id, child_id, position)
             SELECT $1, made.id, c.id, 1 FROM made, (SELECT id FROM children WHERE partnership_id = $1 AND NOT restricted
               AND merged_into_id IS NULL ORDER BY id LIMIT 1) c RETURNING id),
    learnt AS (INSERT INTO case_audit_learning (partnership_id, audit_id, text) SELECT $1, made.id, 'Route sweep learning' FROM made RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM case_audits WHERE partnership_id = $1 ORDER BY id LIMIT 1) LIMIT 1`,
  // Retention (migration 0600): a released legal hold and a cancelled disposal run, so the sweep's posts to
  // release, approve or cancel find nothing to change (404) and never dispose of the demo's records.
  'holds/:id': `WITH u AS (SELECT id FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1),
    made AS (INSERT INTO retention_holds (partnership_id, name, reason, scope, starts_on, created_by, created_by_name, released_at, released_by, released_by_name)
             SELECT $1, 'Route sweep hold', 'Route sweep', 'all', current_date, u.id, 'Route sweep', now(), u.id, 'Route sweep' FROM u
              WHERE NOT EXISTS (SELECT 1 FROM retention_holds WHERE partnership_id = $1) RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM retention_holds WHERE partnership_id = $1 ORDER BY id LIMIT 1) LIMIT 1`,
  'disposals/:id': `WITH u AS (SELECT id FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1),
    made AS (INSERT INTO retention_runs (partnership_id, as_of, status, proposed_by, proposed_by_name, decided_at)
             SELECT $1, current_date, 'cancelled', u.id, 'Route sweep', now() FROM u
              WHERE NOT EXISTS (SELECT 1 FROM retention_runs WHERE partnership_id = $1 AND status = 'cancelled') RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM retention_runs WHERE partnership_id = $1 AND status = 'cancelled' ORDER BY id LIMIT 1) LIMIT 1`,
  // A withdrawn subject access request (migration 0640): the sweep's posts to decide, release or withdraw find
  // nothing open to change (404), and nothing is released.
  'subject-access/:id': `WITH u AS (SELECT id FROM users WHERE partnership_id = $1 ORDER BY email LIMIT 1),
    c AS (SELECT id FROM children WHERE partnership_id = $1 AND merged_into_id IS NULL ORDER BY id LIMIT 1),
    made AS (INSERT INTO subject_access_requests (partnership_id, subject_kind, subject_id, requester_kind, requester_name, received_on, due_on,
               status, created_by, created_by_name)
             SELECT $1, 'child', c.id, 'subject', 'Route sweep', current_date, lantern_statutory_due_on(current_date), 'withdrawn', u.id, 'Route sweep' FROM u, c
              WHERE NOT EXISTS (SELECT 1 FROM subject_access_requests WHERE partnership_id = $1) RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM subject_access_requests WHERE partnership_id = $1 ORDER BY id LIMIT 1) LIMIT 1`,
  'learning/:learningId': 'SELECT id FROM case_audit_learning WHERE partnership_id = $1 AND audit_id = $2::uuid ORDER BY id LIMIT 1',
  'records/:childId': 'SELECT child_id AS id FROM case_audit_sample WHERE partnership_id = $1 AND audit_id = $2::uuid ORDER BY position LIMIT 1',
  // A self-assessment in progress (migration 0580) with a piece of evidence for its first standard: the demo seed has none.
  'self-assessments/:id': `WITH made AS (INSERT INTO self_assessments (partnership_id, title, year, framework_id, framework_version, framework)
             SELECT $1, 'Route sweep self-assessment', 2026, '${selfAssessmentFramework.id}', ${selfAssessmentFramework.version},
               '${JSON.stringify(selfAssessmentFramework).replaceAll("'", "''")}'::jsonb
              WHERE NOT EXISTS (SELECT 1 FROM self_assessments WHERE partnership_id = $1) RETURNING id),
    linked AS (INSERT INTO self_assessment_evidence (partnership_id, assessment_id, standard_id, kind, plan_id)
             SELECT $1, made.id, '${firstStandard}', 'plan', p.id FROM made, (SELECT id FROM strategy_plans WHERE partnership_id = $1 ORDER BY id LIMIT 1) p
             RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM self_assessments WHERE partnership_id = $1 ORDER BY id LIMIT 1) LIMIT 1`,
  // Data subjects' rights (migration 0645): the subject is a child (data-rights/:kind is fixed below), and one
  // open rectification request about it, which the sweep's empty posts leave undecided.
  'child/:id': `SELECT c.id FROM children c WHERE c.partnership_id = $1 AND NOT c.restricted AND c.status = 'open' ORDER BY c.reference LIMIT 1`,
  'requests/:id': `WITH made AS (INSERT INTO data_rights_requests (partnership_id, kind, child_id, requested_by, received_on, disputed_record,
               requested_correction, created_by, created_by_name)
             SELECT $1, 'rectification', c.id, 'Route sweep requester', current_date, 'Route sweep disputed record', 'Route sweep correction', u.id, 'Route sweep'
               FROM (SELECT id FROM children WHERE partnership_id = $1 ORDER BY reference LIMIT 1) c,
                    (SELECT id FROM users WHERE partnership_id = $1 ORDER BY id LIMIT 1) u
              WHERE NOT EXISTS (SELECT 1 FROM data_rights_requests WHERE partnership_id = $1) RETURNING id)
    SELECT id FROM made UNION ALL (SELECT id FROM data_rights_requests WHERE partnership_id = $1 ORDER BY id LIMIT 1) LIMIT 1`,
  'evidence/:evidenceId': 'SELECT id FROM self_assessment_evidence WHERE partnership_id = $1 ORDER BY id LIMIT 1',
};
const realValueFixed: Record<string, string> = {
  'sessions/:session': '0'.repeat(24),
  'export/:document': 'plan.csv',
  'chronology/:format': 'docx',
  'pack/:format': 'docx',
  // No record: a merge the sweep posted would change the records later routes read (not found instead).
  'merge/:otherId': '00000000-0000-4000-8000-00000000beef',
  'merges/:mergeId': '00000000-0000-4000-8000-00000000beef',
  'standards/:standardId': firstStandard,
  'data-rights/:kind': 'child',
};

/**
 * Fills a route's path parameters with real ids of the partnership. `exceptUsers` are accounts a
 * `users/:id` must not name (the ones signed in: disabling one would end its session). A parameter
 * with no real record gets a random id and is listed in `unresolved`.
 */
export function realUrls(ctx: TestContext, partnershipId: string, exceptUsers: string[]) {
  const unresolved: string[] = [];
  async function resolve(url: string): Promise<string> {
    const segments = url.split('/');
    let previous = '';
    for (let i = 1; i < segments.length; i++) {
      if (!segments[i]!.startsWith(':')) continue;
      const name = `${segments[i - 1]}/${segments[i]}`;
      const sql = realValueSql[name];
      let value = realValueFixed[name];
      if (sql) {
        const second = name === 'users/:id' || name === 'passkeys/:passkey' ? exceptUsers : previous;
        const rows = await ctx.ownerQuery<{ id: string }>(sql, sql.includes('$2') ? [partnershipId, second] : [partnershipId]);
        value = rows[0]?.id;
      }
      if (!value) unresolved.push(`${url} ${name}`);
      segments[i] = value ?? crypto.randomUUID();
      previous = segments[i]!;
    }
    return segments.join('/');
  }
  return { resolve, unresolved };
}
