import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';
import { insertCount, pick, scaledChildren, type ScaleSeedContext } from '../../seed/scale.ts';
import type { sendOptions } from './schema.ts';

/** The day a demo child's flags start: after its tenth birthday, within the last two years, by its reference. */
const flagStart = sql`greatest(coalesce(c.date_of_birth + interval '10 years', current_date - 700)::date,
                               current_date - 30 - (hashtext(c.reference || ':flag') & 2147483647) % 700)`;

/**
 * The demo children out of school (the children seed's draw: missing from education, elective home
 * education) get the flag, not an education status (DECISIONS 27), from the day their other flags
 * start and with the school's source. The flags seed adds their "added" changes with the rest.
 */
export async function seedOutOfSchoolFlags(
  tx: Tx,
  p: DemoSeedContext['partnerships'][string],
  children: readonly { childId: string; kind: 'missing_education' | 'elective_home_education' }[],
): Promise<void> {
  if (children.length === 0) return;
  await sql`
    INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source, source_agency_id, created_at, updated_at, created_by, created_by_name)
    SELECT c.partnership_id, c.id, k.kind, ${flagStart},
           CASE k.kind WHEN 'missing_education' THEN 'School attendance officer' ELSE 'Letter from parent to the school' END,
           ${p.agencies.education ?? null}::uuid, now(), now(), u.id, u.display_name
      FROM unnest(${children.map((x) => x.childId)}::uuid[], ${children.map((x) => x.kind)}::text[]) k (child_id, kind)
      JOIN children c ON c.id = k.child_id
      LEFT JOIN users u ON u.id = ${p.users['social-worker'] ?? null}::uuid`.execute(tx);
}

/**
 * The demo children with special educational needs or a disability (the children seed's draw) get the
 * SEND flag, with the school's source, and the record the kind of support beside it (DECISIONS 29):
 * the record cannot name a kind before the flag is open. The flags seed adds their "added" changes.
 */
export async function seedSendFlags(
  tx: Tx,
  p: DemoSeedContext['partnerships'][string],
  children: readonly { childId: string; kind: (typeof sendOptions)[number] }[],
): Promise<void> {
  if (children.length === 0) return;
  const ids = children.map((x) => x.childId);
  const kinds = children.map((x) => x.kind);
  await sql`
    INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source, source_agency_id, note, created_at, updated_at, created_by, created_by_name)
    SELECT c.partnership_id, c.id, 'send', ${flagStart}, 'School special educational needs co-ordinator', ${p.agencies.education ?? null}::uuid,
           CASE k.kind WHEN 'ehcp' THEN 'Education, health and care plan.' WHEN 'disability' THEN 'Registered disability.' ELSE 'SEN support at school.' END,
           now(), now(), u.id, u.display_name
      FROM unnest(${ids}::uuid[], ${kinds}::text[]) k (child_id, kind)
      JOIN children c ON c.id = k.child_id
      LEFT JOIN users u ON u.id = ${p.users['social-worker'] ?? null}::uuid`.execute(tx);
  await sql`UPDATE children c SET send = k.kind FROM unnest(${ids}::uuid[], ${kinds}::text[]) k (child_id, kind) WHERE c.id = k.child_id`.execute(tx);
}

/**
 * Opens flags for demo children before the flags seed has turned their drawn legal status (looked
 * after, child protection plan …) into flags: the flags' trigger sets those from the open flags, so
 * they are put back as drawn for the flags seed to read.
 */
export async function keepingDrawnLegalStatus(tx: Tx, childIds: readonly string[], open: () => Promise<void>): Promise<void> {
  if (childIds.length === 0) return open();
  const drawn = await tx
    .selectFrom('children')
    .select(['id', 'looked_after', 'placement', 'child_protection_plan', 'child_in_need', 'youth_justice'])
    .where('id', 'in', childIds)
    .execute();
  await open();
  await sql`
    UPDATE children c SET looked_after = d.looked_after, placement = d.placement, child_protection_plan = d.cpp, child_in_need = d.cin, youth_justice = d.yj
      FROM unnest(${drawn.map((d) => d.id)}::uuid[], ${drawn.map((d) => d.looked_after)}::boolean[], ${drawn.map((d) => d.placement)}::text[],
                  ${drawn.map((d) => d.child_protection_plan)}::boolean[], ${drawn.map((d) => d.child_in_need)}::boolean[],
                  ${drawn.map((d) => d.youth_justice)}::boolean[]) d (id, looked_after, placement, cpp, cin, yj)
     WHERE c.id = d.id`.execute(tx);
}

