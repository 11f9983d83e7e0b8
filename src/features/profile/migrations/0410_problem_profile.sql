-- The problem profile (issue 13 §1): the partnership's figures for a period and area, computed from
-- Lantern's own records, and the mid-year population estimates that turn counts into rates.
--
-- The figures come from SECURITY DEFINER functions that return counts per (measure, breakdown,
-- category, locality) and never a row about a child or a person: an analyst, strategy lead or
-- co-ordinator sees the whole partnership's numbers whatever their agency (children's row-level
-- security would otherwise count only the records they may open), and the intelligence tables
-- (RLS-restricted to the intelligence roles, 0300/0310/0320) give numbers only. Each function
-- returns nothing unless the acting roles include one that may read the profile (src/authz/policy.ts
-- 'profile.read_unsuppressed' says the same). Every breakdown is a partition of its measure (each
-- child, concern or episode in exactly one category), so a group's Total is the sum of its categories.
-- work_mem is raised for these statements alone, so grouping 100,000 children hashes in memory.

-- Mid-year population estimates of children (0–17) per area per year: the whole partnership
-- (locality_id NULL) or one locality. Imported as CSV by a partnership administrator.
CREATE TABLE profile_populations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  locality_id uuid,
  year integer NOT NULL CHECK (year BETWEEN 1990 AND 2100),
  children integer NOT NULL CHECK (children >= 0 AND children <= 20000000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partnership_id, locality_id) REFERENCES localities (partnership_id, id),
  UNIQUE NULLS NOT DISTINCT (partnership_id, locality_id, year)
);
SELECT lantern_partnership_table('profile_populations', 'SELECT, INSERT, UPDATE (children, updated_at)');

CREATE FUNCTION lantern_profile_reader() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(lantern_actor_roles() && ARRAY['analyst', 'strategy_lead', 'coordinator']::text[], false)
$$;

-- Indexes for the figures at 200,000 children: a child's flags open at a date (the as-of join reads
-- the partnership's flags of the kinds the profile counts), episodes by start and by return, meetings
-- and plan actions by date (episodes by start: missing_episodes_started_idx already; one interview per episode).
CREATE INDEX child_flags_profile_idx ON child_flags (partnership_id, kind, started_on) INCLUDE (child_id, ended_on, placed_here_by_other_authority, placed_out_of_area);
CREATE INDEX missing_episodes_profile_returned_idx ON missing_episodes (partnership_id, ended_at) WHERE ended_by = 'returned';
CREATE INDEX strategy_meetings_profile_held_idx ON strategy_meetings (partnership_id, held_on) INCLUDE (child_id, meeting_kind);
CREATE INDEX plan_actions_profile_created_idx ON plan_actions (partnership_id, created_at) INCLUDE (child_id, done_at);

