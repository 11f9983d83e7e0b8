-- Hotspot counts in two parts (issue 13-style stored figures for issue 12 §5, docs/DECISIONS.md 37).
-- The intelligence roles (co-ordinator, analyst) always act partnership-wide (src/authz/policy.ts), so
-- the children policies let them read every child of the partnership that is not restricted, and a
-- restricted child only when it is their agency's or they hold break-glass on it (never as an API
-- token). Counts over the first set are the same for every intelligence role of the partnership: they
-- are computed once and stored for a few minutes (hotspot_snapshots). Counts over the second set depend
-- on who is asking and are computed live on each view. The two sets of children are disjoint, so each
-- count (distinct children, links, found-at; episodes) is the sum of its two parts, and the sums equal
-- lantern_hotspot_link_counts and lantern_hotspot_missing_counts (0370), which stay as the reference
-- the tests compare against. A place removed from the records (0460: recorded in error) is no hotspot:
-- its links count nowhere here (0370, written before removal existed, still counts them).

-- The stored part: (partnership, kind 'links' or 'missing', the periods) → the base counts.
CREATE TABLE hotspot_snapshots (
  partnership_id uuid NOT NULL REFERENCES partnerships (id),
  kind text NOT NULL CHECK (kind IN ('links', 'missing')),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  computed_at timestamptz NOT NULL,
  rows jsonb NOT NULL CHECK (jsonb_typeof(rows) = 'array'),
  PRIMARY KEY (partnership_id, kind, key)
);
SELECT lantern_partnership_table('hotspot_snapshots', 'SELECT, INSERT, UPDATE (computed_at, rows)');
CREATE POLICY hotspot_snapshots_intelligence ON hotspot_snapshots AS RESTRICTIVE
  USING ((SELECT lantern_actor_roles() && ARRAY['coordinator', 'analyst']::text[]))
  WITH CHECK ((SELECT lantern_actor_roles() && ARRAY['coordinator', 'analyst']::text[]));

-- Links at locations by the seen date that ends them, so a period's links are an index range and not the
-- whole partnership's (dated links: the last seen date, else the first; undated ones by when recorded).
CREATE INDEX intel_links_location_seen_idx ON intel_links (partnership_id, (coalesce(last_seen_on, first_seen_on)))
  WHERE (to_kind = 'location' OR from_kind = 'location') AND (first_seen_on IS NOT NULL OR last_seen_on IS NOT NULL);
CREATE INDEX intel_links_location_undated_idx ON intel_links (partnership_id, created_at)
  WHERE (to_kind = 'location' OR from_kind = 'location') AND first_seen_on IS NULL AND last_seen_on IS NULL;
CREATE INDEX children_restricted_idx ON children (partnership_id) WHERE restricted;

-- p_restricted false: the links whose other end is not a child, or a child that is not restricted (only
-- for a partnership-wide intelligence context). true: the links to restricted children this context may
-- read. Same columns and meaning as lantern_hotspot_link_counts.
CREATE FUNCTION lantern_hotspot_link_part(p_from date, p_to date, p_previous_from date, p_previous_to date,
                                          p_from_at timestamptz, p_to_at timestamptz, p_previous_from_at timestamptz, p_restricted boolean)