/** Fictional localities of the fictional demo partnerships. */
const localityNames: Record<string, string[]> = {
  northmere: ['Northmere Central', 'Northmere North', 'Riverside', 'Eastfield'],
  westbrook: ['Westbrook Central', 'Westbrook Vale', 'Harbourside', 'Millfield'],
};
/** Localities the scaled partnerships get when they have none. */
const scaleLocalities = ['Central', 'North', 'South', 'East', 'West', 'Riverside'];

/**
 * Demo localities and flags (migration 0130), drawn from each child's own story and nothing random
 * (no faker draws, so no later seed's people move): the legal status the children seed gave them
 * becomes flags (being out of school and SEND already are: seedOutOfSchoolFlags, seedSendFlags) with dates and a source; a trafficking concern becomes a
 * National Referral Mechanism referral; the sexual health clinic's concern (NM-1005) and the child
 * who came back with alcohol (NM-1006) get the flags those concerns speak of; the child who goes missing
 * most (NM-0999) is off any school roll; a couple of flags
 * have ended, so the history shows both. Every flag has an "added" change, as the page would write.
 */
export async function seedChildFlags(tx: Tx, { partnerships }: DemoSeedContext): Promise<void> {
  for (const [code, p] of Object.entries(partnerships)) {
    const names = localityNames[code] ?? scaleLocalities;
    await tx
      .insertInto('localities')
      .values(names.map((name) => ({ partnership_id: p.id, name })))
      .execute();
    // Each child lives in one locality, by its reference.
    await sql`
      UPDATE children c SET locality_id = l.id
        FROM (SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM localities WHERE partnership_id = ${p.id}) l
       WHERE c.partnership_id = ${p.id} AND l.n = (hashtext(c.reference) & 2147483647) % ${names.length}`.execute(tx);
    const prefix = code === 'northmere' ? 'NM' : 'WB';
    const council = code === 'northmere' ? 'Northmere Council' : 'Westbrook Council';
    await sql`
      INSERT INTO child_flags (partnership_id, child_id, kind, started_on, ended_on, ended_at, ended_by_name, source, source_agency_id, note,
                               placing_authority, placed_here_by_other_authority, placed_out_of_area, nrm_referred_on, nrm_decision,
                               created_at, updated_at, created_by, created_by_name)
      SELECT c.partnership_id, c.id, f.kind, f.started_on, f.ended_on, CASE WHEN f.ended_on IS NOT NULL THEN now() END,
             CASE WHEN f.ended_on IS NOT NULL THEN u.display_name END, f.source, f.agency, f.note,
             f.placing_authority, coalesce(f.here, false), coalesce(f.out_of_area, false), f.nrm_on, f.nrm_decision,
             now(), now(), u.id, u.display_name
        FROM children c
        JOIN LATERAL (SELECT (hashtext(c.reference || ':flag') & 2147483647) AS h) x ON true
        -- Flags start after the child's tenth birthday, within the last two years.
        JOIN LATERAL (SELECT ${flagStart} AS started) d ON true
        CROSS JOIN LATERAL (VALUES
          ('looked_after', c.looked_after, d.started, NULL::date, 'Children''s services: care order', ${p.agencies.childrens_services ?? null}::uuid,
           c.placement,
           CASE WHEN x.h % 5 = 0 THEN 'Eastholme County Council' ELSE ${council} END, x.h % 5 = 0, x.h % 7 = 1, NULL::date, NULL::text),
          ('child_protection_plan', c.child_protection_plan, d.started, NULL, 'Initial child protection conference', ${p.agencies.childrens_services ?? null}::uuid,
           NULL, NULL, NULL, NULL, NULL, NULL),
          ('child_in_need', c.child_in_need, d.started, NULL, 'Children''s services assessment', ${p.agencies.childrens_services ?? null}::uuid,
           NULL, NULL, NULL, NULL, NULL, NULL),
          ('youth_justice', c.youth_justice, d.started, NULL, 'Youth Justice Service referral order', ${p.agencies.youth_justice ?? null}::uuid,
           NULL, NULL, NULL, NULL, NULL, NULL),
          -- The other children out of school, and those with SEND, have their flag from the children seed
          -- (seedOutOfSchoolFlags, seedSendFlags).
          ('missing_education', c.reference = ${`${prefix}-0999`}, d.started, NULL, 'School attendance officer', ${p.agencies.education ?? null}::uuid,
           'Not on any school roll since the family moved.', NULL, NULL, NULL, NULL, NULL),
          ('trafficking_nrm', c.flag_trafficking, d.started, NULL, 'Strategy meeting', ${p.agencies.police ?? null}::uuid,
           'Moved between towns by older males; referred as a potential victim of trafficking.', NULL, NULL, NULL, d.started + 3,
           CASE WHEN x.h % 2 = 0 THEN 'awaiting' ELSE 'reasonable_grounds_positive' END),
          ('sexual_health', c.reference = ${`${prefix}-1005`}, current_date - 75, NULL, 'Sexual health clinic (concern raised)', ${p.agencies.health ?? null}::uuid,
           'Attending with a much older "boyfriend".', NULL, NULL, NULL, NULL, NULL),
          ('substance_misuse', c.reference = ${`${prefix}-1006`}, current_date - 40, NULL, 'Return home interview', ${p.agencies.voluntary ?? null}::uuid,
           'Came back from missing episodes with alcohol and cash.', NULL, NULL, NULL, NULL, NULL),
          -- Two past periods that ended, so the history shows both.
          ('child_in_need', c.reference = ${`${prefix}-1001`} AND NOT c.child_in_need, current_date - 600, current_date - 420,
           'Children''s services assessment', ${p.agencies.childrens_services ?? null}::uuid, 'Closed to children''s services after support.', NULL, NULL, NULL, NULL, NULL),
          ('substance_misuse', c.reference = ${`${prefix}-1004`}, current_date - 300, current_date - 120, 'Young people''s drug and alcohol service',
           ${p.agencies.health ?? null}::uuid, 'Completed the programme.', NULL, NULL, NULL, NULL, NULL)
        ) f (kind, present, started_on, ended_on, source, agency, note, placing_authority, here, out_of_area, nrm_on, nrm_decision)
        LEFT JOIN users u ON u.id = ${p.users['social-worker'] ?? null}::uuid
       WHERE c.partnership_id = ${p.id} AND f.present`.execute(tx);
    await sql`
      INSERT INTO child_flag_changes (partnership_id, child_id, flag_id, kind, change, changed_fields, changed_at, changed_by, changed_by_name)
      SELECT f.partnership_id, f.child_id, f.id, f.kind, 'added', jsonb_build_object('startedOn', f.started_on), f.created_at, f.created_by, f.created_by_name
        FROM child_flags f WHERE f.partnership_id = ${p.id}
      UNION ALL
      SELECT f.partnership_id, f.child_id, f.id, f.kind, 'ended', jsonb_build_object('endedOn', f.ended_on), f.ended_at, f.created_by, f.ended_by_name
        FROM child_flags f WHERE f.partnership_id = ${p.id} AND f.ended_on IS NOT NULL`.execute(tx);
  }
}