-- The figures of one period [p_start, p_end) (dates, Europe/London days), per locality of the child
-- (NULL: no locality recorded, or not about a child: counted in the partnership only).
CREATE FUNCTION lantern_profile_figures(p_start date, p_end date)
RETURNS TABLE (measure text, breakdown text, category text, locality_id uuid, value integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET work_mem = '64MB' AS $$
  WITH bounds AS (
    SELECT (p_start::timestamp AT TIME ZONE 'Europe/London') AS s, (p_end::timestamp AT TIME ZONE 'Europe/London') AS e,
           lantern_partnership() AS pid
     WHERE lantern_profile_reader()
  ), flags AS (
    SELECT f.child_id,
           bool_or(f.kind = 'looked_after') AS looked_after,
           bool_or(f.kind = 'looked_after' AND f.placed_here_by_other_authority) AS placed_in,
           bool_or(f.kind = 'looked_after' AND f.placed_out_of_area) AS placed_out,
           bool_or(f.kind = 'child_protection_plan') AS cpp,
           bool_or(f.kind = 'missing_education') AS cme,
           bool_or(f.kind = 'send') AS send
      FROM child_flags f, bounds b
     WHERE f.partnership_id = b.pid AND f.kind IN ('looked_after', 'child_protection_plan', 'missing_education', 'send')
       AND f.started_on < p_end AND (f.ended_on IS NULL OR f.ended_on >= p_end)
     GROUP BY f.child_id
  ), everyone AS MATERIALIZED (
    -- The partnership's children, read once: the cohort below and the locality of every concern,
    -- episode, meeting and action (hash joins, not a probe per row).
    SELECT c.id, c.locality_id, c.created_at, c.closed_at, c.closing_outcome, c.current_risk_level, c.date_of_birth, c.gender, c.ethnicity
      FROM children c, bounds b
     WHERE c.partnership_id = b.pid
  ), kids AS (
    SELECT c.locality_id,
           (c.closed_at IS NULL OR c.closed_at >= b.e) AS at_risk,
           (c.created_at >= b.s) AS is_new,
           (c.closed_at >= b.s AND c.closed_at < b.e) AS closed,
           coalesce(c.closing_outcome, 'other') AS closing_outcome,
           coalesce(c.current_risk_level, 'not_assessed') AS risk_level,
           CASE WHEN c.date_of_birth IS NULL THEN 'not_known'
                WHEN c.date_of_birth > p_end - 1 - interval '10 years' THEN 'under_10'
                WHEN c.date_of_birth > p_end - 1 - interval '13 years' THEN '10_to_12'
                WHEN c.date_of_birth > p_end - 1 - interval '16 years' THEN '13_to_15'
                WHEN c.date_of_birth > p_end - 1 - interval '18 years' THEN '16_to_17'
                ELSE '18_and_over' END AS age_band,
           CASE WHEN c.gender IN ('female', 'male') THEN c.gender WHEN c.gender IN ('non_binary', 'other') THEN 'other' ELSE 'not_known' END AS sex,
           CASE WHEN c.ethnicity IS NULL OR c.ethnicity = 'not_stated' THEN 'not_known'
                WHEN c.ethnicity LIKE 'asian\_%' THEN 'asian' WHEN c.ethnicity LIKE 'black\_%' THEN 'black'
                WHEN c.ethnicity LIKE 'mixed\_%' THEN 'mixed' WHEN c.ethnicity LIKE 'white\_%' THEN 'white' ELSE 'other' END AS ethnicity,
           CASE WHEN coalesce(f.send, false) THEN 'yes' ELSE 'no' END AS send,
           CASE WHEN coalesce(f.looked_after, false) THEN 'yes' ELSE 'no' END AS looked_after,
           CASE WHEN f.placed_in THEN 'placed_here_by_other_authority' WHEN f.placed_out THEN 'placed_out_of_area' ELSE 'placed_in_area' END AS placement,
           coalesce(f.looked_after, false) AS is_looked_after,
           CASE WHEN coalesce(f.cpp, false) THEN 'yes' ELSE 'no' END AS cpp,
           CASE WHEN coalesce(f.cme, false) THEN 'yes' ELSE 'no' END AS cme
      FROM everyone c CROSS JOIN bounds b LEFT JOIN flags f ON f.child_id = c.id
     WHERE c.created_at < b.e AND (c.closed_at IS NULL OR c.closed_at >= b.s)
  ), kid_combos AS (
    -- One pass over the children: how many share each combination (a few thousand at most), so the
    -- grouping sets below sum a small table instead of scanning the children ten times.
    SELECT k.locality_id, k.risk_level, k.age_band, k.sex, k.ethnicity, k.send, k.looked_after, k.cpp, k.cme, k.placement, k.closing_outcome,
           count(*) FILTER (WHERE k.at_risk) AS at_risk,
           count(*) FILTER (WHERE k.is_new) AS is_new,
           count(*) FILTER (WHERE k.at_risk AND k.is_looked_after) AS looked_after_n,
           count(*) FILTER (WHERE k.closed) AS closed
      FROM kids k
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
  ), kid_groups AS (
    SELECT k.locality_id,
           CASE WHEN GROUPING(k.risk_level) = 0 THEN 'risk_level' WHEN GROUPING(k.age_band) = 0 THEN 'age_band'
                WHEN GROUPING(k.sex) = 0 THEN 'sex' WHEN GROUPING(k.ethnicity) = 0 THEN 'ethnicity'
                WHEN GROUPING(k.send) = 0 THEN 'send' WHEN GROUPING(k.looked_after) = 0 THEN 'looked_after'
                WHEN GROUPING(k.cpp) = 0 THEN 'child_protection_plan' WHEN GROUPING(k.cme) = 0 THEN 'missing_education'
                WHEN GROUPING(k.placement) = 0 THEN 'placement' ELSE 'closing_outcome' END AS breakdown,
           coalesce(k.risk_level, k.age_band, k.sex, k.ethnicity, k.send, k.looked_after, k.cpp, k.cme, k.placement, k.closing_outcome) AS category,
           sum(k.at_risk) AS at_risk, sum(k.is_new) AS is_new, sum(k.looked_after_n) AS looked_after, sum(k.closed) AS closed
      FROM kid_combos k
     GROUP BY GROUPING SETS ((k.locality_id, k.risk_level), (k.locality_id, k.age_band), (k.locality_id, k.sex), (k.locality_id, k.ethnicity),
       (k.locality_id, k.send), (k.locality_id, k.looked_after), (k.locality_id, k.cpp), (k.locality_id, k.cme),
       (k.locality_id, k.placement), (k.locality_id, k.closing_outcome))
  ), concern_rows AS (
    SELECT c.locality_id,
           CASE WHEN q.source <> 'public' THEN q.source WHEN q.reporter_kind = 'public' THEN 'public_general' ELSE 'public_' || coalesce(q.reporter_kind, 'not_stated') END AS source,
           CASE WHEN q.decided_at IS NULL THEN 'not_decided'
                WHEN q.decided_at - q.received_at <= interval '4 hours' THEN 'within_4_hours'
                WHEN q.decided_at - q.received_at <= interval '24 hours' THEN '4_to_24_hours'
                WHEN q.decided_at - q.received_at <= interval '72 hours' THEN '1_to_3_days'
                ELSE 'over_3_days' END AS decision_time,
           coalesce(q.decision, 'not_decided') AS decision
      FROM concerns q CROSS JOIN bounds b LEFT JOIN everyone c ON c.id = q.child_id
     WHERE q.partnership_id = b.pid AND q.received_at >= b.s AND q.received_at < b.e
  ), episodes AS (
    SELECT c.locality_id, e.child_id, e.episode_type
      FROM missing_episodes e CROSS JOIN bounds b JOIN everyone c ON c.id = e.child_id
     WHERE e.partnership_id = b.pid AND e.started_at >= b.s AND e.started_at < b.e
  ), returns AS (
    SELECT c.locality_id,
           CASE WHEN i.first_offered IS NULL THEN 'not_offered' WHEN i.first_offered <= e.ended_at + interval '72 hours' THEN 'within_72_hours'
                ELSE 'after_72_hours' END AS offered,
           CASE WHEN i.first_held IS NULL THEN 'not_held' WHEN i.first_held <= e.ended_at + interval '72 hours' THEN 'within_72_hours'
                ELSE 'after_72_hours' END AS held
      FROM missing_episodes e CROSS JOIN bounds b JOIN everyone c ON c.id = e.child_id
      LEFT JOIN LATERAL (SELECT min(r.offered_at) AS first_offered, min(r.held_at) FILTER (WHERE r.outcome = 'accepted') AS first_held
                           FROM return_interviews r WHERE r.episode_id = e.id) i ON true
     WHERE e.partnership_id = b.pid AND e.ended_by = 'returned' AND e.ended_at >= b.s AND e.ended_at < b.e
  )
  SELECT 'children_at_risk', g.breakdown, g.category, g.locality_id, g.at_risk::integer FROM kid_groups g
   WHERE g.breakdown NOT IN ('placement', 'closing_outcome')
  UNION ALL
  SELECT 'new_identifications', g.breakdown, g.category, g.locality_id, g.is_new::integer FROM kid_groups g
   WHERE g.breakdown NOT IN ('placement', 'closing_outcome')
  UNION ALL
  SELECT 'children_looked_after', 'placement', g.category, g.locality_id, g.looked_after::integer FROM kid_groups g WHERE g.breakdown = 'placement'
  UNION ALL
  SELECT 'cases_closed', 'closing_outcome', g.category, g.locality_id, g.closed::integer FROM kid_groups g WHERE g.breakdown = 'closing_outcome'
  UNION ALL
  SELECT 'concerns', x.breakdown, x.category, x.locality_id, count(*)::integer
    FROM concern_rows q CROSS JOIN LATERAL (VALUES ('source', q.source, q.locality_id), ('decision_time', q.decision_time, q.locality_id),
                                                   ('decision', q.decision, q.locality_id)) x(breakdown, category, locality_id)
   GROUP BY 2, 3, 4
  UNION ALL
  SELECT 'missing_episodes', 'episode_type', e.episode_type, e.locality_id, count(*)::integer FROM episodes e GROUP BY 3, 4
  UNION ALL
  SELECT 'children_missing', 'episodes', CASE WHEN per.n > 1 THEN 'repeat' ELSE 'one' END, per.locality_id, count(*)::integer
    FROM (SELECT e.child_id, e.locality_id, count(*) AS n FROM episodes e GROUP BY 1, 2) per GROUP BY 3, 4
  UNION ALL
  SELECT 'returns', x.breakdown, x.category, r.locality_id, count(*)::integer
    FROM returns r CROSS JOIN LATERAL (VALUES ('interview_offered', r.offered), ('interview_held', r.held)) x(breakdown, category)
   GROUP BY 2, 3, 4
  UNION ALL
  SELECT 'strategy_meetings', 'meeting_kind', m.meeting_kind, c.locality_id, count(*)::integer
    FROM strategy_meetings m CROSS JOIN bounds b JOIN everyone c ON c.id = m.child_id
   WHERE m.partnership_id = b.pid AND m.held_on >= p_start AND m.held_on < p_end
   GROUP BY 3, 4
  UNION ALL
  SELECT 'plan_actions', 'status', CASE WHEN a.done_at IS NULL THEN 'open' ELSE 'done' END, c.locality_id, count(*)::integer
    FROM plan_actions a CROSS JOIN bounds b JOIN everyone c ON c.id = a.child_id
   WHERE a.partnership_id = b.pid AND a.created_at >= b.s AND a.created_at < b.e
   GROUP BY 3, 4
  UNION ALL
  SELECT 'mace_agenda_items', 'section', i.section, NULL::uuid, count(*)::integer
    FROM mace_agenda_items i CROSS JOIN bounds b JOIN mace_meetings m ON m.id = i.meeting_id
   WHERE i.partnership_id = b.pid AND i.removed_at IS NULL AND m.held_on >= p_start AND m.held_on < p_end
   GROUP BY 3
  UNION ALL
  SELECT 'persons_of_concern', 'status', p.status, NULL::uuid, count(*)::integer
    FROM persons_of_concern p CROSS JOIN bounds b
   WHERE p.partnership_id = b.pid AND p.created_at < b.e
   GROUP BY 3
  UNION ALL
  SELECT 'disruptions', 'tactic', d.tactic, NULL::uuid, count(*)::integer
    FROM intel_disruptions d CROSS JOIN bounds b
   WHERE d.partnership_id = b.pid AND d.disrupted_on >= p_start AND d.disrupted_on < p_end
   GROUP BY 3
  UNION ALL
  SELECT 'training_attendance', 'agency_kind', ag.kind, NULL::uuid, count(*)::integer
    FROM training_attendance t CROSS JOIN bounds b JOIN training_sessions s ON s.id = t.session_id JOIN agencies ag ON ag.id = t.agency_id
   WHERE t.partnership_id = b.pid AND s.held_on >= p_start AND s.held_on < p_end
   GROUP BY 3
  UNION ALL
  SELECT 'campaign_reach', 'audience', c.audience, NULL::uuid, sum(c.people_reached)::integer
    FROM campaigns c CROSS JOIN bounds b
   WHERE c.partnership_id = b.pid AND c.starts_on >= p_start AND c.starts_on < p_end
   GROUP BY 3
$$;

-- The headline figures of each quarter from p_first (a quarter's first day) for p_quarters quarters,
-- per locality: children at risk at the quarter's end, new identifications, concerns received,
-- missing episodes begun, strategy meetings held, and disruptions (partnership only).
CREATE FUNCTION lantern_profile_trend(p_first date, p_quarters integer)
RETURNS TABLE (quarter_start date, measure text, locality_id uuid, value integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET work_mem = '64MB' AS $$
  WITH bounds AS (
    SELECT lantern_partnership() AS pid,
           (p_first::timestamp AT TIME ZONE 'Europe/London') AS s,
           ((p_first + make_interval(months => 3 * p_quarters))::date::timestamp AT TIME ZONE 'Europe/London') AS e
     WHERE lantern_profile_reader() AND p_quarters BETWEEN 1 AND 40
  ), everyone AS MATERIALIZED (
    SELECT c.id, c.locality_id, c.created_at, c.closed_at FROM children c, bounds b WHERE c.partnership_id = b.pid
  ), quarters AS (
    SELECT q::date AS qs, (q::date::timestamp AT TIME ZONE 'Europe/London') AS s,
           ((q + interval '3 months')::date::timestamp AT TIME ZONE 'Europe/London') AS e
      FROM bounds, generate_series(p_first, p_first + make_interval(months => 3 * (p_quarters - 1)), interval '3 months') q
  )
  SELECT q.qs, 'children_at_risk', k.locality_id, sum(k.n)::integer
    FROM (SELECT c.locality_id, date_trunc('quarter', c.created_at AT TIME ZONE 'Europe/London')::date AS opened_q,
                 date_trunc('quarter', c.closed_at AT TIME ZONE 'Europe/London')::date AS closed_q, count(*) AS n
            FROM everyone c CROSS JOIN bounds b
           WHERE c.created_at < b.e AND (c.closed_at IS NULL OR c.closed_at >= b.s)
           GROUP BY 1, 2, 3) k
    JOIN quarters q ON k.opened_q <= q.qs AND (k.closed_q IS NULL OR k.closed_q > q.qs)
   GROUP BY 1, 3
  UNION ALL
  SELECT date_trunc('quarter', c.created_at AT TIME ZONE 'Europe/London')::date, 'new_identifications', c.locality_id, count(*)::integer
    FROM everyone c CROSS JOIN bounds b
   WHERE c.created_at >= b.s AND c.created_at < b.e
   GROUP BY 1, 3
  UNION ALL
  SELECT date_trunc('quarter', q.received_at AT TIME ZONE 'Europe/London')::date, 'concerns', c.locality_id, count(*)::integer
    FROM concerns q CROSS JOIN bounds b LEFT JOIN everyone c ON c.id = q.child_id
   WHERE q.partnership_id = b.pid AND q.received_at >= b.s AND q.received_at < b.e
   GROUP BY 1, 3
  UNION ALL
  SELECT date_trunc('quarter', e.started_at AT TIME ZONE 'Europe/London')::date, 'missing_episodes', c.locality_id, count(*)::integer
    FROM missing_episodes e CROSS JOIN bounds b JOIN everyone c ON c.id = e.child_id
   WHERE e.partnership_id = b.pid AND e.started_at >= b.s AND e.started_at < b.e
   GROUP BY 1, 3
  UNION ALL
  SELECT date_trunc('quarter', m.held_on)::date, 'strategy_meetings', c.locality_id, count(*)::integer
    FROM strategy_meetings m CROSS JOIN bounds b JOIN everyone c ON c.id = m.child_id
   WHERE m.partnership_id = b.pid AND m.held_on >= p_first AND m.held_on < b.e::date
   GROUP BY 1, 3
  UNION ALL
  SELECT date_trunc('quarter', d.disrupted_on)::date, 'disruptions', NULL::uuid, count(*)::integer
    FROM intel_disruptions d CROSS JOIN bounds b
   WHERE d.partnership_id = b.pid AND d.disrupted_on >= p_first AND d.disrupted_on < (p_first + make_interval(months => 3 * p_quarters))::date
   GROUP BY 1, 3
$$;

-- Themes: the pairs of a child's open flags and markers most often seen together among the children
-- open at p_end (the CSE, CCE and trafficking flags with the cohort flags), per locality.
CREATE FUNCTION lantern_profile_flag_pairs(p_end date)
RETURNS TABLE (first_flag text, second_flag text, locality_id uuid, children integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET work_mem = '64MB' AS $$
  WITH kids AS (
    SELECT c.locality_id,
           c.open_flags || CASE WHEN c.flag_cse THEN ARRAY['cse'] ELSE '{}'::text[] END
                        || CASE WHEN c.flag_cce THEN ARRAY['cce'] ELSE '{}'::text[] END AS markers
      FROM children c
     WHERE lantern_profile_reader() AND c.partnership_id = lantern_partnership()
       AND c.created_at < (p_end::timestamp AT TIME ZONE 'Europe/London')
       AND (c.closed_at IS NULL OR c.closed_at >= (p_end::timestamp AT TIME ZONE 'Europe/London'))
       AND (cardinality(c.open_flags) + c.flag_cse::integer + c.flag_cce::integer) >= 2
  )
  SELECT a, b, k.locality_id, count(*)::integer
    FROM kids k, unnest(k.markers) a, unnest(k.markers) b
   WHERE a < b
   GROUP BY 1, 2, 3
$$;

REVOKE ALL ON FUNCTION lantern_profile_reader(), lantern_profile_figures(date, date), lantern_profile_trend(date, integer),
  lantern_profile_flag_pairs(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_profile_reader(), lantern_profile_figures(date, date), lantern_profile_trend(date, integer),
  lantern_profile_flag_pairs(date) TO lantern_app;
