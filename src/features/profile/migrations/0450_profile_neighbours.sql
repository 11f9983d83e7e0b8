-- Comparison with neighbouring partnerships that agree to compare (issue 13 §1): a partnership's
-- administrator offers to compare the problem profile's headline figures with a named partnership;
-- the comparison is live only while BOTH have offered (mutual) and neither has withdrawn.
--
-- Each offer is the offering partnership's own row (row-level security: its own rows only, so the
-- neighbour never reads the table; lantern_profile_comparison_offers_received tells it who offered).
-- The neighbour's figures come from lantern_profile_neighbour_figures, a numbers-only SECURITY DEFINER
-- function: a count per (partnership, measure) for the partnerships with a mutual live agreement with
-- the acting partnership, never a row about a child, and nothing unless the acting roles may read the
-- profile (lantern_profile_reader, 0410/0430). The application always applies disclosure control to the
-- neighbour's counts (src/features/profile/neighbours.ts): the neighbour agreed to compare, not to share
-- unsuppressed numbers.

CREATE TABLE profile_comparison_offers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The partnership that offers to compare.
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  neighbour_partnership_id uuid NOT NULL REFERENCES partnerships (id),
  offered_by uuid REFERENCES users (id),
  offered_at timestamptz NOT NULL DEFAULT now(),
  withdrawn_at timestamptz,
  withdrawn_by uuid REFERENCES users (id),
  CHECK (neighbour_partnership_id <> partnership_id),
  CHECK (withdrawn_by IS NULL OR withdrawn_at IS NOT NULL)
);
-- One standing offer of a partnership to a neighbour.
CREATE UNIQUE INDEX profile_comparison_offers_standing_idx ON profile_comparison_offers (partnership_id, neighbour_partnership_id) WHERE withdrawn_at IS NULL;
CREATE INDEX profile_comparison_offers_neighbour_idx ON profile_comparison_offers (neighbour_partnership_id) WHERE withdrawn_at IS NULL;

-- Offers are made and withdrawn by the partnership's administrators (src/authz/policy.ts
-- 'profile.comparison.manage' says the same); rows are never deleted, a withdrawal only sets its columns.
SELECT lantern_rls_table('profile_comparison_offers', 'SELECT, INSERT, UPDATE (withdrawn_at, withdrawn_by)');
CREATE POLICY profile_comparison_offers_read ON profile_comparison_offers FOR SELECT
  USING (partnership_id = (SELECT lantern_partnership()));
CREATE POLICY profile_comparison_offers_make ON profile_comparison_offers FOR INSERT
  WITH CHECK (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['partnership_admin']::text[]);
CREATE POLICY profile_comparison_offers_withdraw ON profile_comparison_offers FOR UPDATE
  USING (partnership_id = (SELECT lantern_partnership()) AND (SELECT lantern_actor_roles()) && ARRAY['partnership_admin']::text[])
  WITH CHECK (partnership_id = (SELECT lantern_partnership()));

-- The partnerships whose standing offer names the acting partnership, with when they offered: what an
-- administrator needs to see an offer waiting for an answer. Ids and a date only.
CREATE FUNCTION lantern_profile_comparison_offers_received()
RETURNS TABLE (partnership_id uuid, offered_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT o.partnership_id, o.offered_at
    FROM profile_comparison_offers o
   WHERE o.neighbour_partnership_id = lantern_partnership() AND o.withdrawn_at IS NULL
     AND coalesce(lantern_actor_roles() && ARRAY['partnership_admin', 'analyst', 'strategy_lead', 'coordinator', 'board_member']::text[], false)
$$;

-- The partnerships compared with the acting one now: each has a standing offer to the other.
CREATE FUNCTION lantern_profile_compared_partnerships() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT mine.neighbour_partnership_id
    FROM profile_comparison_offers mine
    JOIN profile_comparison_offers theirs
      ON theirs.partnership_id = mine.neighbour_partnership_id AND theirs.neighbour_partnership_id = mine.partnership_id
     AND theirs.withdrawn_at IS NULL
   WHERE mine.partnership_id = lantern_partnership() AND mine.withdrawn_at IS NULL
$$;

-- The compared headline figures (catalogue.ts comparedMeasures) of each partnership compared with the
-- acting one, for the period [p_start, p_end) (Europe/London days), each counted as
-- lantern_profile_figures counts it for its own partnership (each measure's Total): children at risk at
-- the period's end, new identifications, concerns received, missing episodes begun, strategy meetings
-- held. Every measure of every compared partnership has a row, 0 included. And the partnership's own
-- mid-year estimate of children (profile_populations, locality_id NULL) for p_year or the latest year
-- before it, as the measure 'population' (value the children, year the estimate's year).
CREATE FUNCTION lantern_profile_neighbour_figures(p_start date, p_end date, p_year integer)
RETURNS TABLE (partnership_id uuid, measure text, value integer, year integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET work_mem = '64MB' AS $$
  WITH bounds AS (
    SELECT (p_start::timestamp AT TIME ZONE 'Europe/London') AS s, (p_end::timestamp AT TIME ZONE 'Europe/London') AS e
     WHERE lantern_profile_reader()
  ), compared AS MATERIALIZED (
    SELECT n AS pid FROM bounds, lantern_profile_compared_partnerships() n
  )
  SELECT n.pid, 'children_at_risk', (SELECT count(*) FROM children c
     WHERE c.partnership_id = n.pid AND c.created_at < b.e AND (c.closed_at IS NULL OR c.closed_at >= b.e))::integer, NULL::integer
    FROM compared n, bounds b
  UNION ALL
  SELECT n.pid, 'new_identifications', (SELECT count(*) FROM children c
     WHERE c.partnership_id = n.pid AND c.created_at >= b.s AND c.created_at < b.e)::integer, NULL::integer
    FROM compared n, bounds b
  UNION ALL
  SELECT n.pid, 'concerns', (SELECT count(*) FROM concerns q
     WHERE q.partnership_id = n.pid AND q.received_at >= b.s AND q.received_at < b.e)::integer, NULL::integer
    FROM compared n, bounds b
  UNION ALL
  SELECT n.pid, 'missing_episodes', (SELECT count(*) FROM missing_episodes m JOIN children c ON c.id = m.child_id AND c.partnership_id = n.pid
     WHERE m.partnership_id = n.pid AND m.started_at >= b.s AND m.started_at < b.e)::integer, NULL::integer
    FROM compared n, bounds b
  UNION ALL
  SELECT n.pid, 'strategy_meetings', (SELECT count(*) FROM strategy_meetings m JOIN children c ON c.id = m.child_id AND c.partnership_id = n.pid
     WHERE m.partnership_id = n.pid AND m.held_on >= p_start AND m.held_on < p_end)::integer, NULL::integer
    FROM compared n, bounds b
  UNION ALL
  SELECT n.pid, 'population', p.children, p.year
    FROM compared n
    JOIN LATERAL (SELECT x.children, x.year FROM profile_populations x
                   WHERE x.partnership_id = n.pid AND x.locality_id IS NULL AND x.year <= p_year
                   ORDER BY x.year DESC LIMIT 1) p ON true
$$;

REVOKE ALL ON FUNCTION lantern_profile_comparison_offers_received(), lantern_profile_compared_partnerships(),
  lantern_profile_neighbour_figures(date, date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_profile_comparison_offers_received(), lantern_profile_compared_partnerships(),
  lantern_profile_neighbour_figures(date, date, integer) TO lantern_app;