/**
 * Benchmark flags and localities for the scaled children, set-based: each kind for a share of the
 * children close to a large English area's (looked after ~7%, child in need ~15%, SEND ~15% …),
 * chosen by the reference's hash; every scaled child in one of its partnership's localities.
 */
export async function scaleSeedChildFlags(tx: Tx, range: ScaleSeedContext): Promise<number> {
  const scaled = scaledChildren('c', range);
  await sql`
    INSERT INTO localities (partnership_id, name)
    SELECT p.id, n.name FROM partnerships p CROSS JOIN unnest(${scaleLocalities}::text[]) n (name)
     WHERE EXISTS (SELECT 1 FROM children c WHERE c.partnership_id = p.id AND ${scaled})
       AND NOT EXISTS (SELECT 1 FROM localities l WHERE l.partnership_id = p.id)`.execute(tx);
  await sql`
    UPDATE children c SET locality_id = l.id
      FROM (SELECT id, partnership_id, row_number() OVER (PARTITION BY partnership_id ORDER BY name) - 1 AS n,
                   count(*) OVER (PARTITION BY partnership_id) AS k FROM localities) l
     WHERE ${scaled} AND l.partnership_id = c.partnership_id AND l.n = ${pick('c.reference', 'locality', 1000)} % l.k`.execute(tx);
  return insertCount(
    tx,
    sql`
    INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source, placing_authority, nrm_referred_on, nrm_decision, created_at, updated_at,
                             created_by_name)
    SELECT c.partnership_id, c.id, k.kind, current_date - 30 - ${pick('c.reference', 'flag-start', 700)}, 'Children''s services record',
           CASE WHEN k.kind = 'looked_after' THEN 'Home council' END,
           CASE WHEN k.kind = 'trafficking_nrm' THEN current_date - 20 END, CASE WHEN k.kind = 'trafficking_nrm' THEN 'awaiting' END,
           now(), now(), 'Lantern (benchmark)'
      FROM children c
      CROSS JOIN (VALUES ('looked_after', 7), ('child_protection_plan', 5), ('child_in_need', 15), ('missing_education', 4),
                         ('elective_home_education', 1), ('youth_justice', 6), ('substance_misuse', 8), ('sexual_health', 5),
                         ('trafficking_nrm', 2), ('send', 15)) k (kind, percent)
     WHERE ${scaled} AND (hashtext(c.reference || ':' || k.kind) & 2147483647) % 100 < k.percent`,
  );
}