RETURNS TABLE (period text, location uuid, locality uuid, by_location boolean, children integer, incidents integer, found_at integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH actor AS MATERIALIZED (
    SELECT lantern_partnership() AS partnership, lantern_agency() AS agency, lantern_actor_kind() AS kind, lantern_user() AS user_id
     WHERE lantern_actor_roles() && ARRAY['coordinator', 'analyst']::text[] AND lantern_scope() = 'partnership'
  ), periods (period, f, t, fi, ti) AS (
    VALUES ('current', p_from, p_to, p_from_at, p_to_at),
           ('previous', p_previous_from, p_previous_to, p_previous_from_at, p_from_at)
  ), restricted_readable AS MATERIALIZED (
    SELECT c.id
      FROM actor a JOIN children c ON c.partnership_id = a.partnership AND c.restricted
     WHERE p_restricted AND a.kind IS DISTINCT FROM 'api_token'
       AND (c.owning_agency_id = a.agency
            OR EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = c.id AND g.user_id = a.user_id AND g.expires_at > now()))
  ), candidates AS MATERIALIZED (
    -- The shared part: dated links whose seen dates may overlap the two periods, and undated ones
    -- recorded in them (index ranges). The live part: the links of the few restricted children readable.
    SELECT l.* FROM actor a JOIN intel_links l ON l.partnership_id = a.partnership
     WHERE NOT p_restricted
       AND (l.to_kind = 'location' OR l.from_kind = 'location') AND (l.first_seen_on IS NOT NULL OR l.last_seen_on IS NOT NULL)
       AND coalesce(l.last_seen_on, l.first_seen_on) >= p_previous_from
       AND coalesce(l.first_seen_on, l.last_seen_on) <= p_to
    UNION ALL
    SELECT l.* FROM actor a JOIN intel_links l ON l.partnership_id = a.partnership
     WHERE NOT p_restricted
       AND (l.to_kind = 'location' OR l.from_kind = 'location') AND l.first_seen_on IS NULL AND l.last_seen_on IS NULL
       AND l.created_at >= p_previous_from_at AND l.created_at < p_to_at
    UNION ALL
    SELECT l.* FROM restricted_readable r JOIN intel_links l ON l.from_id = r.id AND l.from_kind = 'child' AND l.to_kind = 'location'
    UNION ALL
    SELECT l.* FROM restricted_readable r JOIN intel_links l ON l.to_id = r.id AND l.to_kind = 'child' AND l.from_kind = 'location'
  ), at_places AS MATERIALIZED (
    SELECT p.period, l.relation,
           CASE WHEN l.to_kind = 'location' THEN l.to_id ELSE l.from_id END AS location_id,
           CASE WHEN l.to_kind = 'location' THEN l.from_kind ELSE l.to_kind END AS other_kind,
           CASE WHEN l.to_kind = 'location' THEN l.from_id ELSE l.to_id END AS other_id
      FROM candidates l
      JOIN periods p
        ON CASE WHEN l.first_seen_on IS NULL AND l.last_seen_on IS NULL THEN l.created_at >= p.fi AND l.created_at < p.ti
                ELSE coalesce(l.first_seen_on, l.last_seen_on) <= p.t AND coalesce(l.last_seen_on, l.first_seen_on) >= p.f END
  ), counted AS (
    SELECT k.period, k.relation, k.location_id, x.locality_id, CASE WHEN k.other_kind = 'child' THEN k.other_id END AS child_id
      FROM at_places k
      JOIN intel_locations x ON x.id = k.location_id AND x.removed_at IS NULL
     WHERE CASE WHEN p_restricted
                THEN k.other_kind = 'child' AND k.other_id IN (SELECT r.id FROM restricted_readable r)
                ELSE k.other_kind <> 'child'
                     OR EXISTS (SELECT 1 FROM actor a JOIN children c ON c.id = k.other_id AND c.partnership_id = a.partnership AND NOT c.restricted) END
  )
  SELECT k.period, k.location_id, k.locality_id, grouping(k.location_id) = 0,
         count(DISTINCT k.child_id)::integer, count(*)::integer,
         count(*) FILTER (WHERE k.relation = 'found_at' AND k.child_id IS NOT NULL)::integer
    FROM counted k
   GROUP BY GROUPING SETS ((k.period, k.location_id), (k.period, k.locality_id))
$$;

-- Missing episodes begun in each period by the child's locality, in the same two parts: the shared part
-- from the period's episodes (an index range), the live part from the few restricted children readable
-- (their episodes by child). Only the branch asked for runs (a one-time filter on p_restricted).
CREATE FUNCTION lantern_hotspot_missing_part(p_previous_from_at timestamptz, p_from_at timestamptz, p_to_at timestamptz, p_restricted boolean)
RETURNS TABLE (period text, locality uuid, missing integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH actor AS MATERIALIZED (
    SELECT lantern_partnership() AS partnership, lantern_agency() AS agency, lantern_actor_kind() AS kind, lantern_user() AS user_id
     WHERE lantern_actor_roles() && ARRAY['coordinator', 'analyst']::text[] AND lantern_scope() = 'partnership'
  ), started AS (
    SELECT m.started_at, c.locality_id
      FROM actor a
      JOIN missing_episodes m ON m.partnership_id = a.partnership AND m.started_at >= p_previous_from_at AND m.started_at < p_to_at
      JOIN children c ON c.id = m.child_id AND c.partnership_id = a.partnership
     WHERE NOT p_restricted AND c.locality_id IS NOT NULL AND NOT c.restricted
    UNION ALL
    SELECT m.started_at, c.locality_id
      FROM actor a
      JOIN children c ON c.partnership_id = a.partnership AND c.restricted
      JOIN missing_episodes m ON m.partnership_id = a.partnership AND m.child_id = c.id AND m.started_at >= p_previous_from_at AND m.started_at < p_to_at
     WHERE p_restricted AND c.locality_id IS NOT NULL AND a.kind IS DISTINCT FROM 'api_token'
       AND (c.owning_agency_id = a.agency
            OR EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = c.id AND g.user_id = a.user_id AND g.expires_at > now()))
  )
  SELECT CASE WHEN s.started_at >= p_from_at THEN 'current' ELSE 'previous' END, s.locality_id, count(*)::integer
    FROM started s
   GROUP BY 1, 2
$$;

REVOKE ALL ON FUNCTION lantern_hotspot_link_part(date, date, date, date, timestamptz, timestamptz, timestamptz, boolean),
                       lantern_hotspot_missing_part(timestamptz, timestamptz, timestamptz, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_hotspot_link_part(date, date, date, date, timestamptz, timestamptz, timestamptz, boolean),
                          lantern_hotspot_missing_part(timestamptz, timestamptz, timestamptz, boolean) TO lantern_app;
