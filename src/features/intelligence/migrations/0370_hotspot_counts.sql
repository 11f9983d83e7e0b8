-- Hotspot counts (issue 12 §5) as two numbers-only functions, so that the page does not ask the
-- children policies row by row. Read under row-level security, the hotspots page joined every link
-- and every missing episode of two periods to `children`, and the policies (children_agency,
-- children_restricted and missing_episodes' own child test) were evaluated for each of tens of
-- thousands of rows — seconds at 200,000 children (docs/PERFORMANCE.md). Here the same rule is one
-- set-based predicate: a child counts only when the acting context may read it, the children
-- policies written out as lantern_network_child_readable (0330) writes them, with the context's
-- scope, agency and kind read once. Only the partnership's intelligence roles (the co-ordinator and
-- the analyst) get rows; anyone else gets none. Numbers only: no name, no child id.

-- The links at locations whose seen dates (first seen to last seen; the day it was recorded when
-- undated) overlap each period, counted by location and by the location's locality (GROUPING SETS):
-- the readable children linked, the links ("incidents"), and the readable children found there.
-- A link to a child the context may not read counts nowhere.
CREATE FUNCTION lantern_hotspot_link_counts(p_from date, p_to date, p_previous_from date, p_previous_to date,
                                            p_from_at timestamptz, p_to_at timestamptz, p_previous_from_at timestamptz)
RETURNS TABLE (period text, location uuid, locality uuid, by_location boolean, children integer, incidents integer, found_at integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH actor AS MATERIALIZED (
    SELECT lantern_partnership() AS partnership, lantern_agency() AS agency, lantern_scope() AS scope,
           lantern_actor_kind() AS kind, lantern_user() AS user_id
     WHERE lantern_actor_roles() && ARRAY['coordinator', 'analyst']::text[]
  ), periods (period, f, t, fi, ti) AS (
    VALUES ('current', p_from, p_to, p_from_at, p_to_at),
           ('previous', p_previous_from, p_previous_to, p_previous_from_at, p_from_at)
  ), at_places AS MATERIALIZED (
    SELECT p.period, l.relation,
           CASE WHEN l.to_kind = 'location' THEN l.to_id ELSE l.from_id END AS location_id,
           CASE WHEN l.to_kind = 'location' THEN l.from_kind ELSE l.to_kind END AS other_kind,
           CASE WHEN l.to_kind = 'location' THEN l.from_id ELSE l.to_id END AS other_id
      FROM actor a JOIN intel_links l ON l.partnership_id = a.partnership
      JOIN periods p
        ON CASE WHEN l.first_seen_on IS NULL AND l.last_seen_on IS NULL THEN l.created_at >= p.fi AND l.created_at < p.ti
                ELSE coalesce(l.first_seen_on, l.last_seen_on) <= p.t AND coalesce(l.last_seen_on, l.first_seen_on) >= p.f END
     WHERE l.to_kind = 'location' OR l.from_kind = 'location'
  ), readable AS MATERIALIZED (
    SELECT c.id
      FROM actor a JOIN children c ON c.partnership_id = a.partnership
     WHERE c.id IN (SELECT x.other_id FROM at_places x WHERE x.other_kind = 'child')
       AND (a.scope = 'partnership' OR c.owning_agency_id = a.agency
            OR EXISTS (SELECT 1 FROM record_shares s
                        WHERE s.record_type = 'child' AND s.record_id = c.id AND s.agency_id = a.agency AND s.revoked_at IS NULL))
       AND (NOT c.restricted
            OR (a.kind IS DISTINCT FROM 'api_token'
                AND (c.owning_agency_id = a.agency
                     OR EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = c.id AND g.user_id = a.user_id AND g.expires_at > now()))))
  ), counted AS (
    SELECT k.period, k.relation, k.location_id, x.locality_id, r.id AS child_id
      FROM at_places k
      LEFT JOIN readable r ON k.other_kind = 'child' AND r.id = k.other_id
      JOIN intel_locations x ON x.id = k.location_id
     WHERE k.other_kind <> 'child' OR r.id IS NOT NULL
  )
  SELECT k.period, k.location_id, k.locality_id, grouping(k.location_id) = 0,
         count(DISTINCT k.child_id)::integer, count(*)::integer,
         count(*) FILTER (WHERE k.relation = 'found_at' AND k.child_id IS NOT NULL)::integer
    FROM counted k
   GROUP BY GROUPING SETS ((k.period, k.location_id), (k.period, k.locality_id))
$$;

-- Missing episodes that started in each period (p_previous_from_at to p_from_at, p_from_at to p_to_at),
-- by the child's locality: "missing from". Only children the context may read count.
CREATE FUNCTION lantern_hotspot_missing_counts(p_previous_from_at timestamptz, p_from_at timestamptz, p_to_at timestamptz)
RETURNS TABLE (period text, locality uuid, missing integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH actor AS MATERIALIZED (
    SELECT lantern_partnership() AS partnership, lantern_agency() AS agency, lantern_scope() AS scope,
           lantern_actor_kind() AS kind, lantern_user() AS user_id
     WHERE lantern_actor_roles() && ARRAY['coordinator', 'analyst']::text[]
  )
  SELECT CASE WHEN m.started_at >= p_from_at THEN 'current' ELSE 'previous' END, c.locality_id, count(*)::integer
    FROM actor a
    JOIN missing_episodes m ON m.partnership_id = a.partnership AND m.started_at >= p_previous_from_at AND m.started_at < p_to_at
    JOIN children c ON c.id = m.child_id AND c.partnership_id = a.partnership
   WHERE c.locality_id IS NOT NULL
     AND (a.scope = 'partnership' OR c.owning_agency_id = a.agency
          OR EXISTS (SELECT 1 FROM record_shares s
                      WHERE s.record_type = 'child' AND s.record_id = c.id AND s.agency_id = a.agency AND s.revoked_at IS NULL))
     AND (NOT c.restricted
          OR (a.kind IS DISTINCT FROM 'api_token'
              AND (c.owning_agency_id = a.agency
                   OR EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = c.id AND g.user_id = a.user_id AND g.expires_at > now()))))
   GROUP BY 1, 2
$$;

REVOKE ALL ON FUNCTION lantern_hotspot_link_counts(date, date, date, date, timestamptz, timestamptz, timestamptz),
                       lantern_hotspot_missing_counts(timestamptz, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_hotspot_link_counts(date, date, date, date, timestamptz, timestamptz, timestamptz),
                          lantern_hotspot_missing_counts(timestamptz, timestamptz, timestamptz) TO lantern_app;
