-- The intelligence network (issue 12 §5): a practitioner's sanitised view of their child's links, and
-- an index for the hotspots page.
--
-- Row-level security (0300) lets only the intelligence roles read intel_links and the persons,
-- places and objects at their ends. A practitioner working with a child should still know that the
-- child is linked to "a person of concern (adult), seen with, high confidence" or to "a takeaway in
-- Riverside" — never who, which registration, which id, and nothing beyond the child's own links (no
-- second hop). Only a SECURITY DEFINER function can say that, and this one answers
--   * for a child the actor may read (the children policies of 0104 and 0115, written out in
--     lantern_network_child_readable below, as lantern_chronology_withheld (0172) does: a definer's
--     statements are not filtered by them), in the acting partnership, never for an API token;
--   * with one row per link of that child: the relation, its direction, the kind of the other end,
--     a person's age band (adult, under 18, not known), a place's kind and locality, an object's
--     kind, the confidence and the dates — no name, alias, address, postcode, registration, number,
--     handle, source, author or id of a link, person, place or object;
--   * a link to another child the actor may read says "child" and that child's id (the actor may open
--     its record anyway); a link to a child the actor may not read is a row marked withheld and
--     nothing else, so the page can say "n links withheld" and no more.
-- test/integration/network.test.ts checks the child test against the policies for every demo account.

-- Whether the acting context may read this child: children_agency (0104) and children_restricted
-- (0115), written out. Not granted to lantern_app: it is called only by the definer function below.
CREATE FUNCTION lantern_network_child_readable(p_child uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (
    SELECT 1 FROM children c
     WHERE c.id = p_child AND c.partnership_id = lantern_partnership()
       AND (lantern_scope() = 'partnership'
            OR c.owning_agency_id = lantern_agency()
            OR EXISTS (SELECT 1 FROM record_shares s
                        WHERE s.record_type = 'child' AND s.record_id = c.id AND s.agency_id = lantern_agency() AND s.revoked_at IS NULL))
       AND (NOT c.restricted
            OR (lantern_actor_kind() IS DISTINCT FROM 'api_token'
                AND (c.owning_agency_id = lantern_agency()
                     OR EXISTS (SELECT 1 FROM break_glass_grants g WHERE g.child_id = c.id AND g.user_id = lantern_user() AND g.expires_at > now()))))
  )
$$;
REVOKE ALL ON FUNCTION lantern_network_child_readable(uuid) FROM PUBLIC;

CREATE FUNCTION lantern_child_network_sanitised(p_child uuid)
RETURNS TABLE (withheld boolean, relation text, outward boolean, other_kind text, other_child uuid, age_band text, place_kind text,
               locality text, object_kind text, confidence text, first_seen_on date, last_seen_on date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH child AS (
    SELECT p_child AS id
     WHERE lantern_actor_kind() IS DISTINCT FROM 'api_token' AND lantern_network_child_readable(p_child)
  ), ends AS (
    SELECT l.relation, true AS outward, l.to_kind AS kind, l.to_id AS other, l.confidence, l.first_seen_on, l.last_seen_on
      FROM intel_links l JOIN child ON l.from_kind = 'child' AND l.from_id = child.id
     WHERE l.partnership_id = lantern_partnership()
    UNION ALL
    SELECT l.relation, false, l.from_kind, l.from_id, l.confidence, l.first_seen_on, l.last_seen_on
      FROM intel_links l JOIN child ON l.to_kind = 'child' AND l.to_id = child.id
     WHERE l.partnership_id = lantern_partnership()
  ), shown AS (
    SELECT e.*, (e.kind = 'child' AND NOT lantern_network_child_readable(e.other)) AS hidden FROM ends e
  )
  SELECT s.hidden,
         CASE WHEN s.hidden THEN NULL ELSE s.relation END,
         CASE WHEN s.hidden THEN NULL ELSE s.outward END,
         CASE WHEN s.hidden THEN NULL ELSE s.kind END,
         CASE WHEN s.kind = 'child' AND NOT s.hidden THEN s.other END,
         CASE WHEN s.kind = 'person' THEN
           (SELECT CASE WHEN p.estimated_age >= 18 OR p.date_of_birth <= current_date - interval '18 years' THEN 'adult'
                        WHEN p.estimated_age < 18 OR p.date_of_birth > current_date - interval '18 years' THEN 'under_18'
                        ELSE 'unknown' END
              FROM persons_of_concern p WHERE p.id = s.other AND p.partnership_id = lantern_partnership()) END,
         CASE WHEN s.kind = 'location' THEN (SELECT x.kind FROM intel_locations x WHERE x.id = s.other AND x.partnership_id = lantern_partnership()) END,
         CASE WHEN s.kind = 'location' THEN
           (SELECT y.name FROM intel_locations x JOIN localities y ON y.id = x.locality_id
             WHERE x.id = s.other AND x.partnership_id = lantern_partnership()) END,
         CASE WHEN s.kind = 'object' THEN (SELECT o.kind FROM intel_objects o WHERE o.id = s.other AND o.partnership_id = lantern_partnership()) END,
         CASE WHEN s.hidden THEN NULL ELSE s.confidence END,
         CASE WHEN s.hidden THEN NULL ELSE s.first_seen_on END,
         CASE WHEN s.hidden THEN NULL ELSE s.last_seen_on END
    FROM shown s
   ORDER BY s.hidden, coalesce(s.last_seen_on, s.first_seen_on) DESC NULLS LAST, s.kind, s.relation, s.confidence
$$;
REVOKE ALL ON FUNCTION lantern_child_network_sanitised(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_child_network_sanitised(uuid) TO lantern_app;

-- Hotspots count the missing episodes that started in a period, by the child's locality: one range scan.
CREATE INDEX missing_episodes_started_idx ON missing_episodes (partnership_id, started_at);
